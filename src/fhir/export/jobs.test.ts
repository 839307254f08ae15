import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestKith, type TestKith } from '../../../test/helpers/kith';
import { createJob, findJob, setProgress } from './jobs';

let t: TestKith;
beforeAll(async () => {
  t = await startTestKith();
});
afterAll(async () => t?.close());

const age = (id: string, minutes: number) =>
  t.kith.db.query(
    `update bulk_export_jobs set heartbeat_at = now() - make_interval(mins => $2::int) where id = $1`,
    [id, minutes],
  );

describe('export jobs left by a stopped server', () => {
  it('a running job its runner stopped touching is answered as failed, saying to start again', async () => {
    const db = t.kith.db;
    const job = await createJob(db, 'user/ev-1', '/fhir/$export');
    await age(job.id, 10);
    const found = await findJob(db, job.id, 'user/ev-1');
    expect(found).toMatchObject({ status: 'failed', progress: null });
    expect(found?.error).toMatch(/stopped before it finished/);
    // A runner that comes back to it cannot revive it.
    expect(await setProgress(db, job.id, 'Patient (1 of 1 types)')).toBe(false);
  });

  it('a job touched recently is still running; another owner neither sees nor fails it', async () => {
    const db = t.kith.db;
    const job = await createJob(db, 'user/ev-2', '/fhir/$export');
    await age(job.id, 2);
    expect(await findJob(db, job.id, 'user/ev-2')).toMatchObject({ status: 'running' });
    await age(job.id, 10);
    expect(await findJob(db, job.id, 'user/someone-else')).toBeUndefined();
    const { rows } = await db.query('select status from bulk_export_jobs where id = $1', [job.id]);
    expect(rows[0].status).toBe('running');
    // Its runner's next page keeps it alive.
    expect(await setProgress(db, job.id, 'Patient (1 of 1 types, 1000 resources)')).toBe(true);
    expect(await findJob(db, job.id, 'user/ev-2')).toMatchObject({ status: 'running' });
  });
});
