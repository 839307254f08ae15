/**
 * Writes everything the county's systems hold about one person, source by source, in an order where
 * each step can refer to what earlier steps wrote: records, enrollment, visits, screening, consents,
 * referrals, care plans.
 */
import type { Random } from './random';
import type { IdFactory } from './ids';
import type { SourceKey } from './kith';
import type { Resource } from './fhir';
import type { Person } from './population';
import { sourcePatient } from './source-records';
import { PersonContext } from './person-context';
import { enrollments } from './enrollment';
import { clinicCare, wicVisits } from './visits';
import { behavioralHealth, emergencyVisits, jailBookings } from './acute-care';
import { screenings } from './screening';
import { consents } from './consents';
import { referrals } from './referrals';
import { carePlans, treatmentTeam } from './care-plans';

export interface SharedState {
  /** CalSAWS case numbers are per household: family members share one. */
  cases: Map<number, string>;
  byKey: Map<string, Person>;
}

export interface PersonOutput {
  resources: Resource[];
  patients: Partial<Record<SourceKey, string>>;
}

const LETTERS = 'ABCDEFGHJKLMNPRSTUVWXYZ';

export function personResources(
  root: Random,
  ids: IdFactory,
  person: Person,
  shared: SharedState,
): PersonOutput {
  const rng = root.fork(`person:${person.key}`);
  const cin = person.traits.mediCal ? `${ids.number('9', 7)}${rng.pick(LETTERS.split(''))}` : undefined;
  let householdCase: string | undefined;
  if (person.sources.includes('calsaws')) {
    householdCase = shared.cases.get(person.household) ?? ids.number('', 7);
    shared.cases.set(person.household, householdCase);
  }
  const mother = person.motherKey ? shared.byKey.get(person.motherKey) : undefined;
  const father = person.fatherKey ? shared.byKey.get(person.fatherKey) : undefined;
  const patients: Partial<Record<SourceKey, Resource>> = {};
  for (const source of person.sources) {
    patients[source] = sourcePatient({
      ids,
      rng: rng.fork(`patient:${source}`),
      person,
      source,
      cin,
      mother,
      father,
    });
  }
  const ctx = new PersonContext(person, patients, ids, rng, cin, householdCase);
  for (const source of person.sources) patients[source] = ctx.emit(source, patients[source] as Resource);

  enrollments(ctx);
  clinicCare(ctx);
  wicVisits(ctx);
  emergencyVisits(ctx);
  jailBookings(ctx);
  behavioralHealth(ctx);
  screenings(ctx);
  consents(ctx);
  referrals(ctx);
  carePlans(ctx);
  treatmentTeam(ctx);

  const patientRefs: Partial<Record<SourceKey, string>> = {};
  for (const source of person.sources) patientRefs[source] = `Patient/${(patients[source] as Resource).id}`;
  return { resources: ctx.out, patients: patientRefs };
}
