import { readFileSync } from 'node:fs';
import type pg from 'pg';

/**
 * What the benches measure on a shared machine: CPU time per process from /proc (wall times mostly
 * measure the other work there), the PostgreSQL backends whose CPU to add, and latency percentiles.
 */

/** CPU time (ms) of a Linux process, from /proc: user + system, in clock ticks of 10 ms; 0 when gone. */
export function processCpuMs(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

/** The pids of the backends connected to database `dbName`, but the asking connection's own. */
export async function backendPidsOf(client: pg.Client, dbName: string): Promise<number[]> {
  const { rows } = await client.query(
    'select pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
    [dbName],
  );
  return rows.map((r: { pid: number }) => r.pid);
}

/** The p-th percentile (nearest rank below) of `xs`, to two decimals; 0 for none. */
export function percentile(xs: number[], p: number): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] * 100) / 100;
}

/** A reading of the server's CPU and its database's backends' CPU (ms), at `t` (performance.now). */
export interface CpuSample {
  t: number;
  /** Date.now() of the reading, to match logs stamped in wall time. */
  wall: number;
  node: number;
  pg: number;
}

/**
 * Samples every 100 ms the CPU of process `pid` and of the backends of database `dbName` (asked
 * through `admin`). Backends come and go with the pool: a sample sums every backend seen so far,
 * each at its last reading. `at(t)` is the sample nearest to `t`; `stop()` ends the sampling.
 */
export function sampleCpu(
  pid: number | undefined,
  admin: pg.Client,
  dbName: string,
): { samples: CpuSample[]; at(t: number): CpuSample; stop(): void } {
  const last = new Map<number, number>();
  const samples: CpuSample[] = [];
  const sample = async (): Promise<void> => {
    for (const backend of await backendPidsOf(admin, dbName)) {
      const c = processCpuMs(backend);
      if (c > 0) last.set(backend, c);
    }
    let pgCpu = 0;
    for (const c of last.values()) pgCpu += c;
    samples.push({ t: performance.now(), wall: Date.now(), node: processCpuMs(pid), pg: pgCpu });
  };
  const timer = setInterval(() => void sample(), 100);
  return {
    samples,
    at: (t) => samples.reduce((best, x) => (Math.abs(x.t - t) < Math.abs(best.t - t) ? x : best)),
    stop: () => clearInterval(timer),
  };
}
