import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical';

describe('canonical JSON strings', () => {
  it('keeps clean strings as they are and makes NUL and lone surrogates safe for jsonb', () => {
    expect(canonicalJson({ a: 'plain é ✓ "q" \\ tab\t' })).toBe(
      JSON.stringify({ a: 'plain é ✓ "q" \\ tab\t' }),
    );
    // A pair is one character (kept); a lone half and NUL are replaced, in values and keys alike.
    expect(canonicalJson({ a: 'pair 😀' })).toBe('{"a":"pair 😀"}');
    expect(canonicalJson({ a: 'lone \ud800 high', b: 'lone \udc00 low', c: 'nul\u0000' })).toBe(
      '{"a":"lone \uFFFD high","b":"lone \uFFFD low","c":"nul\uFFFD"}',
    );
    expect(canonicalJson({ ['k\u0000']: '\ud83d' })).toBe('{"k\uFFFD":"\uFFFD"}');
  });
});
