import defaultRulesJson from './default-rules.json';
import type { MatchRules } from './schema';
import { parseRules } from './validate';

export type { BlockingKeyRule, ComparatorName, FieldRule, HardRule, LevelRule, MatchRules } from './schema';
export { BLOCKING_PARTS, COMPARATORS_BY_KIND } from './schema';
export { parseRules, validateRules, type RulesValidation } from './validate';

/** The shipped default rules, validated when this module loads (a broken default fails at start). */
export const defaultRules: MatchRules = parseRules(defaultRulesJson);
