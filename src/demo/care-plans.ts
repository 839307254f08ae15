/**
 * Care coordination at the clinic for people with complex needs (ECM) and others with health concerns:
 * a CareTeam spanning organizations, Goals for each concern, and a CarePlan tying concerns, goals and
 * the clinic's referrals together. The Part 2 program keeps its own CareTeam, labelled like its data.
 */
import { coding, concept, refTo, SYSTEM, type Resource } from './fhir';
import { addDays, daysAgo, isoDate, isoDateTime } from './dates';
import { orgRef } from './organizations';
import { staffRef } from './staff';
import { staffRoleCoding, type StaffRoleCode } from './terminology';
import type { OrgKey } from './kith';
import type { ConcernKey, PersonContext } from './person-context';

interface GoalDef {
  text: string;
  snomed?: [string, string];
  measure?: {
    loinc: string;
    display: string;
    detail: { code: string; display: string } | { value: number; comparator: '<'; unit: string };
  };
  category?: [string, string];
}

const PROGRESS: readonly (readonly [string, string])[] = [
  ['in-progress', 'In Progress'],
  ['improving', 'Improving'],
  ['no-progress', 'No Progress'],
];

const GOALS: Partial<Record<ConcernKey, GoalDef>> = {
  'food-insecurity': {
    text: 'Food security',
    snomed: ['1078229009', 'Food security'],
    measure: {
      loinc: '88124-3',
      display: 'Food insecurity risk [HVS]',
      detail: { code: 'LA19983-8', display: 'No risk' },
    },
    category: ['food-insecurity', 'Food Insecurity'],
  },
  homelessness: { text: 'Move into stable housing', category: ['homelessness', 'Homelessness'] },
  'housing-instability': {
    text: 'Keep current housing',
    category: ['housing-instability', 'Housing Instability'],
  },
  'intimate-partner-violence': {
    text: 'Safety plan in place and followed',
    category: ['intimate-partner-violence', 'Intimate Partner Violence'],
  },
  diabetes: {
    text: 'Hemoglobin A1c below 8%',
    measure: {
      loinc: '4548-4',
      display: 'Hemoglobin A1c/Hemoglobin.total in Blood',
      detail: { value: 8, comparator: '<', unit: '%' },
    },
  },
  depression: { text: 'PHQ-9 score below 10' },
  unemployment: { text: 'Find steady work', category: ['employment-status', 'Employment Status'] },
};

function goal(
  ctx: PersonContext,
  key: ConcernKey,
  def: GoalDef,
  start: Date,
  author: ReturnType<typeof staffRef>,
): Resource | undefined {
  const concern = ctx.concerns.get(key);
  if (!concern || concern.source !== 'clinic') return undefined;
  const rng = ctx.rng(`goal:${key}`);
  const achieved = rng.chance(0.25);
  const target = def.measure
    ? [
        {
          measure: { coding: [coding(SYSTEM.loinc, def.measure.loinc, def.measure.display)] },
          ...('code' in def.measure.detail
            ? {
                detailCodeableConcept: {
                  coding: [coding(SYSTEM.loinc, def.measure.detail.code, def.measure.detail.display)],
                },
              }
            : {
                detailQuantity: {
                  value: def.measure.detail.value,
                  comparator: def.measure.detail.comparator,
                  unit: def.measure.detail.unit,
                  system: SYSTEM.ucum,
                  code: def.measure.detail.unit,
                },
              }),
          dueDate: isoDate(addDays(start, 180)),
        },
      ]
    : [{ dueDate: isoDate(addDays(start, 180)) }];
  return ctx.emit(concern.source, {
    resourceType: 'Goal',
    id: ctx.ids.next('goal'),
    lifecycleStatus: achieved ? 'completed' : 'active',
    achievementStatus: achieved
      ? concept(SYSTEM.goalAchievement, 'achieved', 'Achieved')
      : concept(SYSTEM.goalAchievement, ...rng.pick(PROGRESS)),
    ...(def.category ? { category: [concept(SYSTEM.sdohcc, ...def.category)] } : {}),
    description: def.snomed
      ? { coding: [coding(SYSTEM.snomed, ...def.snomed)], text: def.text }
      : { text: def.text },
    subject: ctx.patientRef('clinic'),
    startDate: isoDate(start),
    target,
    statusDate: isoDate(addDays(start, rng.int(10, 90))),
    expressedBy: author.role,
    addresses: [refTo('Condition', concern.resource.id)],
  });
}

function member(org: OrgKey, role: StaffRoleCode, level: 'edit' | 'exchange' = 'exchange') {
  return { role: [{ coding: [staffRoleCoding(role)] }], member: staffRef(org, level).role };
}

export function carePlans(ctx: PersonContext): void {
  if (!ctx.has('clinic')) return;
  const t = ctx.person.traits;
  const clinicConcerns = [...ctx.concerns.entries()].filter(([, c]) => c.source === 'clinic');
  if (!t.ecm && clinicConcerns.length < 2) return;
  const rng = ctx.rng('careplan');
  const start = daysAgo(rng, rng.int(20, 300));
  const coordinator = staffRef('clinic', 'exchange');
  const participants = [member('clinic', 'care-coordinator'), member('clinic', 'physician', 'edit')];
  if (ctx.has('hmis')) participants.push(member('shelter', 'case-manager'));
  if (ctx.has('jail')) participants.push(member('probation', 'probation-officer'));
  if (ctx.has('calsaws')) participants.push(member('dss', 'eligibility-worker'));
  const team = ctx.emit('clinic', {
    resourceType: 'CareTeam',
    id: ctx.ids.next('team'),
    status: 'active',
    category: [concept(SYSTEM.loinc, 'LA28865-6', 'Longitudinal care-coordination focused care team')],
    name: t.ecm ? 'Enhanced Care Management team' : 'Care coordination team',
    subject: ctx.patientRef('clinic'),
    period: { start: isoDate(start) },
    participant: [...participants, { role: [{ text: 'Patient' }], member: ctx.patientRef('clinic') }],
    managingOrganization: [orgRef('clinic')],
  });
  const goals = clinicConcerns
    .map(([key]) => (GOALS[key] ? goal(ctx, key, GOALS[key], start, coordinator) : undefined))
    .filter((g): g is Resource => g !== undefined);
  const clinicReferrals = ctx.referrals.filter((r) => r.source === 'clinic');
  ctx.emit('clinic', {
    resourceType: 'CarePlan',
    id: ctx.ids.next('plan'),
    status: 'active',
    intent: 'plan',
    category: [concept(SYSTEM.carePlanCategory, 'assess-plan', 'Assessment and Plan of Treatment')],
    title: t.ecm ? 'Enhanced Care Management plan' : 'Care coordination plan',
    subject: ctx.patientRef('clinic'),
    period: { start: isoDate(start) },
    created: isoDateTime(start),
    author: coordinator.role,
    careTeam: [refTo('CareTeam', team.id)],
    addresses: clinicConcerns.map(([, c]) => refTo('Condition', c.resource.id)),
    ...(goals.length ? { goal: goals.map((g) => refTo('Goal', g.id)) } : {}),
    ...(clinicReferrals.length
      ? {
          activity: clinicReferrals.map((r) => ({ reference: refTo('ServiceRequest', r.serviceRequest.id) })),
        }
      : {}),
  });
}

/** The Part 2 program's own treatment team (labelled as Part 2 data by the context). */
export function treatmentTeam(ctx: PersonContext): void {
  if (!ctx.has('bh')) return;
  const start = daysAgo(ctx.rng('bh-team'), 30);
  ctx.emit('bh', {
    resourceType: 'CareTeam',
    id: ctx.ids.next('team'),
    status: 'active',
    name: 'Substance use treatment team',
    subject: ctx.patientRef('bh'),
    period: { start: isoDate(start) },
    participant: [member('bh', 'counselor', 'edit'), member('bh', 'counselor')],
    managingOrganization: [orgRef('bh')],
  });
}
