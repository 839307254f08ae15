/**
 * Diagnoses (ICD-10-CM) with the security labels their codes call for: substance use F10–F19 (and
 * overdoses) → ETH, mental health → PSY, HIV → HIV, abuse and violence → SDV, all restricted (R).
 */
import { coding, concept, SYSTEM, securityLabels, type Coding, type Reference, type Resource } from './fhir';
import { isoDateTime } from './dates';
import { PART2_LABELS, type PersonContext } from './person-context';
import type { SourceKey } from './kith';

export type Dx = readonly [code: string, display: string];

export const DX = {
  diabetes: ['E11.9', 'Type 2 diabetes mellitus without complications'],
  hypertension: ['I10', 'Essential (primary) hypertension'],
  asthma: ['J45.909', 'Unspecified asthma, uncomplicated'],
  obesity: ['E66.9', 'Obesity, unspecified'],
  depression: ['F32.1', 'Major depressive disorder, single episode, moderate'],
  depressionRecurrent: ['F33.1', 'Major depressive disorder, recurrent, moderate'],
  anxiety: ['F41.1', 'Generalized anxiety disorder'],
  ptsd: ['F43.10', 'Post-traumatic stress disorder, unspecified'],
  schizophrenia: ['F20.9', 'Schizophrenia, unspecified'],
  hiv: ['B20', 'Human immunodeficiency virus [HIV] disease'],
  abuseHistory: ['Z91.410', 'Personal history of adult physical and sexual abuse'],
  abuseConfirmed: ['T74.11XA', 'Adult physical abuse, confirmed, initial encounter'],
  pregnancy: ['Z33.1', 'Pregnant state, incidental'],
  alcohol: ['F10.20', 'Alcohol dependence, uncomplicated'],
  opioid: ['F11.20', 'Opioid dependence, uncomplicated'],
  stimulant: ['F15.20', 'Other stimulant dependence, uncomplicated'],
  cannabis: ['F12.20', 'Cannabis dependence, uncomplicated'],
  cocaine: ['F14.20', 'Cocaine dependence, uncomplicated'],
  alcoholIntoxication: ['F10.129', 'Alcohol abuse with intoxication, unspecified'],
  heroinPoisoning: ['T40.1X1A', 'Poisoning by heroin, accidental (unintentional), initial encounter'],
  fentanylPoisoning: [
    'T40.411A',
    'Poisoning by fentanyl or fentanyl analogs, accidental (unintentional), initial encounter',
  ],
  stimulantAbuse: ['F15.10', 'Other stimulant abuse, uncomplicated'],
  suicidalIdeation: ['R45.851', 'Suicidal ideations'],
} as const satisfies Record<string, Dx>;

/** Common emergency-department diagnoses with no special sensitivity. */
export const ED_DX: readonly Dx[] = [
  ['J06.9', 'Acute upper respiratory infection, unspecified'],
  ['R07.9', 'Chest pain, unspecified'],
  ['R10.9', 'Unspecified abdominal pain'],
  ['S93.401A', 'Sprain of unspecified ligament of right ankle, initial encounter'],
  ['N39.0', 'Urinary tract infection, site not specified'],
  ['L03.90', 'Cellulitis, unspecified'],
  ['K08.89', 'Other specified disorders of teeth and supporting structures'],
  ['R51.9', 'Headache, unspecified'],
  ['J45.901', 'Unspecified asthma with (acute) exacerbation'],
];

/** Security labels implied by an ICD-10-CM code (none for ordinary diagnoses). */
export function labelsForCode(code: string): Coding[] | undefined {
  if (/^F1\d/.test(code) || /^T40\./.test(code)) return securityLabels('R', 'ETH');
  if (/^F[2-4]\d/.test(code) || code === 'R45.851') return securityLabels('R', 'PSY');
  if (code === 'B20' || code === 'Z21') return securityLabels('R', 'HIV');
  if (/^T74\./.test(code) || /^Z91\.41/.test(code) || /^T76\./.test(code)) return securityLabels('R', 'SDV');
  return undefined;
}

export interface ConditionSpec {
  source: SourceKey;
  dx: Dx;
  category: 'problem-list-item' | 'encounter-diagnosis';
  onset: Date;
  recorded: Date;
  encounter?: Reference;
  recorder?: Reference;
  resolved?: Date;
  note?: string;
}

export function condition(ctx: PersonContext, spec: ConditionSpec): Resource {
  const [code, display] = spec.dx;
  const labels = spec.source === 'bh' ? bhLabels(code) : labelsForCode(code);
  return ctx.emit(
    spec.source,
    {
      resourceType: 'Condition',
      id: ctx.ids.next('cond'),
      clinicalStatus: spec.resolved
        ? concept(SYSTEM.conditionClinical, 'resolved', 'Resolved')
        : concept(SYSTEM.conditionClinical, 'active', 'Active'),
      verificationStatus: concept(SYSTEM.conditionVerification, 'confirmed', 'Confirmed'),
      category: [
        concept(
          SYSTEM.conditionCategory,
          spec.category,
          spec.category === 'problem-list-item' ? 'Problem List Item' : 'Encounter Diagnosis',
        ),
      ],
      code: { coding: [coding(SYSTEM.icd10cm, code, display)], text: display },
      subject: ctx.patientRef(spec.source),
      ...(spec.encounter ? { encounter: spec.encounter } : {}),
      onsetDateTime: isoDateTime(spec.onset),
      ...(spec.resolved ? { abatementDateTime: isoDateTime(spec.resolved) } : {}),
      recordedDate: isoDateTime(spec.recorded),
      ...(spec.recorder ? { recorder: spec.recorder, asserter: spec.recorder } : {}),
      ...(spec.note ? { note: [{ text: spec.note }] } : {}),
    },
    labels,
  );
}

/** Part 2 program records carry the Part 2 labels plus whatever the code itself implies. */
function bhLabels(code: string): Coding[] {
  const extra = (labelsForCode(code) ?? []).filter(
    (c) => c.system !== SYSTEM.confidentiality && !PART2_LABELS.some((p) => p.code === c.code),
  );
  return [...PART2_LABELS, ...extra];
}
