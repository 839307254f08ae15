/**
 * Identity resolution: the public face of src/identity. The batch path (linkBatch / LinkJob, `kith link`)
 * and the online path (createMatcher + findCandidates over a BlockingIndex) share one normalizer, one set
 * of comparators, blocking keys, weights and hard rules, all driven by versioned rules (rules/).
 */
export type { Decision, FieldName, MatchRecord } from './types';
export { FIELD_NAMES } from './types';
export {
  defaultRules,
  parseRules,
  validateRules,
  BLOCKING_PARTS,
  COMPARATORS_BY_KIND,
  type MatchRules,
  type RulesValidation,
} from './rules';
export { normalizeRecord, type NormalizedRecord } from './normalize/record';
export { patientToMatchRecord, type PatientLike } from './fhir/patient';
export {
  createMatcher,
  type BlockingKey,
  type Matcher,
  type MatcherOptions,
  type TermFrequencySource,
} from './matcher';
export { findCandidates, InMemoryBlockingIndex, type BlockingIndex, type Candidate } from './online';
export {
  linkBatch,
  LinkJob,
  DECISION_MATCH,
  DECISION_POSSIBLE,
  type LinkOptions,
  type LinkResult,
} from './link-batch';
export { paramsFromRules, type FieldEvidence, type ModelParams, type PairScore } from './score/model';
export type { BlockingStats, KeyStats } from './block/blocker';
export { evaluateLinks, febrlEntity, type Accuracy } from './evaluate';
