import { describe, expect, it } from 'vitest';
import { normalizeCity, normalizePostalCode, normalizeState, standardizeAddress } from './address';
import { isDayMonthSwap, parseDate, swapInvariantKey } from './dates';
import { normalizeGender, normalizeIdentifier, normalizePhone, normalizeSsn } from './identifiers';
import { normalizeFamily, normalizeGiven, normalizeSuffix } from './names';
import { areNicknames, formalNames, nicknamePairCount, relatedNames } from './nicknames';
import { phoneticCodes, soundAlike } from './phonetic';
import { normalizeRecord } from './record';
import { foldAccents, words } from './text';

describe('text', () => {
  it('folds case, accents and special letters', () => {
    expect(foldAccents('José Muñoz Ibáñez')).toBe('JOSE MUNOZ IBANEZ');
    expect(foldAccents('Straße Ærø Łódź')).toBe('STRASSE AERO LODZ');
  });
  it('splits words at punctuation but joins apostrophes and periods', () => {
    expect(words("O'Brien-Smith, Jr.")).toEqual(['OBRIEN', 'SMITH', 'JR']);
    expect(words('  ')).toEqual([]);
  });
});

describe('names', () => {
  it('keeps particles in the key but not as words', () => {
    const a = normalizeFamily('de la Cruz');
    const b = normalizeFamily('DeLaCruz');
    expect(a.key).toBe('DELACRUZ');
    expect(b.key).toBe('DELACRUZ');
    expect(a.tokens).toEqual(['CRUZ']);
    expect(normalizeFamily('van der Berg').tokens).toEqual(['BERG']);
  });
  it('splits hyphenated and compound surnames into words', () => {
    expect(normalizeFamily('García-López').tokens).toEqual(['GARCIA', 'LOPEZ']);
    expect(normalizeFamily('Garcia Lopez').key).toBe('GARCIALOPEZ');
  });
  it('extracts generational suffixes into their own field', () => {
    expect(normalizeFamily('Smith Jr.')).toMatchObject({ key: 'SMITH', suffix: 'JR' });
    expect(normalizeFamily('Smith III').suffix).toBe('III');
    expect(normalizeGiven('John Sr').suffix).toBe('SR');
    expect(normalizeSuffix('Junior')).toBe('JR');
    expect(normalizeSuffix('2nd')).toBe('II');
    // A first word is never a suffix: "Junior" can be a surname.
    expect(normalizeFamily('Junior').key).toBe('JUNIOR');
  });
  it('drops titles and unknown-name placeholders', () => {
    expect(normalizeGiven('Mrs. Mary').key).toBe('MARY');
    expect(normalizeFamily('UNKNOWN').key).toBe('');
    expect(normalizeGiven('Baby Girl').key).toBe('');
  });
  it('moves a trailing initial in the given name to the middle name', () => {
    const r = normalizeRecord({ id: 'x', given: 'John Q', family: 'Public' });
    expect(r.given).toBe('JOHN');
    expect(r.middle).toBe('Q');
  });
});

describe('nicknames', () => {
  it('relates English and Spanish nicknames to formal names', () => {
    for (const [a, b] of [
      ['WILLIAM', 'BILL'],
      ['BILL', 'BILLY'],
      ['ROBERT', 'BOB'],
      ['GUADALUPE', 'LUPE'],
      ['FRANCISCO', 'PACO'],
      ['FRANCISCO', 'PANCHO'],
      ['JOSE', 'PEPE'],
      ['MARGARET', 'PEGGY'],
      ['MARGARET', 'MAGGIE'],
      ['ELIZABETH', 'LIZ'],
      ['ELIZABETH', 'BETH'],
      ['JESUS', 'CHUY'],
      ['ENRIQUE', 'QUIQUE'],
    ]) {
      expect(areNicknames(a, b), `${a} ~ ${b}`).toBe(true);
    }
    expect(areNicknames('WILLIAM', 'ROBERT')).toBe(false);
    expect(areNicknames('NANCY', 'ANNA')).toBe(false);
  });
  it('is a table of a few hundred pairs', () => {
    expect(nicknamePairCount()).toBeGreaterThan(300);
  });
  it('knows the formal names a nickname stands for', () => {
    expect(formalNames('PEGGY')).toContain('MARGARET');
    expect(relatedNames('LUPE')).toContain('GUADALUPE');
    expect(relatedNames('ZEPHYRINA')).toEqual([]);
  });
});

describe('phonetic codes', () => {
  it('makes spelling variants sound alike', () => {
    expect(soundAlike(phoneticCodes('SMITH'), phoneticCodes('SMYTHE'))).toBe(true);
    expect(soundAlike(phoneticCodes('SMITH'), phoneticCodes('SCHMIDT'))).toBe(true);
    expect(soundAlike(phoneticCodes('CATHERINE'), phoneticCodes('KATHRYN'))).toBe(true);
    expect(soundAlike(phoneticCodes('SMITH'), phoneticCodes('JONES'))).toBe(false);
  });
});

describe('dates', () => {
  it('reads the formats sources send', () => {
    expect(parseDate('19800214', 2025)).toBe(19800214);
    expect(parseDate('1980-02-14', 2025)).toBe(19800214);
    expect(parseDate('1980-02-14T00:00:00Z', 2025)).toBe(19800214);
    expect(parseDate('02/14/1980', 2025)).toBe(19800214);
    expect(parseDate('2/4/1980', 2025)).toBe(19800204);
    expect(parseDate('02/14/80', 2025)).toBe(19800214);
    expect(parseDate('02/14/05', 2025)).toBe(20050214);
  });
  it('reads a DD/MM date whose first part cannot be a month', () => {
    expect(parseDate('25/12/1990', 2025)).toBe(19901225);
  });
  it('treats placeholders and impossible dates as missing', () => {
    expect(parseDate('1900-01-01', 2025)).toBe(0);
    expect(parseDate('3031-01-01', 2025)).toBe(0);
    expect(parseDate('2031-02-30', 2025)).toBe(0);
    expect(parseDate('1980-02-45', 2025)).toBe(0);
    expect(parseDate('not a date', 2025)).toBe(0);
    expect(parseDate('', 2025)).toBe(0);
  });
  it('keeps a date one mistyped digit from a real one', () => {
    expect(parseDate('19851618', 2025)).toBe(19851618);
  });
  it('keeps a future date (a mistyped year) so that it can still disagree', () => {
    expect(parseDate('10/20/2054', 2025)).toBe(20541020);
    expect(parseDate('2031-01-01', 2025)).toBe(20310101);
  });
  it('detects day/month swaps', () => {
    expect(isDayMonthSwap(19800402, 19800204)).toBe(true);
    expect(isDayMonthSwap(19800402, 19810204)).toBe(false);
    expect(isDayMonthSwap(19800404, 19800404)).toBe(false);
    expect(swapInvariantKey(19800402)).toBe(swapInvariantKey(19800204));
  });
});

describe('addresses', () => {
  it('standardizes street types, directionals and units', () => {
    const a = standardizeAddress('123 North Main Street, Apt. 4B');
    expect(a).toMatchObject({ number: '123', street: 'N MAIN ST', unit: '4B', line: '123 N MAIN ST' });
    expect(standardizeAddress('123 n. main st #4b').line).toBe('123 N MAIN ST');
    expect(standardizeAddress('55 First Avenue Unit 2').line).toBe('55 1ST AVE');
    expect(standardizeAddress('9 Oak Blvd SW').street).toBe('OAK BLVD SW');
  });
  it('keeps a street named like a directional or type', () => {
    expect(standardizeAddress('12 North St').street).toBe('NORTH ST');
    expect(standardizeAddress('40 Park Ave').street).toBe('PARK AVE');
  });
  it('reads PO boxes', () => {
    expect(standardizeAddress('P.O. Box 123').line).toBe('PO BOX 123');
    expect(standardizeAddress('PO BOX 123').line).toBe('PO BOX 123');
  });
  it('normalizes cities, states and ZIP codes', () => {
    expect(normalizeCity('St. Helena')).toBe('SAINT HELENA');
    expect(normalizeState('California')).toBe('CA');
    expect(normalizeState('ca')).toBe('CA');
    expect(normalizePostalCode('95112-1234')).toBe('95112');
    expect(normalizePostalCode('2134')).toBe('02134');
    expect(normalizePostalCode('00000')).toBe('');
  });
});

describe('phones, SSNs, sex, identifiers', () => {
  it('keeps the ten digits of a phone number', () => {
    expect(normalizePhone('(408) 555-2671')).toBe('4085552671');
    expect(normalizePhone('+1 408.555.2671')).toBe('4085552671');
    expect(normalizePhone('555-2671')).toBe('');
    expect(normalizePhone('000-000-0000')).toBe('');
  });
  it('treats SSN placeholders and never-issued numbers as missing', () => {
    expect(normalizeSsn('123-45-6788')).toBe('123456788');
    for (const placeholder of ['000-00-0000', '999-99-9999', '123-45-6789', '111-11-1111', '078-05-1120']) {
      expect(normalizeSsn(placeholder), placeholder).toBe('');
    }
    expect(normalizeSsn('000-12-3456')).toBe('');
    expect(normalizeSsn('666-12-3456')).toBe('');
    expect(normalizeSsn('912-12-3456')).toBe('');
    expect(normalizeSsn('123-00-4567')).toBe('');
    expect(normalizeSsn('123-45-0000')).toBe('');
    expect(normalizeSsn('12345')).toBe('');
  });
  it('codes sex', () => {
    expect(normalizeGender('female')).toBe('F');
    expect(normalizeGender('M')).toBe('M');
    expect(normalizeGender('2')).toBe('F');
    expect(normalizeGender('unknown')).toBe('');
  });
  it('compares identifiers without separators, within their system', () => {
    expect(normalizeIdentifier('urn:mrn|ab-12 34')).toBe('urn:mrn|AB1234');
    expect(normalizeIdentifier('0000')).toBe('');
  });
});
