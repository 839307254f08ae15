import type { Worker } from 'node:worker_threads';
import type { NormalizeMessage } from './batch-normalize-worker';
import { startBatchWorker } from './batch-worker';
import type { RecordTable, RowSegment, TableSnapshot } from './table/record-table';
import type { MatchRecord } from './types';

/**
 * Normalization of a large batch over two threads: from the point the split starts, the input is cut into
 * chunks and every other chunk is sent to a worker thread, which normalizes it into a table of its own
 * while this thread normalizes the next chunk into the job's table. At the end the worker's table is
 * interleaved into the job's table in input order (RecordTable.interleave), so record indices are input
 * positions as in a one-thread job.
 */
export class NormalizeSplit {
  private readonly worker: Worker;
  private readonly failed: Promise<never>;
  private readonly segments: RowSegment[] = [];
  private readonly externalIds: string[];
  private source: Uint8Array;
  private rows: number;
  private pending: MatchRecord[] = [];
  /** Records left in the current chunk, and whose it is. */
  private left: number;
  private toWorker = true;

  /**
   * `table`: the job's table, holding the records added before the split; `chunk`: records per chunk.
   */
  constructor(
    private readonly table: RecordTable,
    private readonly chunk: number,
    maxYear: number | undefined,
  ) {
    this.rows = table.size;
    this.externalIds = [...table.externalIds];
    this.source = table.source.slice(0, Math.max(table.size * 2, 1024));
    if (table.size > 0) this.segments.push({ other: false, count: table.size });
    this.left = chunk;
    this.worker = startBatchWorker('batch-normalize-worker', { maxYear });
    this.failed = new Promise<never>((_, reject) => {
      this.worker.once('error', reject);
      this.worker.once('exit', (code) =>
        reject(new Error(`batch normalization worker stopped (exit code ${code}) before answering`)),
      );
    });
    // Rejections are read by finish(); until then none may go unhandled.
    this.failed.catch(() => {});
  }

  add(record: MatchRecord, source: number, maxYear: number | undefined): void {
    const i = this.rows++;
    if (i >= this.source.length) {
      const grown = new Uint8Array(this.source.length * 2);
      grown.set(this.source);
      this.source = grown;
    }
    this.source[i] = source;
    this.externalIds.push(record.id);
    if (this.toWorker) this.pending.push(record);
    else this.table.add(record, source, maxYear);
    if (--this.left === 0) this.endChunk();
  }

  get size(): number {
    return this.rows;
  }

  private endChunk(): void {
    const count = this.chunk - this.left;
    if (count === 0) return;
    const last = this.segments[this.segments.length - 1];
    if (last !== undefined && last.other === this.toWorker) last.count += count;
    else this.segments.push({ other: this.toWorker, count });
    if (this.toWorker) {
      this.worker.postMessage({ records: this.pending } satisfies NormalizeMessage);
      this.pending = [];
    }
    this.toWorker = !this.toWorker;
    this.left = this.chunk;
  }

  /** Waits for the worker's part and interleaves it into the job's table. */
  async finish(): Promise<void> {
    this.endChunk();
    const answer = new Promise<TableSnapshot>((resolve) => this.worker.once('message', resolve));
    this.worker.postMessage({ done: true } satisfies NormalizeMessage);
    const other = await Promise.race([answer, this.failed]);
    void this.worker.terminate();
    this.table.interleave(other, this.segments, this.externalIds, this.source);
  }
}
