/**
 * Subscription topics Kith serves (R4 Subscriptions Backport: a topic's canonical URL goes in
 * Subscription.criteria, an optional filter in the backport-filter-criteria extension).
 */
export interface Topic {
  url: string;
  /** The resource type it watches; for the generic topic, taken from the filter (`Type?...`). */
  resourceType?: string;
  description: string;
}

export const GRAVITY_TASK_TOPIC = 'http://hl7.org/fhir/us/sdoh-clinicalcare/SubscriptionTopic/Task';
export const GRAVITY_SERVICEREQUEST_TOPIC =
  'http://hl7.org/fhir/us/sdoh-clinicalcare/SubscriptionTopic/Servicerequest';
export const GENERIC_TOPIC = 'https://kith.example.org/fhir/SubscriptionTopic/resource';

export const TOPICS: Topic[] = [
  {
    url: GRAVITY_TASK_TOPIC,
    resourceType: 'Task',
    description: 'A Task is created or changes (Gravity SDOH referral tracking)',
  },
  {
    url: GRAVITY_SERVICEREQUEST_TOPIC,
    resourceType: 'ServiceRequest',
    description: 'A ServiceRequest is created or changes (Gravity SDOH)',
  },
  {
    url: GENERIC_TOPIC,
    description: 'Any resource of the type the filter names (`Encounter?class=IMP`) is created or changes',
  },
];

export function findTopic(url: string): Topic | undefined {
  const bare = url.split('|')[0];
  return TOPICS.find((t) => t.url === bare);
}

export const BACKPORT = 'http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition';
export const EXT_FILTER = `${BACKPORT}/backport-filter-criteria`;
export const EXT_CONTENT = `${BACKPORT}/backport-payload-content`;
export const EXT_HEARTBEAT = `${BACKPORT}/backport-heartbeat-period`;
export const EXT_TIMEOUT = `${BACKPORT}/backport-timeout`;
export const EXT_CHANNEL_TYPE = `${BACKPORT}/backport-channel-type`;
export const NOTIFICATION_PROFILE = `${BACKPORT}/backport-subscription-notification-r4`;
export const STATUS_PROFILE = `${BACKPORT}/backport-subscription-status-r4`;
