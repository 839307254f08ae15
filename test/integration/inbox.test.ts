import { cpSync, existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestKith, type TestKith } from '../helpers/kith';
import { fixturesAvailable, fixturesDir } from '../helpers/fixtures';
import { mapHmisExport, readHmisFolder } from '../../src/integration';
import { Inbox, validateChannel, ChannelConfigError } from '../../src/integration/channels';
import { ensureIntegrationSchema, Pipeline } from '../../src/integration/pipeline/pipeline';
import { registerIntegrationRoutes } from '../../src/integration/pipeline/routes';

const HMIS = 'hmis-csv-greenriver/fy2026-bom_test';
const haveFixtures = fixturesAvailable(HMIS);

async function count(t: TestKith, type: string): Promise<number> {
  const { rows } = await t.kith.db.query(
    'select count(*)::int as n from fhir_resources where resource_type = $1 and not deleted',
    [type],
  );
  return rows[0].n;
}

describe('file inbox, REST routes and channel files', () => {
  let t: TestKith;
  let pipeline: Pipeline;
  const channels = [{ name: 'eligibility', kind: 'eligibility' as const }];
  beforeAll(async () => {
    t = await startTestKith();
    await ensureIntegrationSchema(t.kith);
    pipeline = await registerIntegrationRoutes(t.app, t.kith, { channels: () => channels });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  // Skipped (with fixturesAvailable's message) where ../shared/fixtures has no HUD HMIS export, as on
  // a user's fresh clone; CI sets KITH_REQUIRE_FIXTURES=1, which makes a missing folder a failure.
  it.skipIf(!haveFixtures)(
    'takes an HMIS export dropped in the inbox; counts match the files',
    async () => {
      const src = path.join(fixturesDir(), HMIS);
      const expected = mapHmisExport(await readHmisFolder(src), {});
      const upserts = (type: string): number =>
        new Set(
          expected.resources
            .filter((r) => r.action === 'upsert' && r.resourceType === type)
            .map((r) => r.key),
        ).size;
      const dir = mkdtempSync(path.join(os.tmpdir(), 'kith-inbox-'));
      cpSync(src, path.join(dir, 'export-1'), { recursive: true });
      const inbox = new Inbox(
        validateChannel({ name: 'hmis', kind: 'hmis', inbox: { dir, pollSeconds: 1 } }, 'hmis.json'),
        pipeline,
      );
      const [outcome] = await inbox.poll();
      expect(outcome.status).toBe('committed');
      // Rows with errors (and records that depend on them) are reported; the rest is committed.
      const dropped = outcome.issues.filter((i) => / not committed$/.test(i.message)).length;
      expect(existsSync(path.join(dir, 'export-1'))).toBe(false);
      expect(readdirSync(path.join(dir, 'processed'))).toHaveLength(1);
      expect(upserts('Patient')).toBeGreaterThan(0);
      expect(await count(t, 'Patient')).toBe(upserts('Patient'));
      const stored = (await count(t, 'EpisodeOfCare')) + (await count(t, 'Encounter'));
      expect(stored).toBeGreaterThan(0);
      expect(stored).toBeLessThanOrEqual(upserts('EpisodeOfCare') + upserts('Encounter'));
      expect(outcome.counts.created).toBe(
        expected.resources.filter((r) => r.action === 'upsert').length - dropped,
      );
      // The same export again: stored once, nothing changes.
      cpSync(src, path.join(dir, 'export-2'), { recursive: true });
      const [again] = await inbox.poll();
      expect(again.duplicate).toBe(true);
      expect(await count(t, 'Patient')).toBe(upserts('Patient'));
      const res = await t.inject({ method: 'GET', url: '/api/integration/channels' });
      const hmis = res.json().channels.find((c: { name: string }) => c.name === 'hmis');
      // Each failed row is its own dead letter (header + that row, with Export.csv), pointing at the export.
      const failedRows = new Set(
        outcome.issues
          .filter((i) => i.severity === 'error' && i.kind === 'row' && (i.row ?? 0) > 1)
          .map((i) => `${i.kind === 'row' && i.file}:${i.kind === 'row' && i.row}`),
      );
      expect(failedRows.size).toBeGreaterThan(0);
      expect(hmis).toMatchObject({ received: 1, committed: 1, duplicate: 1, failed: failedRows.size });
      const letters = (
        await t.inject({ method: 'GET', url: '/api/integration/dead-letters?channel=hmis&raw=true' })
      ).json().deadLetters as { id: number; parentId: number; messageKey: string; raw: string }[];
      expect(letters.map((l) => l.messageKey.split('#')[1]).sort()).toEqual([...failedRows].sort());
      expect(letters.every((l) => l.parentId === outcome.messageId)).toBe(true);
      const files = JSON.parse(letters[0].raw) as Record<string, string>;
      expect(Object.keys(files)).toContain('Export.csv');
      // Replayed unchanged, it fails again as one letter with its error.
      const replayed = await t.inject({
        method: 'POST',
        url: `/api/integration/dead-letters/${letters[0].id}/replay`,
      });
      expect(replayed.json().status).toBe('failed');
      expect(replayed.json().issues.length).toBeGreaterThan(0);
    },
    300_000,
  );

  it('a CSV pushed with the wrong columns is a dead letter listed over REST with the column named; an unknown channel is 404', async () => {
    const bad = 'NOT,THE,LAYOUT\n1,2,3\n';
    const push = await t.inject({
      method: 'POST',
      url: '/api/integration/channels/eligibility/push',
      headers: { 'content-type': 'text/csv' },
      payload: bad,
    });
    expect(push.statusCode).toBe(200);
    expect(push.json().status).toBe('failed');
    const list = await t.inject({ method: 'GET', url: '/api/integration/dead-letters' });
    const letters = list.json().deadLetters as { id: number; error: { message: string }[] }[];
    expect(letters.length).toBeGreaterThan(0);
    expect(letters[0].error[0].message).toMatch(/column|header/i);
    const unknown = await t.inject({
      method: 'POST',
      url: '/api/integration/channels/nope/push',
      payload: bad,
      headers: { 'content-type': 'text/csv' },
    });
    expect(unknown.statusCode).toBe(404);
  }, 120_000);

  it('validates channel files with precise errors', () => {
    expect(() =>
      validateChannel({ name: 'X y', kind: 'fax', inbox: { dir: '' }, extra: 1 }, 'c.json'),
    ).toThrow(ChannelConfigError);
    try {
      validateChannel({ name: 'ok', kind: 'fax' }, 'c.json');
    } catch (err) {
      expect((err as Error).message).toBe(
        'c.json: kind: must be one of hl7v2, hmis, eligibility, wic, jail, fhir',
      );
    }
    writeFileSync(path.join(os.tmpdir(), 'kith-unused.txt'), '');
  });
});
