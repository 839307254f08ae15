/**
 * The access policy: rules as versioned data (`default-policy.json`, README.md), decided per
 * resource (`decide`) and as SQL for every search (`visibilitySql`), which agree by construction
 * and by a generated test.
 */
export type {
  AccessPolicy,
  Action,
  RedactionRule,
  Role,
  RuleRef,
  SensitivityRule,
  WriteAction,
  WriteTypes,
} from './schema';
export { parsePolicy, validatePolicy, type PolicyValidation } from './validate';
export { defaultPolicy } from './default-policy';
export { BUILT_IN_RULE_IDS, decide, type AccessRequest, type Decision, type DecideOptions } from './decide';
export { visibilityFilter, visibilitySql, type VisibilityOptions } from './visibility-sql';
export {
  accessColumns,
  patientCompartment,
  patientCompartmentTypes,
  resourceCategories,
  type AccessColumns,
} from './access-columns';
export { applyRedaction, redactedSearchParams, REDACTED_LABEL, searchReadsRedacted } from './redact';
export { accessColumnsMigration, categoryColumnMigration } from './migrations';
export { ACTION_OP, scopeCoverage, scopeFor, type ScopeCoverage } from './scopes';
export { callerContext, dataClasses, labelSets, type CallerContext, type LabelSets } from './context';
export {
  allowedPurposes,
  purposeName,
  purposeProblem,
  PURPOSE_NAMES,
  selectablePurposes,
  type PurposeSubject,
} from './purposes';
