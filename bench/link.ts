// Batch identity linkage on generated US-style records (src/identity/generator): 100k and 1M records.
// Each size runs in its own child process so that its peak memory is its own. Prints ONE JSON line:
// per size the linkage seconds (normalize + block + estimate + score; generation reported apart),
// candidate pairs, peak RSS, precision and recall of `match` decisions, true pairs left in `possible`.
// Env: BENCH_LINK_SIZES (default "100000,1000000"), BENCH_LINK_SEED (default 7), BENCH_LINK_THREADS (threads
// comparing pairs; default the cores, at most 2), BENCH_LINK_NODE_FLAGS (see run). cpuSeconds counts every
// thread of the process.
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluateLinks } from '../src/identity/evaluate';
import { generatePopulation } from '../src/identity/generator/generate';
import { toMatchRecord } from '../src/identity/generator/write';
import { defaultRules, LinkJob } from '../src/identity';

const SEED = Number(process.env.BENCH_LINK_SEED ?? 7);
const THREADS = process.env.BENCH_LINK_THREADS ? Number(process.env.BENCH_LINK_THREADS) : undefined;

interface SizeResult {
  records: number;
  persons: number;
  generateSeconds: number;
  seconds: number;
  /** CPU seconds of the linkage (user + system): on a shared machine wall seconds mostly measure waiting. */
  cpuSeconds: number;
  phases: Record<string, number>;
  candidatePairs: number;
  /** Candidate pairs each blocking key added (pairs no earlier key had). */
  pairsByKey: Record<string, number>;
  truePairs: number;
  precision: number;
  recall: number;
  possibleTrue: number;
  hardNonMatchLinks: number;
  threads: number | string;
  peakRssMB: number;
}

/** One size, in this process. */
async function runSize(records: number): Promise<SizeResult> {
  let t = performance.now();
  const data = generatePopulation({ seed: SEED, records });
  const generateSeconds = (performance.now() - t) / 1000;
  t = performance.now();
  const cpu = process.cpuUsage();
  const job = new LinkJob(defaultRules, THREADS ? { threads: THREADS } : {});
  for (let i = 0; i < data.records.length; i++) job.add(toMatchRecord(data.records[i]));
  // Free the generated rows before linking: the job holds its own columns.
  const personOf = data.personOf;
  data.records.length = 0;
  const result = await job.runParallel();
  const seconds = (performance.now() - t) / 1000;
  const used = process.cpuUsage(cpu);
  const acc = evaluateLinks(result, personOf);
  const related = new Set(data.relations.map((r) => `${Math.min(r.a, r.b)} ${Math.max(r.a, r.b)}`));
  let hardNonMatchLinks = 0;
  for (let x = 0; x < result.count; x++) {
    if (result.decision[x] !== 1) continue;
    const a = personOf[result.a[x]];
    const b = personOf[result.b[x]];
    if (related.has(`${Math.min(a, b)} ${Math.max(a, b)}`)) hardNonMatchLinks++;
  }
  const round = (v: number) => Math.round(v * 100) / 100;
  return {
    records,
    persons: data.persons,
    generateSeconds: round(generateSeconds),
    seconds: round(seconds),
    cpuSeconds: round((used.user + used.system) / 1e6),
    phases: Object.fromEntries(Object.entries(result.seconds).map(([k, v]) => [k, round(v)])),
    candidatePairs: result.blocking.candidatePairs,
    pairsByKey: Object.fromEntries(result.blocking.keys.map((k) => [k.name, k.pairs])),
    truePairs: acc.truePairs,
    precision: Math.round(acc.precision * 1e5) / 1e5,
    recall: Math.round(acc.recall * 1e5) / 1e5,
    possibleTrue: acc.possibleTrue,
    hardNonMatchLinks,
    threads: THREADS ?? 'default',
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

export function run(): void {
  const sizes = (process.env.BENCH_LINK_SIZES ?? '100000,1000000').split(',').map(Number);
  const self = fileURLToPath(import.meta.url);
  const tsx = path.join(path.dirname(self), '..', 'node_modules', 'tsx', 'dist', 'cli.mjs');
  const runs: SizeResult[] = [];
  const flags = (process.env.BENCH_LINK_NODE_FLAGS ?? '--max-semi-space-size=64').split(' ').filter(Boolean);
  for (const n of sizes) {
    // A 4 GB heap cap: the target is the whole linkage within 4 GB. A 64 MB young generation (V8's default is
    // 16 MB) cuts the scavenges of normalizing a million records: about 3 s of 55 at 1M (README); `kith link`
    // on large files takes it through NODE_OPTIONS. BENCH_LINK_NODE_FLAGS replaces it (an empty value: none).
    const child = spawnSync(
      process.execPath,
      ['--max-old-space-size=3800', ...flags, tsx, self, '--size', String(n)],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
        maxBuffer: 1 << 20,
      },
    );
    if (child.status !== 0) throw new Error(`bench link ${n} failed with status ${child.status}`);
    runs.push(JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}') as SizeResult);
  }
  console.log(
    JSON.stringify({
      bench: 'identity-link',
      rules: defaultRules.version,
      seed: SEED,
      nodeFlags: flags,
      cpus: cpus().length,
      loadavg: loadavg().map((l) => Math.round(l * 100) / 100),
      runs,
    }),
  );
}

const sizeArg = process.argv.indexOf('--size');
if (sizeArg >= 0) console.log(JSON.stringify(await runSize(Number(process.argv[sizeArg + 1]))));
else if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) run();
