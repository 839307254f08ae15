import { csvRecordWithHeader } from '../csv/read';
import type { Issue, RowIssue } from '../issues';

/** One failed row of a committed file, to be kept as its own dead letter. */
export interface RowLetter {
  /** `<file>:<row>`, appended to the file's message key: the same row of the same file is kept once. */
  suffix: string;
  file: string;
  row: number;
  /** The header and that record: a one-row file that maps (or fails) exactly like the row did. */
  text: string;
  issues: RowIssue[];
}

/**
 * Groups a file's errors by row. Errors on data rows (row > 1) whose text can be cut out become
 * row letters; the rest (header problems, whole-file problems) stay with the file.
 */
export function splitFailedRows(
  errors: readonly Issue[],
  fileText: (file: string) => string | undefined,
): { rows: RowLetter[]; rest: Issue[] } {
  const byRow = new Map<string, RowLetter>();
  const rest: Issue[] = [];
  for (const issue of errors) {
    if (issue.kind !== 'row' || issue.row === undefined || issue.row < 2) {
      rest.push(issue);
      continue;
    }
    const suffix = `${issue.file}:${issue.row}`;
    let letter = byRow.get(suffix);
    if (!letter) {
      const source = fileText(issue.file);
      const text = source === undefined ? undefined : csvRecordWithHeader(source, issue.row);
      if (text === undefined) {
        rest.push(issue);
        continue;
      }
      letter = { suffix, file: issue.file, row: issue.row, text, issues: [] };
      byRow.set(suffix, letter);
    }
    letter.issues.push(issue);
  }
  return { rows: [...byRow.values()], rest };
}
