import type {
  AllergyIntolerance,
  CarePlan,
  CareTeam,
  CodeableConcept,
  Coding,
  Condition,
  Consent,
  Coverage,
  DiagnosticReport,
  DocumentReference,
  Encounter,
  EpisodeOfCare,
  Goal,
  HumanName,
  Immunization,
  MedicationRequest,
  Observation,
  Period,
  Procedure,
  QuestionnaireResponse,
  QuestionnaireResponseItem,
  Reference,
  Resource,
  ServiceRequest,
  Task,
} from '@medplum/fhirtypes';
import {
  formatConcept,
  formatConcepts,
  formatDate,
  formatName,
  formatPeriod,
  formatReference,
  formatReferences,
  humanize,
  joinText,
} from './format';
import {
  formatOnset,
  formatValue,
  observationValue,
  statusLabel,
  statusTone,
  type StatusTone,
} from './values';

/** A readable one-item summary of any FHIR resource, for lists on the person page. */
export interface Summary {
  title: string;
  /** The status in words, shown as a badge; `statusKind` names which status it is. */
  status?: string;
  statusKind: string;
  tone: StatusTone;
  /** Label/value pairs, only those with a value, in reading order. */
  details: { label: string; value: string }[];
  /** Sensitivity labels from `meta.security`, e.g. "Restricted", "Psychiatry information sensitivity". */
  labels: string[];
  /** ISO date used to order items, newest first. */
  sortKey?: string;
}

export interface SummaryContext {
  /** A name for "Type/id" (or a canonical URL) the page has loaded, when the reference has no display. */
  nameOf?: (key: string) => string | undefined;
}

type Pair = [label: string, value: string | undefined];
interface Draft {
  title: string | undefined;
  status?: string;
  /** Which status `status` is, when not the resource's plain `status` (e.g. "Clinical status"). */
  statusKind?: string;
  details: Pair[];
  sortKey?: string;
}
type Summarizer<T> = (resource: T, ctx: SummaryContext) => Draft;
type Summarizers = { [K in Resource['resourceType']]?: Summarizer<Extract<Resource, { resourceType: K }>> };

const ENCOUNTER_CLASSES: Record<string, string> = {
  AMB: 'Ambulatory',
  EMER: 'Emergency',
  IMP: 'Inpatient',
  ACUTE: 'Inpatient acute',
  NONAC: 'Inpatient non-acute',
  OBSENC: 'Observation',
  PRENC: 'Pre-admission',
  SS: 'Short stay',
  VR: 'Virtual',
  HH: 'Home health',
  FLD: 'Field',
};

function encounterClass(c: Coding | undefined): string | undefined {
  if (!c) return undefined;
  const label = c.display ?? (c.code ? ENCOUNTER_CLASSES[c.code] : undefined) ?? c.code;
  return label ? label.charAt(0).toUpperCase() + label.slice(1) : undefined;
}

function conceptCode(concept: CodeableConcept | undefined): string | undefined {
  return concept?.coding?.find((c) => c.code)?.code;
}

function firstOf<T>(
  list: T[] | undefined,
  n: number,
  format: (t: T) => string | undefined,
): string | undefined {
  const all = (list ?? []).map(format).filter((s): s is string => !!s);
  if (all.length <= n) return joinText(all);
  return `${all.slice(0, n).join(', ')} and ${all.length - n} more`;
}

function countAnswers(items: QuestionnaireResponseItem[] | undefined): number {
  let n = 0;
  for (const item of items ?? []) {
    n += item.answer?.length ? 1 : 0;
    n += countAnswers(item.item);
    for (const a of item.answer ?? []) n += countAnswers(a.item);
  }
  return n;
}

const SUMMARIZERS: Summarizers = {
  Encounter: (r: Encounter, { nameOf }) => ({
    title:
      formatConcepts(r.type) ??
      (encounterClass(r.class) ? `${encounterClass(r.class)} encounter` : undefined),
    status: r.status,
    sortKey: r.period?.start ?? r.period?.end,
    details: [
      ['Class', encounterClass(r.class)],
      ['Period', formatPeriod(r.period)],
      [
        'Location',
        formatReferences(
          r.location?.map((l) => l.location),
          nameOf,
        ),
      ],
      ['Reason', formatConcepts(r.reasonCode)],
      ['Provider', formatReference(r.serviceProvider, nameOf)],
    ],
  }),
  Condition: (r: Condition) => ({
    title: formatConcept(r.code),
    status: conceptCode(r.clinicalStatus),
    statusKind: 'Clinical status',
    sortKey: r.onsetDateTime ?? r.onsetPeriod?.start ?? r.recordedDate,
    details: [
      ['Onset', formatOnset(r)],
      [
        'Abated',
        formatOnset({
          onsetDateTime: r.abatementDateTime,
          onsetPeriod: r.abatementPeriod,
          onsetAge: r.abatementAge,
          onsetString: r.abatementString,
        }),
      ],
      // Confirmed is the expected case; anything else (provisional, refuted ...) is worth showing.
      [
        'Verification',
        conceptCode(r.verificationStatus) === 'confirmed' ? undefined : formatConcept(r.verificationStatus),
      ],
      ['Category', formatConcepts(r.category)],
      ['Recorded', formatOnset(r) ? undefined : formatDate(r.recordedDate)],
    ],
  }),
  Observation: (r: Observation) => ({
    title: formatConcept(r.code),
    status: r.status,
    sortKey: r.effectiveDateTime ?? r.effectivePeriod?.start ?? r.effectiveInstant ?? r.issued,
    details: [
      ['Value', observationValue(r)],
      ['Date', formatDate(r.effectiveDateTime ?? r.effectiveInstant) ?? formatPeriod(r.effectivePeriod)],
      ['Interpretation', formatConcepts(r.interpretation)],
      ['Category', formatConcepts(r.category)],
    ],
  }),
  EpisodeOfCare: (r: EpisodeOfCare, { nameOf }) => ({
    title: formatConcepts(r.type) ?? 'Program enrollment',
    status: r.status,
    sortKey: r.period?.start,
    details: [
      ['Period', formatPeriod(r.period)],
      ['Managing organization', formatReference(r.managingOrganization, nameOf)],
      ['Care manager', formatReference(r.careManager, nameOf)],
    ],
  }),
  Coverage: (r: Coverage, { nameOf }) => ({
    title: formatConcept(r.type) ?? formatReferences(r.payor, nameOf),
    status: r.status,
    sortKey: r.period?.start,
    details: [
      ['Payor', formatReferences(r.payor, nameOf)],
      ['Member ID', r.subscriberId],
      ['Plan', joinText((r.class ?? []).map((c) => c.name ?? c.value))],
      ['Period', formatPeriod(r.period)],
      ['Relationship', formatConcept(r.relationship)],
    ],
  }),
  CarePlan: (r: CarePlan, { nameOf }) => ({
    title: r.title ?? formatConcepts(r.category),
    status: r.status,
    sortKey: r.period?.start ?? r.created,
    details: [
      ['Category', r.title ? formatConcepts(r.category) : undefined],
      ['Period', formatPeriod(r.period)],
      ['Intent', humanize(r.intent)],
      ['Addresses', formatReferences(r.addresses, nameOf)],
      [
        'Activities',
        firstOf(r.activity, 3, (a) => formatConcept(a.detail?.code) ?? formatReference(a.reference, nameOf)),
      ],
      ['Author', formatReference(r.author, nameOf)],
      ['Description', r.description],
    ],
  }),
  Goal: (r: Goal, { nameOf }) => ({
    title: formatConcept(r.description),
    status: r.lifecycleStatus,
    statusKind: 'Lifecycle status',
    sortKey: r.startDate ?? r.statusDate,
    details: [
      ['Achievement', formatConcept(r.achievementStatus)],
      ['Target', firstOf(r.target, 2, (t) => joinText([formatConcept(t.measure), targetValue(t)], ' '))],
      ['Due', formatDate(r.target?.find((t) => t.dueDate)?.dueDate)],
      ['Start', formatDate(r.startDate)],
      ['Addresses', formatReferences(r.addresses, nameOf)],
    ],
  }),
  CareTeam: (r: CareTeam, { nameOf }) => ({
    title: r.name ?? formatConcepts(r.category),
    status: r.status,
    sortKey: r.period?.start,
    details: [
      [
        'Members',
        firstOf(r.participant, 4, (p) => {
          const who = formatReference(p.member, nameOf);
          const role = formatConcepts(p.role);
          return who && role ? `${who} (${role})` : (who ?? role);
        }),
      ],
      ['Managing organization', formatReferences(r.managingOrganization, nameOf)],
      ['Period', formatPeriod(r.period)],
    ],
  }),
  ServiceRequest: (r: ServiceRequest, { nameOf }) => ({
    title: formatConcept(r.code) ?? formatConcepts(r.category),
    status: r.status,
    sortKey: r.authoredOn ?? r.occurrenceDateTime,
    details: [
      ['Category', formatConcepts(r.category)],
      ['Requested by', formatReference(r.requester, nameOf)],
      ['Performer', formatReferences(r.performer, nameOf)],
      ['Priority', humanize(r.priority)],
      ['Authored', formatDate(r.authoredOn)],
      ['Reason', joinText([formatConcepts(r.reasonCode), formatReferences(r.reasonReference, nameOf)])],
    ],
  }),
  Task: (r: Task, { nameOf }) => ({
    title: formatConcept(r.code) ?? r.description,
    status: r.status,
    sortKey: r.lastModified ?? r.authoredOn,
    details: [
      ['Business status', formatConcept(r.businessStatus)],
      ['Owner', formatReference(r.owner, nameOf)],
      ['Requester', formatReference(r.requester, nameOf)],
      ['Focus', formatReference(r.focus, nameOf)],
      ['Reason', formatConcept(r.statusReason)],
      ['Authored', formatDate(r.authoredOn)],
      ['Last changed', formatDate(r.lastModified)],
    ],
  }),
  Consent: (r: Consent, { nameOf }) => ({
    title: formatConcepts(r.category) ?? formatConcept(r.scope),
    status: r.status,
    sortKey: r.dateTime,
    details: [
      ['Decision', r.provision?.type ? humanize(r.provision.type) : undefined],
      ['Organizations', formatReferences(r.organization, nameOf)],
      [
        'Recipients',
        formatReferences(
          r.provision?.actor?.map((a) => a.reference),
          nameOf,
        ),
      ],
      ['Purpose', joinText((r.provision?.purpose ?? []).map((c) => c.display ?? c.code))],
      ['Data', joinText((r.provision?.class ?? []).map((c) => c.display ?? c.code))],
      ['Period', formatPeriod(r.provision?.period)],
      ['Date', formatDate(r.dateTime)],
    ],
  }),
  QuestionnaireResponse: (r: QuestionnaireResponse, { nameOf }) => {
    const form = r.questionnaire ? (nameOf?.(r.questionnaire) ?? r.questionnaire) : undefined;
    const answers = countAnswers(r.item);
    return {
      title: form ? `${form}` : 'Questionnaire response',
      status: r.status,
      sortKey: r.authored,
      details: [
        ['Completed', formatDate(r.authored)],
        ['Author', formatReference(r.author, nameOf)],
        ['Answers', answers ? String(answers) : undefined],
      ],
    };
  },
  Immunization: (r: Immunization, { nameOf }) => ({
    title: formatConcept(r.vaccineCode),
    status: r.status,
    sortKey: r.occurrenceDateTime,
    details: [
      ['Date', formatDate(r.occurrenceDateTime) ?? r.occurrenceString],
      ['Lot', r.lotNumber],
      ['Site', formatConcept(r.site)],
      [
        'Performer',
        formatReferences(
          r.performer?.map((p) => p.actor),
          nameOf,
        ),
      ],
      ['Location', formatReference(r.location, nameOf)],
    ],
  }),
  MedicationRequest: (r: MedicationRequest, { nameOf }) => ({
    title: formatConcept(r.medicationCodeableConcept) ?? formatReference(r.medicationReference, nameOf),
    status: r.status,
    sortKey: r.authoredOn,
    details: [
      [
        'Dosage',
        joinText(
          (r.dosageInstruction ?? []).map((d) => d.text),
          '; ',
        ),
      ],
      ['Authored', formatDate(r.authoredOn)],
      ['Intent', humanize(r.intent)],
      ['Requester', formatReference(r.requester, nameOf)],
      ['Reason', joinText([formatConcepts(r.reasonCode), formatReferences(r.reasonReference, nameOf)])],
    ],
  }),
  AllergyIntolerance: (r: AllergyIntolerance) => ({
    title: formatConcept(r.code),
    status: conceptCode(r.clinicalStatus),
    statusKind: 'Clinical status',
    sortKey: r.onsetDateTime ?? r.recordedDate,
    details: [
      ['Criticality', humanize(r.criticality)],
      ['Category', joinText((r.category ?? []).map(humanize))],
      ['Reactions', firstOf(r.reaction, 3, (x) => formatConcepts(x.manifestation))],
      ['Onset', formatOnset(r)],
      ['Recorded', formatDate(r.recordedDate)],
    ],
  }),
  DocumentReference: (r: DocumentReference, { nameOf }) => {
    const attachment = r.content?.[0]?.attachment;
    return {
      title: r.description ?? formatConcept(r.type) ?? attachment?.title,
      status: r.docStatus ?? r.status,
      statusKind: r.docStatus ? 'Document status' : undefined,
      sortKey: r.date,
      details: [
        ['Type', r.description ? formatConcept(r.type) : undefined],
        ['Category', formatConcepts(r.category)],
        ['Date', formatDate(r.date)],
        ['Author', formatReferences(r.author, nameOf)],
        ['Content', joinText([attachment?.title, attachment?.contentType])],
      ],
    };
  },
  Procedure: (r: Procedure, { nameOf }) => ({
    title: formatConcept(r.code),
    status: r.status,
    sortKey: r.performedDateTime ?? r.performedPeriod?.start,
    details: [
      ['Performed', formatDate(r.performedDateTime) ?? formatPeriod(r.performedPeriod)],
      ['Reason', joinText([formatConcepts(r.reasonCode), formatReferences(r.reasonReference, nameOf)])],
      ['Location', formatReference(r.location, nameOf)],
    ],
  }),
  DiagnosticReport: (r: DiagnosticReport, { nameOf }) => ({
    title: formatConcept(r.code),
    status: r.status,
    sortKey: r.effectiveDateTime ?? r.effectivePeriod?.start ?? r.issued,
    details: [
      ['Date', formatDate(r.effectiveDateTime) ?? formatPeriod(r.effectivePeriod)],
      ['Results', r.result?.length ? String(r.result.length) : undefined],
      ['Performer', formatReferences(r.performer, nameOf)],
      ['Conclusion', r.conclusion],
    ],
  }),
};

function targetValue(t: NonNullable<Goal['target']>[number]): string | undefined {
  return formatValue({
    valueQuantity: t.detailQuantity,
    valueCodeableConcept: t.detailCodeableConcept,
    valueString: t.detailString,
    valueBoolean: t.detailBoolean,
    valueInteger: t.detailInteger,
    valueRange: t.detailRange,
    valueRatio: t.detailRatio,
  });
}

/** For resource types without a summarizer: the usual title, status and date fields by name. */
function generic(resource: Resource, { nameOf }: SummaryContext): Draft {
  const r = resource as unknown as Record<string, unknown>;
  const concept = (v: unknown): string | undefined =>
    Array.isArray(v)
      ? formatConcepts(v as CodeableConcept[])
      : formatConcept(v as CodeableConcept | undefined);
  const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  const name =
    text(r.name) ?? (Array.isArray(r.name) ? formatName(r.name as HumanName[]) : undefined) ?? text(r.title);
  const title = name ?? concept(r.code) ?? concept(r.type) ?? text(r.description) ?? concept(r.category);
  const dateField = [
    'effectiveDateTime',
    'performedDateTime',
    'occurrenceDateTime',
    'authoredOn',
    'date',
    'created',
    'issued',
    'recorded',
    'sent',
  ].find((k) => typeof r[k] === 'string');
  const periodField = ['period', 'billablePeriod', 'effectivePeriod', 'performedPeriod'].find(
    (k) => typeof r[k] === 'object' && r[k] !== null,
  );
  const period = periodField ? (r[periodField] as Period) : undefined;
  const date = dateField ? (r[dateField] as string) : undefined;
  return {
    title,
    status: text(r.status),
    sortKey: date ?? period?.start,
    details: [
      ['Date', formatDate(date) ?? formatPeriod(period)],
      ['Type', name ? concept(r.type) : undefined],
      ['Provider', formatReference(r.provider as Reference | undefined, nameOf)],
    ],
  };
}

const ORDINARY_CONFIDENTIALITY = new Set(['U', 'L', 'M', 'N']);

function securityLabels(resource: Resource): string[] {
  return (resource.meta?.security ?? [])
    .filter((c) => c.code && !ORDINARY_CONFIDENTIALITY.has(c.code))
    .map((c) => c.display ?? c.code ?? '');
}

/** Summarizes one resource; every type gets a title, at worst its type name. */
export function summarize(resource: Resource, ctx: SummaryContext = {}): Summary {
  const fn = SUMMARIZERS[resource.resourceType] as Summarizer<Resource> | undefined;
  const draft = fn ? fn(resource, ctx) : generic(resource, ctx);
  const details = draft.details
    .filter((p): p is [string, string] => typeof p[1] === 'string' && p[1].trim() !== '')
    .map(([label, value]) => ({ label, value }));
  return {
    title: draft.title?.trim() || humanize(resource.resourceType) || resource.resourceType,
    status: statusLabel(draft.status),
    statusKind: draft.statusKind ?? 'Status',
    tone: statusTone(draft.status),
    details,
    labels: securityLabels(resource),
    sortKey: draft.sortKey,
  };
}
