/**
 * Encounters and what is recorded at them in the county clinic and at WIC: primary-care visits with
 * vitals, labs and the problem list (including sensitive diagnoses), and WIC certification visits.
 */
import { coding, concept, refTo, SYSTEM, type CodeableConcept, type Reference, type Resource } from './fhir';
import type { OrgKey, SourceKey } from './kith';
import { addDays, addMinutes, ageOn, daysAgo, daysWithin, isoDate, isoDateTime, maxDate } from './dates';
import { orgRef } from './organizations';
import { staffRef } from './staff';
import { encounterTypeCoding } from './terminology';
import { condition, DX, type Dx } from './conditions';
import { MEASURES, quantityObservation, vitals, type VisitInfo } from './observations';
import type { PersonContext } from './person-context';

export interface EncounterSpec {
  source: SourceKey;
  org: OrgKey;
  classCode: 'AMB' | 'EMER' | 'FLD';
  type: CodeableConcept;
  start: Date;
  minutes?: number;
  location: string;
  performer?: Reference;
  identifier?: { system: string; value: string };
  reason?: CodeableConcept;
  inProgress?: boolean;
  dischargedHome?: boolean;
}

const CLASS_DISPLAY = { AMB: 'ambulatory', EMER: 'emergency', FLD: 'field' };

export function encounter(ctx: PersonContext, spec: EncounterSpec): Resource {
  const end =
    spec.minutes !== undefined && !spec.inProgress ? addMinutes(spec.start, spec.minutes) : undefined;
  const resource = ctx.emit(spec.source, {
    resourceType: 'Encounter',
    id: ctx.ids.next('enc'),
    ...(spec.identifier ? { identifier: [spec.identifier] } : {}),
    status: spec.inProgress ? 'in-progress' : 'finished',
    class: coding(SYSTEM.actCode, spec.classCode, CLASS_DISPLAY[spec.classCode]),
    type: [spec.type],
    subject: ctx.patientRef(spec.source),
    ...(spec.performer
      ? {
          participant: [
            {
              type: [concept(SYSTEM.participationType, 'PPRF', 'primary performer')],
              individual: spec.performer,
            },
          ],
        }
      : {}),
    period: { start: isoDateTime(spec.start), ...(end ? { end: isoDateTime(end) } : {}) },
    ...(spec.reason ? { reasonCode: [spec.reason] } : {}),
    ...(spec.dischargedHome
      ? {
          hospitalization: {
            dischargeDisposition: concept(
              'http://terminology.hl7.org/CodeSystem/discharge-disposition',
              'home',
              'Home',
            ),
          },
        }
      : {}),
    location: [{ location: refTo('Location', spec.location) }],
    serviceProvider: orgRef(spec.org),
  });
  ctx.encounters.push({ source: spec.source, resource, start: spec.start });
  return resource;
}

const VISIT_TYPES: readonly (readonly [string, string])[] = [
  ['185349003', 'Encounter for check up'],
  ['185345009', 'Encounter for symptom'],
  ['390906007', 'Follow-up encounter'],
];

/** Clinic visits spread over two years, vitals at each, and the problem list at the first. */
export function clinicCare(ctx: PersonContext): void {
  if (!ctx.has('clinic')) return;
  const p = ctx.person;
  const t = p.traits;
  const rng = ctx.rng('clinic');
  const chronic = [t.diabetes, t.hypertension, t.asthma, t.depression, t.hiv, t.smi].filter(Boolean).length;
  const count = Math.min(6, rng.int(1, 2) + chronic + (t.ecm ? 1 : 0));
  const days = Array.from({ length: count }, () => daysWithin(rng, 3, 720, ctx.lifeDays)).sort(
    (a, b) => b - a,
  );
  const doctor = staffRef('clinic', 'edit');
  const visits: VisitInfo[] = days.map((d, i) => {
    const start = daysAgo(rng, d);
    const [code, display] = i === 0 ? VISIT_TYPES[0] : rng.pick(VISIT_TYPES);
    const enc = encounter(ctx, {
      source: 'clinic',
      org: 'clinic',
      classCode: 'AMB',
      type: concept(SYSTEM.snomed, code, display),
      start,
      minutes: rng.int(15, 40),
      location: rng.chance(0.75) ? 'loc-clinic-alderton' : 'loc-clinic-millbrook',
      performer: doctor.role,
    });
    return { source: 'clinic', encounter: refTo('Encounter', enc.id), performer: doctor.role, at: start };
  });
  visits.forEach((visit, i) => {
    const age = ageOn(p.birthDate, isoDate(visit.at));
    if (age >= 0) vitals(ctx, visit, rng, age, i === 0);
    if (t.diabetes) quantityObservation(ctx, visit, MEASURES.hba1c, 6.4 + rng.next() * 3.2);
    if (t.depression && age >= 12) quantityObservation(ctx, visit, MEASURES.phq9, rng.int(8, 22), 0);
  });
  problemList(ctx, visits[0]);
}

function problemList(ctx: PersonContext, first: VisitInfo): void {
  const p = ctx.person;
  const t = p.traits;
  const rng = ctx.rng('problems');
  const add = (dx: Dx, yearsBefore = 0, note?: string) =>
    condition(ctx, {
      source: 'clinic',
      dx,
      category: 'problem-list-item',
      onset: maxDate(addDays(first.at, -rng.int(0, yearsBefore * 365)), new Date(`${p.birthDate}T12:00:00Z`)),
      recorded: first.at,
      encounter: first.encounter,
      recorder: first.performer,
      note,
    });
  if (t.diabetes) ctx.concerns.set('diabetes', { source: 'clinic', resource: add(DX.diabetes, 6) });
  if (t.hypertension) add(DX.hypertension, 8);
  if (t.asthma) add(DX.asthma, Math.max(0, Math.min(10, p.age - 1)));
  if (t.obesity && p.age >= 12) add(DX.obesity, 3);
  if (t.depression) {
    const dx = rng.chance(0.4) ? DX.depressionRecurrent : DX.depression;
    ctx.concerns.set('depression', { source: 'clinic', resource: add(dx, 2) });
  }
  if (t.anxiety) add(t.dv && rng.chance(0.5) ? DX.ptsd : DX.anxiety, 2);
  if (t.smi) add(DX.schizophrenia, 10);
  if (t.hiv) add(DX.hiv, 7, 'On antiretroviral therapy; viral load undetectable at last check.');
  if (t.dv) {
    const dv = add(DX.abuseHistory, 1, 'Disclosed intimate partner violence; safety plan reviewed.');
    ctx.concerns.set('intimate-partner-violence', { source: 'clinic', resource: dv });
  }
  if (t.pregnant) add(DX.pregnancy, 0);
  // The clinic knows about some substance use that is not treated in the Part 2 program.
  if (t.sud && !t.sudTreatment && rng.chance(0.5)) {
    const dx = DX[t.sud];
    ctx.concerns.set('substance-use', { source: 'clinic', resource: add(dx, 3) });
  }
}

/** WIC certification visits: growth for children, hemoglobin for children over one and for mothers. */
export function wicVisits(ctx: PersonContext): void {
  if (!ctx.has('wic')) return;
  const p = ctx.person;
  const rng = ctx.rng('wic');
  const nutritionist = staffRef('ph', 'edit');
  const count = rng.int(1, 2);
  for (let i = 0; i < count; i++) {
    const start = daysAgo(rng, daysWithin(rng, 1, 540, ctx.lifeDays));
    const age = ageOn(p.birthDate, isoDate(start));
    if (age < 0) continue;
    const enc = encounter(ctx, {
      source: 'wic',
      org: 'ph',
      classCode: 'AMB',
      type: { coding: [encounterTypeCoding('wic-certification')] },
      start,
      minutes: 30,
      location: rng.chance(0.6) ? 'loc-wic-millbrook' : 'loc-wic-esperanza',
      performer: nutritionist.role,
    });
    const visit: VisitInfo = {
      source: 'wic',
      encounter: refTo('Encounter', enc.id),
      performer: nutritionist.role,
      at: start,
    };
    vitals(ctx, visit, rng, age, true);
    if (age >= 1) quantityObservation(ctx, visit, MEASURES.hemoglobin, 10.4 + rng.next() * 3.2);
  }
}
