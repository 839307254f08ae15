import { readCsv } from '../csv/read';
import { RowReader } from '../csv/row';
import { rowIssue, type RowIssue } from '../issues';
import { findFile, type ExportInfo, type HmisFiles, type HmisOptions } from './context';
import { hmisSpec, versionOf } from './spec';

/**
 * Export.csv: which HMIS sent the export (the identifier namespace), which CSV layout it uses and
 * whether names and SSNs are hashed. Without a stable source name nothing can be keyed, so that
 * is the one problem that stops the whole export.
 */
export function readExportInfo(
  files: HmisFiles,
  options: HmisOptions,
): { info?: ExportInfo; issues: RowIssue[] } {
  const issues: RowIssue[] = [];
  const content = findFile(files, 'Export.csv');
  const clientContent = findFile(files, 'Client.csv');
  const clientHeader =
    clientContent === undefined ? undefined : readCsv('Client.csv', headerOnly(clientContent)).header;
  let exportId: string | undefined;
  let csvVersion: string | undefined;
  let hashStatus = 1;
  let sourceFromExport: string | undefined;

  if (content === undefined) {
    issues.push(
      rowIssue(
        'warning',
        'Export.csv',
        undefined,
        undefined,
        'file is missing; layout is inferred from Client.csv and names are treated as unhashed',
      ),
    );
  } else {
    const table = readCsv('Export.csv', content, hmisSpec('Export.csv', 'FY2024'));
    issues.push(...table.issues);
    if (table.rows.length !== 1 && table.rows.length > 0) {
      issues.push(
        rowIssue(
          'warning',
          'Export.csv',
          undefined,
          undefined,
          `has ${table.rows.length} rows; the first is used`,
        ),
      );
    }
    const row = table.rows[0];
    if (row) {
      const r = new RowReader('Export.csv', row, issues);
      exportId = r.str('ExportID');
      csvVersion = r.str('CSVVersion');
      sourceFromExport = r.str('SourceID') ?? r.str('SourceName');
      const hash = r.code('HashStatus', ['1', '2', '3', '4'], 'HashStatus');
      if (hash) hashStatus = Number(hash);
      r.dateTime('ExportDate'); // only checked: a malformed export date is worth telling the sender
    }
  }

  const source = options.source ?? sourceFromExport;
  if (!source) {
    issues.push(
      rowIssue(
        'error',
        'Export.csv',
        undefined,
        'SourceID',
        'no SourceID or SourceName, and no source configured for the channel: records cannot be keyed',
      ),
    );
    return { issues };
  }
  let version = versionOf(csvVersion, clientHeader);
  if (!version) {
    issues.push(
      rowIssue(
        'warning',
        'Export.csv',
        undefined,
        'CSVVersion',
        `CSV version ${csvVersion ? `'${csvVersion}'` : '(empty)'} is not FY2024 or FY2026; read with the FY2024 layout`,
      ),
    );
    version = 'FY2024';
  } else if (csvVersion && !/^(2024|2026)\b/.test(csvVersion)) {
    issues.push(
      rowIssue(
        'warning',
        'Export.csv',
        undefined,
        'CSVVersion',
        `CSV version '${csvVersion}' is not FY2024 or FY2026; read as ${version}`,
      ),
    );
  }
  return { info: { exportId, source, version, hashStatus, csvVersion }, issues };
}

function headerOnly(content: string | Uint8Array): string {
  const text = typeof content === 'string' ? content : Buffer.from(content).toString('utf8');
  const end = text.search(/\r?\n/);
  return end < 0 ? text : text.slice(0, end);
}
