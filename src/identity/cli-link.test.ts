import { Command } from 'commander';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerLinkCommand } from '../cli/commands/link';
import { generatePopulation, type GeneratedRecord } from './generator/generate';
import { GENERATED_MAP, RECORD_COLUMNS, writeGenerated } from './generator/write';

/** `kith link` end to end, in process: files in, pairs CSV out. */
const dir = mkdtempSync(path.join(tmpdir(), 'kith-link-'));
const data = generatePopulation({ seed: 21, records: 2500 });
const personOf = new Map(data.records.map((r, i) => [r.recordId, data.personOf[i]]));

async function link(args: string[]): Promise<string[][]> {
  const program = new Command().exitOverride();
  registerLinkCommand(program);
  const out = path.join(dir, `out-${Math.random().toString(36).slice(2)}.csv`);
  await program.parseAsync(['node', 'kith', 'link', '--out', out, ...args]);
  return readFileSync(out, 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(','));
}

function writeCsv(file: string, rows: GeneratedRecord[], columns = RECORD_COLUMNS): string {
  const cell = (v: string) => (/[",]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const p = path.join(dir, file);
  writeFileSync(
    p,
    [columns.join(','), ...rows.map((r) => columns.map((c) => cell(r[c])).join(','))].join('\n'),
  );
  return p;
}

describe('kith link', () => {
  const mapFile = path.join(dir, 'map.json');
  beforeAll(() => {
    writeGenerated(data, dir);
    vi.spyOn(console, 'error').mockImplementation(() => {});
  });
  afterAll(() => vi.restoreAllMocks());

  it('finds duplicates within one file', async () => {
    const rows = await link(['--map', mapFile, path.join(dir, 'records.csv')]);
    expect(rows[0]).toEqual(['id_a', 'id_b', 'score', 'decision']);
    const pairs = rows.slice(1);
    expect(pairs.length).toBeGreaterThan(2000);
    for (const [, , score, decision] of pairs) {
      expect(['match', 'possible']).toContain(decision);
      expect(Number.isFinite(Number(score))).toBe(true);
    }
    const matches = pairs.filter((p) => p[3] === 'match');
    const right = matches.filter(([a, b]) => personOf.get(a) === personOf.get(b)).length;
    expect(right / matches.length).toBeGreaterThanOrEqual(0.999);
  });

  it('gives the same answer whatever the ids are', async () => {
    // Replace every id by an unrelated one (reversed order, different shape); the pairs must map back.
    const renamed = new Map(
      data.records.map((r, i) => [r.recordId, `X${String(data.records.length - i).padStart(6, '0')}`]),
    );
    const back = new Map([...renamed].map(([k, v]) => [v, k]));
    const file = writeCsv(
      'renamed.csv',
      data.records.map((r) => ({ ...r, recordId: renamed.get(r.recordId)! })),
    );
    const original = await link(['--map', mapFile, path.join(dir, 'records.csv')]);
    const other = await link(['--map', mapFile, file]);
    const key = ([a, b, s, d]: string[]) => `${[a, b].sort().join('|')}|${s}|${d}`;
    const expected = new Set(original.slice(1).map(key));
    const got = new Set(other.slice(1).map(([a, b, s, d]) => key([back.get(a)!, back.get(b)!, s, d])));
    expect(got).toEqual(expected);
  });

  it('links across two files, only across', async () => {
    const inA = new Set(['CALSAWS', 'HMIS', 'CLINIC']);
    const a = writeCsv(
      'a.csv',
      data.records.filter((r) => inA.has(r.source)),
    );
    const b = writeCsv(
      'b.csv',
      data.records.filter((r) => !inA.has(r.source)),
    );
    const idsA = new Set(data.records.filter((r) => inA.has(r.source)).map((r) => r.recordId));
    const rows = (await link(['--map', mapFile, a, b])).slice(1);
    expect(rows.length).toBeGreaterThan(500);
    for (const [x, y] of rows) {
      expect(idsA.has(x)).toBe(true);
      expect(idsA.has(y)).toBe(false);
    }
    const matches = rows.filter((r) => r[3] === 'match');
    expect(
      matches.filter(([x, y]) => personOf.get(x) === personOf.get(y)).length / matches.length,
    ).toBeGreaterThanOrEqual(0.999);
  });

  it('joins a list of columns for one field and trims cells', async () => {
    const split = data.records.map((r) => {
      const [num, ...rest] = r.address.trim().split(' ');
      return { ...r, num: `  ${num} `, street: ` ${rest.join(' ')}` } as GeneratedRecord & {
        num: string;
        street: string;
      };
    });
    const columns = [
      ...RECORD_COLUMNS.filter((c) => c !== 'address'),
      'num',
      'street',
    ] as (keyof GeneratedRecord)[];
    const file = writeCsv('split.csv', split, columns);
    const map = path.join(dir, 'split-map.json');
    writeFileSync(map, JSON.stringify({ ...GENERATED_MAP, line: ['num', 'street'] }));
    const joined = await link(['--map', map, file]);
    const whole = await link(['--map', mapFile, path.join(dir, 'records.csv')]);
    expect(joined).toEqual(whole);
  });

  it('says which mapped column a file lacks', async () => {
    const map = path.join(dir, 'bad-map.json');
    writeFileSync(map, JSON.stringify({ id: 'recordId', given: 'first_name' }));
    await expect(link(['--map', map, path.join(dir, 'records.csv')])).rejects.toThrow(
      /no column "first_name"/,
    );
    writeFileSync(map, JSON.stringify({ id: 'recordId', nickname: 'firstName' }));
    await expect(link(['--map', map, path.join(dir, 'records.csv')])).rejects.toThrow(
      /"nickname": not a Kith field/,
    );
  });
});
