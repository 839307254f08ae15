import { randomUUID } from 'node:crypto';
import type { BundleEntry, Provenance } from '@medplum/fhirtypes';
import type { ChannelRef, Counts } from './pipeline';

/**
 * The Provenance of one committed message: the channel (and source) as the assembler, the stored
 * message as the source entity, and the resources it wrote (`Type/id`) as targets. Written after
 * them in the same transaction, so the label rules see the targets as written.
 */
export function messageProvenance(channel: ChannelRef, messageId: number, targets: string[]): Provenance {
  return {
    resourceType: 'Provenance',
    id: randomUUID(),
    target: targets.map((reference) => ({ reference })),
    recorded: new Date().toISOString(),
    activity: { text: `integration channel ${channel.name}` },
    agent: [
      {
        type: {
          coding: [
            {
              system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type',
              code: 'assembler',
            },
          ],
        },
        who: {
          identifier: { system: 'urn:kith:channel', value: channel.name },
          display: `${channel.name}${channel.source ? ` (${channel.source})` : ''}`,
        },
      },
    ],
    entity: [
      {
        role: 'source',
        what: {
          identifier: { system: 'urn:kith:message', value: String(messageId) },
          display: `urn:kith:message:${messageId}`,
        },
      },
    ],
  };
}

/** `Type/id` of what a transaction-response entry wrote (its location without the version). */
export function writtenReference(entry: BundleEntry | undefined): string | undefined {
  const location = entry?.response?.location;
  return location ? location.split('/_history/')[0] : undefined;
}

/** Adds one transaction-response entry to the counts (created, updated, unchanged, deleted). */
export function countResponse(counts: Counts, e: BundleEntry): void {
  const status = e.response?.status ?? '';
  if (status.startsWith('201')) counts.created++;
  else if (status.startsWith('204') && e.response?.etag === undefined) counts.deleted++;
  else if (e.response?.outcome || /unchanged/i.test(JSON.stringify(e.response))) counts.unchanged++;
  else counts.updated++;
}
