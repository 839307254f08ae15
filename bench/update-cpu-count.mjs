// Preloaded into `kith serve` by bench/update-cpu.ts (node --import): counts the statements the
// server's pg clients send, and writes them to KITH_COUNT_FILE on SIGUSR2.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(`${process.cwd()}/package.json`);
const pg = require('pg');
let total = 0;
const byText = {};
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function (...args) {
  total++;
  const text = String(typeof args[0] === 'string' ? args[0] : (args[0]?.text ?? '')).replace(/\s+/g, ' ');
  const key = text.slice(0, 90);
  byText[key] = (byText[key] ?? 0) + 1;
  return query.apply(this, args);
};
// The running total every 100 ms, kept in memory (writing it out each time would cost the server
// more CPU than the bench should add), so the bench can take the measured phase's share.
const series = [];
setInterval(() => series.push([Date.now(), total]), 100).unref();
process.on('SIGUSR2', () =>
  writeFileSync(process.env.KITH_COUNT_FILE, JSON.stringify({ total, byText, series })),
);
