import type { Database } from '../store';
import { PollLoop } from './poll-loop';

export type JobHandler = (payload: any) => Promise<{ again?: Date } | void>;

/**
 * A small durable job queue in the database (`kith_jobs`): jobs survive restarts, a lease taken
 * with `for update skip locked` lets several nodes share them, a failed job is retried with
 * backoff, and a handler may ask to run again later (a schedule).
 */
export class JobQueue {
  private readonly handlers = new Map<string, JobHandler>();
  private readonly loop: PollLoop;

  constructor(
    private readonly db: Database,
    private readonly opts: { pollMs?: number; leaseMs?: number; log?: (m: string, e?: unknown) => void } = {},
  ) {
    this.loop = new PollLoop(
      () => this.runOnce(),
      opts.pollMs ?? 1000,
      (err) => opts.log?.('jobs: round failed', err),
    );
  }

  register(kind: string, handler: JobHandler): void {
    this.handlers.set(kind, handler);
  }

  /** Adds a job; with a key, at most one job with that key exists (a later schedule moves its time). */
  async schedule(kind: string, payload: unknown, opts: { key?: string; runAt?: Date } = {}): Promise<void> {
    await this.db.query(
      `insert into kith_jobs (kind, key, payload, run_at) values ($1, $2, $3::jsonb, $4)
       on conflict (key) do update set kind = excluded.kind, payload = excluded.payload,
         run_at = least(kith_jobs.run_at, excluded.run_at), done_at = null`,
      [kind, opts.key ?? null, JSON.stringify(payload ?? {}), (opts.runAt ?? new Date()).toISOString()],
    );
    this.loop.poke();
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }

  /** Claims and runs the due jobs whose kind has a handler here. */
  async runOnce(): Promise<number> {
    const kinds = [...this.handlers.keys()];
    if (!kinds.length) return 0;
    const { rows } = await this.db.query(
      `update kith_jobs j set lease_until = now() + $2::int * interval '1 millisecond'
       where j.id in (select id from kith_jobs where done_at is null and run_at <= now() and kind = any($1::text[])
                      and (lease_until is null or lease_until < now()) order by run_at limit 4 for update skip locked)
       returning j.id, j.kind, j.payload, j.attempts`,
      [kinds, this.opts.leaseMs ?? 10 * 60_000],
    );
    for (const job of rows) {
      try {
        const out = await (this.handlers.get(job.kind) as JobHandler)(
          typeof job.payload === 'string' ? JSON.parse(job.payload) : job.payload,
        );
        if (out?.again)
          await this.db.query(
            'update kith_jobs set run_at = $2, attempts = 0, lease_until = null, last_error = null where id = $1',
            [job.id, out.again.toISOString()],
          );
        else
          await this.db.query('update kith_jobs set done_at = now(), lease_until = null where id = $1', [
            job.id,
          ]);
      } catch (err) {
        const delay = Math.min(3_600_000, 5_000 * 2 ** Math.min(20, job.attempts));
        await this.db.query(
          `update kith_jobs set attempts = attempts + 1, last_error = $2, lease_until = null,
             run_at = now() + $3::int * interval '1 millisecond' where id = $1`,
          [job.id, String((err as Error)?.message ?? err), delay],
        );
        this.opts.log?.(`jobs: ${job.kind} failed`, err);
      }
    }
    return rows.length;
  }
}
