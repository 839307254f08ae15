import type { FieldKind, FieldName } from '../types';

/**
 * The shape of a matching rule set. Rules are data (JSON), validated by `validateRules` before use, and
 * every decision records the `version` of the rules that made it.
 */
export type ComparatorName =
  | 'missing'
  | 'exact'
  | 'jaro-winkler'
  | 'levenshtein'
  | 'phonetic'
  | 'nickname'
  | 'nickname-close'
  | 'abbreviation'
  | 'initial'
  | 'token-overlap'
  | 'cross-field'
  | 'date-swap'
  | 'date-year'
  | 'prefix'
  | 'adjacent-number'
  | 'one-sided'
  | 'else';

export interface LevelRule {
  /** Name of the level in the evidence ("exact", "nickname" ...); unique within the field. */
  label: string;
  comparator: ComparatorName;
  /** jaro-winkler, nickname-close: the least similarity (0..1) that satisfies the level. */
  threshold?: number;
  /** levenshtein: the most edits that satisfy the level; nickname-close: also accept this many edits. */
  maxDistance?: number;
  /** levenshtein: count a swap of two adjacent characters as one edit. */
  transpositions?: boolean;
  /** cross-field: the other field whose value is compared with this one (given <-> middle). */
  field?: FieldName;
  /** prefix: how many leading characters must agree; abbreviation: the shortest abbreviation accepted. */
  length?: number;
  /** adjacent-number: numbers at most this far apart (twins' SSNs are often issued consecutively). */
  maxDifference?: number;
  /** date-year: same month and day, years at most this far apart. */
  maxYears?: number;
  /** exact: adjust the weight by how common the agreed value is. */
  termFrequency?: boolean;
  /** Starting m probability for estimation (chance a true pair lands in this level). */
  m?: number;
  /** Default u probability (chance a non-matching candidate pair lands here), used before any estimation. */
  u?: number;
}

export interface FieldRule {
  field: FieldName;
  /** false: the field's levels feed hard rules only, never the weight (suffix). Default true. */
  scored?: boolean;
  /** Tried in order; the first satisfied level wins. `missing` may only come first, `else` must be last. */
  levels: LevelRule[];
  /**
   * Count this field as missing when, for any one of the listed conditions, every field it names is at one
   * of its levels: evidence implied by stronger evidence (same ZIP when the street line agrees) must not be
   * counted twice, because Fellegi-Sunter multiplies fields as if they were independent.
   */
  skipWhen?: LevelCondition[];
}

/** Field -> level labels; met when every listed field is at one of its labels. */
export type LevelCondition = Partial<Record<FieldName, string[]>>;

/** Two fields whose values sources exchange (first and last name). */
export interface SwapRule {
  fields: [FieldName, FieldName];
  /** When both fields disagree, compare them crosswise; use the crosswise levels if both are accepted. */
  accept: LevelCondition;
}

/** One EM estimation over the candidate pairs whose `fixed` fields are at the listed levels. */
export interface EmSession {
  name: string;
  /** Fields held at these levels select the pairs; those fields are not estimated in this session. */
  fixed: LevelCondition;
}

export interface BlockingKeyRule {
  name: string;
  /** Key parts from BLOCKING_PARTS; records share a block when every part agrees. */
  parts: string[];
  /**
   * Batch only: key parts (BLOCKING_PARTS) of which a pair in a block larger than blocking.refineAbove must
   * agree on at least one (a record without a value in a part agrees on it); default ["birthDate.year"].
   */
  refine?: string[];
  /** Batch only: this key's refinement threshold (default blocking.refineAbove). */
  refineAbove?: number;
}

export interface HardRule {
  name: string;
  description: string;
  /** All listed fields must be at one of the listed levels (labels) for the rule to apply. */
  when: LevelCondition;
  /** The best decision the pair can get when the rule applies; default "non-match". */
  decision?: 'non-match' | 'possible';
}

export interface MatchRules {
  version: string;
  description?: string;
  fields: FieldRule[];
  swaps?: SwapRule[];
  blocking: {
    /** Blocks larger than this are skipped (counted in the stats); other keys still cover their pairs. */
    maxBlockSize: number;
    /**
     * The online path's limit (a Patient write, `$match`; default maxBlockSize): it reads and scores a
     * block's records on every request, so a block of a few hundred common-name records in one ZIP costs
     * each request far more than it finds. See the identity README (online benchmark).
     */
    onlineMaxBlockSize?: number;
    /**
     * The online path scores only the candidates found in at least this many of the record's blocks
     * (default 1: every candidate), or in all of them when it has fewer blocks that were read. Most
     * records in a block share nothing else with the record: at 300,000 people, 91% of the candidate
     * pairs shared one block, and 0.4% of the pairs of one Person did. See the identity README.
     */
    onlineMinSharedBlocks?: number;
    /**
     * Batch only: in a block larger than this, only records born in the same year (or with no birth date)
     * are paired. Low-cardinality keys (ZIP + first-name sound) grow blocks with the population, so their
     * pairs grow with its square; the other keys still reach pairs with a mistyped year.
     */
    refineAbove?: number;
    keys: BlockingKeyRule[];
  };
  /**
   * Posterior log2 odds that a pair is one person (prior + sum of field weights) at or above which it is a
   * match (auto-link) / a possible match (review). 10 bits is a probability of 0.999.
   */
  thresholds: { match: number; possible: number };
  /**
   * log2 odds that two records picked at random are one person. A batch estimates it from its data (it
   * shrinks as the population grows); this value is used until then.
   */
  prior: { log2Odds: number };
  hardRules: HardRule[];
  em: {
    maxIterations: number;
    /** Stop when no probability moves by more than this. */
    tolerance: number;
    /** Pseudo-pairs of the starting values added to each estimate, to keep small data sets stable. */
    priorWeight: number;
    /** Random record pairs sampled to estimate u. */
    uSamplePairs: number;
    /**
     * m is estimated session by session, each on candidate pairs that agree on some fields (for example the
     * birth date), so that people who merely share a household (address, phone, family name) cannot pose as
     * the matching class; a field's m is the mean over the sessions that estimate it.
     */
    sessions: EmSession[];
  };
  termFrequency: {
    /** Bound on the term-frequency adjustment of a level weight, in bits. */
    maxAdjustment: number;
  };
}

/** Comparators each kind of field accepts, besides missing / exact / else. */
export const COMPARATORS_BY_KIND: Record<FieldKind, ComparatorName[]> = {
  name: [
    'jaro-winkler',
    'levenshtein',
    'phonetic',
    'nickname',
    'nickname-close',
    'abbreviation',
    'initial',
    'token-overlap',
    'cross-field',
  ],
  code: ['levenshtein', 'one-sided'],
  date: ['date-swap', 'date-year', 'levenshtein'],
  digits: ['levenshtein', 'prefix', 'jaro-winkler', 'adjacent-number'],
  address: ['jaro-winkler', 'levenshtein', 'token-overlap'],
  place: ['jaro-winkler', 'levenshtein', 'phonetic'],
  multi: ['levenshtein', 'adjacent-number'],
};

/** Blocking key parts: a field's exact key, or a derived value of it. */
export const BLOCKING_PARTS: readonly string[] = [
  'given',
  'given.phonetic',
  'given.initial',
  'given.nickname',
  'given.nicknameInitial',
  'given.nicknamePhonetic',
  'middle.initial',
  'family',
  'family.phonetic',
  'family.initial',
  'gender',
  'birthDate',
  'birthDate.year',
  'birthDate.swapInvariant',
  'birthDate.month',
  'ssn',
  'phone',
  'line',
  'line.number',
  'city',
  'city.phonetic',
  'state',
  'postalCode',
  'identifier',
  'names.initials',
  'names.sounds',
];
