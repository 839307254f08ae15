/**
 * Bounded memo for pure string normalizers. Source values repeat heavily (a few thousand first names,
 * dates and cities across a million records), so normalizing each distinct raw string once saves most of
 * the work; the map is dropped when it reaches `limit` entries so that unique values cannot grow it
 * without bound.
 */
export function memoize<T>(fn: (raw: string) => T, limit = 250_000): (raw: string) => T {
  let cache = new Map<string, T>();
  return (raw) => {
    let v = cache.get(raw);
    if (v === undefined) {
      v = fn(raw);
      if (cache.size >= limit) cache = new Map();
      cache.set(raw, v);
    }
    return v;
  };
}
