import { spawn } from 'node:child_process';
import path from 'node:path';

/** The FHIR workload that counts (../shared/bench/fhir-bench.mjs; KITH_SHARED moves ../shared). */
export const FHIR_WORKLOAD = path.resolve(process.env.KITH_SHARED ?? '../shared', 'bench/fhir-bench.mjs');

/** One phase's figures as the workload prints them in its last JSON line. */
export interface WorkloadPhase {
  ok: number;
  errors: number;
  elapsed_s: number;
  req_per_s: number;
  resources_per_s?: number;
  p99_ms: number;
}

/**
 * Runs the workload's `phases` against a running server for `durationS` seconds each, echoing its
 * progress to stderr, and calls `onPhaseEnd(phase, now)` when the workload reports a phase done, so a
 * CPU sampler can cut the phase out of its readings. Resolves to the per-phase figures.
 */
export async function runFhirWorkload(
  server: { base: string; token?: string },
  phases: string[],
  durationS: string,
  onPhaseEnd: (phase: string, now: number) => void = () => {},
): Promise<Record<string, WorkloadPhase | undefined>> {
  const stdout = await new Promise<string>((resolve) => {
    const child = spawn(process.execPath, [FHIR_WORKLOAD], {
      env: {
        ...process.env,
        FHIR_BASE: server.base,
        FHIR_TOKEN: server.token ?? '',
        BENCH_PHASES: phases.join(','),
        BENCH_DURATION_S: durationS,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d: Buffer) => {
      const text = d.toString();
      for (const p of phases) if (text.includes(`[bench] ${p}:`)) onPhaseEnd(p, performance.now());
      process.stderr.write(d);
    });
    child.on('exit', () => resolve(out));
  });
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}');
}
