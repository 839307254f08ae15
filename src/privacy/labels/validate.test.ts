import { describe, expect, it } from 'vitest';
import defaultRulesJson from './default-rules.json';
import { codeMatches, compileMatch, defaultRules, localReference, validateRules } from './index';

describe('validateRules', () => {
  it('accepts the shipped default', () => {
    expect(validateRules(defaultRulesJson)).toMatchObject({ ok: true });
    expect(defaultRules.version).toMatch(/\S/);
  });

  it('reports every problem with its path', () => {
    const broken = structuredClone(defaultRulesJson) as any;
    broken.version = '';
    broken.codeRules[0].labels = ['NOPE'];
    broken.codeRules[1].id = broken.codeRules[0].id;
    broken.codeRules[2].match = { ranges: [['F19', 'F10']] };
    broken.codeRules[3].confidentiality = 'X';
    broken.codeRules[4].extra = true;
    broken.sourceRules[0].when = {};
    broken.typeRules[0].where.path = 'category.where(';
    broken.propagation.paths.Observation = 'derivedFrom';
    const v = validateRules(broken);
    expect(v.ok).toBe(false);
    const errors = v.ok ? [] : v.errors;
    expect(errors).toEqual(
      expect.arrayContaining([
        'version: must be a non-empty string',
        'codeRules[0].labels[0]: "NOPE" is not in the labels catalogue',
        `codeRules[1].id: duplicate rule id "${broken.codeRules[0].id}"`,
        'codeRules[2].match.ranges[0]: from must not sort after to',
        'codeRules[3].confidentiality: must be one of U, L, M, N, R, V',
        'codeRules[4].extra: unknown property',
        'sourceRules[0].when: must give part2Program or organizations',
        'propagation.paths.Observation: must be an array',
      ]),
    );
    expect(errors.some((e) => e.startsWith('typeRules[0].where.path: invalid FHIRPath'))).toBe(true);
  });

  it('rejects a rule that sets nothing or matches nothing', () => {
    const broken = structuredClone(defaultRulesJson) as any;
    broken.codeRules[0].labels = [];
    delete broken.codeRules[0].confidentiality;
    broken.codeRules[1].match = {};
    const v = validateRules(broken);
    expect(v.ok ? [] : v.errors).toEqual(
      expect.arrayContaining([
        'codeRules[0]: sets nothing: give labels or a confidentiality',
        'codeRules[1].match: matches nothing: give ranges, prefixes or codes',
      ]),
    );
  });
});

describe('code matching', () => {
  const m = compileMatch({
    ranges: [
      ['F10', 'F16'],
      ['F18', 'F19'],
    ],
    prefixes: ['Z91.41'],
    codes: ['B20'],
    exclude: ['F10.9'],
  });
  it.each([
    ['F10', true],
    ['F10.20', true],
    ['f1020', true],
    ['F16.988', true],
    ['F17.210', false],
    ['F18.10', true],
    ['F19.99', true],
    ['F20.9', false],
    ['F1', false],
    ['F09', false],
    ['F10.90', false],
    ['Z91.410', true],
    ['Z91.4', false],
    ['B20', true],
    ['B20.1', false],
    ['', false],
  ])('%s → %s', (code, expected) => expect(codeMatches(m, code)).toBe(expected));

  it('reads local references', () => {
    expect(localReference('Patient/p1')).toBe('Patient/p1');
    expect(localReference('https://x.org/fhir/Patient/p1/_history/3')).toBe('Patient/p1');
    expect(localReference('#contained')).toBeUndefined();
    expect(localReference('urn:uuid:1234')).toBeUndefined();
  });
});
