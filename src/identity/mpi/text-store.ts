/**
 * Many strings kept as UTF-8 in large off-heap buffers, read back by number: for BulkResolver's records
 * (millions of JSON strings on the heap would be marked by every major GC and took a third of its memory).
 */
export class TextStore {
  private static readonly CHUNK = 64 * 1024 * 1024;
  private readonly chunks: Buffer[] = [];
  private used = TextStore.CHUNK;
  /** Chunk and offset of each string's start, as chunk * CHUNK + offset. */
  private starts = new Float64Array(1024);
  private lengths = new Int32Array(1024);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Appends `text`; its number is the count before. */
  push(text: string): void {
    const bytes = Buffer.byteLength(text);
    if (this.used + bytes > TextStore.CHUNK) {
      this.chunks.push(Buffer.allocUnsafe(Math.max(TextStore.CHUNK, bytes)));
      this.used = 0;
    }
    const chunk = this.chunks.length - 1;
    this.chunks[chunk].write(text, this.used);
    if (this.count === this.starts.length) {
      const starts = new Float64Array(this.count * 2);
      starts.set(this.starts);
      this.starts = starts;
      const lengths = new Int32Array(this.count * 2);
      lengths.set(this.lengths);
      this.lengths = lengths;
    }
    this.starts[this.count] = chunk * TextStore.CHUNK + this.used;
    this.lengths[this.count++] = bytes;
    this.used += bytes;
  }

  /** The string numbered `n`. */
  get(n: number): string {
    const start = this.starts[n];
    const chunk = Math.floor(start / TextStore.CHUNK);
    const offset = start - chunk * TextStore.CHUNK;
    return this.chunks[chunk].toString('utf8', offset, offset + this.lengths[n]);
  }
}
