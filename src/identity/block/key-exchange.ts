import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';

/**
 * A blocking key's index as one thread built it: each record's hashed values (start/values) and the
 * (value, record) numbers sorted, which every thread of a batch linkage needs for every key.
 */
export interface BuiltKey {
  key: number;
  start: Int32Array;
  values: Uint32Array;
  sorted: Float64Array;
}

/**
 * Splits the building of the key indexes between the threads of a batch linkage: each thread builds the
 * keys it owns (key number modulo threads), sends them to the others, and takes theirs. A thread waits for
 * a key it does not own while it reads its own share's pairs synchronously, so the wait is on a shared flag
 * per key (Atomics) and the key is read with receiveMessageOnPort. A key that does not come within
 * `timeoutMs` (the other thread failed) is built here instead: the exchange saves work, it is never needed
 * for the answer.
 */
export class KeyExchange {
  private readonly received = new Map<number, BuiltKey>();
  private dead = false;

  /**
   * `ports`: one port to each other thread (messages from them arrive there too); `ready`: a flag per key
   * on shared memory, set by the thread that sent it.
   */
  constructor(
    readonly index: number,
    readonly of: number,
    private readonly ports: MessagePort[],
    private readonly ready: Int32Array,
    private readonly timeoutMs = 120_000,
  ) {}

  owns(key: number): boolean {
    return key % this.of === this.index;
  }

  send(built: BuiltKey): void {
    for (const port of this.ports) port.postMessage(built);
    Atomics.store(this.ready, built.key, 1);
    Atomics.notify(this.ready, built.key);
  }

  /** Another thread's index of `key`, or null when it did not come (then build it here). */
  take(key: number): BuiltKey | null {
    if (this.dead) return null;
    const deadline = Date.now() + this.timeoutMs;
    while (Atomics.load(this.ready, key) === 0) {
      const left = deadline - Date.now();
      if (left <= 0) {
        this.dead = true;
        return null;
      }
      Atomics.wait(this.ready, key, 0, Math.min(left, 1000));
    }
    for (;;) {
      const got = this.received.get(key);
      if (got !== undefined) {
        this.received.delete(key);
        return got;
      }
      let any = false;
      for (const port of this.ports) {
        const m = receiveMessageOnPort(port);
        if (m === undefined) continue;
        any = true;
        const built = m.message as BuiltKey;
        this.received.set(built.key, built);
      }
      if (!any) {
        // The flag was set after the post, so the message is there; a port that says otherwise is broken.
        this.dead = true;
        return null;
      }
    }
  }

  close(): void {
    for (const port of this.ports) port.close();
  }
}
