/**
 * The shape of a segmentation rule set (`default-rules.json` is one). These types are the schema;
 * `validate.ts` checks a JSON document against them, and the README explains each part.
 */

/** HL7 v3 Confidentiality codes, lowest to highest. */
export const CONFIDENTIALITY_ORDER = ['U', 'L', 'M', 'N', 'R', 'V'] as const;
export type ConfidentialityCode = (typeof CONFIDENTIALITY_ORDER)[number];

/** A label a rule may set: its code system and display (the catalogue in `labels`). */
export interface LabelDefinition {
  system: string;
  display: string;
}

/** Which codes of one code system a rule matches. Codes compare upper-cased with dots removed. */
export interface CodeMatch {
  /** Inclusive ranges on the leading characters, e.g. ["F10", "F16"] matches F10.20 and F16.9. */
  ranges?: [string, string][];
  /** Code prefixes, e.g. "T74" or "Z91.41". */
  prefixes?: string[];
  /** Exact codes. */
  codes?: string[];
  /** Codes or prefixes that never match, even inside a range. */
  exclude?: string[];
}

/** What every rule sets when it fires. */
export interface RuleEffect {
  /** Codes from the `labels` catalogue (sensitivity, policy or refrain codes). */
  labels: string[];
  /** The confidentiality the rule requires at least; the resource gets the highest of all rules. */
  confidentiality?: ConfidentialityCode;
  /** A catalogue code recorded as the label's basis (DS4P `sec-label-basis`), e.g. 42CFRPart2. */
  basis?: string;
}

/** Labels a resource that carries one of the matched codes in one of its code paths. */
export interface CodeRule extends RuleEffect {
  id: string;
  description?: string;
  system: string;
  match: CodeMatch;
  /** Limit the rule to these resource types (default: every type with code paths). */
  resourceTypes?: string[];
}

/** Labels everything that comes from a source organization. */
export interface SourceRule extends RuleEffect {
  id: string;
  description?: string;
  when: { part2Program?: boolean; organizations?: string[] };
}

/** Labels resources of some types, optionally only those with a coding at a path (e.g. category). */
export interface TypeRule extends RuleEffect {
  id: string;
  description?: string;
  resourceTypes: string[];
  where?: { path: string; system: string; codes: string[] };
}

/** Copies labels from the resources a resource was derived from. */
export interface PropagationRule {
  id: string;
  description?: string;
  /** Label codes that travel to derived resources (sensitivity, policy and refrain codes). */
  labels: string[];
  /** Whether the sources' confidentiality travels too (the derived resource gets at least as high). */
  confidentiality: boolean;
  /** FHIRPath expressions per resource type giving the references a resource is derived from. */
  paths: Record<string, string[]>;
}

export interface SegmentationRules {
  id: string;
  version: string;
  description?: string;
  /** The labels rules may set: code → system and display. */
  labels: Record<string, LabelDefinition>;
  /** FHIRPath expressions per resource type giving the CodeableConcepts / Codings that code rules read. */
  codePaths: Record<string, string[]>;
  codeRules: CodeRule[];
  sourceRules: SourceRule[];
  typeRules: TypeRule[];
  propagation: PropagationRule;
}

/** Rule ids reserved for what the labeller does itself (not listed in the rules). */
export const BUILT_IN_RULES = {
  /** A label a person or a source system put on the resource: kept as it is. */
  asserted: 'asserted',
} as const;
