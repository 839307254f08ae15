import type pg from 'pg';
import { beginWithFirstQuery } from './begin-with-first';

interface Job {
  fn: (client: pg.PoolClient) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
  attempts: number;
}

/** Deadlock or serialization failure: PostgreSQL chose this transaction to fail; running it again is safe. */
const RETRYABLE = new Set(['40P01', '40001']);
const MAX_ATTEMPTS = 4;

function retryable(err: unknown, job: Job): boolean {
  return RETRYABLE.has((err as { code?: string })?.code ?? '') && job.attempts < MAX_ATTEMPTS;
}

/**
 * Group commit: concurrent write transactions that arrive while others run are executed together
 * in one database transaction, each inside its own savepoint, so one fsync covers many writes.
 * A job that fails rolls back to its savepoint and fails alone; a caller still hears back only
 * after the commit that made its write durable. Under low load a job runs alone at once.
 * Two transactions that lock the same rows or identity keys in different orders can deadlock;
 * PostgreSQL then fails one of them, and its jobs run again (a few times) instead of failing.
 */
export class GroupCommitter {
  private readonly pending: Job[] = [];
  private running = 0;

  constructor(
    private readonly pool: pg.Pool,
    private readonly slots: number,
    private readonly maxBatch = 64,
    /**
     * A transaction of one job sends its `begin` with its first statement (see BeginThenQuery): a
     * round trip fewer each. Off for PGlite, whose client is in-process.
     */
    private readonly beginWithFirst = false,
  ) {}

  run<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ fn, resolve: resolve as (v: unknown) => void, reject, attempts: 1 });
      this.kick();
    });
  }

  private kick(): void {
    while (this.running < this.slots && this.pending.length > 0) {
      const batch = this.pending.splice(0, this.maxBatch);
      this.running++;
      void this.execute(batch).finally(() => {
        this.running--;
        this.kick();
      });
    }
  }

  private retry(job: Job): void {
    job.attempts++;
    // A short random pause, so the two sides of a deadlock do not meet again at once.
    setTimeout(
      () => {
        this.pending.push(job);
        this.kick();
      },
      5 + Math.random() * 20 * job.attempts,
    );
  }

  private async execute(batch: Job[]): Promise<void> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      for (const job of batch) job.reject(err);
      return;
    }
    const outcomes: { job: Job; ok: boolean; value: unknown }[] = [];
    const tx = this.beginWithFirst && batch.length === 1 ? beginWithFirstQuery(client) : undefined;
    try {
      if (!tx) await client.query('begin');
      for (const job of batch) {
        if (batch.length > 1) await client.query('savepoint kith_job');
        try {
          const value = await job.fn(tx?.client ?? client);
          if (batch.length > 1) await client.query('release savepoint kith_job');
          outcomes.push({ job, ok: true, value });
        } catch (err) {
          if (batch.length === 1) throw err;
          await client.query('rollback to savepoint kith_job');
          outcomes.push({ job, ok: false, value: err });
        }
      }
      // A job that sent no statement began nothing, so there is nothing to commit.
      if (!tx || tx.begun()) await client.query('commit');
    } catch (err) {
      if (!tx || tx.begun()) await client.query('rollback').catch(() => undefined);
      client.release();
      // Nothing of this batch was committed: every job runs again or fails with the error that stopped it.
      for (const job of batch) {
        const own = outcomes.find((o) => o.job === job && !o.ok)?.value ?? err;
        if (retryable(own, job)) this.retry(job);
        else job.reject(own);
      }
      return;
    }
    client.release();
    for (const o of outcomes) {
      if (o.ok) o.job.resolve(o.value);
      else if (retryable(o.value, o.job)) this.retry(o.job);
      else o.job.reject(o.value);
    }
  }
}
