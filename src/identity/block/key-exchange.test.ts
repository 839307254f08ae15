import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { KeyExchange } from './key-exchange';

/** The exchange of built key indexes between the threads of a batch linkage (two ends in one thread here). */
describe('key exchange', () => {
  const channel = (keys: number) => {
    const { port1, port2 } = new MessageChannel();
    const ready = new Int32Array(new SharedArrayBuffer(4 * keys));
    return [new KeyExchange(0, 2, [port1], ready, 200), new KeyExchange(1, 2, [port2], ready, 200)];
  };
  const built = (key: number, size: number) => ({
    key,
    start: Int32Array.from({ length: size + 1 }, (_, i) => i),
    values: Uint32Array.from({ length: size }, (_, i) => i * 7 + key),
    sorted: Float64Array.from({ length: size }, (_, i) => i * 3),
  });

  it('hands each key to the thread that does not own it, in any order of taking', () => {
    const [a, b] = channel(4);
    expect([0, 1, 2, 3].map((k) => a.owns(k))).toEqual([true, false, true, false]);
    expect([0, 1, 2, 3].map((k) => b.owns(k))).toEqual([false, true, false, true]);
    a.send(built(0, 10));
    a.send(built(2, 5));
    b.send(built(1, 3));
    // Key 2 is taken before key 0: the key read on the way is kept for later.
    expect(b.take(2)).toEqual(built(2, 5));
    expect(b.take(0)).toEqual(built(0, 10));
    expect(a.take(1)).toEqual(built(1, 3));
    a.close();
    b.close();
  });

  it('gives up on a key that never comes, and then on every later one at once', () => {
    const [a, b] = channel(4);
    const started = Date.now();
    expect(a.take(1)).toBeNull();
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    const again = Date.now();
    expect(a.take(3)).toBeNull();
    expect(Date.now() - again).toBeLessThan(100);
    a.close();
    b.close();
  });
});
