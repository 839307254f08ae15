import type { Resource } from '@medplum/fhirtypes';
import type { FhirStore, WriteResult } from './repository';

interface Job {
  /** Creates sharing a key have the same caller and guard, so one of their stores may write them all. */
  key: string;
  store: FhirStore;
  resource: Resource;
  /** The create on its own (the path a batch falls back to). */
  alone: () => Promise<WriteResult>;
  resolve: (result: WriteResult) => void;
  reject: (err: unknown) => void;
}

/**
 * Creates that arrive while earlier ones are being written wait, and are then written together by
 * one `createMany`: one transaction and a few statements for the set instead of five round trips
 * each (begin, the version, identity candidates, the Person, commit). Each waits no longer than the
 * batch before it: with `slots` batches in flight, a create arriving at a quiet moment is written at
 * once, alone. When a batch fails (a conflict, a hook that refuses one resource, a deadlock that
 * outlasted its retries) nothing of it was committed, and each of its creates runs again alone, so
 * each caller hears its own outcome.
 */
export class CreateBatcher {
  private readonly waiting: Job[] = [];
  private running = 0;

  constructor(
    private readonly slots: number,
    private readonly maxBatch: number,
  ) {}

  submit(
    key: string,
    store: FhirStore,
    resource: Resource,
    alone: () => Promise<WriteResult>,
  ): Promise<WriteResult> {
    return new Promise<WriteResult>((resolve, reject) => {
      this.waiting.push({ key, store, resource, alone, resolve, reject });
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

  /** The oldest waiting create and the next ones of its key, in arrival order. */
  private takeBatch(): Job[] {
    const key = this.waiting[0].key;
    const batch: Job[] = [];
    for (let i = 0; i < this.waiting.length && batch.length < this.maxBatch;) {
      if (this.waiting[i].key === key) batch.push(...this.waiting.splice(i, 1));
      else i++;
    }
    return batch;
  }

  private async execute(batch: Job[]): Promise<void> {
    if (batch.length > 1) {
      let results: WriteResult[] | undefined;
      try {
        results = await batch[0].store.createMany(batch.map((j) => j.resource));
      } catch {
        results = undefined;
      }
      if (results) {
        batch.forEach((job, i) => job.resolve(results[i]));
        return;
      }
    }
    await Promise.all(batch.map((job) => job.alone().then(job.resolve, job.reject)));
  }
}
