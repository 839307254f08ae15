import type { Bundle, Parameters, Subscription } from '@medplum/fhirtypes';
import { FhirError } from '../fhir/errors';
import type { OperationDefinitionEntry } from '../fhir/operations';
import { isSystemOrAdministrator } from './acting-for';
import { subscriptionStatus, type SubscriptionRow } from './bundle';
import { bindingToken, WS_PATH } from './websocket';

function ids(query: Record<string, string | string[] | undefined>, id?: string): string[] {
  if (id) return [id];
  const v = query.id ?? query._id;
  return (Array.isArray(v) ? v : v ? [v] : []).flatMap((x) => x.split(','));
}

/** `$status` (R4 backport): a searchset Bundle of SubscriptionStatus Parameters (type query-status). */
export const statusOperation: OperationDefinitionEntry = {
  name: 'status',
  definition:
    'http://hl7.org/fhir/uv/subscriptions-backport/OperationDefinition/backport-subscription-status',
  level: 'type-or-instance',
  types: ['Subscription'],
  async handler({ service, id, query, base }) {
    let wanted = ids(query, id);
    if (id) await service.read('Subscription', id);
    else if (service.store.guarded && !isSystemOrAdministrator(service.store.caller)) {
      // Only the subscriptions this caller may read (its organization's): asked through the policy.
      const asked = wanted.length ? { _id: wanted.join(',') } : {};
      const { result } = await service.search('Subscription', { ...asked, _count: '1000' });
      wanted = result.hits.map((h) => h.id);
      if (!wanted.length) wanted = [''];
    }
    const { rows } = await service.store.queryable.query(
      wanted.length
        ? 'select * from notify_subscription where id = any($1::text[]) order by id'
        : 'select * from notify_subscription order by id limit 1000',
      wanted.length ? [wanted] : [],
    );
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'searchset',
      total: rows.length,
      entry: rows.map((r: SubscriptionRow) => {
        const p = subscriptionStatus(base, r, 'query-status');
        return { fullUrl: `urn:uuid:${p.id}`, resource: p, search: { mode: 'match' } };
      }),
    };
    return { status: 200, resource: bundle };
  },
};

/**
 * `Subscription/{id}/$resend`: puts the notifications that failed back in the queue (and, with
 * `since-event=N`, re-sends events from number N), and asks for a new handshake, so a subscription
 * in error comes back and receives everything it missed, in order.
 */
export const resendOperation: OperationDefinitionEntry = {
  name: 'resend',
  definition: 'https://kith.example.org/fhir/OperationDefinition/Subscription-resend',
  level: 'instance',
  types: ['Subscription'],
  async handler({ service, id, query, body }) {
    const params = body as Parameters | undefined;
    const sinceRaw =
      (query['since-event'] as string | undefined) ??
      params?.parameter?.find((p) => p.name === 'since-event')?.valueString ??
      params?.parameter?.find((p) => p.name === 'since-event')?.valueInteger?.toString();
    const since = sinceRaw === undefined ? null : Number(sinceRaw);
    if (since !== null && !Number.isInteger(since))
      throw new FhirError(
        'invalid_value',
        `since-event must be an event number, not '${sinceRaw}'`,
        'since-event',
      );
    const n = await service.store.inTransaction(async (tx) => {
      const sub = await tx.readResource<Subscription>('Subscription', id as string);
      const { rowCount } = await tx.queryable.query(
        `update notify_outbox set state = 'pending', attempts = 0, next_attempt_at = now(), lease_until = null,
           delivered_at = null
         where subscription_id = $1 and (state = 'failed' or ($2::bigint is not null and kind = 'event-notification'
           and event_number >= $2::bigint))`,
        [id, since],
      );
      if (sub.status !== 'active' && sub.status !== 'requested') {
        const { error: _e, ...rest } = sub;
        await tx.update({ ...rest, status: 'requested' } as Subscription);
      }
      return rowCount ?? 0;
    });
    const out: Parameters = {
      resourceType: 'Parameters',
      parameter: [{ name: 'requeued', valueInteger: n }],
    };
    return { status: 200, resource: out };
  },
};

/** `Subscription/{id}/$get-ws-binding-token` (R4 backport): token and URL for the websocket channel. */
export const wsTokenOperation: OperationDefinitionEntry = {
  name: 'get-ws-binding-token',
  definition:
    'http://hl7.org/fhir/uv/subscriptions-backport/OperationDefinition/backport-subscription-get-ws-binding-token',
  level: 'instance',
  types: ['Subscription'],
  async handler({ service, id, base }) {
    const sub = await service.store.readResource<Subscription>('Subscription', id as string);
    if (sub.channel?.type !== 'websocket')
      throw new FhirError('invalid_value', `Subscription/${id} does not use the websocket channel`);
    const { token, expires } = await bindingToken(service.store, id as string);
    const ws = base.replace(/^http/, 'ws').replace(/\/fhir\/?$/, '') + WS_PATH;
    const out: Parameters = {
      resourceType: 'Parameters',
      parameter: [
        { name: 'token', valueString: token },
        { name: 'expiration', valueDateTime: expires },
        { name: 'subscription', valueString: `${base}/Subscription/${id}` },
        { name: 'websocket-url', valueUrl: ws },
      ],
    };
    return { status: 200, resource: out };
  },
};
