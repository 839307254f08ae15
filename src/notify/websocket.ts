import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FhirStore } from '../store';
import { FhirError } from '../fhir/errors';
import { notificationBundle, type SubscriptionRow } from './bundle';
import type { WebsocketSender } from './delivery';
import { serverSecret } from './secret';
import { encodeFrame, FrameParser, OP } from './ws-frames';

export const WS_PATH = '/notify/websocket';
const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const TOKEN_SECONDS = 300;

async function key(store: FhirStore): Promise<Buffer> {
  return serverSecret(store.queryable, 'notify-websocket', process.env.KITH_LINK_SECRET);
}

/** `$get-ws-binding-token`: a short-lived token the client sends as `bind-with-token <token>`. */
export async function bindingToken(
  store: FhirStore,
  subscriptionId: string,
): Promise<{ token: string; expires: string }> {
  const exp = Math.floor(Date.now() / 1000) + TOKEN_SECONDS;
  const payload = `${subscriptionId}.${exp}`;
  const mac = createHmac('sha256', await key(store))
    .update(payload)
    .digest('base64url');
  return { token: `${payload}.${mac}`, expires: new Date(exp * 1000).toISOString() };
}

async function verifyToken(store: FhirStore, token: string): Promise<string> {
  const i = token.lastIndexOf('.');
  const payload = token.slice(0, i);
  const mac = Buffer.from(token.slice(i + 1));
  const expected = Buffer.from(
    createHmac('sha256', await key(store))
      .update(payload)
      .digest('base64url'),
  );
  if (i < 0 || mac.length !== expected.length || !timingSafeEqual(mac, expected))
    throw new FhirError('forbidden', 'The binding token is not valid');
  const j = payload.lastIndexOf('.');
  if (Number(payload.slice(j + 1)) * 1000 < Date.now())
    throw new FhirError('forbidden', 'The binding token has expired');
  return payload.slice(0, j);
}

interface Conn {
  socket: Duplex;
  subscriptions: Set<string>;
  lastSent: number;
}

/**
 * The websocket channel (R4 backport): a client connects to /notify/websocket, sends
 * `bind-with-token <token>`, gets a handshake, then every notification of that subscription that
 * this node delivers, and heartbeats. Undelivered notifications wait in the outbox until a socket
 * for the subscription is bound again.
 */
export class WebsocketHub implements WebsocketSender {
  private readonly conns = new Set<Conn>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly store: FhirStore,
    private readonly baseUrl: () => string,
    private readonly onBind: () => void,
  ) {}

  boundSubscriptions(): string[] {
    const ids = new Set<string>();
    for (const c of this.conns) for (const s of c.subscriptions) ids.add(s);
    return [...ids];
  }

  async send(subscriptionId: string, text: string): Promise<boolean> {
    let sent = false;
    for (const c of this.conns) {
      if (!c.subscriptions.has(subscriptionId) || c.socket.destroyed) continue;
      c.socket.write(encodeFrame(OP.text, text));
      c.lastSent = Date.now();
      sent = true;
    }
    return sent;
  }

  /** Handles an HTTP upgrade; answers false when the path is not the websocket channel. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head?: Buffer): boolean {
    if ((req.url ?? '').split('?')[0] !== WS_PATH) return false;
    const wsKey = req.headers['sec-websocket-key'];
    if (typeof wsKey !== 'string' || (req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
      socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      return true;
    }
    const accept = createHash('sha1')
      .update(wsKey + GUID)
      .digest('base64');
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    const conn: Conn = { socket, subscriptions: new Set(), lastSent: Date.now() };
    this.conns.add(conn);
    const parser = new FrameParser();
    const onData = (chunk: Buffer): void => {
      for (const f of parser.push(chunk)) {
        if (f.opcode === OP.text) void this.onText(conn, f.payload.toString('utf8'));
        else if (f.opcode === OP.ping) socket.write(encodeFrame(OP.pong, f.payload));
        else if (f.opcode === OP.close) {
          socket.end(encodeFrame(OP.close, f.payload.subarray(0, 2)));
          this.conns.delete(conn);
        }
      }
    };
    socket.on('data', onData);
    // Bytes the client sent right after its upgrade request arrive with the request, not as data.
    if (head?.length) onData(head);
    const drop = (): void => {
      this.conns.delete(conn);
    };
    socket.on('close', drop);
    socket.on('error', drop);
    this.timer ??= setInterval(() => void this.heartbeats(), 1000);
    return true;
  }

  private async onText(conn: Conn, text: string): Promise<void> {
    const m = /^bind-with-token\s+(\S+)$/.exec(text.trim());
    if (!m) {
      conn.socket.write(encodeFrame(OP.text, JSON.stringify({ error: 'send: bind-with-token <token>' })));
      return;
    }
    try {
      const id = await verifyToken(this.store, m[1]);
      const sub = await this.row(id);
      if (!sub) throw new FhirError('not_found', `Subscription/${id} is not known`);
      conn.subscriptions.add(id);
      const hs = await notificationBundle(this.store.queryable, this.baseUrl(), sub, 'handshake');
      conn.socket.write(encodeFrame(OP.text, JSON.stringify(hs)));
      conn.lastSent = Date.now();
      this.onBind();
    } catch (err) {
      conn.socket.write(encodeFrame(OP.text, JSON.stringify({ error: (err as Error).message })));
    }
  }

  private async row(
    id: string,
  ): Promise<(SubscriptionRow & { heartbeat_seconds: number | null }) | undefined> {
    const { rows } = await this.store.queryable.query('select * from notify_subscription where id = $1', [
      id,
    ]);
    return rows[0];
  }

  private async heartbeats(): Promise<void> {
    for (const c of this.conns) {
      for (const id of c.subscriptions) {
        try {
          const sub = await this.row(id);
          if (!sub?.heartbeat_seconds || Date.now() - c.lastSent < sub.heartbeat_seconds * 1000) continue;
          const hb = await notificationBundle(this.store.queryable, this.baseUrl(), sub, 'heartbeat');
          c.socket.write(encodeFrame(OP.text, JSON.stringify(hb)));
          c.lastSent = Date.now();
        } catch {
          // the database is closing, or the socket went away: the next tick tries again
        }
      }
    }
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    for (const c of this.conns) c.socket.destroy();
    this.conns.clear();
  }
}
