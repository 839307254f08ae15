import { describe, expect, it } from 'vitest';
import { dateRange, isDateValue } from './normalize';

const outcome = (f: () => unknown) => {
  try {
    return f() ? 'valid' : 'invalid';
  } catch {
    return 'throws';
  }
};

describe('isDateValue', () => {
  it('answers as dateRange does, throws included', () => {
    const values = [
      '2020',
      '2020-02',
      '2020-02-29',
      '2019-02-29',
      '2020-13',
      '2020-04-31',
      '2020-1-5',
      ' 2020-01-05 ',
      '2020-01-05T10:00',
      '2020-01-05T10:00Z',
      '2020-01-05T10:00+05:30',
      '2020-01-05T10:00+99:99',
      '2020-01-05T10:00:00',
      '2020-01-05T10:00:60Z',
      '2020-01-05T10:00:61Z',
      '2020-01-05T24:00:00Z',
      '2020-01-05T23:60:00Z',
      '2020-01-05T10:00:00.123-04:00',
      '2020-01-05T10:00:00.1234567Z',
      '2020-01-05T10:00:00+99:99',
      '2020-01-05T10:00:00.5+14:00',
      '0000-01-01',
      '0099-12-31T23:59:59Z',
      '9999-12-31T23:59:59.999+23:59',
      '2020-01-05T10',
      '2020-01-05T',
      'x2020',
      '',
    ];
    const seen = new Set<string>();
    for (const v of values) {
      const expected = outcome(() => dateRange(v));
      seen.add(expected);
      expect({ v, got: outcome(() => isDateValue(v)) }).toEqual({ v, got: expected });
    }
    expect([...seen].sort()).toEqual(['invalid', 'throws', 'valid']);
  });
});
