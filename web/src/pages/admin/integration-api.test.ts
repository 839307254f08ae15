import { describe, expect, it } from 'vitest';
import { issueLocation } from './integration-api';

describe('issueLocation', () => {
  it('names the HL7 segment and field, or the file, row and column, or nothing', () => {
    expect(issueLocation({ message: 'x', segment: 'PID', field: 3 })).toBe('PID-3');
    expect(issueLocation({ message: 'x', segment: 'MSH' })).toBe('MSH');
    expect(issueLocation({ message: 'x', segment: 'PID', field: 3, location: 'PID-3[2].4' })).toBe(
      'PID-3[2].4',
    );
    expect(issueLocation({ message: 'x', file: 'Client.csv', row: 17, column: 'DOB' })).toBe(
      'Client.csv row 17 column DOB',
    );
    expect(issueLocation({ message: 'x', file: 'wic.csv', column: 'CaseNumber' })).toBe(
      'wic.csv column CaseNumber',
    );
    expect(issueLocation({ message: 'commit failed' })).toBeUndefined();
  });
});
