/**
 * Social-needs screening as Gravity's workflow records it: a QuestionnaireResponse, one Observation
 * per answer (plus the Hunger Vital Sign risk), and a health-concern Condition for each positive
 * domain, with the Observations as evidence.
 */
import {
  coding,
  concept,
  refTo,
  SYSTEM,
  securityLabels,
  type Coding,
  type Reference,
  type Resource,
} from './fhir';
import type { SourceKey } from './kith';
import { addDays, daysAgo, isoDateTime } from './dates';
import { staffRef } from './staff';
import {
  ANSWER,
  SCREEN_ITEMS,
  SCREEN_URL,
  SCREEN_VERSION,
  type ScreenItem,
  type SdohDomain,
} from './questionnaire';
import type { ConcernKey, PersonContext } from './person-context';
import type { Random } from './random';

const SCREENING_ORG = { clinic: 'clinic', hmis: 'shelter', calsaws: 'dss', foodbank: 'foodbank' } as const;
type ScreeningSource = keyof typeof SCREENING_ORG;

const DOMAIN_DISPLAY: Record<SdohDomain, string> = {
  'food-insecurity': 'Food Insecurity',
  homelessness: 'Homelessness',
  'housing-instability': 'Housing Instability',
  'transportation-insecurity': 'Transportation Insecurity',
  'employment-status': 'Employment Status',
  'intimate-partner-violence': 'Intimate Partner Violence',
};

const sdvLabels = () => securityLabels('R', 'SDV');

function answersFor(ctx: PersonContext, rng: Random): Map<string, Coding> {
  const p = ctx.person;
  const t = p.traits;
  const a = new Map<string, Coding>();
  if (t.foodInsecure) {
    a.set('88122-7', rng.chance(0.5) ? ANSWER.often : ANSWER.sometimes);
    a.set('88123-5', rng.pick([ANSWER.often, ANSWER.sometimes, ANSWER.never]));
  } else {
    a.set('88122-7', rng.chance(0.05) ? ANSWER.dontKnow : ANSWER.never);
    a.set('88123-5', ANSWER.never);
  }
  a.set('71802-3', t.homeless ? ANSWER.noHousing : rng.chance(0.03) ? ANSWER.decline : ANSWER.haveHousing);
  if (!t.homeless) a.set('93033-9', t.housingUnstable ? ANSWER.yes : ANSWER.no);
  a.set('93030-5', t.transportation ? rng.pick([ANSWER.transportMedical, ANSWER.transportOther]) : ANSWER.no);
  if (p.age >= 65) a.set('67875-5', ANSWER.notSeeking);
  else if (t.unemployed) a.set('67875-5', ANSWER.unemployed);
  else a.set('67875-5', rng.pick([ANSWER.fullTime, ANSWER.partTime, ANSWER.partTime, ANSWER.notSeeking]));
  if (t.dv) {
    a.set('93026-3', rng.chance(0.2) ? ANSWER.decline : rng.chance(0.6) ? ANSWER.no : ANSWER.unsure);
    a.set('76501-6', rng.chance(0.25) ? ANSWER.decline : ANSWER.yes);
  } else {
    a.set('93026-3', ANSWER.yes);
    a.set('76501-6', ANSWER.no);
  }
  return a;
}

const isPositive = (item: ScreenItem, answer: Coding) => item.positive.includes(answer.code ?? '');

function observation(
  ctx: PersonContext,
  source: SourceKey,
  o: {
    code: Coding;
    domain: SdohDomain;
    value: Coding;
    at: Date;
    patient: Reference;
    derivedFrom: Reference[];
    interpretation?: 'POS' | 'NEG';
    sensitive: boolean;
  },
): Resource {
  return ctx.emit(
    source,
    {
      resourceType: 'Observation',
      id: ctx.ids.next('obs'),
      status: 'final',
      category: [
        concept(SYSTEM.obsCategory, 'survey', 'Survey'),
        concept(SYSTEM.usCoreCategory, 'sdoh', 'SDOH'),
        concept(SYSTEM.sdohcc, o.domain, DOMAIN_DISPLAY[o.domain]),
      ],
      code: { coding: [o.code] },
      subject: o.patient,
      effectiveDateTime: isoDateTime(o.at),
      issued: isoDateTime(o.at),
      performer: [o.patient],
      valueCodeableConcept: { coding: [o.value] },
      ...(o.interpretation
        ? {
            interpretation: [
              concept(
                SYSTEM.interpretation,
                o.interpretation,
                o.interpretation === 'POS' ? 'Positive' : 'Negative',
              ),
            ],
          }
        : {}),
      derivedFrom: o.derivedFrom,
    },
    o.sensitive ? sdvLabels() : undefined,
  );
}

interface ConcernDef {
  key: ConcernKey;
  domain: SdohDomain;
  icd: [string, string];
  snomed?: [string, string];
}

function concernFor(domain: SdohDomain, ctx: PersonContext): ConcernDef | undefined {
  const t = ctx.person.traits;
  switch (domain) {
    case 'food-insecurity':
      return {
        key: 'food-insecurity',
        domain,
        icd: ['Z59.41', 'Food insecurity'],
        snomed: ['733423003', 'Food insecurity'],
      };
    case 'homelessness':
      return {
        key: 'homelessness',
        domain,
        icd:
          t.homeless === 'unsheltered'
            ? ['Z59.02', 'Unsheltered homelessness']
            : ['Z59.01', 'Sheltered homelessness'],
        snomed: ['32911000', 'Homeless'],
      };
    case 'housing-instability':
      return {
        key: 'housing-instability',
        domain,
        icd: ['Z59.811', 'Housing instability, housed, with risk of homelessness'],
      };
    case 'transportation-insecurity':
      return { key: 'transportation-insecurity', domain, icd: ['Z59.82', 'Transportation insecurity'] };
    case 'employment-status':
      return { key: 'unemployment', domain, icd: ['Z56.0', 'Unemployment, unspecified'] };
    case 'intimate-partner-violence':
      return {
        key: 'intimate-partner-violence',
        domain,
        icd: ['Z91.419', 'Personal history of unspecified adult abuse'],
      };
  }
}

function healthConcern(
  ctx: PersonContext,
  source: SourceKey,
  def: ConcernDef,
  at: Date,
  evidence: Resource[],
  recorder: Reference,
): void {
  if (ctx.concerns.has(def.key)) return;
  const codings = [coding(SYSTEM.icd10cm, ...def.icd)];
  if (def.snomed) codings.unshift(coding(SYSTEM.snomed, ...def.snomed));
  const resource = ctx.emit(
    source,
    {
      resourceType: 'Condition',
      id: ctx.ids.next('cond'),
      clinicalStatus: concept(SYSTEM.conditionClinical, 'active', 'Active'),
      verificationStatus: concept(SYSTEM.conditionVerification, 'unconfirmed', 'Unconfirmed'),
      category: [
        concept(SYSTEM.usCoreConditionCategory, 'health-concern', 'Health Concern'),
        concept(SYSTEM.usCoreCategory, 'sdoh', 'SDOH'),
        concept(SYSTEM.sdohcc, def.domain, DOMAIN_DISPLAY[def.domain]),
      ],
      code: { coding: codings, text: def.icd[1] },
      subject: ctx.patientRef(source),
      onsetDateTime: isoDateTime(at),
      recordedDate: isoDateTime(at),
      recorder,
      evidence: [{ detail: evidence.map((e) => refTo('Observation', e.id)) }],
    },
    def.domain === 'intimate-partner-violence' ? sdvLabels() : undefined,
  );
  ctx.concerns.set(def.key, { source, resource });
}

function screen(ctx: PersonContext, source: ScreeningSource, at: Date, rng: Random): void {
  const author = staffRef(SCREENING_ORG[source], 'exchange');
  const patient = ctx.patientRef(source);
  const answers = answersFor(ctx, rng);
  const visit = ctx.encounters.filter((e) => e.source === source && e.start.getTime() <= at.getTime()).at(-1);
  const dvPositive = SCREEN_ITEMS.some(
    (i) =>
      i.domain === 'intimate-partner-violence' &&
      answers.has(i.linkId) &&
      isPositive(i, answers.get(i.linkId)!),
  );
  const qr = ctx.emit(
    source,
    {
      resourceType: 'QuestionnaireResponse',
      id: ctx.ids.next('qr'),
      questionnaire: `${SCREEN_URL}|${SCREEN_VERSION}`,
      status: 'completed',
      subject: patient,
      ...(visit ? { encounter: refTo('Encounter', visit.resource.id) } : {}),
      authored: isoDateTime(at),
      author: author.role,
      source: patient,
      item: SCREEN_ITEMS.filter((i) => answers.has(i.linkId)).map((i) => ({
        linkId: i.linkId,
        text: i.text,
        answer: [{ valueCoding: answers.get(i.linkId) }],
      })),
    },
    dvPositive ? sdvLabels() : undefined,
  );
  const fromQr = [refTo('QuestionnaireResponse', qr.id)];
  const positives = new Map<SdohDomain, Resource[]>();
  const foodAnswers: Resource[] = [];
  for (const item of SCREEN_ITEMS) {
    const value = answers.get(item.linkId);
    if (!value || value.code === ANSWER.decline.code) continue;
    const positive = isPositive(item, value);
    const obs = observation(ctx, source, {
      code: coding(SYSTEM.loinc, item.linkId, item.display),
      domain: item.domain,
      value,
      at,
      patient,
      derivedFrom: fromQr,
      sensitive: positive && item.domain === 'intimate-partner-violence',
    });
    if (item.domain === 'food-insecurity') foodAnswers.push(obs);
    if (positive) positives.set(item.domain, [...(positives.get(item.domain) ?? []), obs]);
  }
  if (foodAnswers.length) {
    const atRisk = positives.has('food-insecurity');
    const risk = observation(ctx, source, {
      code: coding(SYSTEM.loinc, '88124-3', 'Food insecurity risk [HVS]'),
      domain: 'food-insecurity',
      value: atRisk ? ANSWER.atRisk : ANSWER.noRisk,
      at,
      patient,
      derivedFrom: [...fromQr, ...foodAnswers.map((o) => refTo('Observation', o.id))],
      interpretation: atRisk ? 'POS' : 'NEG',
      sensitive: false,
    });
    if (atRisk) positives.set('food-insecurity', [risk]);
  }
  for (const [domain, evidence] of positives) {
    const def = concernFor(domain, ctx);
    if (def) healthConcern(ctx, source, def, at, evidence, author.role);
  }
}

/** Adults are screened once where they first met the system, some a second time elsewhere. */
export function screenings(ctx: PersonContext): void {
  if (ctx.person.age < 18) return;
  const rng = ctx.rng('screening');
  const order: ScreeningSource[] = ['clinic', 'hmis', 'calsaws', 'foodbank'];
  const chance: Record<ScreeningSource, number> = { clinic: 0.75, hmis: 0.85, calsaws: 0.35, foodbank: 0.5 };
  const places = order.filter((s) => ctx.has(s) && rng.chance(chance[s]));
  if (places.length === 0) return;
  const first = daysAgo(rng, rng.int(30, 400));
  screen(ctx, places[0], first, rng);
  if (places.length > 1 && rng.chance(0.25)) screen(ctx, places[1], addDays(first, rng.int(14, 25)), rng);
}
