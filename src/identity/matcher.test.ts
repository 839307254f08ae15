import { describe, expect, it } from 'vitest';
import { createMatcher, defaultRules, type MatchRecord } from '.';
import { generatePopulation } from './generator/generate';
import { generatedToPatient } from './generator/patient';
import { patientToMatchRecord } from './mpi/patient-record';
import { RecordTable } from './table/record-table';

const matcher = createMatcher(defaultRules);

const base: MatchRecord = {
  id: 'a',
  given: 'William',
  middle: 'James',
  family: 'Smith',
  gender: 'male',
  birthDate: '1980-02-04',
  ssn: '123-45-6788',
  phone: '(408) 555-2671',
  line: '123 North Main Street Apt 4',
  city: 'San Jose',
  state: 'CA',
  postalCode: '95112',
};

const levelOf = (a: MatchRecord, b: MatchRecord, field: string) =>
  matcher.scorePair(a, b).fields.find((f) => f.field === field)?.level;

describe('matcher (one pair at a time)', () => {
  it('links the same person written differently by two sources', () => {
    const b: MatchRecord = {
      id: 'b',
      given: 'BILL',
      family: 'SMITH',
      gender: 'M',
      birthDate: '02/04/1980',
      ssn: '123456788',
      phone: '408-555-2671',
      line: '123 N MAIN ST #4',
      city: 'SAN JOSE',
      state: 'California',
      postalCode: '95112-0001',
    };
    const s = matcher.scorePair(base, b);
    expect(s.decision).toBe('match');
    expect(s.fields.find((f) => f.field === 'given')).toMatchObject({ level: 'nickname' });
    expect(levelOf(base, b, 'line')).toBe('exact');
    expect(s.rulesVersion).toBe(defaultRules.version);
    // The evidence adds up: the score is the prior plus every field's weight.
    const sum = s.fields.reduce((acc, f) => acc + f.weight, 0);
    expect(s.matchWeight).toBeCloseTo(sum, 9);
    expect(s.score).toBeCloseTo(s.priorLog2Odds + sum, 9);
  });

  it('sees day/month swaps, typos and swapped first and last names', () => {
    expect(levelOf(base, { ...base, id: 'b', birthDate: '1980-04-02' }, 'birthDate')).toBe('day-month-swap');
    expect(levelOf(base, { ...base, id: 'b', birthDate: '1980-02-14' }, 'birthDate')).toBe('one-edit');
    expect(levelOf(base, { ...base, id: 'b', family: 'Smiht' }, 'family')).toBe('close');
    const swapped = matcher.scorePair(base, { ...base, id: 'b', given: 'Smith', family: 'William' });
    expect(
      swapped.fields.filter((f) => f.field === 'given' || f.field === 'family').map((f) => f.level),
    ).toEqual(['exact', 'exact']);
  });

  it('matches compound and married surnames on a shared word', () => {
    const a = { ...base, family: 'Garcia Lopez' };
    expect(levelOf(a, { ...a, id: 'b', family: 'López' }, 'family')).toBe('shared-word');
    expect(levelOf(a, { ...a, id: 'b', family: 'DeLaCruz' }, 'family')).toBe('else');
    expect(levelOf({ ...a, family: 'de la Cruz' }, { ...a, id: 'b', family: 'DeLaCruz' }, 'family')).toBe(
      'exact',
    );
  });

  it('never links twins', () => {
    const twin = {
      ...base,
      id: 't',
      given: 'Robert',
      middle: '',
      ssn: '123-45-6789' === base.ssn ? '' : '321-54-9876',
    };
    const s = matcher.scorePair(base, twin);
    expect(s.hardRule).toBe('twins');
    expect(s.decision).toBe('non-match');
    // Twins' SSNs are often consecutive: still not the same person.
    const consecutive = matcher.scorePair(base, { ...twin, ssn: '123-45-6787' });
    expect(consecutive.decision).toBe('non-match');
  });

  it('never links father and son', () => {
    const father = { ...base, family: 'Smith Sr', birthDate: '1955-06-01', ssn: '' };
    const son = { ...base, id: 's', family: 'Smith', suffix: 'Jr.', ssn: '' };
    const s = matcher.scorePair(father, son);
    expect(s.hardRule).toBe('generations');
    expect(s.decision).toBe('non-match');
    // Without the suffixes, the birth dates still keep them apart.
    const plain = matcher.scorePair({ ...father, family: 'Smith' }, { ...son, suffix: undefined });
    expect(plain.decision).not.toBe('match');
  });

  it('does not link people who share only a home', () => {
    const spouse = {
      ...base,
      id: 'w',
      given: 'Maria',
      middle: '',
      gender: 'female',
      birthDate: '1982-11-20',
      ssn: '',
    };
    const s = matcher.scorePair(base, spouse);
    expect(s.decision).toBe('non-match');
    expect(s.hardRule).toBe('household');
  });

  it('treats placeholder SSNs as missing, not as agreement', () => {
    const a = { id: 'a', given: 'Ana', family: 'Ruiz', ssn: '999-99-9999' };
    const b = { id: 'b', given: 'Luis', family: 'Ortega', ssn: '999-99-9999' };
    expect(levelOf(a, b, 'ssn')).toBe('missing');
  });

  it('never reads the record id', () => {
    const b = { ...base, id: 'b', given: 'Billy', birthDate: '1980-04-02' };
    const s1 = matcher.scorePair(base, b);
    const s2 = matcher.scorePair({ ...base, id: 'zzz-999' }, { ...b, id: base.id });
    expect(s2).toEqual(s1);
  });

  it('gives the blocking keys of a record, stable across calls', () => {
    const keys = matcher.blockingKeys(base);
    expect(keys.map((k) => k.key)).toEqual(
      expect.arrayContaining(['ssn', 'phone', 'birth-date+given-initial']),
    );
    expect(matcher.blockingKeys({ ...base, id: 'other' })).toEqual(keys);
    // A nickname keeps the first-name keys: Bill blocks with William.
    const bill = matcher.blockingKeys({ ...base, given: 'Bill' });
    const values = (ks: typeof keys) =>
      ks.filter((k) => k.key === 'birth-date+given-initial').map((k) => k.value);
    expect(values(bill)).toEqual(expect.arrayContaining(values(keys)));
  });
});

describe('matcher over many candidates', () => {
  // Generated records: many non-matches, some matches and reviews (twins, Jr/Sr, typos).
  const data = generatePopulation({ seed: 5, records: 600 });
  const records: MatchRecord[] = data.records.map((g, i) =>
    patientToMatchRecord(generatedToPatient(g, `r${i}`)),
  );
  const tf = createMatcher(defaultRules, undefined, {
    termFrequency: (field, value) => (value.length % 3) - 1 + (field === 'family' ? 0.5 : 0),
  });

  it('candidatesAgainst keeps exactly the pairs scoreAgainst does not call non-matches, best first', () => {
    for (const m of [matcher, tf]) {
      let kept = 0;
      for (let a = 0; a < 25; a++) {
        const others = records.slice(40);
        const all = m.scoreAgainst(records[a], others);
        const want = all
          .map((result, index) => ({ index, result }))
          .filter((c) => c.result.decision !== 'non-match')
          .sort((x, y) => y.result.score - x.result.score);
        expect(m.candidatesAgainst(records[a], others)).toEqual(want);
        kept += want.length;
      }
      expect(kept).toBeGreaterThan(10);
    }
  });

  it('tableScorer scores pairs of a growing table as scorePair does', () => {
    for (const m of [matcher, tf]) {
      const table = new RecordTable();
      const score = m.tableScorer(table);
      let decided = 0;
      records.forEach((r, i) => {
        table.add(r, 0);
        for (let j = Math.max(0, i - 30); j < i; j++) {
          const want = m.scorePair(r, records[j]);
          const got = score(i, j);
          if (want.decision === 'non-match') expect(got).toBeUndefined();
          else {
            expect(got).toEqual(want);
            decided++;
          }
        }
      });
      expect(decided).toBeGreaterThan(10);
    }
  });
});
