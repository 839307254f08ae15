/**
 * Stable resource ids and source-system record numbers. Ids come from their own seeded stream, so
 * they say nothing about which records belong to the same person (a matcher cannot cheat on them).
 */
import { Random } from './random';

export class IdFactory {
  private readonly rng: Random;
  private readonly used = new Set<string>();

  constructor(seed: number) {
    this.rng = new Random(seed).fork('ids');
  }

  private unique(make: () => string): string {
    for (;;) {
      const value = make();
      if (!this.used.has(value)) {
        this.used.add(value);
        return value;
      }
    }
  }

  /** A resource id such as `enc-3f9a0c2d71`. */
  next(prefix: string): string {
    return this.unique(() => `${prefix}-${this.rng.hex(10)}`);
  }

  /** A record number as a source system prints it: a prefix and `digits` digits. */
  number(prefix: string, digits: number): string {
    return this.unique(() => `${prefix}${this.rng.int(1, 9)}${this.rng.digits(digits - 1)}`);
  }
}
