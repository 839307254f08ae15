import { describe, expect, it } from 'vitest';
import { defaultRules, parseRules, validateRules } from '.';
import type { MatchRules } from './schema';

const clone = (): MatchRules => structuredClone(defaultRules);

function errorsOf(mutate: (r: MatchRules & Record<string, unknown>) => void): string[] {
  const r = clone() as MatchRules & Record<string, unknown>;
  mutate(r);
  const v = validateRules(r);
  return v.ok ? [] : v.errors;
}

describe('matching rules', () => {
  it('ships a valid, versioned default', () => {
    expect(validateRules(defaultRules)).toMatchObject({ ok: true });
    expect(defaultRules.version).toMatch(/^kith-identity-default\/\d+\.\d+\.\d+$/);
    expect(defaultRules.blocking.keys.length).toBeGreaterThanOrEqual(5);
    expect(defaultRules.hardRules.map((h) => h.name)).toEqual(
      expect.arrayContaining(['twins', 'generations']),
    );
  });

  it('reports each problem with its path', () => {
    const errors = errorsOf((r) => {
      r.version = '';
      r.fields[0].levels[2].comparator = 'soundex' as never;
      r.fields[0].levels[3].threshold = 1.5;
      r.blocking.keys[0].parts = ['ssn.reverse'];
      r.thresholds.possible = 99;
    });
    expect(errors).toEqual(
      expect.arrayContaining([
        'version: must be a non-empty string',
        'fields[0].levels[2].comparator: unknown comparator "soundex"',
        'fields[0].levels[3].threshold: jaro-winkler needs a threshold in (0, 1]',
        expect.stringMatching(/^blocking\.keys\[0\]\.parts\[0\]: unknown key part "ssn\.reverse"/),
        'thresholds.possible: must not be above thresholds.match',
      ]),
    );
  });

  it('limits online blocks below batch blocks, and checks the limit', () => {
    expect(defaultRules.blocking.onlineMaxBlockSize).toBe(100);
    expect(defaultRules.blocking.maxBlockSize).toBe(500);
    expect(
      errorsOf((r) => {
        r.blocking.onlineMaxBlockSize = 1;
      }),
    ).toEqual(['blocking.onlineMaxBlockSize: must be an integer >= 2']);
    expect(
      errorsOf((r) => {
        delete r.blocking.onlineMaxBlockSize;
      }),
    ).toEqual([]);
  });

  it('checks the batch refinement limit', () => {
    expect(defaultRules.blocking.refineAbove).toBe(50);
    expect(
      errorsOf((r) => {
        r.blocking.refineAbove = 1;
      }),
    ).toEqual(['blocking.refineAbove: must be an integer >= 2']);
  });

  it("checks a key's own refinement parts and limit", () => {
    const fsy = defaultRules.blocking.keys.find((k) => k.name === 'family-sound+birth-year');
    expect(fsy?.refine).toEqual(['birthDate.month', 'given.nicknameInitial']);
    expect(
      errorsOf((r) => {
        r.blocking.keys[0].refine = ['birthDate.week'];
        r.blocking.keys[1].refine = [];
        r.blocking.keys[2].refineAbove = 0;
      }),
    ).toEqual([
      'blocking.keys[0].refine[0]: unknown key part "birthDate.week"',
      'blocking.keys[1].refine: must be a non-empty array',
      'blocking.keys[2].refineAbove: must be an integer >= 2',
    ]);
  });

  it('rejects comparators that make no sense for a field', () => {
    const errors = errorsOf((r) => {
      const dob = r.fields.find((f) => f.field === 'birthDate')!;
      dob.levels[1] = { label: 'nick', comparator: 'nickname' };
    });
    expect(errors[0]).toMatch(
      /levels\[1\]\.comparator: "nickname" is not available for field "birthDate" \(date\)/,
    );
  });

  it('requires missing first and else last', () => {
    const errors = errorsOf((r) => {
      r.fields[0].levels.push(r.fields[0].levels.shift()!);
    });
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/"missing" may only be the first level/),
        expect.stringMatching(/"else" may only be the last level/),
        'fields[0].levels: the last level must use comparator "else"',
      ]),
    );
  });

  it('checks that hard rules, skips and sessions name real fields and levels', () => {
    const errors = errorsOf((r) => {
      r.hardRules[0].when = { birthDate: ['exactly'], phone2: ['exact'] } as never;
      r.fields.find((f) => f.field === 'city')!.skipWhen = [{ city: ['exact'] }];
      r.em.sessions = [{ name: 'all', fixed: { given: ['exact'] } }];
    });
    expect(errors).toEqual(
      expect.arrayContaining([
        'hardRules[0].when.birthDate[0]: no level "exactly" in field "birthDate"',
        'hardRules[0].when.phone2: is not a field compared in "fields"',
        expect.stringMatching(/skipWhen\[0\]: a field cannot be skipped because of itself/),
        'em.sessions: field "given" is fixed in every session, so its m is never estimated',
      ]),
    );
  });

  it('throws with every error listed', () => {
    expect(() => parseRules({ version: 'x' })).toThrow(
      /invalid matching rules:\n {2}fields: must be a non-empty array/,
    );
  });
});
