import type { Coding, Extension, Resource } from '@medplum/fhirtypes';
import { KITH_FHIR_BASE, SYSTEMS, kithExtension } from '../../terminology';
import { CONFIDENTIALITY_ORDER, type ConfidentialityCode, type LabelDefinition } from './schema';

/** HL7 DS4P extensions on a `meta.security` Coding. */
export const DS4P = {
  classifier: 'http://hl7.org/fhir/uv/security-label-ds4p/StructureDefinition/extension-sec-label-classifier',
  basis: 'http://hl7.org/fhir/uv/security-label-ds4p/StructureDefinition/extension-sec-label-basis',
} as const;

/** Identifier system of Kith segmentation rules: the classifier's identifier value is `ruleId|version`. */
export const RULE_IDENTIFIER_SYSTEM = `${KITH_FHIR_BASE}/sid/segmentation-rule`;

/** Kith extension on a propagated label's Coding: the resource the label was copied from. */
export const LABEL_SOURCE_EXTENSION = kithExtension('security-label-source');

/** Kith extension on `meta`: the organization whose record this is (the policy's "own records"). */
export const CUSTODIAN_EXTENSION = kithExtension('custodian');

export const CONFIDENTIALITY_SYSTEM = SYSTEMS.v3Confidentiality;
export const ACT_CODE_SYSTEM = SYSTEMS.v3ActCode;

const CONFIDENTIALITY_DISPLAY: Record<ConfidentialityCode, string> = {
  U: 'unrestricted',
  L: 'low',
  M: 'moderate',
  N: 'normal',
  R: 'restricted',
  V: 'very restricted',
};

export function isConfidentiality(c: Coding): boolean {
  return c.system === CONFIDENTIALITY_SYSTEM && CONFIDENTIALITY_ORDER.includes(c.code as ConfidentialityCode);
}

export function confidentialityRank(code: string | undefined): number {
  return code ? CONFIDENTIALITY_ORDER.indexOf(code as ConfidentialityCode) : -1;
}

/** Who set a label: the rule and rule-set version, read back from the DS4P classifier. */
export interface LabelOrigin {
  ruleId: string;
  ruleVersion: string;
}

export function labelOrigin(c: Coding): LabelOrigin | undefined {
  const ext = c.extension?.find((e) => e.url === DS4P.classifier);
  const id = ext?.valueReference?.identifier;
  if (id?.system !== RULE_IDENTIFIER_SYSTEM || !id.value) return undefined;
  const bar = id.value.lastIndexOf('|');
  if (bar <= 0) return undefined;
  return { ruleId: id.value.slice(0, bar), ruleVersion: id.value.slice(bar + 1) };
}

/** The Coding of a label set by a rule, carrying the DS4P classifier (and basis, and source when copied). */
export function ruleLabelCoding(
  code: string,
  def: LabelDefinition,
  origin: LabelOrigin & { rulesId: string; basis?: Coding; from?: string },
): Coding {
  const extension: Extension[] = [
    {
      url: DS4P.classifier,
      valueReference: {
        identifier: { system: RULE_IDENTIFIER_SYSTEM, value: `${origin.ruleId}|${origin.ruleVersion}` },
        display: `Kith segmentation rule ${origin.ruleId} (${origin.rulesId} ${origin.ruleVersion})`,
      },
    },
  ];
  if (origin.basis) extension.push({ url: DS4P.basis, valueCoding: origin.basis });
  if (origin.from)
    extension.push({ url: LABEL_SOURCE_EXTENSION, valueReference: { reference: origin.from } });
  return { system: def.system, code, display: def.display, extension };
}

export function confidentialityDefinition(code: ConfidentialityCode): LabelDefinition {
  return { system: CONFIDENTIALITY_SYSTEM, display: CONFIDENTIALITY_DISPLAY[code] };
}

/**
 * The label codes of a resource as the access policy reads them: codes from v3-Confidentiality and
 * v3-ActCode in `meta.security` (other systems are not policy labels), without duplicates, sorted.
 * This is exactly what goes into the `security` column.
 */
export function securityCodes(resource: Pick<Resource, 'meta'>): string[] {
  const codes = new Set<string>();
  for (const c of resource.meta?.security ?? []) {
    if ((c.system === CONFIDENTIALITY_SYSTEM || c.system === ACT_CODE_SYSTEM) && c.code) codes.add(c.code);
  }
  return [...codes].sort();
}

/** The custodian organization id recorded on a resource, if any. */
export function custodianOf(resource: Pick<Resource, 'meta'>): string | undefined {
  const ref = resource.meta?.extension?.find((e) => e.url === CUSTODIAN_EXTENSION)?.valueReference?.reference;
  return ref?.startsWith('Organization/') ? ref.slice('Organization/'.length) : undefined;
}
