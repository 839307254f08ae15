import type { FastifyInstance } from 'fastify';
import type { Kith } from '../../server/open';
import { startMllpServer, type MllpServer } from '../mllp/server';
import { ensureIntegrationSchema, Pipeline } from '../pipeline/pipeline';
import { registerIntegrationRoutes } from '../pipeline/routes';
import { loadChannels, type ChannelConfig } from './config';
import { Inbox } from './inbox';
import { SftpPull } from './sftp';

export {
  loadChannels,
  validateChannel,
  DEFAULT_CHANNELS,
  ChannelConfigError,
  type ChannelConfig,
} from './config';
export { Inbox } from './inbox';
export { SftpPull, sftpStatuses, hostKeyFingerprint, type SftpStatus } from './sftp';
export { validateSftp, type SftpConfig } from './sftp-config';

export interface Integration {
  pipeline: Pipeline;
  channels: ChannelConfig[];
  inboxes: Inbox[];
  /** SFTP pulls, one per channel with an `sftp` block; each feeds its channel's inbox. */
  pulls: SftpPull[];
  mllp?: MllpServer;
  /** Starts the MLLP listener (unless KITH_MLLP_PORT=off) and the inbox watchers. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Loads and validates the channel files, registers /api/integration routes on the app (call before
 * listen); `start()` after listen opens the MLLP port and starts the inbox pollers.
 */
export async function registerIntegration(app: FastifyInstance, kith: Kith): Promise<Integration> {
  const channels = loadChannels();
  await ensureIntegrationSchema(kith);
  const pipeline = new Pipeline(kith);
  await registerIntegrationRoutes(app, kith, { pipeline, channels: () => channels });
  const enabled = channels.filter((c) => c.enabled);
  const inboxes = enabled.filter((c) => c.inbox).map((c) => new Inbox(c, pipeline));
  const pulls = inboxes
    .filter((i) => i.channel.sftp)
    .map(
      (i) => new SftpPull(i.channel as ConstructorParameters<typeof SftpPull>[0], kith.db, () => i.poll()),
    );
  const integration: Integration = {
    pipeline,
    channels,
    inboxes,
    pulls,
    async start() {
      const portEnv = process.env.KITH_MLLP_PORT;
      const mllpChannel = enabled.find((c) => c.kind === 'hl7v2');
      if (portEnv !== 'off' && mllpChannel) {
        integration.mllp = await startMllpServer(kith, {
          port: portEnv ? Number(portEnv) : 2575,
          pipeline,
          channel: mllpChannel,
        });
        console.log(`  HL7 v2 MLLP: port ${integration.mllp.port} (channel ${mllpChannel.name})`);
      }
      for (const i of inboxes) i.start();
      for (const p of pulls) {
        p.start();
        console.log(`  SFTP pull: ${p.channel.sftp.host}:${p.channel.sftp.path} → channel ${p.channel.name}`);
      }
    },
    async stop() {
      await integration.mllp?.close();
      for (const p of pulls) await p.stop();
      for (const i of inboxes) await i.stop();
    },
  };
  return integration;
}
