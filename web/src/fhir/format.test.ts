import { describe, expect, it } from 'vitest';
import {
  ageInYears,
  formatAddress,
  formatConcept,
  formatDate,
  formatName,
  formatNumber,
  formatPeriod,
  formatQuantity,
  formatReference,
  humanize,
  identifierSource,
  identifierValue,
  primaryAddress,
  readableCode,
  referenceKey,
} from './format';

describe('dates', () => {
  it('formats full, partial and timed dates as written, without shifting time zones', () => {
    expect(formatDate('1984-03-12')).toBe('Mar 12, 1984');
    expect(formatDate('1984-03')).toBe('Mar 1984');
    expect(formatDate('1984')).toBe('1984');
    expect(formatDate('2024-01-02T23:30:00-08:00')).toBe('Jan 2, 2024, 23:30');
    expect(formatDate('2024-01-02T07:30:00.123Z')).toBe('Jan 2, 2024, 07:30 UTC');
    expect(formatDate(undefined)).toBeUndefined();
    expect(formatDate('soon')).toBe('soon');
  });
  it('formats periods, open ends and same-day times', () => {
    expect(formatPeriod({ start: '2024-01-02', end: '2024-01-05' })).toBe('Jan 2, 2024 – Jan 5, 2024');
    expect(formatPeriod({ start: '2024-01-02T10:00:00Z', end: '2024-01-02T11:15:00Z' })).toBe(
      'Jan 2, 2024, 10:00–11:15 UTC',
    );
    expect(formatPeriod({ start: '2024-01-02T10:00:00-08:00', end: '2024-01-02T11:15:00-08:00' })).toBe(
      'Jan 2, 2024, 10:00–11:15',
    );
    expect(formatPeriod({ start: '2024-01-02' })).toBe('since Jan 2, 2024');
    expect(formatPeriod({ end: '2024-01-02' })).toBe('until Jan 2, 2024');
    expect(formatPeriod({})).toBeUndefined();
  });
  it('computes age in whole years', () => {
    const today = new Date(2025, 2, 11); // Mar 11, 2025
    expect(ageInYears('1984-03-12', today)).toBe(40);
    expect(ageInYears('1984-03-11', today)).toBe(41);
    expect(ageInYears('1984', today)).toBeUndefined();
  });
});

describe('names, addresses, concepts, quantities', () => {
  it('prefers the official name and joins its parts', () => {
    expect(
      formatName([
        { use: 'old', family: 'Smith', given: ['Maria'] },
        { use: 'official', family: 'Lopez', given: ['Maria', 'Elena'], suffix: ['Jr'] },
      ]),
    ).toBe('Maria Elena Lopez Jr');
    expect(formatName([{ text: 'Lupe' }])).toBe('Lupe');
    expect(formatName([])).toBeUndefined();
  });
  it('formats the current home address', () => {
    const a = primaryAddress([
      { use: 'home', line: ['1 Old Rd'], city: 'Visalia', period: { end: '2020-01-01' } },
      { use: 'home', line: ['12 Oak St', 'Apt 4'], city: 'Fresno', state: 'CA', postalCode: '93701' },
    ]);
    expect(formatAddress(a)).toBe('12 Oak St, Apt 4, Fresno, CA 93701');
  });
  it('uses text, then a coding display, then a code', () => {
    expect(formatConcept({ text: 'High blood pressure', coding: [{ display: 'Hypertension' }] })).toBe(
      'High blood pressure',
    );
    expect(formatConcept({ coding: [{ code: 'x' }, { code: 'y', display: 'Why' }] })).toBe('Why');
    expect(formatConcept({ coding: [{ code: 'x1' }] })).toBe('x1');
  });
  it('formats quantities with units', () => {
    expect(formatQuantity({ value: 165, unit: 'cm' })).toBe('165 cm');
    expect(formatQuantity({ value: 7.2, code: '%' })).toBe('7.2%');
    expect(formatQuantity({ value: 3, unit: '{score}' })).toBe('3');
    expect(formatQuantity({ value: 5, comparator: '<', unit: 'mg' })).toBe('<5 mg');
  });
  it('rounds long decimals for reading', () => {
    expect(formatQuantity({ value: 103.23673559868965, unit: 'mm[Hg]' })).toBe('103.24 mm[Hg]');
    expect(formatNumber(0.012345)).toBe('0.0123');
    expect(formatNumber(5)).toBe('5');
    expect(formatNumber(2.5)).toBe('2.5');
  });
  it('reads word-like codes as words and leaves other codes alone', () => {
    expect(formatConcept({ coding: [{ code: 'vital-signs' }] })).toBe('Vital signs');
    expect(formatConcept({ coding: [{ code: 'vital-signs', display: 'vital-signs' }] })).toBe('Vital signs');
    expect(readableCode('8302-2')).toBe('8302-2');
    expect(readableCode('AMB')).toBe('AMB');
  });
  it('humanizes codes', () => {
    expect(humanize('in-progress')).toBe('In progress');
    expect(humanize('EpisodeOfCare')).toBe('Episode of care');
  });
});

describe('identifiers and references', () => {
  it('labels an identifier by its type and system', () => {
    expect(identifierSource({ system: 'https://kith.example.org/id/calsaws', value: '1' })).toBe('calsaws');
    expect(
      identifierSource({
        type: { coding: [{ code: 'MR', display: 'Medical record number' }] },
        system: 'urn:oid:1.2.3',
      }),
    ).toBe('Medical record number · urn:oid:1.2.3');
    expect(
      identifierSource({ type: { coding: [{ code: 'SS' }] }, system: 'http://hl7.org/fhir/sid/us-ssn' }),
    ).toBe('SSN');
    expect(
      identifierSource({ type: { coding: [{ code: 'MR' }] }, system: 'https://kith.example.org/id/clinic' }),
    ).toBe('Medical record number · clinic');
    expect(identifierSource({ value: '1' })).toBe('no source system');
  });
  it('hides all but the last four digits of an SSN', () => {
    expect(identifierValue({ system: 'http://hl7.org/fhir/sid/us-ssn', value: '123-45-6789' })).toBe(
      '•••-••-6789',
    );
    expect(identifierValue({ type: { coding: [{ code: 'SS' }] }, value: '123456789' })).toBe('•••-••-6789');
    expect(identifierValue({ system: 'urn:x', value: '123-45-6789' })).toBe('123-45-6789');
    expect(
      identifierSource({
        type: { coding: [{ code: 'SS', display: 'Social Security Number' }] },
        system: 'http://hl7.org/fhir/sid/us-ssn',
      }),
    ).toBe('SSN');
  });
  it('names references by display, then by what the page knows', () => {
    const names = new Map([['Organization/o1', 'Fresno Food Bank']]);
    expect(formatReference({ reference: 'Organization/o1', display: 'FFB' }, (k) => names.get(k))).toBe(
      'FFB',
    );
    expect(
      formatReference({ reference: 'http://x/fhir/Organization/o1/_history/2' }, (k) => names.get(k)),
    ).toBe('Fresno Food Bank');
    expect(formatReference({ reference: 'Organization/o2' }, (k) => names.get(k))).toBe('Organization/o2');
    expect(referenceKey('urn:uuid:abc')).toBeUndefined();
  });
});
