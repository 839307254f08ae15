import { parentPort, workerData } from 'node:worker_threads';
import { RecordTable } from './table/record-table';
import type { MatchRecord } from './types';

/**
 * Worker thread of a batch linkage that normalizes every other chunk of the input (see NormalizeSplit):
 * it adds the chunks it is sent to a table of its own and, when told the input has ended, sends the table
 * back as a snapshot for the main thread to interleave with its own rows.
 */
export type NormalizeMessage = { records: MatchRecord[] } | { done: true };

const { maxYear } = workerData as { maxYear?: number };
const table = new RecordTable(1 << 16);

parentPort?.on('message', (m: NormalizeMessage) => {
  if ('records' in m) {
    for (const r of m.records) table.add(r, 0, maxYear);
    return;
  }
  const snapshot = table.snapshot();
  const moved: ArrayBuffer[] = [snapshot.identifierStart.buffer as ArrayBuffer];
  for (const c of Object.values(snapshot.columns)) moved.push(c.ids.buffer as ArrayBuffer);
  moved.push(snapshot.identifiers.ids.buffer as ArrayBuffer);
  parentPort?.postMessage(snapshot, moved);
  parentPort?.close();
});
