import type { Resource, Subscription } from '@medplum/fhirtypes';
import { FhirError } from '../fhir/errors';
import { parseSearch } from '../fhir/search/parse';
import { queryFromString } from '../fhir/service';
import { SYSTEM_CALLER, type Caller } from '../privacy/caller';
import type { FhirStore, WriteResult } from '../store';
import { EXT_CONTENT, EXT_FILTER, EXT_HEARTBEAT, EXT_TIMEOUT, GENERIC_TOPIC, findTopic } from './topics';

export type PayloadContent = 'empty' | 'id-only' | 'full-resource';
export type Channel = 'rest-hook' | 'websocket';

export interface SubscriptionConfig {
  id: string;
  topic: string;
  resourceType: string;
  /** Search parameters (without `Type?`) a resource must match, or undefined for all. */
  filter?: string;
  status: string;
  channel: Channel;
  endpoint?: string;
  headers: string[];
  content: PayloadContent;
  heartbeatSeconds?: number;
  timeoutSeconds: number;
}

const CONTENTS: PayloadContent[] = ['empty', 'id-only', 'full-resource'];

function bad(text: string, expression: string): never {
  throw new FhirError('invalid_value', text, expression);
}

/** Reads an R4 backport Subscription (topic in criteria, filter, payload content, heartbeat). */
export function parseSubscription(sub: Subscription): SubscriptionConfig {
  const criteria = sub.criteria ?? '';
  const filterExt = (sub as any)._criteria?.extension?.find((e: any) => e.url === EXT_FILTER)?.valueString as
    string | undefined;
  let topicUrl: string;
  let resourceType: string | undefined;
  let filterText: string | undefined;
  const topic = findTopic(criteria);
  if (topic) {
    topicUrl = topic.url;
    resourceType = topic.resourceType;
    filterText = filterExt;
  } else if (/^[A-Z][A-Za-z]+(\?.*)?$/.test(criteria)) {
    // A plain R4 criteria string (`Task?status=requested`): the generic resource topic.
    topicUrl = GENERIC_TOPIC;
    filterText = criteria;
  } else {
    bad(
      `Subscription.criteria '${criteria}' is not a topic Kith serves (${[
        'http://hl7.org/fhir/us/sdoh-clinicalcare/SubscriptionTopic/Task',
        'http://hl7.org/fhir/us/sdoh-clinicalcare/SubscriptionTopic/Servicerequest',
        GENERIC_TOPIC,
      ].join(', ')}) nor Type?params criteria`,
      'Subscription.criteria',
    );
  }
  let filter: string | undefined;
  if (filterText) {
    const m = /^([A-Z][A-Za-z]+)(?:\?(.*))?$/.exec(filterText);
    const typeInFilter = m?.[1];
    if (typeInFilter) {
      if (resourceType && typeInFilter !== resourceType)
        bad(
          `The filter names ${typeInFilter} but topic ${topicUrl} is about ${resourceType}`,
          'Subscription.criteria',
        );
      resourceType = typeInFilter;
      filter = m?.[2] || undefined;
    } else filter = filterText.replace(/^\?/, '') || undefined;
  }
  if (!resourceType)
    bad(
      `Topic ${GENERIC_TOPIC} needs a filter that names the resource type, e.g. Encounter?class=IMP`,
      'Subscription.criteria',
    );
  if (filter) {
    let req;
    try {
      req = parseSearch(resourceType, queryFromString(filter));
    } catch (err) {
      bad(
        `The filter '${filter}' is not a valid ${resourceType} search: ${(err as Error).message}`,
        'Subscription.criteria',
      );
    }
    if (req.unknown.length)
      bad(
        `The filter uses parameters ${resourceType} does not have: ${req.unknown.join(', ')}`,
        'Subscription.criteria',
      );
  }
  const type = sub.channel?.type;
  if (type !== 'rest-hook' && type !== 'websocket')
    bad(`Channel type '${type}' is not supported; use rest-hook or websocket`, 'Subscription.channel.type');
  const endpoint = sub.channel?.endpoint;
  if (type === 'rest-hook' && !/^https?:\/\/[^\s]+$/.test(endpoint ?? ''))
    bad('A rest-hook subscription needs an http(s) channel.endpoint', 'Subscription.channel.endpoint');
  const payloadExt = (sub.channel as any)?._payload?.extension?.find(
    (e: any) => e.url === EXT_CONTENT,
  )?.valueCode;
  const content: PayloadContent = sub.channel?.payload ? (payloadExt ?? 'id-only') : 'empty';
  if (!CONTENTS.includes(content))
    bad(`Payload content '${content}' is not one of ${CONTENTS.join(', ')}`, 'Subscription.channel.payload');
  const ext = (url: string): number | undefined => {
    const e = sub.channel?.extension?.find((x) => x.url === url);
    const v = e?.valueUnsignedInt ?? e?.valuePositiveInt ?? e?.valueInteger;
    return typeof v === 'number' && v > 0 ? v : undefined;
  };
  return {
    id: sub.id as string,
    topic: topicUrl,
    resourceType,
    filter,
    status: sub.status,
    channel: type,
    endpoint,
    headers: sub.channel?.header ?? [],
    content,
    heartbeatSeconds: ext(EXT_HEARTBEAT),
    timeoutSeconds: Math.min(60, ext(EXT_TIMEOUT) ?? 10),
  };
}

/**
 * Before-write hook on Subscription: refuses what Kith cannot serve, and keeps the status honest —
 * a client asks (`requested`) or stops (`off`); only Kith sets `active` (after a handshake) or `error`.
 */
export async function checkSubscription(
  store: FhirStore,
  resource: Resource,
  previous: Resource | undefined,
): Promise<Resource> {
  if (resource.resourceType !== 'Subscription') return resource;
  const sub = resource as Subscription;
  const cfg = parseSubscription(sub);
  const prev = previous as Subscription | undefined;
  const system = isSystem(store.caller);
  let status = sub.status;
  if (status !== 'off') {
    if (cfg.channel === 'websocket') status = 'active';
    else if (!prev) status = 'requested';
    else if (!system && status !== prev.status && (status === 'active' || status === 'error'))
      status = 'requested';
  }
  return status === sub.status ? sub : { ...sub, status };
}

const isSystem = (caller: Caller | undefined): boolean => !caller || caller.subject === SYSTEM_CALLER.subject;

/**
 * The caller a subscription's notifications are matched and read as: whoever made it, stored
 * without a break-glass grant (emergency access is for the person at the screen, not for a feed).
 * The system's own subscriptions have no owner (JSON null) and read everything.
 */
export function subscriptionOwner(caller: Caller | undefined): string | null {
  if (isSystem(caller)) return null;
  const { breakGlass: _bg, ...owner } = caller!;
  if (owner.purposeOfUse === 'ETREAT') owner.purposeOfUse = 'TREAT';
  return JSON.stringify(owner);
}

/** The stored owner back as a Caller (undefined: the system). */
export function ownerCaller(owner: unknown): Caller | undefined {
  if (owner === null || owner === undefined) return undefined;
  return (typeof owner === 'string' ? JSON.parse(owner) : owner) as Caller;
}

/** After-write hook on Subscription: the delivery row, and a handshake for a (re)requested one. */
export async function trackSubscription(
  store: FhirStore,
  result: WriteResult,
  previous: Resource | undefined,
): Promise<void> {
  if (result.resource.resourceType !== 'Subscription') return;
  const sub = result.resource as Subscription;
  const cfg = parseSubscription(sub);
  // Past its end (R4 Subscription.end) a subscription is not served, whatever its stored status.
  if (sub.end && Date.parse(sub.end) <= Date.now()) cfg.status = 'off';
  const prevStatus = (previous as Subscription | undefined)?.status;
  await store.queryable.query(
    `insert into notify_subscription (id, topic, resource_type, filter, status, channel, endpoint, headers, content,
        heartbeat_seconds, timeout_seconds, error, updated_at, owner)
     values ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, $11, null, now(), $12::jsonb)
     on conflict (id) do update set topic = excluded.topic, resource_type = excluded.resource_type,
       filter = excluded.filter, status = excluded.status, channel = excluded.channel, endpoint = excluded.endpoint,
       headers = excluded.headers, content = excluded.content, heartbeat_seconds = excluded.heartbeat_seconds,
       timeout_seconds = excluded.timeout_seconds, owner = coalesce(notify_subscription.owner, excluded.owner),
       error = case when excluded.status = 'error' then notify_subscription.error end, updated_at = now()`,
    [
      cfg.id,
      cfg.topic,
      cfg.resourceType,
      cfg.filter ?? null,
      cfg.status,
      cfg.channel,
      cfg.endpoint ?? null,
      JSON.stringify(cfg.headers),
      cfg.content,
      cfg.heartbeatSeconds ?? null,
      cfg.timeoutSeconds,
      subscriptionOwner(store.caller),
    ],
  );
  if (cfg.channel === 'rest-hook' && cfg.status === 'requested' && prevStatus !== 'requested') {
    await store.queryable.query(
      `insert into notify_outbox (subscription_id, kind) values ($1, 'handshake')`,
      [cfg.id],
    );
  }
}
