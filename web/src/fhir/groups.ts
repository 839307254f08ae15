import type { Resource } from '@medplum/fhirtypes';
import { humanize } from './format';
import { summarize, type Summary, type SummaryContext } from './summaries';

/** How the person page orders and names the groups of a person's resources. */
const GROUPS: [type: string, label: string][] = [
  ['Encounter', 'Encounters'],
  ['Condition', 'Conditions'],
  ['Observation', 'Observations'],
  ['EpisodeOfCare', 'Program enrollments'],
  ['Coverage', 'Coverage'],
  ['CarePlan', 'Care plans'],
  ['Goal', 'Goals'],
  ['CareTeam', 'Care teams'],
  ['ServiceRequest', 'Service requests'],
  ['Task', 'Tasks'],
  ['Consent', 'Consents'],
  ['QuestionnaireResponse', 'Assessments (questionnaire responses)'],
  ['Immunization', 'Immunizations'],
  ['MedicationRequest', 'Medication requests'],
  ['AllergyIntolerance', 'Allergies and intolerances'],
  ['DocumentReference', 'Documents'],
  ['Procedure', 'Procedures'],
  ['DiagnosticReport', 'Diagnostic reports'],
  ['Claim', 'Claims'],
  ['ExplanationOfBenefit', 'Explanations of benefit'],
];
const ORDER = new Map(GROUPS.map(([type], i) => [type, i]));
const LABELS = new Map(GROUPS);

export interface SummarizedResource {
  resource: Resource;
  summary: Summary;
}

export interface ResourceGroup {
  resourceType: string;
  label: string;
  items: SummarizedResource[];
}

export function groupLabel(resourceType: string): string {
  return LABELS.get(resourceType) ?? humanize(resourceType) ?? resourceType;
}

/** Summarizes and groups resources by type: known types in a fixed order, others by name; newest first. */
export function groupResources(resources: Resource[], ctx: SummaryContext = {}): ResourceGroup[] {
  const byType = new Map<string, SummarizedResource[]>();
  for (const resource of resources) {
    const list = byType.get(resource.resourceType) ?? [];
    list.push({ resource, summary: summarize(resource, ctx) });
    byType.set(resource.resourceType, list);
  }
  const groups = [...byType].map(([resourceType, items]) => ({
    resourceType,
    label: groupLabel(resourceType),
    items: items.sort(newestFirst),
  }));
  return groups.sort((a, b) => {
    const oa = ORDER.get(a.resourceType) ?? GROUPS.length;
    const ob = ORDER.get(b.resourceType) ?? GROUPS.length;
    return oa - ob || a.label.localeCompare(b.label);
  });
}

function newestFirst(a: SummarizedResource, b: SummarizedResource): number {
  const ka = a.summary.sortKey ?? '';
  const kb = b.summary.sortKey ?? '';
  if (ka === kb) return a.summary.title.localeCompare(b.summary.title);
  if (!ka) return 1;
  if (!kb) return -1;
  return ka < kb ? 1 : -1;
}
