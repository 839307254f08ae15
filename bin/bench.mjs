#!/usr/bin/env node
// `npm run bench -- NAME [args]` runs bench/NAME.ts through tsx. Benchmarks print one JSON line.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [name, ...args] = process.argv.slice(2);
const file = name && path.join(root, 'bench', `${name}.ts`);
if (!file || !existsSync(file)) {
  const names = readdirSync(path.join(root, 'bench')).filter((f) => f.endsWith('.ts') && !f.startsWith('_'));
  console.error(
    `usage: npm run bench -- NAME\nbenchmarks: ${names.map((f) => f.replace(/\.ts$/, '')).join(', ')}`,
  );
  process.exit(2);
}
const tsx = path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
// BENCH_HEAP_MB: the benchmark process's heap limit (the identity-online load of 1M people needs more).
const heap = Number(process.env.BENCH_HEAP_MB ?? 8192);
const r = spawnSync(process.execPath, [`--max-old-space-size=${heap}`, tsx, file, ...args], {
  stdio: 'inherit',
  cwd: root,
});
process.exit(r.status ?? 1);
