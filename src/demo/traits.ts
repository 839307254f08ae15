/**
 * Circumstances of each resident (programs, needs, health conditions) and, from them, which source
 * systems hold a record of the person (1 to 4). Rare but important cases (HIV, domestic violence,
 * Part 2 treatment) get a minimum count so every demo county contains them.
 */
import type { Random } from './random';
import type { SourceKey } from './kith';
import type { Person } from './population';

export type Substance = 'alcohol' | 'opioid' | 'stimulant' | 'cannabis' | 'cocaine';

export interface Traits {
  mediCal: boolean;
  calfresh: boolean;
  calworks: boolean;
  generalAssistance: boolean;
  wic: boolean;
  pregnant: boolean;
  homeless?: 'sheltered' | 'unsheltered';
  housingUnstable: boolean;
  eviction: boolean;
  justice: boolean;
  sud?: Substance;
  /** In the county's Part 2 substance-use program (a record in the behavioral-health source). */
  sudTreatment: boolean;
  depression: boolean;
  anxiety: boolean;
  smi: boolean;
  hiv: boolean;
  dv: boolean;
  diabetes: boolean;
  hypertension: boolean;
  asthma: boolean;
  obesity: boolean;
  edUser: boolean;
  foodInsecure: boolean;
  transportation: boolean;
  unemployed: boolean;
  ecm: boolean;
}

const SOURCE_PRIORITY: SourceKey[] = [
  'bh',
  'jail',
  'hmis',
  'wic',
  'clinic',
  'calsaws',
  'hospital',
  'foodbank',
];

function baseTraits(rng: Random, p: Person, household: Person[]): Traits {
  const adult = p.age >= 18;
  const homelessHousehold = !p.address;
  const t: Traits = {
    mediCal: rng.chance(p.age >= 65 ? 0.6 : 0.82),
    calfresh: false,
    calworks: false,
    generalAssistance: false,
    wic: false,
    pregnant: p.gender === 'female' && p.age >= 18 && p.age <= 40 && rng.chance(0.08),
    homeless: homelessHousehold ? (rng.chance(0.6) ? 'sheltered' : 'unsheltered') : undefined,
    housingUnstable: !homelessHousehold && rng.chance(0.14),
    eviction: false,
    justice: adult && p.age < 62 && rng.chance(p.gender === 'male' ? 0.14 : 0.05),
    sudTreatment: false,
    depression: adult && rng.chance(0.13),
    anxiety: p.age >= 12 && rng.chance(0.08),
    smi: adult && rng.chance(0.025),
    hiv: false,
    dv: false,
    diabetes: p.age >= 35 && rng.chance(p.age >= 50 ? 0.22 : 0.1),
    hypertension: p.age >= 35 && rng.chance(p.age >= 50 ? 0.35 : 0.15),
    asthma: rng.chance(0.08),
    obesity: p.age >= 12 && rng.chance(0.25),
    edUser: rng.chance(0.15),
    foodInsecure: rng.chance(homelessHousehold ? 0.8 : 0.35),
    transportation: adult && rng.chance(0.18),
    unemployed: adult && p.age < 65 && rng.chance(homelessHousehold ? 0.7 : 0.22),
    ecm: false,
  };
  if (homelessHousehold) t.justice = t.justice || (adult && rng.chance(0.15));
  if (adult) {
    const risk = 0.07 + (t.homeless ? 0.2 : 0) + (t.justice ? 0.25 : 0);
    if (rng.chance(risk)) {
      t.sud = rng.weighted([
        ['alcohol', 35],
        ['stimulant', 25],
        ['opioid', 22],
        ['cannabis', 12],
        ['cocaine', 6],
      ] as const);
      t.sudTreatment = rng.chance(0.6);
    }
  }
  if (t.homeless || t.sud) t.edUser = t.edUser || rng.chance(0.45);
  t.eviction = t.housingUnstable && rng.chance(0.4);
  const hasKids = household.some((m) => m.age < 18);
  t.generalAssistance = adult && !hasKids && (t.homeless !== undefined || t.unemployed) && rng.chance(0.3);
  t.wic = (p.age < 5 && t.mediCal && rng.chance(0.75)) || t.pregnant;
  return t;
}

/** Exactly-enough selection for rare traits: at least `min` people among the eligible. */
function ensureAtLeast(
  rng: Random,
  persons: Person[],
  min: number,
  has: (p: Person) => boolean,
  eligible: (p: Person) => boolean,
  set: (p: Person) => void,
) {
  const current = persons.filter(has).length;
  if (current >= min) return;
  for (const p of rng.sample(
    persons.filter((x) => !has(x) && eligible(x)),
    min - current,
  ))
    set(p);
}

function sourcesOf(rng: Random, p: Person): SourceKey[] {
  const t = p.traits;
  const wanted = new Set<SourceKey>();
  if (t.sudTreatment) wanted.add('bh');
  if (t.justice) wanted.add('jail');
  if (t.homeless || (t.housingUnstable && rng.chance(0.2))) wanted.add('hmis');
  if (t.wic) wanted.add('wic');
  if (t.hiv || t.ecm || t.dv || rng.chance(p.age < 18 ? 0.75 : 0.6)) wanted.add('clinic');
  if (t.calfresh || t.calworks || t.generalAssistance || (t.mediCal && rng.chance(0.5)))
    wanted.add('calsaws');
  if (t.edUser) wanted.add('hospital');
  if (t.foodInsecure && rng.chance(0.5)) wanted.add('foodbank');
  const kept = SOURCE_PRIORITY.filter((s) => wanted.has(s)).slice(0, 4);
  if (kept.length === 0) kept.push(rng.chance(0.6) ? 'calsaws' : 'clinic');
  // Keep a stable, readable order (the order sources are written below is the bundle order too).
  return SOURCE_PRIORITY.filter((s) => kept.includes(s));
}

export function assignTraits(rng: Random, persons: Person[]): void {
  const byHousehold = new Map<number, Person[]>();
  for (const p of persons) byHousehold.set(p.household, [...(byHousehold.get(p.household) ?? []), p]);
  for (const p of persons)
    p.traits = baseTraits(rng.fork(`traits:${p.key}`), p, byHousehold.get(p.household) ?? []);

  // CalFresh and CalWORKs are household cases: decided once per household, shared by its members.
  for (const [household, members] of byHousehold) {
    const hrng = rng.fork(`household:${household}`);
    const hungry = members.some((m) => m.traits.foodInsecure);
    const calfresh = hrng.chance(hungry ? 0.55 : 0.2);
    const calworks = members.some((m) => m.age < 18) && hrng.chance(0.3);
    for (const m of members) Object.assign(m.traits, { calfresh, calworks });
  }
  const n = persons.length;
  const adult = (p: Person) => p.age >= 18;
  ensureAtLeast(
    rng.fork('quota:hiv'),
    persons,
    Math.max(2, Math.round(n * 0.012)),
    (p) => p.traits.hiv,
    adult,
    (p) => {
      p.traits.hiv = true;
    },
  );
  ensureAtLeast(
    rng.fork('quota:dv'),
    persons,
    Math.max(3, Math.round(n * 0.04)),
    (p) => p.traits.dv,
    (p) => adult(p) && p.age < 60 && (p.gender === 'female' || p.index % 5 === 0),
    (p) => {
      p.traits.dv = true;
    },
  );
  ensureAtLeast(
    rng.fork('quota:part2'),
    persons,
    Math.max(3, Math.round(n * 0.04)),
    (p) => p.traits.sudTreatment,
    (p) => adult(p) && p.age < 70,
    (p) => {
      p.traits.sud = p.traits.sud ?? 'alcohol';
      p.traits.sudTreatment = true;
    },
  );
  for (const p of persons) {
    const t = p.traits;
    const complex = [t.homeless, t.sud, t.smi || t.depression, t.edUser, t.justice, t.hiv].filter(
      Boolean,
    ).length;
    t.ecm = t.mediCal && adult(p) && complex >= 2;
    if (t.dv && adult(p)) t.anxiety = t.anxiety || rng.fork(`ptsd:${p.key}`).chance(0.4);
  }
  for (const p of persons) p.sources = sourcesOf(rng.fork(`sources:${p.key}`), p);
}
