import { describe, expect, it } from 'vitest';
import { criteriaFromQuery, fhirSearchParams, hasCriteria, normalizeBirthDate } from './person-search-query';

describe('normalizeBirthDate', () => {
  it('accepts FHIR forms and the US form', () => {
    expect(normalizeBirthDate('1984-03-12')).toEqual({ value: '1984-03-12' });
    expect(normalizeBirthDate('1984-3')).toEqual({ value: '1984-03' });
    expect(normalizeBirthDate('1984')).toEqual({ value: '1984' });
    expect(normalizeBirthDate(' 3/12/1984 ')).toEqual({ value: '1984-03-12' });
    expect(normalizeBirthDate('02-29-2000')).toEqual({ value: '2000-02-29' });
    expect(normalizeBirthDate('')).toEqual({ value: '' });
  });
  it('rejects impossible or unreadable dates', () => {
    expect(normalizeBirthDate('1984-13-01')).toHaveProperty('error');
    expect(normalizeBirthDate('2/30/1984')).toHaveProperty('error');
    expect(normalizeBirthDate('2/29/2001')).toHaveProperty('error');
    expect(normalizeBirthDate('March 12')).toHaveProperty('error');
  });
});

describe('search criteria', () => {
  it('reads criteria from the page URL, ignoring a bad offset', () => {
    const c = criteriaFromQuery(new URLSearchParams('name=%20lopez%20&offset=-3'));
    expect(c).toEqual({ name: 'lopez', birthdate: '', identifier: '', offset: 0 });
    expect(hasCriteria(c)).toBe(true);
    expect(hasCriteria(criteriaFromQuery(new URLSearchParams('offset=20')))).toBe(false);
  });
  it('builds FHIR Patient search parameters', () => {
    const params = fhirSearchParams({ name: '', birthdate: '1984', identifier: 'urn:x|1', offset: 40 });
    expect(params).toMatchObject({ birthdate: '1984', identifier: 'urn:x|1', _offset: 40, _count: 20 });
    expect(params.name).toBeUndefined();
  });
});
