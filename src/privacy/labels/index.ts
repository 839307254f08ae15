/**
 * Data segmentation: HL7 DS4P security labels set on every write by rules that are data
 * (`default-rules.json`, documented in README.md).
 */
export type {
  CodeMatch,
  CodeRule,
  ConfidentialityCode,
  LabelDefinition,
  PropagationRule,
  RuleEffect,
  SegmentationRules,
  SourceRule,
  TypeRule,
} from './schema';
export { BUILT_IN_RULES, CONFIDENTIALITY_ORDER } from './schema';
export { parseRules, validateRules, type RulesValidation } from './validate';
export { defaultRules } from './default-rules';
export {
  derivationReferences,
  labelResource,
  type AppliedLabel,
  type LabelContext,
  type LabelResult,
} from './label-resource';
export {
  ACT_CODE_SYSTEM,
  CONFIDENTIALITY_SYSTEM,
  CUSTODIAN_EXTENSION,
  DS4P,
  LABEL_SOURCE_EXTENSION,
  RULE_IDENTIFIER_SYSTEM,
  confidentialityRank,
  custodianOf,
  labelOrigin,
  securityCodes,
  type LabelOrigin,
} from './coding';
export { codeMatches, compileMatch, localReference, normalizeCode } from './codes';
