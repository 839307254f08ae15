import type { Command } from 'commander';
import { createWriteStream, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { parseFieldMap } from '../../identity/csv/field-map';
import { readMappedCsv } from '../../identity/csv/read-csv';
import {
  DECISION_MATCH,
  FIELD_NAMES,
  LinkJob,
  defaultRules,
  parseRules,
  type FieldName,
  type LinkResult,
  type MatchRecord,
} from '../../identity';

/**
 * `kith link --map MAP.json --out pairs.csv A.csv [B.csv]`: duplicates within one file, or links across
 * two, with the same matcher the online path uses. Output rows: id_a,id_b,score,decision where score is
 * the posterior log2 odds of "same person" and decision is `match` (would auto-link) or `possible`
 * (would go to review). The id column only labels rows; it never reaches the matcher.
 */
const LARGE_INPUT = 20_000;

const csvCell = (v: string): string => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

function hasValue(r: MatchRecord, f: FieldName): boolean {
  return f === 'identifier' ? (r.identifiers?.length ?? 0) > 0 : Boolean(r[f]);
}

async function writePairs(path: string, result: LinkResult): Promise<void> {
  const order = Array.from({ length: result.count }, (_, x) => x);
  // Best first, so that a reviewer reading the file from the top sees the surest links first.
  order.sort(
    (x, y) => result.score[y] - result.score[x] || result.a[x] - result.a[y] || result.b[x] - result.b[y],
  );
  const out = createWriteStream(path);
  let chunk = 'id_a,id_b,score,decision\n';
  for (const x of order) {
    const decision = result.decision[x] === DECISION_MATCH ? 'match' : 'possible';
    chunk += `${csvCell(result.ids[result.a[x]])},${csvCell(result.ids[result.b[x]])},${result.score[x].toFixed(2)},${decision}\n`;
    if (chunk.length > 1 << 16) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}

export function registerLinkCommand(program: Command): void {
  program
    .command('link')
    .description('find duplicate records in one CSV file, or the same people across two CSV files')
    .argument('<a>', 'CSV file (with a header row)')
    .argument('[b]', 'second CSV file: link A to B instead of deduplicating A')
    .requiredOption('--map <file>', 'MAP.json: Kith field -> CSV column or list of columns')
    .requiredOption('--out <file>', 'output CSV: id_a,id_b,score,decision')
    .option('--rules <file>', 'matching rules JSON (default: the built-in rules)')
    .action(async (a: string, b: string | undefined, opts: { map: string; out: string; rules?: string }) => {
      const map = parseFieldMap(JSON.parse(readFileSync(opts.map, 'utf8')));
      const rules = opts.rules ? parseRules(JSON.parse(readFileSync(opts.rules, 'utf8'))) : defaultRules;
      const started = performance.now();
      let read = 0;
      const log = (message: string) => {
        if (read >= LARGE_INPUT) console.error(`link: ${message}`);
      };
      const job = new LinkJob(rules, { onProgress: log });
      const rawValues = new Map<FieldName, number>();
      for (const [source, file] of (b ? [a, b] : [a]).entries()) {
        for await (const record of readMappedCsv(file, map)) {
          job.add(record, source);
          for (const f of FIELD_NAMES) if (hasValue(record, f)) rawValues.set(f, (rawValues.get(f) ?? 0) + 1);
          if (++read % 100_000 === 0) console.error(`link: read ${read} records`);
        }
      }
      const result = await job.runParallel();
      // Values a source sent that normalization had to drop (placeholders, malformed dates ...).
      for (const [f, raw] of rawValues) {
        const kept = f === 'identifier' ? job.table.identifiers.present : job.table.columns[f].present;
        if (kept < raw)
          console.error(`link: ${f}: ${raw - kept} of ${raw} values unusable, treated as missing`);
      }
      await writePairs(opts.out, result);
      let matches = 0;
      for (let x = 0; x < result.count; x++) if (result.decision[x] === DECISION_MATCH) matches++;
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      console.error(
        `link: ${read} records, ${result.blocking.candidatePairs} candidate pairs, ${matches} match, ` +
          `${result.count - matches} possible (rules ${result.rulesVersion}) -> ${opts.out} in ${seconds} s`,
      );
    });
}
