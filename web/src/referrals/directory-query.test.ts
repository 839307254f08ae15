import { describe, expect, it } from 'vitest';
import {
  criteriaFromQuery,
  criteriaToQuery,
  directorySearchParams,
  hasCriteria,
  parsePoint,
} from './directory-query';

describe('directory criteria', () => {
  it('round-trips through the URL, leaving defaults out', () => {
    const c = criteriaFromQuery(
      new URLSearchParams('need=food&near=95501&miles=5&open=1&accepts=1&view=map&offset=20'),
    );
    expect(c).toMatchObject({
      need: 'food',
      near: '95501',
      miles: 5,
      openNow: true,
      acceptsReferrals: true,
      view: 'map',
      offset: 20,
    });
    expect(criteriaToQuery(c)).toEqual({
      need: 'food',
      category: undefined,
      near: '95501',
      miles: 5,
      open: '1',
      language: undefined,
      age: undefined,
      program: undefined,
      accepts: '1',
      view: 'map',
      offset: 20,
    });
    const plain = criteriaFromQuery(new URLSearchParams('need=food&miles=-3&offset=x'));
    expect(plain.miles).toBe(10);
    expect(plain.offset).toBe(0);
    expect(criteriaToQuery(plain).miles).toBeUndefined();
    expect(hasCriteria(criteriaFromQuery(new URLSearchParams('view=map')))).toBe(false);
  });

  it('reads a point only when it is a coordinate pair on Earth', () => {
    expect(parsePoint('40.8, -124.16')).toEqual({ lat: 40.8, long: -124.16 });
    expect(parsePoint(' 40.8 -124.16 ')).toEqual({ lat: 40.8, long: -124.16 });
    expect(parsePoint('95501')).toBeUndefined();
    expect(parsePoint('91, 10')).toBeUndefined();
    expect(parsePoint('12 Oak St, Alder')).toBeUndefined();
  });

  it('asks $directory-search for the point in miles, lower-case language, filters only when set', () => {
    const c = criteriaFromQuery(new URLSearchParams('need=%20food%20&language=ES&open=1&category=BN-FP'));
    expect(directorySearchParams({ ...c, miles: 3, near: '1.5, -2' })).toEqual({
      text: 'food',
      category: 'BN-FP',
      near: '1.5|-2|3|mi',
      address: undefined,
      distance: undefined,
      unit: undefined,
      'open-now': 'true',
      language: 'es',
      age: undefined,
      program: undefined,
      'accepts-referrals': undefined,
      _count: 20,
      _offset: undefined,
    });
    expect(directorySearchParams(c).near).toBeUndefined();
    expect(directorySearchParams(c).address).toBeUndefined();
  });

  it('sends any other place as an address for the server to locate, with the distance in miles', () => {
    const c = criteriaFromQuery(
      new URLSearchParams('near=%20300%20Harbor%20Way,%20Alder%2095501%20&miles=4'),
    );
    expect(directorySearchParams(c)).toMatchObject({
      near: undefined,
      address: '300 Harbor Way, Alder 95501',
      distance: 4,
      unit: 'mi',
    });
  });

  it('filters by eligibility: the age in whole years and the program', () => {
    const c = criteriaFromQuery(new URLSearchParams('age=%2017%20&program=CalFresh'));
    expect(hasCriteria(c)).toBe(true);
    expect(criteriaToQuery(c)).toMatchObject({ age: '17', program: 'CalFresh' });
    expect(directorySearchParams(c)).toMatchObject({ age: 17, program: 'CalFresh' });
    for (const bad of ['-1', '12.5', 'ten', '131']) {
      const b = criteriaFromQuery(new URLSearchParams({ age: bad }));
      expect(directorySearchParams(b).age, bad).toBeUndefined();
      expect(hasCriteria(b), bad).toBe(false);
    }
  });
});
