/**
 * Jaro-Winkler similarity, written for the scoring loop: no allocation per call (the match flags live in
 * reused buffers), which matters when tens of millions of candidate pairs are compared.
 */
let flagsA = new Uint8Array(64);
let flagsB = new Uint8Array(64);

export function jaroWinkler(a: string, b: string): number {
  if (a === b) return a.length > 0 ? 1 : 0;
  const la = a.length;
  const lb = b.length;
  if (la === 0 || lb === 0) return 0;
  if (la > flagsA.length || lb > flagsB.length) {
    flagsA = new Uint8Array(Math.max(la, lb) * 2);
    flagsB = new Uint8Array(Math.max(la, lb) * 2);
  }
  flagsA.fill(0, 0, la);
  flagsB.fill(0, 0, lb);
  const window = Math.max(0, (Math.max(la, lb) >> 1) - 1);
  let matches = 0;
  for (let i = 0; i < la; i++) {
    const lo = Math.max(0, i - window);
    const hi = Math.min(lb - 1, i + window);
    const c = a.charCodeAt(i);
    for (let j = lo; j <= hi; j++) {
      if (flagsB[j] === 0 && b.charCodeAt(j) === c) {
        flagsA[i] = 1;
        flagsB[j] = 1;
        matches++;
        break;
      }
    }
  }
  if (matches === 0) return 0;
  // Half the number of matched characters that appear in a different order.
  let k = 0;
  let halfTranspositions = 0;
  for (let i = 0; i < la; i++) {
    if (flagsA[i] === 0) continue;
    while (flagsB[k] === 0) k++;
    if (a.charCodeAt(i) !== b.charCodeAt(k)) halfTranspositions++;
    k++;
  }
  const jaro = (matches / la + matches / lb + (matches - halfTranspositions / 2) / matches) / 3;
  if (jaro <= 0.7) return jaro;
  // Winkler's boost for a common prefix of up to four characters.
  let prefix = 0;
  const maxPrefix = Math.min(4, la, lb);
  while (prefix < maxPrefix && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
  return jaro + prefix * 0.1 * (1 - jaro);
}

const counts = new Int32Array(128);

/**
 * The Jaro similarity below which Jaro-Winkler cannot reach `threshold`, with a common prefix of p characters:
 * above 0.7 the prefix lifts Jaro J to J + 0.1p(1 - J), which reaches the threshold T from
 * J = (T - 0.1p) / (1 - 0.1p); at 0.7 or below there is no lift. Less a rounding margin: it is a bound,
 * and must never turn away a pair that jaroWinkler would accept.
 */
export function jaroNeeded(threshold: number, prefix: number): number {
  const lift = 0.1 * prefix;
  return (threshold <= 0.7 ? threshold : Math.max(0.7, (threshold - lift) / (1 - lift))) - 1e-12;
}

/** jaroNeeded with the longest prefix the lift counts (4): the bound for strings not yet read. */
export const loosestJaroNeeded = (threshold: number): number => jaroNeeded(threshold, 4);

/**
 * Whether jaroWinkler(a, b) >= threshold, answering "no" early when even a perfect alignment of the
 * characters the two strings share could not reach the threshold; most pairs in a block are not similar.
 */
export function jaroWinklerAtLeast(a: string, b: string, threshold: number): boolean {
  if (a === b) return a.length > 0 && threshold <= 1;
  const la = a.length;
  const lb = b.length;
  if (la === 0 || lb === 0) return false;
  // Jaro <= (m/la + m/lb + 1) / 3 for m shared characters.
  let prefix = 0;
  const maxPrefix = Math.min(4, la, lb);
  while (prefix < maxPrefix && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
  const needed = jaroNeeded(threshold, prefix);
  const shortest = Math.min(la, lb);
  if ((shortest / la + shortest / lb + 1) / 3 < needed) return false;
  for (let i = 0; i < la; i++) counts[a.charCodeAt(i) & 127]++;
  let common = 0;
  for (let i = 0; i < lb; i++) {
    const c = b.charCodeAt(i) & 127;
    if (counts[c] > 0) {
      counts[c]--;
      common++;
    }
  }
  for (let i = 0; i < la; i++) counts[a.charCodeAt(i) & 127] = 0;
  if ((common / la + common / lb + 1) / 3 < needed) return false;
  return jaroWinkler(a, b) >= threshold;
}
