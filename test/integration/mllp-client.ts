import net from 'node:net';
import { frame, MllpDecoder } from '../../src/integration/mllp/framing';

/** A test MLLP client: send a message, wait for its ACK (in order). */
export class MllpTestClient {
  private readonly socket: net.Socket;
  private readonly decoder = new MllpDecoder();
  private readonly waiting: ((ack: string) => void)[] = [];
  private readonly early: string[] = [];
  closed = false;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (chunk) => {
      for (const ack of this.decoder.push(chunk)) {
        const w = this.waiting.shift();
        if (w) w(ack);
        else this.early.push(ack);
      }
    });
    socket.on('close', () => {
      this.closed = true;
    });
    socket.on('error', () => {
      this.closed = true;
    });
  }

  static connect(port: number, host = '127.0.0.1'): Promise<MllpTestClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, host, () => resolve(new MllpTestClient(s)));
      s.once('error', reject);
    });
  }

  /** Writes raw bytes (for split-chunk and multi-message tests). */
  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  nextAck(timeoutMs = 60_000): Promise<string> {
    const e = this.early.shift();
    if (e !== undefined) return Promise.resolve(e);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('ACK timeout')), timeoutMs);
      this.waiting.push((a) => {
        clearTimeout(t);
        resolve(a);
      });
      this.socket.once('close', () => reject(new Error('connection closed')));
    });
  }

  async send(text: string, timeoutMs?: number): Promise<string> {
    this.socket.write(frame(text));
    return this.nextAck(timeoutMs);
  }

  close(): void {
    this.socket.destroy();
  }
}

export function ackCode(ack: string): string | undefined {
  return ack
    .split(/\r|\n/)
    .find((s) => s.startsWith('MSA'))
    ?.split('|')[1];
}
