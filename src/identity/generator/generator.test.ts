import { describe, expect, it } from 'vitest';
import { normalizeRecord } from '../normalize/record';
import { generatePopulation } from './generate';
import { toMatchRecord } from './write';

describe('synthetic population generator', () => {
  const data = generatePopulation({ seed: 3, records: 20_000 });

  it('is deterministic for a seed and differs between seeds', () => {
    const again = generatePopulation({ seed: 3, records: 2000 });
    const same = generatePopulation({ seed: 3, records: 2000 });
    const other = generatePopulation({ seed: 4, records: 2000 });
    expect(same.records).toEqual(again.records);
    expect(other.records).not.toEqual(again.records);
  });

  it('makes several source records per person', () => {
    expect(data.records).toHaveLength(20_000);
    expect(data.persons).toBeGreaterThan(6000);
    expect(data.persons).toBeLessThan(10_000);
    expect(new Set(data.records.map((r) => r.source)).size).toBe(6);
    expect(new Set(data.records.map((r) => r.recordId)).size).toBe(20_000);
  });

  it('leaves about 45% of SSNs missing (some as placeholders)', () => {
    const usable = data.records.filter((r) => normalizeRecord(toMatchRecord(r)).ssn !== '').length;
    const missing = 1 - usable / data.records.length;
    expect(missing).toBeGreaterThan(0.42);
    expect(missing).toBeLessThan(0.5);
    expect(data.records.some((r) => r.ssn === '999-99-9999' || r.ssn.trim() === '000-00-0000')).toBe(true);
  });

  it('varies formats, names and addresses the way sources do', () => {
    const dobs = data.records.map((r) => r.dob.trim());
    expect(dobs.some((d) => /^\d{8}$/.test(d))).toBe(true);
    expect(dobs.some((d) => /^\d{4}-\d{2}-\d{2}$/.test(d))).toBe(true);
    expect(dobs.some((d) => /^\d{2}\/\d{2}\/\d{4}$/.test(d))).toBe(true);
    // One person's records: nicknames, married names and moves show up as differing values.
    const byPerson = new Map<number, number[]>();
    data.personOf.forEach((p, i) => byPerson.set(p, [...(byPerson.get(p) ?? []), i]));
    let nameChanges = 0;
    let moves = 0;
    for (const idx of byPerson.values()) {
      const norm = idx.map((i) => normalizeRecord(toMatchRecord(data.records[i]), 2025));
      if (new Set(norm.map((n) => n.family)).size > 1) nameChanges++;
      if (new Set(norm.map((n) => n.line).filter(Boolean)).size > 1) moves++;
    }
    expect(nameChanges).toBeGreaterThan(500);
    expect(moves).toBeGreaterThan(500);
    expect(data.records.some((r) => r.firstName !== r.firstName.trim())).toBe(true);
  });

  it('contains twins and father/son pairs, each with records', () => {
    const twins = data.relations.filter((r) => r.kind === 'twin');
    const fathers = data.relations.filter((r) => r.kind === 'father-son');
    expect(twins.length).toBeGreaterThan(30);
    expect(fathers.length).toBeGreaterThan(30);
    const withRecords = new Set(data.personOf);
    for (const r of [...twins, ...fathers]) {
      expect(withRecords.has(r.a) && withRecords.has(r.b)).toBe(true);
    }
  });
});
