/**
 * Expectation-maximisation for the Fellegi-Sunter model over comparison patterns. Candidate pairs are
 * summarised as (pattern, count), so an iteration costs the number of distinct patterns (thousands), not
 * the number of pairs (millions). m (P(level | match)) is estimated; u (P(level | non-match)) is either
 * estimated too or held fixed (`fixU`) when it comes from random pairs. The starting values also act as a
 * weak prior (`priorWeight` pseudo-pairs) so that small data sets cannot drive a probability to zero.
 */
export interface EmField {
  levels: number;
  /** Level index excluded from the likelihood (missing value), or -1. */
  missingLevel: number;
  /** Levels that carry no weight (the field is not scored): treated like missing. */
  scored: boolean;
}

export interface EmInput {
  fields: EmField[];
  /** patterns[p * fields.length + k] = level of field k in distinct pattern p. */
  levels: Int32Array;
  counts: Float64Array;
  m0: number[][];
  u0: number[][];
  lambda0: number;
  maxIterations: number;
  tolerance: number;
  priorWeight: number;
  /** Keep u at u0 (estimated elsewhere, from random pairs and value frequencies) and estimate m only. */
  fixU?: boolean;
  /** Fields left out of this estimation (blocked on in the session): neither used nor estimated. */
  exclude?: boolean[];
}

export interface EmResult {
  m: number[][];
  u: number[][];
  lambda: number;
  iterations: number;
  converged: boolean;
}

const FLOOR = 1e-6;

function normalize(v: number[]): number[] {
  const s = v.reduce((a, b) => a + b, 0);
  return v.map((x) => Math.min(1 - FLOOR, Math.max(FLOOR, s > 0 ? x / s : 1 / v.length)));
}

export function runEm(input: EmInput): EmResult {
  const { fields, levels, counts, priorWeight } = input;
  const F = fields.length;
  const P = counts.length;
  let m = input.m0.map((x) => x.slice());
  let u = input.u0.map((x) => x.slice());
  let lambda = input.lambda0;
  const post = new Float64Array(P);
  let iterations = 0;
  let converged = false;
  const excluded = input.exclude ?? [];
  const active = (k: number, l: number) => fields[k].scored && !excluded[k] && l !== fields[k].missingLevel;

  while (iterations < input.maxIterations) {
    iterations++;
    // E step: posterior probability that each pattern is a match, in log space against underflow.
    let matchMass = 0;
    let total = 0;
    const logL = Math.log(lambda);
    const logNL = Math.log(1 - lambda);
    for (let p = 0; p < P; p++) {
      let lm = logL;
      let lu = logNL;
      for (let k = 0; k < F; k++) {
        const l = levels[p * F + k];
        if (!active(k, l)) continue;
        lm += Math.log(m[k][l]);
        lu += Math.log(u[k][l]);
      }
      const g = 1 / (1 + Math.exp(lu - lm));
      post[p] = g;
      matchMass += g * counts[p];
      total += counts[p];
    }
    // M step: expected level counts, with the starting values as pseudo-counts.
    const mAcc = fields.map((f) => new Array<number>(f.levels).fill(0));
    const uAcc = fields.map((f) => new Array<number>(f.levels).fill(0));
    for (let p = 0; p < P; p++) {
      const c = counts[p];
      const g = post[p] * c;
      const ng = c - g;
      for (let k = 0; k < F; k++) {
        const l = levels[p * F + k];
        if (!active(k, l)) continue;
        mAcc[k][l] += g;
        uAcc[k][l] += ng;
      }
    }
    const nextM = mAcc.map((acc, k) =>
      normalize(acc.map((x, l) => (active(k, l) ? x + priorWeight * input.m0[k][l] : 0))),
    );
    const nextU = input.fixU
      ? u
      : uAcc.map((acc, k) =>
          normalize(acc.map((x, l) => (active(k, l) ? x + priorWeight * input.u0[k][l] : 0))),
        );
    const nextLambda = Math.min(1 - FLOOR, Math.max(FLOOR, total > 0 ? matchMass / total : lambda));
    let delta = Math.abs(nextLambda - lambda);
    for (let k = 0; k < F; k++) {
      for (let l = 0; l < fields[k].levels; l++) {
        delta = Math.max(delta, Math.abs(nextM[k][l] - m[k][l]), Math.abs(nextU[k][l] - u[k][l]));
      }
    }
    m = nextM;
    u = nextU;
    lambda = nextLambda;
    if (delta < input.tolerance) {
      converged = true;
      break;
    }
  }
  return { m, u, lambda, iterations, converged };
}
