/**
 * Character-level cleanup shared by every normalizer: sources disagree on case, accents and punctuation far
 * more often than on the letters themselves, so all comparisons run on upper-case ASCII.
 */

// Letters that NFD does not decompose into base letter + combining mark.
const SPECIAL_LETTERS: Record<string, string> = {
  ß: 'SS',
  Æ: 'AE',
  æ: 'AE',
  Ø: 'O',
  ø: 'O',
  Œ: 'OE',
  œ: 'OE',
  Ł: 'L',
  ł: 'L',
  Đ: 'D',
  đ: 'D',
  Þ: 'TH',
  þ: 'TH',
  ı: 'I',
};
const SPECIAL_RE = /[ßÆæØøŒœŁłĐđÞþı]/g;
const COMBINING_RE = /[\u0300-\u036f]/g;
const NON_ASCII_RE = /[^\x20-\x7e]/;

/** Upper-case ASCII with accents removed ("José Muñoz" -> "JOSE MUNOZ"). */
export function foldAccents(value: string): string {
  if (!NON_ASCII_RE.test(value)) return value.toUpperCase();
  return value
    .replace(SPECIAL_RE, (c) => SPECIAL_LETTERS[c] ?? c)
    .normalize('NFD')
    .replace(COMBINING_RE, '')
    .toUpperCase();
}

// Apostrophes and periods join letters (O'Brien, St.John); every other non-alphanumeric separates words.
const JOINERS_RE = /['’`´.]/g;
const SEPARATORS_RE = /[^A-Z0-9]+/g;

/** Upper-case words of letters and digits, in order. */
export function words(value: string | undefined): string[] {
  if (!value) return [];
  const cleaned = foldAccents(value).replace(JOINERS_RE, '').replace(SEPARATORS_RE, ' ').trim();
  return cleaned === '' ? [] : cleaned.split(' ');
}

/** Only the digits of a value ("(555) 010-2000" -> "5550102000"). */
export function digitsOf(value: string | undefined): string {
  return value ? value.replace(/\D+/g, '') : '';
}

/** True when every character of the string is the same (e.g. "0000", "XXXX"). */
export function allSameChar(value: string): boolean {
  for (let i = 1; i < value.length; i++) if (value.charCodeAt(i) !== value.charCodeAt(0)) return false;
  return true;
}
