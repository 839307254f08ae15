import type { Patient, Questionnaire, Resource } from '@medplum/fhirtypes';
import type { FhirClient } from './client';
import { referenceKey } from './format';
import { summarize } from './summaries';

/** The server returns at most this many `_revinclude` resources with one search (src/store/search). */
export const INCLUDE_LIMIT = 1000;

/** Resource types worth a second request to name them when a reference has no display. */
const NAMEABLE = new Set([
  'Organization',
  'Location',
  'Practitioner',
  'PractitionerRole',
  'HealthcareService',
  'RelatedPerson',
  'Medication',
  'Condition',
  'Goal',
  'CareTeam',
  'ServiceRequest',
  'EpisodeOfCare',
]);
const MAX_LOOKUPS = 200;
const CHUNK = 50;

export interface PersonRecord {
  patient: Patient;
  /** Everything that references the Patient, as the server's `_revinclude=*` returns it. */
  related: Resource[];
  /** True when the server may have left some related resources out. */
  truncated: boolean;
  /** Names for "Type/id" keys and canonical URLs referenced from `related`. */
  names: Map<string, string>;
}

/** Loads a Patient, the resources that reference it, and names for what those resources reference. */
export async function loadPersonRecord(
  client: FhirClient,
  id: string,
  signal?: AbortSignal,
): Promise<PersonRecord> {
  const [patient, bundle] = await Promise.all([
    client.read<Patient>('Patient', id, signal),
    client.search('Patient', { _id: id, _revinclude: '*', _count: 1 }, signal),
  ]);
  const related = (bundle.entry ?? [])
    .filter((e) => e.search?.mode === 'include' && e.resource)
    .map((e) => e.resource as Resource)
    .filter((r) => !(r.resourceType === 'Patient' && r.id === id));
  const names = new Map<string, string>();
  for (const r of related) if (r.id) names.set(`${r.resourceType}/${r.id}`, resourceName(r));
  await lookUpNames(client, related, names, signal);
  return { patient, related, truncated: related.length >= INCLUDE_LIMIT, names };
}

export function resourceName(r: Resource): string {
  if (r.resourceType === 'Questionnaire') return r.title ?? r.name ?? 'Questionnaire';
  return summarize(r).title;
}

async function lookUpNames(
  client: FhirClient,
  related: Resource[],
  names: Map<string, string>,
  signal?: AbortSignal,
): Promise<void> {
  const { references, canonicals } = unnamedReferences(related, names);
  const requests: Promise<void>[] = [];
  for (const [type, ids] of references) {
    for (let i = 0; i < ids.length; i += CHUNK) {
      const chunk = ids.slice(i, i + CHUNK);
      requests.push(
        client.search(type, { _id: chunk.join(','), _count: CHUNK }, signal).then((b) => {
          for (const e of b.entry ?? [])
            if (e.resource?.id) names.set(`${type}/${e.resource.id}`, resourceName(e.resource));
        }),
      );
    }
  }
  if (canonicals.length) {
    const urls = [...new Set(canonicals.map((c) => c.split('|')[0]))];
    requests.push(
      client
        .search<Questionnaire>('Questionnaire', { url: urls.join(','), _count: urls.length }, signal)
        .then((b) => {
          for (const e of b.entry ?? []) {
            const q = e.resource;
            if (!q?.url) continue;
            for (const c of canonicals) if (c.split('|')[0] === q.url) names.set(c, resourceName(q));
          }
        }),
    );
  }
  // Names only make the page nicer: a failed lookup leaves the reference as it is.
  await Promise.allSettled(requests);
}

/** References (by type) and questionnaire canonicals that neither carry a display nor are known yet. */
export function unnamedReferences(
  resources: Resource[],
  known: Map<string, string>,
): { references: Map<string, string[]>; canonicals: string[] } {
  const references = new Map<string, string[]>();
  const seen = new Set<string>();
  const canonicals = new Set<string>();
  const visit = (value: unknown): void => {
    if (seen.size >= MAX_LOOKUPS || value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) return value.forEach(visit);
    const obj = value as Record<string, unknown>;
    if (typeof obj.reference === 'string' && !obj.display) {
      const key = referenceKey(obj.reference);
      const type = key?.split('/')[0];
      if (key && type && NAMEABLE.has(type) && !known.has(key) && !seen.has(key)) {
        seen.add(key);
        references.set(type, [...(references.get(type) ?? []), key.split('/')[1]]);
      }
    }
    for (const [k, v] of Object.entries(obj)) if (k !== 'contained') visit(v);
  };
  for (const r of resources) {
    visit(r);
    if (r.resourceType === 'QuestionnaireResponse' && r.questionnaire && !known.has(r.questionnaire)) {
      canonicals.add(r.questionnaire);
    }
  }
  return { references, canonicals: [...canonicals] };
}
