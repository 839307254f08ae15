import { describe, expect, it } from 'vitest';
import { searchStatement } from './prepared';

describe('searchStatement', () => {
  it('names a search shape from its second use, the same name for the same text', () => {
    const sql = 'select r.id from fhir_resources r where r.resource_type = $1 and r.id = $2';
    expect(searchStatement(sql, ['Patient', 'a']).name).toBeUndefined();
    const second = searchStatement(sql, ['Patient', 'b']);
    expect(second.name).toMatch(/^kith_s[0-9a-f]{16}$/);
    expect(second.values).toEqual(['Patient', 'b']);
    expect(searchStatement(sql, ['Patient', 'c']).name).toBe(second.name);
    expect(searchStatement(`${sql} limit 1`, []).name).toBeUndefined();
  });

  it('names at most 200 shapes per process; the rest stay unnamed', () => {
    let namedCount = 0;
    for (let i = 0; i < 300; i++) {
      const sql = `select ${i} as shape`;
      searchStatement(sql, []);
      if (searchStatement(sql, []).name) namedCount++;
    }
    // One shape was named by the first test of this file.
    expect(namedCount).toBe(199);
    expect(searchStatement('select 5 as shape', []).name).toMatch(/^kith_s/);
    expect(searchStatement('select 250 as shape', []).name).toBeUndefined();
  });
});
