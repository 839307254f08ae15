import type { Subscription } from '@medplum/fhirtypes';
import { PollLoop } from './poll-loop';
import type { FhirStore } from '../store';
import { FhirError } from '../fhir/errors';
import {
  notificationBundle,
  type FocusReader,
  type NotificationType,
  type OutboxEvent,
  type SubscriptionRow,
} from './bundle';
import { ownerCaller } from './subscription';

export interface DeliveryOptions {
  /** FHIR base URL used in notification references (`https://host/fhir`). */
  baseUrl: () => string;
  /** Idle wait between polls. */
  pollMs?: number;
  /** Subscriptions served per round (one notification each, so order holds per subscription). */
  batch?: number;
  /** How long a claimed notification stays reserved for this node (a crashed node's lapse). */
  leaseMs?: number;
  /** Retry delay: baseDelayMs * 2^(attempt-1), capped at maxDelayMs, with ±20% jitter. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Give up (notification failed, subscription in error) only after retrying this long: ≥ 24 h. */
  retryWindowMs?: number;
  fetch?: typeof fetch;
  log?: (msg: string, err?: unknown) => void;
  /**
   * Which endpoint hosts may be called. Default: any, except under tests (VITEST) or with
   * KITH_NOTIFY_LOOPBACK_ONLY=1, where only loopback hosts are (example Subscriptions name real sites).
   */
  allowHost?: (hostname: string) => boolean;
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\]|::1)$/;
export function defaultAllowHost(): (hostname: string) => boolean {
  const loopbackOnly = !!process.env.VITEST || process.env.KITH_NOTIFY_LOOPBACK_ONLY === '1';
  return (h) => !loopbackOnly || LOOPBACK.test(h);
}

/** Sends a text frame to the websocket bound to a subscription on this node; false when none is. */
export interface WebsocketSender {
  boundSubscriptions(): string[];
  send(subscriptionId: string, text: string): Promise<boolean>;
}

interface Claimed extends OutboxEvent {
  id: string | number;
  subscription_id: string;
  kind: NotificationType;
  attempts: number;
  created_at: string;
}

export const DAY_MS = 86_400_000;

/**
 * How a subscription's full-resource payloads are read: as its owner, under the access policy (a
 * version the owner may not see now, e.g. after a consent was revoked, is left out; a redacted one
 * is sent redacted; each read is audited as the owner's). The system's own subscriptions: undefined.
 */
export function focusReaderFor(store: FhirStore, owner: unknown): FocusReader | undefined {
  const caller = ownerCaller(owner);
  if (!caller) return undefined;
  const guarded = store.withCaller(caller);
  return async (type, id, version) => {
    try {
      return JSON.parse((await guarded.vread(type, id, version)).json);
    } catch (err) {
      if (err instanceof FhirError && (err.status === 404 || err.status === 403 || err.status === 410))
        return undefined;
      throw err;
    }
  };
}

/**
 * The delivery worker. It claims, per subscription, the oldest pending notification (a lease taken
 * with `for update skip locked`, so several nodes share the work and never deliver one
 * subscription out of order), sends it outside any transaction, then records the result: delivered,
 * or retried with exponential backoff; after `retryWindowMs` (default 26 h) the notification is
 * marked failed and the subscription goes to `error` until `$resend` or a new request.
 */
export class DeliveryWorker {
  private readonly loop: PollLoop;
  private lastHeartbeatCheck = 0;
  websocket?: WebsocketSender;
  readonly opts: Required<Omit<DeliveryOptions, 'log'>> & Pick<DeliveryOptions, 'log'>;

  constructor(
    private readonly store: FhirStore,
    opts: DeliveryOptions,
  ) {
    this.opts = {
      pollMs: 500,
      batch: 16,
      leaseMs: 90_000,
      baseDelayMs: 2_000,
      maxDelayMs: 15 * 60_000,
      retryWindowMs: 26 * 3_600_000,
      fetch: globalThis.fetch,
      allowHost: defaultAllowHost(),
      ...opts,
    };
    if (this.opts.retryWindowMs < DAY_MS && !process.env.VITEST && !process.env.KITH_ALLOW_SHORT_RETRY)
      this.opts.retryWindowMs = DAY_MS;
    this.loop = new PollLoop(
      async () => {
        await this.heartbeats();
        return this.runOnce();
      },
      this.opts.pollMs,
      (err) => this.opts.log?.('notify: delivery round failed', err),
    );
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }

  /** Asks the worker to poll now (after a write that queued notifications). */
  poke(): void {
    this.loop.poke();
  }

  /** One round: claim the head notification of up to `batch` subscriptions and deliver them. */
  async runOnce(): Promise<number> {
    const claimed = await this.claim();
    await Promise.all(claimed.map((c) => this.deliver(c)));
    return claimed.length;
  }

  private async claim(): Promise<Claimed[]> {
    const ws = this.websocket?.boundSubscriptions() ?? [];
    const { rows } = await this.store.queryable.query(
      `with heads as (
         select (select o.id from notify_outbox o
                 where o.subscription_id = s.id and o.state = 'pending'
                   and (s.status = 'active' or o.kind = 'handshake')
                 order by o.id limit 1) as id
         from notify_subscription s
         where s.status in ('active', 'requested') and (s.channel = 'rest-hook' or s.id = any($2::text[])))
       update notify_outbox o set lease_until = now() + $3::int * interval '1 millisecond'
       where o.id in (
         select x.id from notify_outbox x
         where x.id in (select id from heads where id is not null) and x.state = 'pending'
           and x.next_attempt_at <= now() and (x.lease_until is null or x.lease_until < now())
         order by x.id limit $1 for update skip locked)
       returning o.id, o.subscription_id, o.kind, o.event_number, o.focus_type, o.focus_id, o.focus_version,
         o.focus_created, o.event_at, o.attempts, o.created_at`,
      [this.opts.batch, ws, this.opts.leaseMs],
    );
    return rows as Claimed[];
  }

  private async deliver(c: Claimed): Promise<void> {
    const db = this.store.queryable;
    const { rows } = await db.query('select * from notify_subscription where id = $1', [c.subscription_id]);
    const sub = rows[0] as
      | (SubscriptionRow & { channel: string; endpoint: string; headers: any; timeout_seconds: number })
      | undefined;
    if (!sub) return;
    const events = c.kind === 'event-notification' ? [c] : [];
    let error: string | undefined;
    try {
      const bundle = await notificationBundle(
        db,
        this.opts.baseUrl(),
        sub,
        c.kind,
        events,
        focusReaderFor(this.store, sub.owner),
      );
      const body = JSON.stringify(bundle);
      if (sub.channel === 'websocket') {
        const ok = (await this.websocket?.send(sub.id, body)) ?? false;
        if (!ok) error = 'no websocket bound on this node';
      } else {
        const host = new URL(sub.endpoint).hostname;
        if (!this.opts.allowHost(host)) throw new Error(`endpoint host ${host} is not allowed here`);
        const headers: Record<string, string> = { 'content-type': 'application/fhir+json' };
        for (const h of (typeof sub.headers === 'string'
          ? JSON.parse(sub.headers)
          : sub.headers) as string[]) {
          const i = h.indexOf(':');
          if (i > 0) headers[h.slice(0, i).trim()] = h.slice(i + 1).trim();
        }
        const res = await this.opts.fetch(sub.endpoint, {
          method: 'POST',
          headers,
          body,
          signal: AbortSignal.timeout(sub.timeout_seconds * 1000),
        });
        await res.arrayBuffer().catch(() => undefined);
        if (res.status < 200 || res.status > 299) error = `endpoint answered HTTP ${res.status}`;
      }
    } catch (err) {
      error = `delivery failed: ${(err as Error).message}${(err as any)?.cause?.code ? ` (${(err as any).cause.code})` : ''}`;
    }
    if (!error) await this.delivered(c, sub);
    else await this.failed(c, error);
  }

  private async delivered(c: Claimed, sub: SubscriptionRow): Promise<void> {
    const db = this.store.queryable;
    await db.query(
      `update notify_outbox set state = 'delivered', delivered_at = now(), lease_until = null, attempts = attempts + 1,
         last_error = null where id = $1`,
      [c.id],
    );
    await db.query('update notify_subscription set last_sent_at = now(), error = null where id = $1', [
      sub.id,
    ]);
    if (c.kind === 'handshake' && sub.status === 'requested') await this.setStatus(sub.id, 'active');
  }

  private async failed(c: Claimed, error: string): Promise<void> {
    const db = this.store.queryable;
    const attempts = c.attempts + 1;
    const age = Date.now() - new Date(String(c.created_at).replace(' ', 'T').replace(/\+00$/, 'Z')).getTime();
    if (age >= this.opts.retryWindowMs) {
      await db.query(
        `update notify_outbox set state = 'failed', attempts = $2, last_error = $3, lease_until = null where id = $1`,
        [c.id, attempts, error],
      );
      await db.query('update notify_subscription set error = $2 where id = $1', [
        c.subscription_id,
        `Notification ${c.event_number ?? c.kind} could not be delivered for ${Math.round(age / 3_600_000)} h: ${error}`,
      ]);
      await this.setStatus(c.subscription_id, 'error');
      return;
    }
    const delay = Math.min(this.opts.maxDelayMs, this.opts.baseDelayMs * 2 ** Math.min(30, attempts - 1));
    const jittered = Math.round(delay * (0.8 + Math.random() * 0.4));
    await db.query(
      `update notify_outbox set attempts = $2, last_error = $3, lease_until = null,
         next_attempt_at = now() + $4::int * interval '1 millisecond' where id = $1`,
      [c.id, attempts, error, jittered],
    );
  }

  /** Records a status Kith decided (active after a handshake, error after giving up) on the Subscription. */
  async setStatus(id: string, status: 'active' | 'error' | 'requested'): Promise<void> {
    await this.store.inTransaction(async (tx) => {
      const v = await tx.readIfExists('Subscription', id);
      if (!v) return;
      const sub = JSON.parse(v.json) as Subscription;
      if (sub.status === status || sub.status === 'off') return;
      const { rows } = await tx.queryable.query('select error from notify_subscription where id = $1', [id]);
      await tx.update({
        ...sub,
        status,
        ...(status === 'error' ? { error: rows[0]?.error ?? 'delivery failed' } : {}),
      });
    });
  }

  /** Queues a heartbeat for each active rest-hook subscription quiet for longer than its period. */
  private async heartbeats(): Promise<void> {
    if (Date.now() - this.lastHeartbeatCheck < 1000) return;
    this.lastHeartbeatCheck = Date.now();
    await this.store.db.transaction(async (client) => {
      const { rows } = await client.query('select pg_try_advisory_xact_lock(7150002) as ok');
      if (!rows[0].ok) return;
      await client.query(
        `insert into notify_outbox (subscription_id, kind)
         select s.id, 'heartbeat' from notify_subscription s
         where s.status = 'active' and s.channel = 'rest-hook' and s.heartbeat_seconds is not null
           and coalesce(s.last_sent_at, s.updated_at) < now() - s.heartbeat_seconds * interval '1 second'
           and not exists (select 1 from notify_outbox o where o.subscription_id = s.id and o.state = 'pending')`,
      );
    });
  }
}
