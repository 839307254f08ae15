import { randomUUID } from 'node:crypto';
import type { Bundle, BundleEntry, Parameters, ParametersParameter, Resource } from '@medplum/fhirtypes';
import type { Queryable } from '../store';
import { NOTIFICATION_PROFILE, STATUS_PROFILE } from './topics';

export type NotificationType = 'handshake' | 'heartbeat' | 'event-notification' | 'query-status';

export interface SubscriptionRow {
  id: string;
  topic: string;
  status: string;
  content: 'empty' | 'id-only' | 'full-resource';
  events_since_start: number | string;
  error?: string | null;
  /** The Caller who made the subscription (JSON), or null for the system's own. */
  owner?: unknown;
}

/** Reads one version of a focus for a full-resource payload; undefined when the reader may not see it. */
export type FocusReader = (type: string, id: string, version: string) => Promise<Resource | undefined>;

export interface OutboxEvent {
  event_number: number | string | null;
  focus_type: string | null;
  focus_id: string | null;
  focus_version: number | string | null;
  focus_created: boolean | null;
  event_at: string;
}

/** The SubscriptionStatus of the R4 backport: a Parameters resource. */
export function subscriptionStatus(
  base: string,
  sub: SubscriptionRow,
  type: NotificationType,
  events: OutboxEvent[] = [],
): Parameters {
  const parameter: ParametersParameter[] = [
    { name: 'subscription', valueReference: { reference: `${base}/Subscription/${sub.id}` } },
    { name: 'topic', valueCanonical: sub.topic },
    { name: 'status', valueCode: sub.status },
    { name: 'type', valueCode: type },
    { name: 'events-since-subscription-start', valueString: String(sub.events_since_start) },
  ];
  for (const e of events) {
    const part: ParametersParameter[] = [
      { name: 'event-number', valueString: String(e.event_number) },
      { name: 'timestamp', valueInstant: toInstant(e.event_at) },
    ];
    if (sub.content !== 'empty' && e.focus_type && e.focus_id)
      part.push({ name: 'focus', valueReference: { reference: `${base}/${e.focus_type}/${e.focus_id}` } });
    parameter.push({ name: 'notification-event', part });
  }
  if (sub.status === 'error' && sub.error)
    parameter.push({ name: 'error', valueCodeableConcept: { text: sub.error } });
  return { resourceType: 'Parameters', id: randomUUID(), meta: { profile: [STATUS_PROFILE] }, parameter };
}

function toInstant(v: string): string {
  return new Date(v.includes('T') ? v : v.replace(' ', 'T').replace(/\+00$/, 'Z')).toISOString();
}

/**
 * A notification Bundle (type history): the status Parameters first, then, for id-only and
 * full-resource payloads, one entry per event's focus (the resource as of that event's version).
 * `readFocus` reads that version as the subscriber (see `focusReaderFor`); without it the stored
 * version is sent as it is (the system's own subscriptions).
 */
export async function notificationBundle(
  db: Queryable,
  base: string,
  sub: SubscriptionRow,
  type: NotificationType,
  events: OutboxEvent[] = [],
  readFocus?: FocusReader,
): Promise<Bundle> {
  const status = subscriptionStatus(base, sub, type, events);
  const entry: BundleEntry[] = [
    {
      fullUrl: `urn:uuid:${status.id}`,
      resource: status,
      request: { method: 'GET', url: `${base}/Subscription/${sub.id}/$status` },
      response: { status: '200' },
    },
  ];
  if (sub.content !== 'empty') {
    for (const e of events) {
      if (!e.focus_type || !e.focus_id) continue;
      const url = `${e.focus_type}/${e.focus_id}`;
      const item: BundleEntry = {
        fullUrl: `${base}/${url}`,
        request: { method: e.focus_created ? 'POST' : 'PUT', url: e.focus_created ? e.focus_type : url },
        response: { status: e.focus_created ? '201' : '200' },
      };
      if (sub.content === 'full-resource' && readFocus) {
        const resource = await readFocus(e.focus_type, e.focus_id, String(e.focus_version));
        if (resource) item.resource = resource;
      } else if (sub.content === 'full-resource') {
        const { rows } = await db.query(
          `select content::text as json from fhir_history where resource_type = $1 and id = $2 and version_id = $3`,
          [e.focus_type, e.focus_id, Number(e.focus_version)],
        );
        if (rows.length) item.resource = JSON.parse(rows[0].json);
      }
      entry.push(item);
    }
  }
  return {
    resourceType: 'Bundle',
    id: randomUUID(),
    meta: { profile: [NOTIFICATION_PROFILE] },
    type: 'history',
    timestamp: new Date().toISOString(),
    entry,
  };
}
