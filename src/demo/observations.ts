/** Measurements taken at visits: vital signs, growth, lab values and screening scores (LOINC, UCUM). */
import { coding, concept, SYSTEM, securityLabels, type Reference } from './fhir';
import { isoDateTime } from './dates';
import type { PersonContext } from './person-context';
import type { SourceKey } from './kith';
import type { Random } from './random';

type Category = 'vital-signs' | 'laboratory' | 'survey';

const CATEGORY_DISPLAY: Record<Category, string> = {
  'vital-signs': 'Vital Signs',
  laboratory: 'Laboratory',
  survey: 'Survey',
};

interface Measure {
  loinc: string;
  display: string;
  unit: string;
  ucum: string;
  category: Category;
}

export const MEASURES = {
  weight: { loinc: '29463-7', display: 'Body weight', unit: 'kg', ucum: 'kg', category: 'vital-signs' },
  height: { loinc: '8302-2', display: 'Body height', unit: 'cm', ucum: 'cm', category: 'vital-signs' },
  bmi: {
    loinc: '39156-5',
    display: 'Body mass index (BMI) [Ratio]',
    unit: 'kg/m2',
    ucum: 'kg/m2',
    category: 'vital-signs',
  },
  heartRate: {
    loinc: '8867-4',
    display: 'Heart rate',
    unit: 'beats/minute',
    ucum: '/min',
    category: 'vital-signs',
  },
  hba1c: {
    loinc: '4548-4',
    display: 'Hemoglobin A1c/Hemoglobin.total in Blood',
    unit: '%',
    ucum: '%',
    category: 'laboratory',
  },
  hemoglobin: {
    loinc: '718-7',
    display: 'Hemoglobin [Mass/volume] in Blood',
    unit: 'g/dL',
    ucum: 'g/dL',
    category: 'laboratory',
  },
  phq9: {
    loinc: '44261-6',
    display: 'Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]',
    unit: '{score}',
    ucum: '{score}',
    category: 'survey',
  },
} as const satisfies Record<string, Measure>;

export interface VisitInfo {
  source: SourceKey;
  encounter: Reference;
  performer: Reference;
  at: Date;
}

export function quantityObservation(
  ctx: PersonContext,
  visit: VisitInfo,
  m: Measure,
  value: number,
  decimals = 1,
) {
  const rounded = Math.round(value * 10 ** decimals) / 10 ** decimals;
  const sensitive = m === MEASURES.phq9 ? securityLabels('R', 'PSY') : undefined;
  return ctx.emit(
    visit.source,
    {
      resourceType: 'Observation',
      id: ctx.ids.next('obs'),
      status: 'final',
      category: [concept(SYSTEM.obsCategory, m.category, CATEGORY_DISPLAY[m.category])],
      code: { coding: [coding(SYSTEM.loinc, m.loinc, m.display)], text: m.display },
      subject: ctx.patientRef(visit.source),
      encounter: visit.encounter,
      effectiveDateTime: isoDateTime(visit.at),
      performer: [visit.performer],
      valueQuantity: { value: rounded, unit: m.unit, system: SYSTEM.ucum, code: m.ucum },
    },
    sensitive,
  );
}

export function bloodPressure(ctx: PersonContext, visit: VisitInfo, systolic: number, diastolic: number) {
  const component = (code: string, display: string, value: number) => ({
    code: { coding: [coding(SYSTEM.loinc, code, display)] },
    valueQuantity: { value, unit: 'mmHg', system: SYSTEM.ucum, code: 'mm[Hg]' },
  });
  return ctx.emit(visit.source, {
    resourceType: 'Observation',
    id: ctx.ids.next('obs'),
    status: 'final',
    category: [concept(SYSTEM.obsCategory, 'vital-signs', 'Vital Signs')],
    code: {
      coding: [coding(SYSTEM.loinc, '85354-9', 'Blood pressure panel with all children optional')],
      text: 'Blood pressure',
    },
    subject: ctx.patientRef(visit.source),
    encounter: visit.encounter,
    effectiveDateTime: isoDateTime(visit.at),
    performer: [visit.performer],
    component: [
      component('8480-6', 'Systolic blood pressure', systolic),
      component('8462-4', 'Diastolic blood pressure', diastolic),
    ],
  });
}

/** A person's stable build: height for age, and a body-mass index that fits their conditions. */
export function bodyOf(rng: Random, age: number, gender: 'male' | 'female', obese: boolean) {
  const adultHeight = gender === 'male' ? rng.int(160, 190) : rng.int(150, 176);
  let height: number;
  if (age < 2) height = 50 + age * 25 + rng.int(-3, 3);
  else if (age < 18) height = Math.min(adultHeight, 75 + age * 6 + rng.int(-5, 5));
  else height = adultHeight;
  const bmi =
    age < 18 ? 14 + rng.next() * (obese ? 10 : 6) : obese ? 30 + rng.next() * 9 : 19 + rng.next() * 10;
  return { height, bmi };
}

/** Growth and vitals taken at one visit. */
export function vitals(
  ctx: PersonContext,
  visit: VisitInfo,
  rng: Random,
  ageAtVisit: number,
  first: boolean,
) {
  const p = ctx.person;
  const body = bodyOf(ctx.rng('body'), ageAtVisit, p.gender, p.traits.obesity);
  const bmi = body.bmi * (0.97 + rng.next() * 0.06);
  const weight = bmi * (body.height / 100) ** 2;
  // Adults' height is measured once; children's at every visit.
  if (first || ageAtVisit < 18) quantityObservation(ctx, visit, MEASURES.height, body.height, 0);
  quantityObservation(ctx, visit, MEASURES.weight, weight);
  if (ageAtVisit >= 2) quantityObservation(ctx, visit, MEASURES.bmi, bmi);
  if (ageAtVisit >= 12) {
    const high = p.traits.hypertension;
    bloodPressure(
      ctx,
      visit,
      high ? rng.int(134, 168) : rng.int(102, 129),
      high ? rng.int(84, 102) : rng.int(62, 83),
    );
    quantityObservation(ctx, visit, MEASURES.heartRate, rng.int(58, 102), 0);
  }
}
