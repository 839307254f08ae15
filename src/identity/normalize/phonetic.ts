import doubleMetaphone from 'talisman/phonetics/double-metaphone';

/**
 * Double Metaphone codes (primary and, when different, alternate). Names repeat heavily across records,
 * so codes are memoized; the cache is bounded because a million typo variants would otherwise stay alive.
 */
const cache = new Map<string, readonly string[]>();
const CACHE_LIMIT = 200_000;

export function phoneticCodes(word: string): readonly string[] {
  if (word === '') return [];
  let codes = cache.get(word);
  if (codes) return codes;
  const [primary, alternate] = doubleMetaphone(word);
  codes = !alternate || alternate === primary ? [primary] : [primary, alternate];
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(word, codes);
  return codes;
}

/** True when any code of one word equals any code of the other. */
export function soundAlike(a: readonly string[], b: readonly string[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== '' && b.includes(a[i])) return true;
  return false;
}
