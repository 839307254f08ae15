import type { FhirStore, WriteResult } from './repository';

/** One write's own outcome in a batch: its result, or the error that is its answer alone (a 412). */
export type Settled = WriteResult | { error: unknown };

interface Job<T> {
  /** Writes sharing a key have the same caller and guard, so one of their stores may write them all. */
  key: string;
  store: FhirStore;
  item: T;
  /** The write on its own (the path a batch falls back to). */
  alone: () => Promise<WriteResult>;
  resolve: (result: WriteResult) => void;
  reject: (err: unknown) => void;
}

/**
 * Writes that arrive while earlier ones are being written wait, and are then written together by
 * one `many` call: one transaction and a few statements for the set instead of several round trips
 * each. Each waits no longer than the batch before it: with `slots` batches in flight, a write
 * arriving at a quiet moment is written at once, alone. `many` gives each write its own outcome (a
 * stale If-Match fails that write only); when it throws (a conflict, a hook that refuses one
 * resource, a deadlock that outlasted its retries) nothing of the batch was committed, and each of
 * its writes runs again alone, so each caller hears its own outcome. Two writes of one `target`
 * (a resource) never share a batch: the later one waits for a later batch, so it sees the first.
 */
export class WriteBatcher<T> {
  private readonly waiting: Job<T>[] = [];
  private running = 0;

  constructor(
    private readonly slots: number,
    private readonly maxBatch: number,
    private readonly many: (store: FhirStore, items: T[]) => Promise<Settled[]>,
    private readonly target: (item: T) => string | undefined = () => undefined,
  ) {}

  submit(key: string, store: FhirStore, item: T, alone: () => Promise<WriteResult>): Promise<WriteResult> {
    return new Promise<WriteResult>((resolve, reject) => {
      this.waiting.push({ key, store, item, alone, resolve, reject });
      this.kick();
    });
  }

  private kick(): void {
    while (this.running < this.slots && this.waiting.length > 0) {
      const batch = this.takeBatch();
      this.running++;
      void this.execute(batch).finally(() => {
        this.running--;
        this.kick();
      });
    }
  }

  /**
   * The oldest waiting write and the next ones of its key, in arrival order, leaving for a later
   * batch each write of a target the batch already has (and every later write of that target).
   */
  private takeBatch(): Job<T>[] {
    const key = this.waiting[0].key;
    const batch: Job<T>[] = [];
    const targets = new Set<string>();
    const skipped = new Set<string>();
    for (let i = 0; i < this.waiting.length && batch.length < this.maxBatch;) {
      const job = this.waiting[i];
      const target = this.target(job.item);
      if (target !== undefined && (targets.has(target) || skipped.has(target))) {
        skipped.add(target);
        i++;
      } else if (job.key === key) {
        if (target !== undefined) targets.add(target);
        batch.push(...this.waiting.splice(i, 1));
      } else {
        if (target !== undefined) skipped.add(target);
        i++;
      }
    }
    return batch;
  }

  private async execute(batch: Job<T>[]): Promise<void> {
    if (batch.length > 1) {
      let results: Settled[] | undefined;
      try {
        results = await this.many(
          batch[0].store,
          batch.map((j) => j.item),
        );
      } catch {
        results = undefined;
      }
      if (results) {
        batch.forEach((job, i) => {
          const r = results[i];
          if ('error' in r) job.reject(r.error);
          else job.resolve(r);
        });
        return;
      }
    }
    await Promise.all(batch.map((job) => job.alone().then(job.resolve, job.reject)));
  }
}
