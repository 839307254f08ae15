import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../store';
import type { Caller } from '../../privacy/caller';

/** One `$export` job as stored in bulk_export_jobs. */
export interface ExportJob {
  id: string;
  owner: string;
  request: string;
  status: 'running' | 'done' | 'failed';
  progress: string | null;
  transactionTime: string;
  error: string | null;
}

/** One NDJSON output of a finished job. */
export interface ExportFile {
  type: string;
  count: number;
}

/** Who owns a job: the caller's kind and subject, compared on every status poll and download. */
export function ownerOf(caller: Caller): string {
  return `${caller.kind}/${caller.subject}`;
}

export async function createJob(db: Queryable, owner: string, request: string): Promise<ExportJob> {
  const { rows } = await db.query(
    `insert into bulk_export_jobs (id, owner, request, status, progress, transaction_time)
     values ($1, $2, $3, 'running', 'queued', now())
     returning id, owner, request, status, progress, transaction_time, error`,
    [randomUUID(), owner, request],
  );
  return toJob(rows[0]);
}

/** How long a running job may go untouched by its runner before it counts as abandoned. */
export const ABANDONED_AFTER_MINUTES = 5;

/**
 * The job, only when `owner` owns it: another caller's job is not known. A running job whose runner
 * has not touched it for ABANDONED_AFTER_MINUTES is marked failed first: the server running it
 * stopped, and the client should kick off again.
 */
export async function findJob(db: Queryable, id: string, owner: string): Promise<ExportJob | undefined> {
  await db.query(
    `update bulk_export_jobs set status = 'failed', progress = null,
       error = 'the server running it stopped before it finished; start the export again'
     where id = $1 and owner = $2 and status = 'running'
       and heartbeat_at < now() - make_interval(mins => $3::int)`,
    [id, owner, ABANDONED_AFTER_MINUTES],
  );
  const { rows } = await db.query(
    `select id, owner, request, status, progress, transaction_time, error
     from bulk_export_jobs where id = $1 and owner = $2`,
    [id, owner],
  );
  return rows[0] ? toJob(rows[0]) : undefined;
}

/** Records progress; false when the job is gone (cancelled), so the runner stops. */
export async function setProgress(db: Queryable, id: string, progress: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `update bulk_export_jobs set progress = $2, heartbeat_at = now() where id = $1 and status = 'running'`,
    [id, progress],
  );
  return (rowCount ?? 0) > 0;
}

/** Stores one type's output (an empty type stores nothing: the manifest lists only files). */
export async function saveFile(db: Queryable, id: string, type: string, lines: string[]): Promise<void> {
  if (!lines.length) return;
  await db.query(
    `insert into bulk_export_files (job_id, resource_type, count, ndjson)
     select $1, $2, $3, $4 where exists (select 1 from bulk_export_jobs where id = $1)`,
    [id, type, lines.length, `${lines.join('\n')}\n`],
  );
}

export async function finishJob(db: Queryable, id: string, error?: string): Promise<void> {
  await db.query(
    `update bulk_export_jobs set status = $2, progress = null, error = $3 where id = $1 and status = 'running'`,
    [id, error ? 'failed' : 'done', error ?? null],
  );
}

/** Removes the job and its files (DELETE on the status URL); false when it was not the owner's. */
export async function deleteJob(db: Queryable, id: string, owner: string): Promise<boolean> {
  const { rowCount } = await db.query(`delete from bulk_export_jobs where id = $1 and owner = $2`, [
    id,
    owner,
  ]);
  return (rowCount ?? 0) > 0;
}

export async function listFiles(db: Queryable, id: string): Promise<ExportFile[]> {
  const { rows } = await db.query(
    `select resource_type, count from bulk_export_files where job_id = $1 order by resource_type`,
    [id],
  );
  return rows.map((r) => ({ type: r.resource_type as string, count: Number(r.count) }));
}

/** One file's NDJSON, only for the job's owner. */
export async function readFile(
  db: Queryable,
  id: string,
  owner: string,
  type: string,
): Promise<string | undefined> {
  const { rows } = await db.query(
    `select f.ndjson from bulk_export_files f join bulk_export_jobs j on j.id = f.job_id
     where f.job_id = $1 and j.owner = $2 and f.resource_type = $3`,
    [id, owner, type],
  );
  return rows[0]?.ndjson as string | undefined;
}

function toJob(r: Record<string, unknown>): ExportJob {
  return {
    id: r.id as string,
    owner: r.owner as string,
    request: r.request as string,
    status: r.status as ExportJob['status'],
    progress: (r.progress as string | null) ?? null,
    transactionTime: new Date(r.transaction_time as string).toISOString(),
    error: (r.error as string | null) ?? null,
  };
}
