/** MLLP framing: 0x0B <message> 0x1C 0x0D. */
export const VT = 0x0b;
export const FS = 0x1c;
export const CR = 0x0d;

export function frame(text: string): Buffer {
  return Buffer.concat([Buffer.from([VT]), Buffer.from(text, 'utf8'), Buffer.from([FS, CR])]);
}

/**
 * Accumulates socket chunks and yields whole messages: several messages in one chunk and one
 * message split over several chunks both work. Bytes outside a frame are dropped.
 */
export class MllpDecoder {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): string[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: string[] = [];
    for (;;) {
      const start = this.buf.indexOf(VT);
      if (start < 0) {
        this.buf = Buffer.alloc(0);
        break;
      }
      let end = this.buf.indexOf(FS, start + 1);
      while (end >= 0 && end + 1 < this.buf.length && this.buf[end + 1] !== CR)
        end = this.buf.indexOf(FS, end + 1);
      if (end < 0 || end + 1 >= this.buf.length) {
        this.buf = this.buf.subarray(start);
        break;
      }
      out.push(this.buf.subarray(start + 1, end).toString('utf8'));
      this.buf = this.buf.subarray(end + 2);
    }
    return out;
  }
}
