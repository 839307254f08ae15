/**
 * Emergency-department visits at the hospital (from its ADT feed), bookings into the county jail,
 * and treatment in the behavioral-health Part 2 substance-use program.
 */
import { concept, refTo, SYSTEM } from './fhir';
import { SHARED_ID } from './kith';
import { addDays, daysAgo, daysWithin, maxDate, minDate } from './dates';
import { staffRef } from './staff';
import { encounterTypeCoding } from './terminology';
import { condition, DX, ED_DX, type Dx } from './conditions';
import { encounter } from './visits';
import type { PersonContext } from './person-context';

function edDiagnosis(ctx: PersonContext, index: number): Dx {
  const t = ctx.person.traits;
  const rng = ctx.rng(`ed-dx:${index}`);
  if (t.sud && rng.chance(0.45)) {
    if (t.sud === 'alcohol') return DX.alcoholIntoxication;
    if (t.sud === 'opioid') return rng.chance(0.5) ? DX.heroinPoisoning : DX.fentanylPoisoning;
    if (t.sud === 'stimulant') return DX.stimulantAbuse;
  }
  if (t.dv && rng.chance(0.4)) return DX.abuseConfirmed;
  if ((t.depression || t.smi) && rng.chance(0.2)) return DX.suicidalIdeation;
  if (t.asthma && rng.chance(0.3)) return ED_DX[ED_DX.length - 1];
  return rng.pick(ED_DX.slice(0, -1));
}

export function emergencyVisits(ctx: PersonContext): void {
  if (!ctx.has('hospital')) return;
  const rng = ctx.rng('ed');
  const doctor = staffRef('hospital', 'edit');
  const count = rng.int(1, ctx.person.traits.homeless || ctx.person.traits.sud ? 5 : 2);
  for (let i = 0; i < count; i++) {
    const start = daysAgo(rng, daysWithin(rng, 2, 720, ctx.lifeDays));
    const dx = edDiagnosis(ctx, i);
    const enc = encounter(ctx, {
      source: 'hospital',
      org: 'hospital',
      classCode: 'EMER',
      type: concept(SYSTEM.snomed, '4525004', 'Emergency department patient visit'),
      start,
      minutes: rng.int(90, 600),
      location: 'loc-hospital-ed',
      performer: doctor.role,
      identifier: { system: 'https://alder.example.org/id/armc-visit', value: ctx.ids.number('V', 9) },
      dischargedHome: true,
    });
    const cond = condition(ctx, {
      source: 'hospital',
      dx,
      category: 'encounter-diagnosis',
      onset: start,
      recorded: start,
      encounter: refTo('Encounter', enc.id),
      recorder: doctor.role,
      resolved: addDays(start, rng.int(3, 30)),
    });
    enc.diagnosis = [
      {
        condition: refTo('Condition', cond.id),
        use: concept('http://terminology.hl7.org/CodeSystem/diagnosis-role', 'DD', 'Discharge diagnosis'),
        rank: 1,
      },
    ];
    // The diagnosis makes the visit itself sensitive: carry the same labels.
    if (cond.meta?.security) enc.meta = { ...enc.meta, security: cond.meta.security };
  }
}

export function jailBookings(ctx: PersonContext): void {
  if (!ctx.has('jail')) return;
  const rng = ctx.rng('jail');
  const officer = staffRef('probation', 'edit');
  const count = rng.weighted([
    [1, 6],
    [2, 3],
    [3, 1],
  ] as const);
  const adultDays = ctx.lifeDays - 18 * 365;
  const days = Array.from({ length: count }, () => daysWithin(rng, 5, 1095, adultDays)).sort((a, b) => b - a);
  days.forEach((d, i) => {
    const start = daysAgo(rng, d);
    // The latest booking of a few people is still open: they are in custody on the as-of date.
    const inCustody = i === days.length - 1 && d < 60 && rng.chance(0.5);
    encounter(ctx, {
      source: 'jail',
      org: 'probation',
      classCode: 'FLD',
      type: { coding: [encounterTypeCoding('jail-booking')] },
      start,
      minutes: Math.max(0, Math.min(d - 1, rng.int(1, 120))) * 1440,
      inProgress: inCustody,
      location: 'loc-jail',
      performer: officer.role,
      identifier: { system: SHARED_ID.jailBooking, value: ctx.ids.number('B', 8) },
    });
  });
}

/** Intake and counseling in the Part 2 program; every resource here carries the Part 2 labels. */
export function behavioralHealth(ctx: PersonContext): void {
  if (!ctx.has('bh')) return;
  const t = ctx.person.traits;
  const rng = ctx.rng('bh');
  const counselor = staffRef('bh', 'edit');
  const intakeDay = rng.int(30, 600);
  const intake = daysAgo(rng, intakeDay);
  // Onset is some years before treatment, but not before the teens.
  const teens = addDays(new Date(`${ctx.person.birthDate}T12:00:00Z`), 13 * 365);
  const onset = (days: number) => maxDate(addDays(intake, -days), minDate(teens, intake));
  const enc = encounter(ctx, {
    source: 'bh',
    org: 'bh',
    classCode: 'AMB',
    type: { coding: [encounterTypeCoding('bh-intake')] },
    start: intake,
    minutes: 90,
    location: 'loc-bh-alderton',
    performer: counselor.role,
  });
  const sud = condition(ctx, {
    source: 'bh',
    dx: DX[t.sud ?? 'alcohol'],
    category: 'problem-list-item',
    onset: onset(rng.int(180, 3650)),
    recorded: intake,
    encounter: refTo('Encounter', enc.id),
    recorder: counselor.role,
  });
  ctx.concerns.set('substance-use', { source: 'bh', resource: sud });
  if (t.depression || t.anxiety) {
    condition(ctx, {
      source: 'bh',
      dx: t.depression ? DX.depression : DX.anxiety,
      category: 'problem-list-item',
      onset: onset(rng.int(180, 1500)),
      recorded: intake,
      encounter: refTo('Encounter', enc.id),
      recorder: counselor.role,
    });
  }
  const sessions = rng.int(2, 6);
  for (let i = 1; i <= sessions; i++) {
    const day = intakeDay - i * rng.int(7, 21);
    if (day < 1) break;
    encounter(ctx, {
      source: 'bh',
      org: 'bh',
      classCode: 'AMB',
      type: { coding: [encounterTypeCoding('bh-counseling')] },
      start: daysAgo(rng, day),
      minutes: 50,
      location: 'loc-bh-alderton',
      performer: counselor.role,
    });
  }
}
