import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { KeyExchange } from './block/key-exchange';
import { collectPairs } from './batch-pairs';
import type { MatchRules } from './rules/schema';
import { RecordTable, type TableSnapshot } from './table/record-table';

/**
 * Worker thread of a batch linkage: rebuilds the record table from its snapshot and compares the
 * candidate pairs of one share of the blocks, with the same comparer code as the main thread.
 */
interface PairWorkerData {
  rules: MatchRules;
  table: TableSnapshot;
  twoSources: boolean;
  share: { index: number; of: number };
  /** Ports to the other threads and the per-key flags of their KeyExchange. */
  ports: MessagePort[];
  ready: Int32Array;
}

const data = workerData as PairWorkerData;
const exchange = new KeyExchange(data.share.index, data.share.of, data.ports, data.ready);
const result = collectPairs(data.rules, RecordTable.restore(data.table), {
  twoSources: data.twoSources,
  share: data.share,
  exchange,
});
exchange.close();
// The pair arrays are moved, not copied (collectPairs made them; nothing else holds them).
const moved = [result.a.buffer, result.b.buffer, result.p.buffer] as ArrayBuffer[];
parentPort?.postMessage(result, moved);
