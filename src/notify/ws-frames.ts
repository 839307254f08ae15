import { randomBytes } from 'node:crypto';

/** The little of RFC 6455 a notification channel needs: text, close, ping and pong frames. */
export const OP = { text: 1, close: 8, ping: 9, pong: 10 } as const;

/** Encodes one final frame; clients must mask (`mask: true`), servers must not. */
export function encodeFrame(opcode: number, payload: Buffer | string, mask = false): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const len = data.length;
  const headerLen = len < 126 ? 2 : len < 65536 ? 4 : 10;
  const header = Buffer.alloc(headerLen + (mask ? 4 : 0));
  header[0] = 0x80 | opcode;
  if (len < 126) header[1] = len;
  else if (len < 65536) {
    header[1] = 126;
    header.writeUInt16BE(len, 2);
  } else {
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(len), 2);
  }
  if (!mask) return Buffer.concat([header, data]);
  header[1] |= 0x80;
  const key = randomBytes(4);
  key.copy(header, headerLen);
  const masked = Buffer.alloc(len);
  for (let i = 0; i < len; i++) masked[i] = data[i] ^ key[i % 4];
  return Buffer.concat([header, masked]);
}

/** Accumulates bytes and yields whole frames (fragmented messages are joined). */
export class FrameParser {
  private buf = Buffer.alloc(0);
  private fragments: Buffer[] = [];
  private fragOpcode = 0;

  push(chunk: Buffer): { opcode: number; payload: Buffer }[] {
    this.buf = Buffer.concat([this.buf, chunk]);
    const out: { opcode: number; payload: Buffer }[] = [];
    for (;;) {
      if (this.buf.length < 2) break;
      const fin = (this.buf[0] & 0x80) !== 0;
      const opcode = this.buf[0] & 0x0f;
      const masked = (this.buf[1] & 0x80) !== 0;
      let len = this.buf[1] & 0x7f;
      let off = 2;
      if (len === 126) {
        if (this.buf.length < 4) break;
        len = this.buf.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (this.buf.length < 10) break;
        len = Number(this.buf.readBigUInt64BE(2));
        off = 10;
      }
      const maskOff = off;
      if (masked) off += 4;
      if (this.buf.length < off + len) break;
      let payload = this.buf.subarray(off, off + len);
      if (masked) {
        const key = this.buf.subarray(maskOff, maskOff + 4);
        payload = Buffer.from(payload.map((b, i) => b ^ key[i % 4]));
      } else payload = Buffer.from(payload);
      this.buf = this.buf.subarray(off + len);
      if (opcode >= 8) {
        out.push({ opcode, payload });
        continue;
      }
      if (opcode !== 0) this.fragOpcode = opcode;
      this.fragments.push(payload);
      if (fin) {
        out.push({ opcode: this.fragOpcode, payload: Buffer.concat(this.fragments) });
        this.fragments = [];
      }
    }
    return out;
  }
}
