import type { Bundle, Parameters, ParametersParameter, Patient, Person } from '@medplum/fhirtypes';
import type { FhirClient } from './client';

/**
 * The identity (master person index) operations the web app uses: Patient/$match, the steward review
 * queue (Person/$identity-review), unlink, merge, split and undo; and the Person a source record belongs to.
 */

export const MATCH_GRADE_URL = 'http://hl7.org/fhir/StructureDefinition/match-grade';
export const MATCH_EVIDENCE_URL = 'https://kith.dev/fhir/StructureDefinition/match-evidence';

/** One field's comparison: the level the rules put it in and its weight (log2 odds). */
export interface FieldEvidence {
  field: string;
  level: string;
  weight: number;
}

/** Why two records match: the score (log2 odds), the rules' decision and the per-field comparison. */
export interface MatchEvidence {
  score: number;
  decision: string;
  hardRule?: string;
  fields: FieldEvidence[];
}

export interface MatchCandidate {
  patient: Patient;
  /** certain | probable | possible */
  grade: string;
  /** Probability in [0, 1] that it is the same person. */
  probability?: number;
  evidence?: MatchEvidence;
}

export interface ReviewTask {
  id: number;
  patientId: string;
  candidatePatientId: string;
  candidatePersonId: string;
  score: number;
  evidence?: MatchEvidence;
  created?: string;
}

/** What a steward action answers: its journal id (for undo) and the Persons it rewrote. */
export interface IdentityAction {
  actionId: number;
  persons: string[];
}

export interface LinkedRecord {
  patient?: Patient;
  patientId: string;
  assurance?: string;
}

export interface PersonLinks {
  person: Person;
  records: LinkedRecord[];
}

function parseEvidence(text: string | undefined): MatchEvidence | undefined {
  if (!text) return undefined;
  try {
    const e = JSON.parse(text) as Partial<MatchEvidence>;
    if (typeof e.score !== 'number' || !Array.isArray(e.fields)) return undefined;
    return { score: e.score, decision: String(e.decision ?? ''), hardRule: e.hardRule, fields: e.fields };
  } catch {
    return undefined;
  }
}

/** The candidates of a $match answer, best first as the server sent them. */
export function matchCandidates(bundle: Bundle): MatchCandidate[] {
  return (bundle.entry ?? [])
    .filter((e) => e.resource?.resourceType === 'Patient')
    .map((e) => {
      const ext = e.search?.extension ?? [];
      return {
        patient: e.resource as Patient,
        grade: ext.find((x) => x.url === MATCH_GRADE_URL)?.valueCode ?? 'possible',
        probability: e.search?.score,
        evidence: parseEvidence(ext.find((x) => x.url === MATCH_EVIDENCE_URL)?.valueString),
      };
    });
}

const idOf = (ref: string | undefined, type: string): string =>
  ref?.startsWith(`${type}/`) ? ref.slice(type.length + 1) : (ref ?? '');

/** The open review tasks of a Person/$identity-review answer. */
export function reviewTasks(params: Parameters): ReviewTask[] {
  return (params.parameter ?? [])
    .filter((p) => p.name === 'task')
    .map((p) => {
      const part = (name: string): ParametersParameter | undefined => p.part?.find((x) => x.name === name);
      return {
        id: part('id')?.valueInteger ?? 0,
        patientId: idOf(part('patient')?.valueReference?.reference, 'Patient'),
        candidatePatientId: idOf(part('candidate')?.valueReference?.reference, 'Patient'),
        candidatePersonId: idOf(part('candidatePerson')?.valueReference?.reference, 'Person'),
        score: part('score')?.valueDecimal ?? 0,
        evidence: parseEvidence(part('evidence')?.valueString),
        created: part('created')?.valueDateTime,
      };
    });
}

export function identityAction(params: Parameters): IdentityAction {
  const parts = params.parameter ?? [];
  return {
    actionId: parts.find((p) => p.name === 'action')?.valueInteger ?? 0,
    persons: parts.filter((p) => p.name === 'person').map((p) => idOf(p.valueReference?.reference, 'Person')),
  };
}

/** The Person of a Bundle from `Person?link=Patient/x&_include=Person:link`, with its linked records. */
export function personLinks(bundle: Bundle): PersonLinks | undefined {
  const entries = bundle.entry ?? [];
  const person = entries.find((e) => e.search?.mode !== 'include' && e.resource?.resourceType === 'Person')
    ?.resource as Person | undefined;
  if (!person) return undefined;
  const patients = new Map(
    entries
      .filter((e) => e.resource?.resourceType === 'Patient')
      .map((e) => [e.resource?.id ?? '', e.resource as Patient]),
  );
  const records = (person.link ?? []).map((l) => {
    const patientId = idOf(l.target.reference, 'Patient');
    return { patientId, patient: patients.get(patientId), assurance: l.assurance };
  });
  return { person, records };
}

const parameters = (parameter: ParametersParameter[]): string =>
  JSON.stringify({ resourceType: 'Parameters', parameter } satisfies Parameters);

export async function matchPatient(
  client: FhirClient,
  patient: Patient,
  signal?: AbortSignal,
): Promise<MatchCandidate[]> {
  const bundle = await client.request<Bundle>('Patient/$match', {
    method: 'POST',
    body: parameters([
      { name: 'resource', resource: patient },
      { name: 'count', valueInteger: 5 },
    ]),
    signal,
  });
  return matchCandidates(bundle);
}

export async function loadReviewTasks(client: FhirClient, signal?: AbortSignal): Promise<ReviewTask[]> {
  return reviewTasks(await client.request<Parameters>('Person/$identity-review', { signal }));
}

export async function decideReview(
  client: FhirClient,
  review: number,
  decision: 'link' | 'not-same',
): Promise<IdentityAction> {
  const body = parameters([
    { name: 'review', valueInteger: review },
    { name: 'decision', valueCode: decision },
  ]);
  return identityAction(
    await client.request<Parameters>('Person/$identity-review', { method: 'POST', body }),
  );
}

/** Takes a record out of its Person into a Person of its own. */
export async function unlinkRecord(client: FhirClient, patientId: string): Promise<IdentityAction> {
  const body = parameters([{ name: 'patient', valueReference: { reference: `Patient/${patientId}` } }]);
  return identityAction(
    await client.request<Parameters>('Person/$identity-unlink', { method: 'POST', body }),
  );
}

/** Moves every record of Person `from` into Person `into`; `from` is left with no records. */
export async function mergePersons(client: FhirClient, into: string, from: string): Promise<IdentityAction> {
  const body = parameters([{ name: 'source', valueReference: { reference: `Person/${from}` } }]);
  return identityAction(
    await client.request<Parameters>(`Person/${encodeURIComponent(into)}/$identity-merge`, {
      method: 'POST',
      body,
    }),
  );
}

/** Moves the given records of a Person into a new Person of their own. */
export async function splitPerson(
  client: FhirClient,
  personId: string,
  patientIds: string[],
): Promise<IdentityAction> {
  const body = parameters(
    patientIds.map((id) => ({ name: 'patient', valueReference: { reference: `Patient/${id}` } })),
  );
  return identityAction(
    await client.request<Parameters>(`Person/${encodeURIComponent(personId)}/$identity-split`, {
      method: 'POST',
      body,
    }),
  );
}

export async function undoIdentityAction(client: FhirClient, actionId: number): Promise<IdentityAction> {
  const body = parameters([{ name: 'action', valueInteger: actionId }]);
  return identityAction(await client.request<Parameters>('Person/$identity-undo', { method: 'POST', body }));
}

export async function loadPersonOf(
  client: FhirClient,
  patientId: string,
  signal?: AbortSignal,
): Promise<PersonLinks | undefined> {
  const bundle = await client.search(
    'Person',
    { link: `Patient/${patientId}`, _include: 'Person:link' },
    signal,
  );
  return personLinks(bundle);
}

/** A Person by id, with its linked records. */
export async function loadPerson(
  client: FhirClient,
  personId: string,
  signal?: AbortSignal,
): Promise<PersonLinks | undefined> {
  const bundle = await client.search('Person', { _id: personId, _include: 'Person:link' }, signal);
  return personLinks(bundle);
}

/** Persons whose golden-record name matches the text (FHIR `name` search), active ones only. */
export async function searchPersons(
  client: FhirClient,
  name: string,
  signal?: AbortSignal,
): Promise<Person[]> {
  const bundle = await client.search<Person>('Person', { name, _count: 20 }, signal);
  return (bundle.entry ?? [])
    .map((e) => e.resource)
    .filter((p): p is Person => p?.resourceType === 'Person' && p.active !== false);
}

/** Where a golden-record element came from: the record and its source system. */
export interface GoldenSource {
  patientId: string;
  source?: string;
  rule?: string;
}

export const GOLDEN_SOURCE_URL = 'https://kith.dev/fhir/StructureDefinition/golden-record-source';

/** The golden record's provenance, by element (name, birthDate, gender, ssn, phone, address). */
export function goldenSources(person: Person): Map<string, GoldenSource> {
  const out = new Map<string, GoldenSource>();
  for (const ext of person.extension ?? []) {
    if (ext.url !== GOLDEN_SOURCE_URL) continue;
    const part = (url: string) => ext.extension?.find((x) => x.url === url);
    const element = part('element')?.valueString;
    if (!element) continue;
    out.set(element, {
      patientId: idOf(part('record')?.valueReference?.reference, 'Patient'),
      source: part('source')?.valueUri,
      rule: part('rule')?.valueCode,
    });
  }
  return out;
}

/**
 * What an assurance level means to a worker. level1 and level2 mark the record a Person was founded
 * on: alone, they say whether a possible match waits for review; with other records, it came first.
 */
export function assuranceText(level: string | undefined, alone: boolean): string {
  if (level === 'level4') return 'Confirmed by a data steward';
  if (level === 'level3') return 'Linked automatically (high score)';
  if (level === 'level1' || level === 'level2') {
    if (!alone) return 'First record of this person';
    return level === 'level2' ? 'Own record; a possible match awaits review' : 'Own record; no likely match';
  }
  return level ?? '—';
}

const FIELD_LABELS: Record<string, string> = {
  given: 'First name',
  middle: 'Middle name',
  family: 'Last name',
  suffix: 'Suffix',
  gender: 'Gender',
  birthDate: 'Birth date',
  ssn: 'SSN',
  phone: 'Phone',
  line: 'Street address',
  city: 'City',
  state: 'State',
  postalCode: 'ZIP code',
  identifier: 'Other identifiers',
};

export const fieldLabel = (field: string): string => FIELD_LABELS[field] ?? field;

/** "exact" → "Same", "one-edit" → "One letter apart", ... ; unknown levels as written. */
const LEVEL_TEXT: Record<string, string> = {
  exact: 'Same',
  nickname: 'Nickname of each other',
  'nickname-close': 'Close to a nickname',
  close: 'Close spelling',
  weak: 'Somewhat alike',
  'one-edit': 'One character apart',
  'two-edits': 'Two characters apart',
  phonetic: 'Sounds alike',
  abbreviation: 'Abbreviation',
  initial: 'Initial matches',
  'middle-swap': 'First and middle swapped',
  'shared-word': 'Shares a word',
  'one-sided': 'Only one record has it',
  'day-month-swap': 'Day and month swapped',
  consecutive: 'Consecutive numbers',
  missing: 'Missing in one record',
  else: 'Different',
};

export const levelText = (level: string): string => LEVEL_TEXT[level] ?? level.replace(/-/g, ' ');

/** Signed weight with one decimal: "+6.2", "−3.0", "0". */
export function formatWeight(weight: number): string {
  if (Math.abs(weight) < 0.05) return '0';
  const text = Math.abs(weight).toFixed(1);
  return weight > 0 ? `+${text}` : `−${text}`;
}
