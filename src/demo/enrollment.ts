/**
 * Program enrollment (EpisodeOfCare) in each source that runs a program, and Medi-Cal managed-care
 * Coverage as the clinic, hospital and behavioral-health records carry it.
 */
import { ORG, SHARED_ID, type OrgKey, type SourceKey } from './kith';
import { concept, refTo, SYSTEM } from './fhir';
import { orgRef } from './organizations';
import { staffRef } from './staff';
import { programCoding, type ProgramCode } from './terminology';
import { addDays, daysAgo, daysSince, daysWithin, isoDate } from './dates';
import type { PersonContext } from './person-context';

interface EpisodeSpec {
  source: SourceKey;
  org: OrgKey;
  program: ProgramCode;
  /** Days ago the enrollment started (range). */
  startedDaysAgo: [number, number];
  /** Chance that the enrollment has ended. */
  ended: number;
}

function episode(ctx: PersonContext, spec: EpisodeSpec, index: number): void {
  const rng = ctx.rng(`episode:${spec.program}:${index}`);
  const start = daysAgo(rng, daysWithin(rng, ...spec.startedDaysAgo, ctx.lifeDays));
  const ended = rng.chance(spec.ended);
  const elapsed = daysSince(start);
  const end =
    ended && elapsed > 2 ? addDays(start, rng.int(Math.min(30, elapsed - 1), elapsed - 1)) : undefined;
  const status = end ? 'finished' : 'active';
  const history = [
    { status: 'active', period: { start: isoDate(start), ...(end ? { end: isoDate(end) } : {}) } },
  ];
  const identifier =
    spec.source === 'calsaws' && ctx.householdCase
      ? [{ system: 'https://alder.example.org/id/calsaws-case', value: ctx.householdCase }]
      : undefined;
  const manager = staffRef(spec.org, 'exchange');
  ctx.emit(spec.source, {
    resourceType: 'EpisodeOfCare',
    id: ctx.ids.next('eoc'),
    ...(identifier ? { identifier } : {}),
    status,
    statusHistory: history,
    type: [{ coding: [programCoding(spec.program)] }],
    patient: ctx.patientRef(spec.source),
    managingOrganization: orgRef(spec.org),
    period: history[0].period,
    careManager: manager.practitioner,
  });
}

export function enrollments(ctx: PersonContext): void {
  const t = ctx.person.traits;
  const specs: EpisodeSpec[] = [];
  if (ctx.has('calsaws')) {
    if (t.mediCal)
      specs.push({
        source: 'calsaws',
        org: 'dss',
        program: 'medi-cal',
        startedDaysAgo: [60, 3000],
        ended: 0.08,
      });
    if (t.calfresh)
      specs.push({
        source: 'calsaws',
        org: 'dss',
        program: 'calfresh',
        startedDaysAgo: [30, 1500],
        ended: 0.15,
      });
    if (t.calworks)
      specs.push({
        source: 'calsaws',
        org: 'dss',
        program: 'calworks',
        startedDaysAgo: [30, 1200],
        ended: 0.2,
      });
    if (t.generalAssistance)
      specs.push({
        source: 'calsaws',
        org: 'dss',
        program: 'general-assistance',
        startedDaysAgo: [30, 700],
        ended: 0.3,
      });
  }
  if (ctx.has('wic'))
    specs.push({
      source: 'wic',
      org: 'ph',
      program: 'wic',
      startedDaysAgo: [20, Math.min(1700, ctx.person.age * 365 + 200)],
      ended: 0.1,
    });
  if (ctx.has('hmis')) {
    const program: ProgramCode =
      t.homeless === 'sheltered'
        ? 'emergency-shelter'
        : t.homeless
          ? 'housing-navigation'
          : 'rapid-rehousing';
    specs.push({
      source: 'hmis',
      org: 'shelter',
      program,
      startedDaysAgo: [10, 400],
      ended: t.homeless ? 0.1 : 0.5,
    });
  }
  if (ctx.has('clinic') && t.ecm)
    specs.push({ source: 'clinic', org: 'clinic', program: 'ecm', startedDaysAgo: [30, 500], ended: 0.1 });
  if (ctx.has('bh'))
    specs.push({ source: 'bh', org: 'bh', program: 'dmc-ods', startedDaysAgo: [20, 600], ended: 0.3 });
  if (ctx.has('jail') && ctx.rng('reentry').chance(0.5)) {
    specs.push({
      source: 'jail',
      org: 'probation',
      program: 'probation-reentry',
      startedDaysAgo: [20, 500],
      ended: 0.3,
    });
  }
  specs.forEach((s, i) => episode(ctx, s, i));
  coverage(ctx);
}

/** The plan member id is the same for the person in every record that carries the coverage. */
function coverage(ctx: PersonContext): void {
  if (!ctx.person.traits.mediCal || !ctx.cin) return;
  const rng = ctx.rng('coverage');
  const memberId = `AHP${ctx.cin.slice(1, 8)}`;
  const start = isoDate(daysAgo(rng, daysWithin(rng, 90, 2500, ctx.lifeDays)));
  for (const source of ['clinic', 'hospital', 'bh'] as const) {
    if (!ctx.has(source)) continue;
    ctx.emit(source, {
      resourceType: 'Coverage',
      id: ctx.ids.next('cov'),
      identifier: [{ system: SHARED_ID.planMember, value: memberId }],
      status: 'active',
      type: concept(SYSTEM.actCode, 'MCPOL', 'managed care policy', 'Medi-Cal managed care'),
      subscriberId: ctx.cin,
      beneficiary: ctx.patientRef(source),
      relationship: concept(SYSTEM.subscriberRelationship, 'self', 'Self'),
      period: { start },
      payor: [refTo('Organization', ORG.plan, 'Alder Health Plan')],
      class: [
        { type: concept(SYSTEM.coverageClass, 'plan', 'Plan'), value: 'MCMC', name: 'Medi-Cal Managed Care' },
        { type: concept(SYSTEM.coverageClass, 'group', 'Group'), value: 'ALDER', name: 'Alder County' },
      ],
    });
  }
}
