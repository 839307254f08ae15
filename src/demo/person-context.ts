/**
 * What the per-person generators share while they write one person's records: the person, their
 * source Patients, the resources written so far (so later steps can refer to earlier ones), and
 * helpers to stamp each resource with its source (`meta.source`) and security labels.
 */
import type { Random } from './random';
import type { IdFactory } from './ids';
import { SOURCES, type SourceKey } from './kith';
import { ref, securityLabels, type Coding, type Reference, type Resource } from './fhir';

export const PART2_LABELS = securityLabels('R', 'ETH', '42CFRPart2');
import type { Person } from './population';
import { daysSinceBirth } from './dates';

export type ConcernKey =
  | 'food-insecurity'
  | 'homelessness'
  | 'housing-instability'
  | 'transportation-insecurity'
  | 'unemployment'
  | 'intimate-partner-violence'
  | 'diabetes'
  | 'depression'
  | 'substance-use';

export class PersonContext {
  readonly out: Resource[] = [];
  /** Conditions by what they are about, with the source whose Patient they belong to. */
  readonly concerns = new Map<ConcernKey, { source: SourceKey; resource: Resource }>();
  /** Consents by the organization key that holds them (custodian) and purpose. */
  readonly consents: { source: SourceKey; recipients: string[]; resource: Resource; active: boolean }[] = [];
  readonly referrals: { source: SourceKey; serviceRequest: Resource; task: Resource }[] = [];
  readonly encounters: { source: SourceKey; resource: Resource; start: Date }[] = [];

  constructor(
    readonly person: Person,
    readonly patients: Partial<Record<SourceKey, Resource>>,
    readonly ids: IdFactory,
    private readonly root: Random,
    readonly cin: string | undefined,
    readonly householdCase: string | undefined,
  ) {}

  /** Days the person has been alive on the as-of date: nothing about them is older. */
  get lifeDays(): number {
    return daysSinceBirth(this.person.birthDate);
  }

  rng(step: string): Random {
    return this.root.fork(`${this.person.key}:${step}`);
  }

  has(source: SourceKey): boolean {
    return this.patients[source] !== undefined;
  }

  patientRef(source: SourceKey): Reference {
    const patient = this.patients[source];
    if (!patient) throw new Error(`${this.person.key} has no ${source} record`);
    return ref(patient);
  }

  /**
   * Adds a resource from a source system, stamping meta.source and security labels. Everything from
   * the Part 2 program is labelled restricted, substance-use and 42 CFR Part 2.
   */
  emit(source: SourceKey, resource: Resource, security?: Coding[]): Resource {
    const labels = security ?? (source === 'bh' ? PART2_LABELS : undefined);
    const { resourceType, id, meta: _previous, ...rest } = resource;
    const stamped: Resource = {
      resourceType,
      id,
      meta: { source: SOURCES[source].metaSource, ...(labels?.length ? { security: labels } : {}) },
      ...rest,
    };
    this.out.push(stamped);
    return stamped;
  }
}
