/**
 * The few FHIR R4 shapes the demo generator needs. Kept loose on purpose (the demo writes plain JSON
 * that the server validates); only the parts the generator reads back are typed.
 */

export interface Coding {
  system?: string;
  code?: string;
  display?: string;
}

export interface CodeableConcept {
  coding?: Coding[];
  text?: string;
}

export interface Reference {
  reference?: string;
  display?: string;
}

export interface Identifier {
  use?: 'usual' | 'official' | 'temp' | 'secondary' | 'old';
  type?: CodeableConcept;
  system?: string;
  value?: string;
  assigner?: Reference;
}

export interface Meta {
  source?: string;
  security?: Coding[];
  tag?: Coding[];
}

export interface Resource {
  resourceType: string;
  id: string;
  meta?: Meta;
  [key: string]: unknown;
}

export interface BundleEntry {
  fullUrl: string;
  resource: Resource;
  request: { method: 'PUT'; url: string };
}

export interface Bundle {
  resourceType: 'Bundle';
  id: string;
  type: 'transaction';
  meta?: Meta;
  entry: BundleEntry[];
}

export const SYSTEM = {
  loinc: 'http://loinc.org',
  snomed: 'http://snomed.info/sct',
  icd10cm: 'http://hl7.org/fhir/sid/icd-10-cm',
  ucum: 'http://unitsofmeasure.org',
  ssn: 'http://hl7.org/fhir/sid/us-ssn',
  npi: 'http://hl7.org/fhir/sid/us-npi',
  v2IdType: 'http://terminology.hl7.org/CodeSystem/v2-0203',
  orgType: 'http://terminology.hl7.org/CodeSystem/organization-type',
  actCode: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
  actReason: 'http://terminology.hl7.org/CodeSystem/v3-ActReason',
  confidentiality: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality',
  participationType: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType',
  obsCategory: 'http://terminology.hl7.org/CodeSystem/observation-category',
  usCoreCategory: 'http://hl7.org/fhir/us/core/CodeSystem/us-core-category',
  usCoreConditionCategory: 'http://hl7.org/fhir/us/core/CodeSystem/condition-category',
  conditionCategory: 'http://terminology.hl7.org/CodeSystem/condition-category',
  conditionClinical: 'http://terminology.hl7.org/CodeSystem/condition-clinical',
  conditionVerification: 'http://terminology.hl7.org/CodeSystem/condition-ver-status',
  sdohcc: 'http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes',
  taskCode: 'http://hl7.org/fhir/CodeSystem/task-code',
  consentScope: 'http://terminology.hl7.org/CodeSystem/consentscope',
  consentAction: 'http://terminology.hl7.org/CodeSystem/consentaction',
  serviceCategory: 'http://terminology.hl7.org/CodeSystem/service-category',
  serviceType: 'http://terminology.hl7.org/CodeSystem/service-type',
  locationPhysicalType: 'http://terminology.hl7.org/CodeSystem/location-physical-type',
  endpointConnectionType: 'http://terminology.hl7.org/CodeSystem/endpoint-connection-type',
  endpointPayloadType: 'http://terminology.hl7.org/CodeSystem/endpoint-payload-type',
  goalAchievement: 'http://terminology.hl7.org/CodeSystem/goal-achievement',
  carePlanCategory: 'http://hl7.org/fhir/us/core/CodeSystem/careplan-category',
  subscriberRelationship: 'http://terminology.hl7.org/CodeSystem/subscriber-relationship',
  coverageClass: 'http://terminology.hl7.org/CodeSystem/coverage-class',
  interpretation: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation',
} as const;

export function coding(system: string, code: string, display?: string): Coding {
  return display === undefined ? { system, code } : { system, code, display };
}

export function concept(system: string, code: string, display?: string, text?: string): CodeableConcept {
  const cc: CodeableConcept = { coding: [coding(system, code, display)] };
  if (text) cc.text = text;
  return cc;
}

export function ref(resource: { resourceType: string; id: string }, display?: string): Reference {
  const r: Reference = { reference: `${resource.resourceType}/${resource.id}` };
  if (display) r.display = display;
  return r;
}

export function refTo(type: string, id: string, display?: string): Reference {
  return ref({ resourceType: type, id }, display);
}

/** `meta.security` labels (HL7 DS4P): a confidentiality code plus sensitivity / policy codes. */
export function securityLabels(confidentiality: 'N' | 'R' | 'V', ...actCodes: string[]): Coding[] {
  const names: Record<string, string> = {
    N: 'normal',
    R: 'restricted',
    V: 'very restricted',
    ETH: 'substance abuse information sensitivity',
    PSY: 'psychiatry disorder information sensitivity',
    HIV: 'HIV/AIDS information sensitivity',
    SDV: 'sexual assault, abuse, or domestic violence information sensitivity',
    '42CFRPart2': '42 CFR Part2',
  };
  return [
    coding(SYSTEM.confidentiality, confidentiality, names[confidentiality]),
    ...actCodes.map((c) => coding(SYSTEM.actCode, c, names[c])),
  ];
}
