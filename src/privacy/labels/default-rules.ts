import defaultRulesJson from './default-rules.json';
import type { SegmentationRules } from './schema';
import { parseRules } from './validate';

/** The shipped segmentation rules, validated when this module loads (a broken default fails at start). */
export const defaultRules: SegmentationRules = parseRules(defaultRulesJson);
