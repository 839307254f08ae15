import { describe, expect, it } from 'vitest';
import { PollLoop } from './poll-loop';

const until = async (check: () => boolean, ms = 2000): Promise<void> => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('PollLoop', () => {
  it('runs rounds back to back while they find work, then sleeps until poked', async () => {
    let queued = 3;
    let rounds = 0;
    const loop = new PollLoop(
      async () => {
        rounds++;
        if (!queued) return 0;
        queued--;
        return 1;
      },
      60_000,
      () => undefined,
    );
    loop.start();
    // Three rounds with work and one that found none, then it sleeps (the poll interval is a minute).
    await until(() => rounds === 4);
    await new Promise((r) => setTimeout(r, 50));
    expect(rounds).toBe(4);
    queued = 1;
    loop.poke();
    await until(() => rounds === 6);
    await loop.stop();
    expect(loop.isRunning).toBe(false);
  });

  it('reports a failed round and goes on polling', async () => {
    const errors: unknown[] = [];
    let rounds = 0;
    const loop = new PollLoop(
      async () => {
        rounds++;
        if (rounds === 1) throw new Error('database went away');
        return 0;
      },
      10,
      (err) => errors.push(err),
    );
    loop.start();
    await until(() => rounds >= 3);
    await loop.stop();
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe('database went away');
    const after = rounds;
    await new Promise((r) => setTimeout(r, 40));
    expect(rounds).toBe(after);
  });
});
