import { describe, expect, it } from 'vitest';
import { generatePopulation } from '../generator/generate';
import { generatedToPatient } from '../generator/patient';
import { createMatcher } from '../matcher';
import { patientToMatchRecord } from '../mpi/patient-record';
import { defaultRules } from '../rules';
import type { MatchRecord } from '../types';
import { normalizeRecord } from './record';
import { fromStoredForm, isStoredForm, toStoredForm, type StoredForm } from './stored-form';

const records: MatchRecord[] = generatePopulation({ seed: 5, records: 600 }).records.map((g, i) =>
  patientToMatchRecord(generatedToPatient(g, `s-${i}`)),
);
const odd: MatchRecord[] = [
  {
    id: 'o1',
    given: 'John Q',
    family: 'de la Cruz Jr.',
    birthDate: '02/03/27',
    identifiers: ['a|x-1', 'a|x1'],
  },
  { id: 'o2', given: 'Nan', birthDate: '2054-16-38', ssn: '999-99-9999', line: 'P.O. Box 12' },
  { id: 'o3', family: 'Doe', birthDate: '13/02/1980', phone: '1 (555) 234-5678', postalCode: '2134' },
  { id: 'o4' },
];

/** Through JSON, as the jsonb column gives it back. */
const stored = (r: MatchRecord): StoredForm =>
  JSON.parse(JSON.stringify(toStoredForm(r, normalizeRecord(r)))) as StoredForm;

describe('stored normalized form', () => {
  it('reads back as exactly the normalization of the raw record, in any year', () => {
    for (const r of [...records, ...odd]) {
      const s = stored(r);
      expect(isStoredForm(s)).toBe(true);
      expect(fromStoredForm(s)).toEqual({ id: r.id, normalized: normalizeRecord(r) });
      // Stored one year, read in another: the birth date is read as a fresh normalization would.
      expect(fromStoredForm(s, 2099).normalized).toEqual(normalizeRecord(r, 2099));
    }
    expect(fromStoredForm(stored(odd[0]), 2026).normalized.birthDate).toBe(19270203);
    expect(fromStoredForm(stored(odd[0]), 2027).normalized.birthDate).toBe(20270203);
  });

  it('is not taken for a raw record, nor in another version', () => {
    expect(isStoredForm(records[0])).toBe(false);
    expect(isStoredForm({ ...stored(records[0]), v: 0 })).toBe(false);
  });

  it('scores candidates exactly as their raw records do', () => {
    const matcher = createMatcher(defaultRules);
    for (const a of records.slice(0, 40)) {
      const others = records.filter((b) => b !== a).slice(0, 120);
      const pre = others.map((b) => fromStoredForm(stored(b)));
      expect(matcher.candidatesAgainst(a, pre)).toEqual(matcher.candidatesAgainst(a, others));
    }
  });
});
