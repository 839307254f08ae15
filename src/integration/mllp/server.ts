import net from 'node:net';
import { buildAck, hl7Issue, splitHl7Batch } from '../index';
import type { Kith } from '../../server/open';
import { ensureIntegrationSchema, Pipeline, type ChannelRef } from '../pipeline/pipeline';
import { frame, MllpDecoder } from './framing';
import { Hl7GroupCommitter, type GroupCommitOptions } from '../pipeline/group';

export interface MllpOptions {
  /** 0 picks a free port; default env KITH_MLLP_PORT, then 2575. */
  port?: number;
  host?: string;
  channel?: ChannelRef;
  pipeline?: Pipeline;
  /** Group commit window and size (default: env KITH_MLLP_GROUP_WINDOW_MS, KITH_MLLP_GROUP_MAX). */
  group?: GroupCommitOptions;
}

export interface MllpServer {
  port: number;
  pipeline: Pipeline;
  /** The listener's group committer (its `stats` say how messages were grouped). */
  group: Hl7GroupCommitter;
  close(): Promise<void>;
}

export const DEFAULT_MLLP_CHANNEL: ChannelRef = { name: 'mllp-adt', kind: 'hl7v2' };

/**
 * HL7 v2 over MLLP. Messages of one connection are processed in order; each ACK is written only
 * after its message is committed (AA), or AE/AR with ERR segments when it was refused. Messages of
 * all connections are committed in groups (one transaction each, see Hl7GroupCommitter).
 * An FHS/BHS batch in one frame is split and each message acknowledged in turn.
 */
export async function startMllpServer(kith: Kith, opts: MllpOptions = {}): Promise<MllpServer> {
  await ensureIntegrationSchema(kith);
  const pipeline = opts.pipeline ?? new Pipeline(kith);
  const channel = opts.channel ?? DEFAULT_MLLP_CHANNEL;
  const sockets = new Set<net.Socket>();
  const group = new Hl7GroupCommitter(pipeline, { senders: () => sockets.size, ...opts.group });
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    const decoder = new MllpDecoder();
    // ACKs go out in the order the messages came; each message is handed to the group committer as
    // it arrives, so a sender that does not wait for each ACK still has its messages grouped.
    let acks: Promise<void> = Promise.resolve();
    socket.on('data', (chunk) => {
      for (const text of decoder.push(chunk)) {
        const trimmed = text.replace(/^\uFEFF/, '').trimStart();
        const split = /^(FHS|BHS)/.test(trimmed) ? splitHl7Batch(trimmed).messages : [];
        const bodies = split.length > 0 ? split.map((m) => m.text) : [trimmed];
        for (const body of bodies) {
          const ack = receive(body, socket);
          acks = acks
            .then(() => ack)
            .then((a) => void (socket.destroyed || socket.write(frame(a))))
            .catch(() => void socket.destroy());
        }
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
  });
  const receive = async (body: string, socket: net.Socket): Promise<string> => {
    try {
      const out = await group.submit(channel, body, socket);
      return out.ack ?? buildAck(body, out.ackCode ?? 'AE').toString();
    } catch (err) {
      return buildAck(body, 'AE', [
        hl7Issue('error', 207, { segment: '' }, `not stored: ${(err as Error).message}`),
      ]).toString();
    }
  };
  const port = opts.port ?? Number(process.env.KITH_MLLP_PORT ?? 2575);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, opts.host ?? '0.0.0.0', () => resolve());
  });
  const address = server.address() as net.AddressInfo;
  return {
    port: address.port,
    pipeline,
    group,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
