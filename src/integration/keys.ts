import { createHash } from 'node:crypto';
import type { Identifier, ResourceType } from './fhir/types';

/**
 * Natural keys: every mapped resource carries one business identifier that the source keeps
 * stable (an MRN, a visit number, an HMIS EnrollmentID ...). The same key always yields the same
 * conditional URL and the same bundle fullUrl, which is what makes a re-sent message or re-read
 * row land on the same resource instead of creating a twin.
 */
export function naturalKey(resourceType: ResourceType, identifier: Identifier): string {
  return `${resourceType}|${identifier.system ?? ''}|${identifier.value ?? ''}`;
}

/** `Patient?identifier=system|value`, escaped per FHIR search rules and URL-encoded. */
export function conditionalUrl(resourceType: ResourceType, identifier: Identifier): string {
  const token = `${escapeSearch(identifier.system ?? '')}|${escapeSearch(identifier.value ?? '')}`;
  return `${resourceType}?identifier=${encodeURIComponent(token).replace(/%7C/gi, '|')}`;
}

/** FHIR search escaping: `\`, `|`, `$` and `,` inside a token value are escaped with a backslash. */
function escapeSearch(value: string): string {
  return value.replace(/[\\|$,]/g, (c) => `\\${c}`);
}

// A fixed namespace so Kith's name-based UUIDs never collide with another tool's.
const KITH_UUID_NAMESPACE = '5c1f6a9e-0b7d-4e55-9a33-6b1d8b0f4c21';

/** RFC 4122 version-5 (SHA-1, name-based) UUID: deterministic, so a re-mapped record gets the same fullUrl. */
export function uuidV5(name: string, namespace: string = KITH_UUID_NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const fullUrlFor = (key: string): string => `urn:uuid:${uuidV5(key)}`;
