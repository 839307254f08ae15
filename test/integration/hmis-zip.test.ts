import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestKith, type TestKith } from '../helpers/kith';
import { fixturesAvailable, fixturesDir } from '../helpers/fixtures';
import { mapHmisExport, readHmisFolder, readHmisZip } from '../../src/integration';
import { Inbox, validateChannel } from '../../src/integration/channels';
import { ensureIntegrationSchema, Pipeline } from '../../src/integration/pipeline/pipeline';

const HMIS = 'hmis-csv-greenriver/fy2026-bom_test';
const haveFixtures = fixturesAvailable(HMIS);

async function count(t: TestKith, type: string): Promise<number> {
  const { rows } = await t.kith.db.query(
    'select count(*)::int as n from fhir_resources where resource_type = $1 and not deleted',
    [type],
  );
  return rows[0].n;
}

/** Zips the fixture export inside one folder, the way export tools usually pack it. */
function zipFixture(dir: string, into: string): string {
  const src = path.join(fixturesDir(), HMIS);
  const entries = Object.fromEntries(
    readdirSync(src).map((f) => [`export-2026/${f}`, new Uint8Array(readFileSync(path.join(src, f)))]),
  );
  const file = path.join(dir, into);
  writeFileSync(file, zipSync(entries));
  return file;
}

describe.skipIf(!haveFixtures)('HMIS export as a zip', () => {
  let t: TestKith;
  let pipeline: Pipeline;
  let tmp: string;
  beforeAll(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'kith-hmis-zip-'));
    t = await startTestKith();
    await ensureIntegrationSchema(t.kith);
    pipeline = new Pipeline(t.kith);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('reads the same files from the zip as from the folder; refuses what is not an export', async () => {
    const zip = zipFixture(tmp, 'read.zip');
    const fromZip = readHmisZip(readFileSync(zip));
    const fromFolder = await readHmisFolder(path.join(fixturesDir(), HMIS));
    expect(Object.keys(fromZip).sort()).toEqual(Object.keys(fromFolder).sort());
    for (const k of Object.keys(fromFolder))
      expect(Buffer.from(fromZip[k] as Uint8Array).equals(Buffer.from(fromFolder[k] as Uint8Array))).toBe(
        true,
      );
    expect(() => readHmisZip(Buffer.from('not a zip'), 'x.zip')).toThrow(/x\.zip: not a readable zip/);
    expect(() => readHmisZip(zipSync({ 'a.txt': new Uint8Array([1]) }), 'y.zip')).toThrow(
      /y\.zip: holds no HMIS CSV files/,
    );
    const twice = zipSync({ 'a/Client.csv': new Uint8Array([1]), 'b/Client.csv': new Uint8Array([1]) });
    expect(() => readHmisZip(twice, 'z.zip')).toThrow(/Client\.csv is in the archive twice/);
  });

  it('takes a zipped export dropped in the inbox; counts match the folder', async () => {
    const expected = mapHmisExport(await readHmisFolder(path.join(fixturesDir(), HMIS)), {});
    const upserts = (type: string): number =>
      new Set(
        expected.resources.filter((r) => r.action === 'upsert' && r.resourceType === type).map((r) => r.key),
      ).size;
    const dir = path.join(tmp, 'inbox');
    const inbox = new Inbox(
      validateChannel({ name: 'hmis', kind: 'hmis', inbox: { dir, pollSeconds: 1 } }, 'hmis.json'),
      pipeline,
    );
    mkdirSync(dir);
    zipFixture(dir, 'export-1.zip');
    const [outcome] = await inbox.poll();
    expect(outcome.status).toBe('committed');
    const dropped = outcome.issues.filter((i) => / not committed$/.test(i.message)).length;
    expect(readdirSync(path.join(dir, 'processed'))).toHaveLength(1);
    expect(upserts('Patient')).toBeGreaterThan(0);
    expect(await count(t, 'Patient')).toBe(upserts('Patient'));
    expect(outcome.counts.created).toBe(
      expected.resources.filter((r) => r.action === 'upsert').length - dropped,
    );
    // The same export again, zipped: a duplicate, nothing changes.
    zipFixture(dir, 'export-2.zip');
    const [again] = await inbox.poll();
    expect(again.duplicate).toBe(true);
    expect(await count(t, 'Patient')).toBe(upserts('Patient'));
  }, 300_000);

  it('`kith import hmis export.zip` imports it and prints the summary', async () => {
    const zip = zipFixture(tmp, 'export.zip');
    const expected = mapHmisExport(await readHmisFolder(path.join(fixturesDir(), HMIS)), {});
    const dataDir = path.join(tmp, 'data');
    const { stdout } = await promisify(execFile)(process.execPath, ['bin/kith.mjs', 'import', 'hmis', zip], {
      env: { ...process.env, DATABASE_URL: '', KITH_DATA_DIR: dataDir, KITH_LOG_LEVEL: 'error' },
      maxBuffer: 16 * 1024 * 1024,
    });
    const summary = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(summary.status).toBe('committed');
    expect(summary.read).toBeGreaterThan(0);
    expect(summary.created).toBe(summary.read);
    expect(summary.read).toBeLessThanOrEqual(expected.resources.filter((r) => r.action === 'upsert').length);
  }, 300_000);
});
