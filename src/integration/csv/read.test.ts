import { describe, expect, it } from 'vitest';
import { csvRecordWithHeader, readCsv } from './read';
import { RowReader } from './row';
import type { Issue } from '../issues';

describe('readCsv', () => {
  it('reads a clean file (BOM, CRLF, quoted fields, quoted line breaks, blank lines) with row numbers', () => {
    const text = '\uFEFFId,Name,Note\r\n1,"Ann ""Annie"" Lee",plain\r\n\r\n2,Bo,"two\r\nlines"\r\n3,Cy,\r\n';
    const t = readCsv('People.csv', text);
    expect(t.issues).toEqual([]);
    expect(t.header).toEqual(['Id', 'Name', 'Note']);
    expect(t.rows).toEqual([
      { row: 2, values: { Id: '1', Name: 'Ann "Annie" Lee', Note: 'plain' } },
      { row: 4, values: { Id: '2', Name: 'Bo', Note: 'two\r\nlines' } },
      { row: 6, values: { Id: '3', Name: 'Cy', Note: '' } },
    ]);
  });

  it('a bad closing quote costs that row only, and names row and column', () => {
    const t = readCsv('People.csv', 'Id,Name,Note\n1,"Ann"x,a\n2,Bo,b\n');
    expect(t.rows.map((r) => r.values.Id)).toEqual(['2']);
    expect(t.issues.map((i) => i.message)).toEqual([
      "People.csv row 2 column Name: quoting error: a closing quote is followed by 'x' instead of a comma",
    ]);
  });

  it('a quote that is never closed does not swallow the rest of the file', () => {
    const t = readCsv('People.csv', 'Id,Name,Note\n1,"Ann,a\n2,Bo,b\n3,Cy,c\n');
    expect(t.rows.map((r) => r.values.Id)).toEqual(['2', '3']);
    expect(t.issues).toHaveLength(1);
    expect(t.issues[0].message).toBe(
      'People.csv row 2 column Name: quoting error: a quote is opened and never closed',
    );
  });

  it('a stray quote that pairs with a later one still loses only its own line', () => {
    const t = readCsv('People.csv', 'Id,Name,Note\n1,"Ann,a\n2,Bo,b\n3,"Cy" ,c\n4,Di,d\n');
    expect(t.rows.map((r) => r.values.Id)).toEqual(['2', '4']);
    expect(t.issues.map((i) => i.row)).toEqual([2, 4]);
  });

  it('keeps a quote inside an unquoted value as text, with a warning', () => {
    const t = readCsv('People.csv', 'Id,Height\n1,5\'10"\n');
    expect(t.rows[0].values.Height).toBe('5\'10"');
    expect(t.issues[0]).toMatchObject({ severity: 'warning', row: 2 });
  });

  it('reports a row with the wrong number of fields', () => {
    const t = readCsv('People.csv', 'Id,Name,Note\n1,Ann\n2,Bo,b,extra\n3,Cy,c\n');
    expect(t.rows.map((r) => r.values.Id)).toEqual(['3']);
    expect(t.issues.map((i) => i.message)).toEqual([
      'People.csv row 2: has 2 fields but the header has 3 (an unquoted comma, or a truncated line?)',
      'People.csv row 3: has 4 fields but the header has 3 (an unquoted comma, or a truncated line?)',
    ]);
  });

  it('reports missing required (error) and expected (warning) columns', () => {
    const t = readCsv('Client.csv', 'PersonalID,FirstName\n1,Ann\n', {
      required: ['PersonalID', 'DOB'],
      expected: ['LastName'],
    });
    expect(t.missingColumns).toEqual(['DOB', 'LastName']);
    expect(t.issues.map((i) => [i.severity, i.message])).toEqual([
      ['error', 'Client.csv row 1 column DOB: required column is missing; no row of this file can be mapped'],
      ['warning', 'Client.csv row 1 column LastName: column is missing; its values are not mapped'],
    ]);
  });

  it('reports an empty file', () => {
    expect(readCsv('Empty.csv', '').issues[0].message).toBe('Empty.csv: file is empty (no header row)');
  });
});

describe('RowReader', () => {
  const issues: Issue[] = [];
  const t = readCsv(
    'Client.csv',
    'PersonalID,DOB,When,Code,Amount,Count\n7,2020-13-45,2021-03-04 25:00,Q,12.345,x\n',
  );
  const r = new RowReader('Client.csv', t.rows[0], issues, { timeZone: 'America/Los_Angeles' });

  it('reports each bad value as "file row N column C: problem"', () => {
    expect(r.date('DOB')).toBeUndefined();
    expect(r.dateTime('When')).toBeUndefined();
    expect(r.code('Code', ['A', 'B'], 'status code')).toBeUndefined();
    expect(r.money('Amount')).toBeUndefined();
    expect(r.int('Count')).toBeUndefined();
    expect(issues.map((i) => i.message)).toEqual([
      "Client.csv row 2 column DOB: '2020-13-45' is not a date: month 13 does not exist",
      "Client.csv row 2 column When: '2021-03-04 25:00' is not a date-time: hour 25 does not exist",
      "Client.csv row 2 column Code: 'Q' is not a valid status code",
      "Client.csv row 2 column Amount: '12.345' is not an amount of money",
      "Client.csv row 2 column Count: 'x' is not a whole number",
    ]);
    expect(r.failed).toBe(false); // all optional: warnings
  });

  it('turns an empty or invalid required value into an error that fails the row', () => {
    expect(r.date('DOB', true)).toBeUndefined();
    expect(r.failed).toBe(true);
    expect(issues.at(-1)).toMatchObject({ severity: 'error', column: 'DOB' });
  });
});

describe('csvRecordWithHeader', () => {
  const text = '\uFEFF\r\nId,Note\r\n1,plain\r\n2,"two\r\nlines"\r\n3,"a ""quoted"" word"\r\n';

  it('cuts out the header and the record that starts at a row, as readCsv numbers rows', () => {
    const rows = readCsv('f.csv', text).rows.map((r) => r.row);
    expect(rows).toEqual([3, 4, 6]);
    expect(csvRecordWithHeader(text, 3)).toBe('Id,Note\n1,plain\n');
    expect(csvRecordWithHeader(text, 4)).toBe('Id,Note\n2,"two\r\nlines"\n');
    expect(csvRecordWithHeader(text, 6)).toBe('Id,Note\n3,"a ""quoted"" word"\n');
    // The cut-out file reads back as that one row.
    expect(readCsv('f.csv', csvRecordWithHeader(text, 4)!).rows[0].values).toEqual({
      Id: '2',
      Note: 'two\r\nlines',
    });
  });

  it('gives nothing for a row inside a record or past the end', () => {
    expect(csvRecordWithHeader(text, 5)).toBeUndefined();
    expect(csvRecordWithHeader(text, 99)).toBeUndefined();
  });
});
