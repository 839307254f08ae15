import { words } from './text';

/**
 * Person-name normalization. A name becomes a `key` (all significant letters, no spaces, so "De La Cruz",
 * "DeLaCruz" and "de la cruz" agree) plus `tokens` (the significant words, so "Garcia Lopez", "Garcia" and
 * a married "Lopez-Smith" can be seen to share a word). Generational suffixes are split off into their own
 * field because "John Smith Jr" and "John Smith Sr" are two people.
 */
export interface NormalizedName {
  /** Kept words in order, particles included: ["DE", "LA", "CRUZ"]. */
  words: string[];
  /** Significant letters with particles kept but spaces removed: "DELACRUZ". Empty when missing. */
  key: string;
  /** Significant words without particles: ["CRUZ"]; for "SMITH-JONES": ["SMITH", "JONES"]. */
  tokens: string[];
  /** Generational suffix found inside the name ("JR", "SR", "II", "III", "IV"), or "". */
  suffix: string;
}

/** Surname particles: kept in the key (they are part of the name) but never a token on their own. */
const PARTICLES = new Set([
  'DE', 'DEL', 'DELA', 'DELOS', 'DELAS', 'LA', 'LAS', 'LOS', 'LE', 'LES', 'Y', 'E', 'DA', 'DAS', 'DO', 'DOS',
  'DI', 'DU', 'DELLA', 'DELLE', 'VAN', 'VON', 'DER', 'DEN', 'TER', 'TEN', 'VANDER', 'VANDEN', 'ST', 'SAINT',
  'BIN', 'BINTI', 'AL', 'EL',
]); // prettier-ignore

/** Spellings of generational suffixes, mapped to one code. */
const SUFFIXES: Record<string, string> = {
  JR: 'JR', JNR: 'JR', JUNIOR: 'JR', SR: 'SR', SNR: 'SR', SENIOR: 'SR', II: 'II', '2ND': 'II', III: 'III',
  '3RD': 'III', IV: 'IV', '4TH': 'IV',
}; // prettier-ignore

/** Honorifics and credentials that sources put in name fields. */
const TITLES = new Set(['MR', 'MRS', 'MS', 'MISS', 'DR', 'REV', 'FR', 'SRA', 'SRTA']);
const DEGREES = new Set(['MD', 'PHD', 'DDS', 'RN', 'ESQ']);

/** Values that mean "unknown" rather than a name. */
const NOT_A_NAME = new Set([
  'UNKNOWN', 'UNK', 'NONE', 'NA', 'NULL', 'NAME', 'BABY', 'BABYBOY', 'BABYGIRL', 'TEST', 'DOE', 'NFN', 'NLN',
  'FNU', 'LNU', 'XXX', 'ANONYMOUS', 'REFUSED',
]); // prettier-ignore

/** Canonical code for a suffix spelling ("Jr." -> "JR"), or "" when the value is not a suffix. */
export function normalizeSuffix(raw: string | undefined): string {
  for (const w of words(raw)) {
    const code = SUFFIXES[w];
    if (code) return code;
  }
  return '';
}

function normalizeName(raw: string | undefined, isFamily: boolean): NormalizedName {
  const all = words(raw);
  let suffix = '';
  const kept: string[] = [];
  for (let i = 0; i < all.length; i++) {
    const w = all[i];
    // A suffix only counts after the first word, so a given name "V" or a surname "Junior" survives.
    if (i > 0 && SUFFIXES[w] && !suffix) {
      suffix = SUFFIXES[w];
      continue;
    }
    if (TITLES.has(w) && all.length > 1 && (i === 0 || !isFamily)) continue;
    if (DEGREES.has(w) && i > 0) continue;
    if (/^\d+$/.test(w)) continue;
    kept.push(w);
  }
  const key = kept.join('');
  if (key === '' || NOT_A_NAME.has(key) || (key.length === 1 && isFamily)) {
    return { words: [], key: '', tokens: [], suffix };
  }
  return { words: kept, key, tokens: significantWords(kept), suffix };
}

/** Words that identify a name on their own: particles dropped, unless the name is only particles. */
export function significantWords(nameWords: readonly string[]): string[] {
  const tokens = nameWords.filter((w) => !PARTICLES.has(w));
  // A name made only of particles ("De La", "Van") is still a name: keep it whole.
  return tokens.length > 0 ? tokens : [nameWords.join('')];
}

/** Given or middle names: "Mary-Ann" -> key MARYANN, tokens [MARY, ANN]. */
export function normalizeGiven(raw: string | undefined): NormalizedName {
  return normalizeName(raw, false);
}

/** Family names: particles are kept in the key but are not tokens ("van der Berg" -> VANDERBERG, [BERG]). */
export function normalizeFamily(raw: string | undefined): NormalizedName {
  return normalizeName(raw, true);
}
