import type { FastifyInstance } from 'fastify';
import './migrations';
import { migrate } from '../store';
import { registerOperation } from '../fhir/operations';
import type { Kith } from '../server/open';
import { DeliveryWorker, type DeliveryOptions } from './delivery';
import { enqueueNotifications, SUBSCRIPTIONS_COMPANION } from './enqueue';
import { inboxRoutes, indexInbox } from './inbox';
import { JobQueue } from './jobs';
import { resendOperation, statusOperation, wsTokenOperation } from './operations';
import { checkSubscription, trackSubscription } from './subscription';
import { WebsocketHub } from './websocket';

export { notifyMigrations } from './migrations';
export { DeliveryWorker, DAY_MS, type DeliveryOptions, type WebsocketSender } from './delivery';
export { JobQueue, type JobHandler } from './jobs';
export { WebsocketHub, WS_PATH, bindingToken } from './websocket';
export { encodeFrame, FrameParser, OP } from './ws-frames';
export { listInbox, markRead, unreadCount, type InboxItem } from './inbox';
export { notificationBundle, subscriptionStatus } from './bundle';
export { parseSubscription, type SubscriptionConfig } from './subscription';
export { serverSecret } from './secret';
export * from './topics';

export interface NotifyRuntime {
  worker?: DeliveryWorker;
  jobs?: JobQueue;
  hub?: WebsocketHub;
}

export interface NotifyOptions {
  /** Overrides for the delivery worker (tests shorten delays). */
  delivery?: Partial<DeliveryOptions>;
  /** Start the delivery worker and job queue with the app (default true). */
  worker?: boolean;
  jobPollMs?: number;
}

const installed = new WeakMap<Kith, NotifyRuntime>();

/**
 * Installs the notifications core on an open Kith: its tables, the write hooks that keep
 * subscriptions and the inbox and enqueue notifications in the same transaction as each change,
 * and the `$status`, `$resend`, `$get-ws-binding-token` operations. With the HTTP app it also adds
 * the inbox routes and the websocket channel, and runs the delivery worker and the job queue for
 * the app's lifetime. Safe to call twice (once from openKith, once from buildApp).
 */
export async function installNotify(
  kith: Kith,
  app?: FastifyInstance,
  opts: NotifyOptions = {},
): Promise<NotifyRuntime> {
  let rt = installed.get(kith);
  if (!rt) {
    rt = {};
    installed.set(kith, rt);
    await migrate(kith.db);
    kith.store.addBeforeWriteHook(checkSubscription);
    kith.store.addAfterWriteHook(trackSubscription);
    kith.store.addWriteCompanion(SUBSCRIPTIONS_COMPANION);
    kith.store.addAfterWriteHook(enqueueNotifications);
    kith.store.addAfterWriteHook(indexInbox);
    for (const op of [statusOperation, resendOperation, wsTokenOperation]) registerOperation(op);
  }
  if (rt.worker && opts.delivery) Object.assign(rt.worker.opts, opts.delivery);
  if (app && !rt.worker) {
    const log = (msg: string, err?: unknown): void => app.log.warn({ err }, msg);
    let port = kith.config.port;
    const baseUrl = (): string => kith.config.baseUrl ?? `http://localhost:${port}/fhir`;
    const worker = new DeliveryWorker(kith.store, { baseUrl, log, ...opts.delivery });
    const hub = new WebsocketHub(kith.store, baseUrl, () => worker.poke());
    worker.websocket = hub;
    const jobs = new JobQueue(kith.db, { log, pollMs: opts.jobPollMs });
    Object.assign(rt, { worker, hub, jobs });
    await app.register(inboxRoutes, { store: kith.store });
    app.server.on('upgrade', (req, socket, head) => {
      if (!hub.handleUpgrade(req, socket, head)) socket.destroy();
    });
    app.addHook('onListen', async () => {
      const addr = app.server.address();
      if (addr && typeof addr === 'object') port = addr.port;
    });
    if (opts.worker !== false) {
      app.addHook('onReady', async () => {
        worker.start();
        jobs.start();
      });
    }
    // Upgraded sockets would keep the server from closing: drop them first.
    app.addHook('preClose', async () => hub.close());
    app.addHook('onClose', async () => {
      await worker.stop();
      await jobs.stop();
    });
  }
  return rt;
}

/** The notifications runtime of a Kith (worker, job queue, websocket hub), once installed. */
export function notifyRuntime(kith: Kith): NotifyRuntime | undefined {
  return installed.get(kith);
}
