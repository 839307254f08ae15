import { generatePopulation } from './generate';
import { writeGenerated } from './write';

/**
 * `npx tsx src/identity/generator/main.ts --records 20000 --seed 7 --out data/synthetic` writes a synthetic
 * population (records.csv, truth.csv, relations.csv, map.json) for trying `kith link` by hand.
 */
function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const records = Number(arg('records', '20000'));
const seed = Number(arg('seed', '1'));
const out = arg('out', 'data/synthetic');
const data = generatePopulation({ seed, records });
writeGenerated(data, out);
console.error(
  `wrote ${data.records.length} records of ${data.persons} people (${data.relations.length} twin or father/son pairs) to ${out}`,
);
