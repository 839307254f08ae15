import { createHash } from 'node:crypto';

/** The hash before the first event. */
export const GENESIS_HASH = '0'.repeat(64);

/** A surrogate, paired or not (`cleanString` replaces the lone ones). */
const SURROGATE = /[\uD800-\uDFFF]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** A string PostgreSQL's jsonb accepts and that round-trips: no NUL, no lone surrogates. */
function cleanString(s: string): string {
  // Most strings hold neither: one quick test spares them the two replacing scans.
  if (!SURROGATE.test(s) && !s.includes('\u0000')) return s;
  return s.replace(LONE_SURROGATE, '\uFFFD').replaceAll('\u0000', '\uFFFD');
}

/** The value as JSON would carry it, with strings made safe for jsonb (see `canonicalJson`). */
export function clean(value: unknown): unknown {
  if (typeof value === 'string') return cleanString(value);
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (value === null || typeof value === 'boolean') return value;
  if (Array.isArray(value))
    return value.map((v) => (v === undefined || typeof v === 'function' ? null : clean(v)));
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value as object).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v === undefined || typeof v === 'function') continue;
      out[cleanString(key)] = clean(v);
    }
    return out;
  }
  return null;
}

/**
 * Canonical JSON: object keys sorted (by UTF-16 code units), no whitespace, undefined dropped.
 * The same value gives the same text whether it comes from the caller or back from jsonb, so the
 * hash of a stored event can be recomputed.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(clean(value));
}

/** SHA-256 (hex) of the previous hash followed by the canonical event JSON. */
export function chainHash(prevHash: string, canonicalEvent: string): string {
  return createHash('sha256')
    .update(prevHash + canonicalEvent, 'utf8')
    .digest('hex');
}
