import { describe, expect, it } from 'vitest';
import { TextStore } from './text-store';

describe('TextStore', () => {
  it('gives back each string as pushed, across chunks and in any script', () => {
    const store = new TextStore();
    const texts = Array.from({ length: 5000 }, (_, i) => `{"name":"Zoë ${i}","city":"北京"}`);
    texts.push('x'.repeat(70 * 1024 * 1024)); // longer than a chunk
    texts.push('after');
    for (const t of texts) store.push(t);
    expect(store.size).toBe(texts.length);
    texts.forEach((t, i) => expect(store.get(i)).toBe(t));
  });
});
