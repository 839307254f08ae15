/**
 * The FHIR R4 shapes the mappers produce. Only the elements Kith fills are declared (the project has
 * no FHIR type package); names and cardinalities follow the R4 specification, so these objects are
 * valid R4 JSON and assignable to full R4 types later.
 */
import type { Coding } from '../../terminology';

export type { Coding };

export interface Extension {
  url: string;
  valueString?: string;
  valueCode?: string;
  valueCoding?: Coding;
  valueCodeableConcept?: CodeableConcept;
  valueIdentifier?: Identifier;
  valueDate?: string;
  valueDateTime?: string;
  valueBoolean?: boolean;
  valueMoney?: Money;
  valueReference?: Reference;
  extension?: Extension[];
}

/** A primitive's sibling element (`_birthDate`), used to say why a value is absent. */
export interface PrimitiveExtension {
  extension: Extension[];
}

export interface Meta {
  security?: Coding[];
  tag?: Coding[];
  source?: string;
}

export interface CodeableConcept {
  coding?: Coding[];
  text?: string;
}

export interface Identifier {
  use?: 'usual' | 'official' | 'temp' | 'secondary' | 'old';
  type?: CodeableConcept;
  system?: string;
  value?: string;
  period?: Period;
}

export interface Reference {
  reference?: string;
  identifier?: Identifier;
  display?: string;
}

export interface Period {
  start?: string;
  end?: string;
}

export interface Quantity {
  value?: number;
  comparator?: '<' | '<=' | '>=' | '>';
  unit?: string;
  system?: string;
  code?: string;
}

export interface Money {
  value?: number;
  currency?: string;
}

export interface Range {
  low?: Quantity;
  high?: Quantity;
}

export interface Ratio {
  numerator?: Quantity;
  denominator?: Quantity;
}

export interface HumanName {
  use?: 'usual' | 'official' | 'temp' | 'nickname' | 'anonymous' | 'old' | 'maiden';
  text?: string;
  family?: string;
  given?: string[];
  prefix?: string[];
  suffix?: string[];
  period?: Period;
}

export interface Address {
  use?: 'home' | 'work' | 'temp' | 'old' | 'billing';
  type?: 'postal' | 'physical' | 'both';
  line?: string[];
  city?: string;
  district?: string;
  state?: string;
  postalCode?: string;
  country?: string;
  period?: Period;
}

export interface ContactPoint {
  system?: 'phone' | 'fax' | 'email' | 'pager' | 'url' | 'sms' | 'other';
  value?: string;
  use?: 'home' | 'work' | 'temp' | 'old' | 'mobile';
}

export interface Annotation {
  text: string;
}

interface DomainResource {
  id?: string;
  meta?: Meta;
  extension?: Extension[];
}

export interface Patient extends DomainResource {
  resourceType: 'Patient';
  identifier?: Identifier[];
  active?: boolean;
  name?: HumanName[];
  telecom?: ContactPoint[];
  gender?: 'male' | 'female' | 'other' | 'unknown';
  _gender?: PrimitiveExtension;
  birthDate?: string;
  _birthDate?: PrimitiveExtension;
  deceasedBoolean?: boolean;
  deceasedDateTime?: string;
  address?: Address[];
}

export interface Organization extends DomainResource {
  resourceType: 'Organization';
  identifier?: Identifier[];
  active?: boolean;
  type?: CodeableConcept[];
  name?: string;
  alias?: string[];
  partOf?: Reference;
}

export interface Encounter extends DomainResource {
  resourceType: 'Encounter';
  identifier?: Identifier[];
  status:
    | 'planned'
    | 'arrived'
    | 'triaged'
    | 'in-progress'
    | 'onleave'
    | 'finished'
    | 'cancelled'
    | 'entered-in-error'
    | 'unknown';
  class: Coding;
  type?: CodeableConcept[];
  subject?: Reference;
  episodeOfCare?: Reference[];
  period?: Period;
  hospitalization?: { dischargeDisposition?: CodeableConcept };
  location?: { location: Reference; status?: 'planned' | 'active' | 'reserved' | 'completed' }[];
  serviceProvider?: Reference;
}

export interface EpisodeOfCare extends DomainResource {
  resourceType: 'EpisodeOfCare';
  identifier?: Identifier[];
  status: 'planned' | 'waitlist' | 'active' | 'onhold' | 'finished' | 'cancelled' | 'entered-in-error';
  type?: CodeableConcept[];
  patient: Reference;
  managingOrganization?: Reference;
  period?: Period;
}

export interface Coverage extends DomainResource {
  resourceType: 'Coverage';
  identifier?: Identifier[];
  status: 'active' | 'cancelled' | 'draft' | 'entered-in-error';
  type?: CodeableConcept;
  subscriberId?: string;
  beneficiary: Reference;
  period?: Period;
  payor: Reference[];
  class?: { type: CodeableConcept; value: string; name?: string }[];
}

export interface Observation extends DomainResource {
  resourceType: 'Observation';
  identifier?: Identifier[];
  status:
    | 'registered'
    | 'preliminary'
    | 'final'
    | 'amended'
    | 'corrected'
    | 'cancelled'
    | 'entered-in-error'
    | 'unknown';
  category?: CodeableConcept[];
  code: CodeableConcept;
  subject?: Reference;
  encounter?: Reference;
  effectiveDateTime?: string;
  issued?: string;
  valueQuantity?: Quantity;
  valueCodeableConcept?: CodeableConcept;
  valueString?: string;
  valueBoolean?: boolean;
  valueDateTime?: string;
  valueRange?: Range;
  valueRatio?: Ratio;
  dataAbsentReason?: CodeableConcept;
  interpretation?: CodeableConcept[];
  note?: Annotation[];
  referenceRange?: { low?: Quantity; high?: Quantity; text?: string }[];
  component?: ObservationComponent[];
}

export interface ObservationComponent {
  code: CodeableConcept;
  valueQuantity?: Quantity;
  valueCodeableConcept?: CodeableConcept;
  valueString?: string;
  valueBoolean?: boolean;
  dataAbsentReason?: CodeableConcept;
}

export interface DiagnosticReport extends DomainResource {
  resourceType: 'DiagnosticReport';
  identifier?: Identifier[];
  status:
    | 'registered'
    | 'partial'
    | 'preliminary'
    | 'final'
    | 'amended'
    | 'corrected'
    | 'appended'
    | 'cancelled'
    | 'entered-in-error'
    | 'unknown';
  category?: CodeableConcept[];
  code: CodeableConcept;
  subject?: Reference;
  effectiveDateTime?: string;
  issued?: string;
  result?: Reference[];
}

export interface Procedure extends DomainResource {
  resourceType: 'Procedure';
  identifier?: Identifier[];
  status:
    | 'preparation'
    | 'in-progress'
    | 'not-done'
    | 'on-hold'
    | 'stopped'
    | 'completed'
    | 'entered-in-error'
    | 'unknown';
  category?: CodeableConcept;
  code?: CodeableConcept;
  subject: Reference;
  performedDateTime?: string;
  performedPeriod?: Period;
}

export type Resource =
  Patient | Organization | Encounter | EpisodeOfCare | Coverage | Observation | DiagnosticReport | Procedure;

export type ResourceType = Resource['resourceType'];

export interface BundleEntry {
  fullUrl: string;
  resource?: Resource;
  request: { method: 'PUT' | 'POST' | 'DELETE'; url: string; ifNoneExist?: string };
}

export interface Bundle {
  resourceType: 'Bundle';
  type: 'transaction' | 'batch';
  entry: BundleEntry[];
}
