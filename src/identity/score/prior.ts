/**
 * The prior: how likely two records picked at random are one person. Candidate pairs carry all the matches
 * (pairs outside the blocks are taken as non-matches), so the expected number of matching pairs is the sum
 * of the candidates' posterior probabilities, which itself depends on the prior: iterate to the fixed
 * point. Weights are binned to a quarter bit so each iteration is a few hundred steps, not one per pair.
 * The prior falls as the population grows (more strangers per true duplicate), which is why the thresholds
 * are on posterior odds: a 1,000-record file and a 1,000,000-record file get the same precision.
 */
const BIN = 0.25;
const LOW = -80;
const HIGH = 160;

export function estimatePriorLog2Odds(
  weights: Float32Array,
  count: number,
  totalPairs: number,
  start: number,
): number {
  const bins = new Float64Array(Math.ceil((HIGH - LOW) / BIN) + 1);
  for (let x = 0; x < count; x++) {
    const w = weights[x];
    if (Number.isNaN(w)) continue;
    const b = Math.round((Math.min(HIGH, Math.max(LOW, w)) - LOW) / BIN);
    bins[b]++;
  }
  let prior = start;
  for (let it = 0; it < 100; it++) {
    let expected = 0;
    for (let b = 0; b < bins.length; b++) {
      if (bins[b] === 0) continue;
      expected += bins[b] / (1 + 2 ** -(LOW + b * BIN + prior));
    }
    const p = Math.min(0.5, Math.max(expected, 1) / Math.max(totalPairs, 1));
    const next = Math.log2(p / (1 - p));
    if (Math.abs(next - prior) < 1e-4) return next;
    prior = next;
  }
  return prior;
}
