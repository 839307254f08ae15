import { allSameChar, digitsOf, words } from './text';

/**
 * Social Security Number as 9 digits, or "" when missing or a known placeholder. Sources fill the field
 * with 000-00-0000, 999-99-9999, 123-45-6789 and similar when the client has none; two strangers sharing
 * such a value must not look like one person. The SSA never issues area 000, 666 or 900-999, group 00 or
 * serial 0000; 078-05-1120 is the famous wallet-insert number used by thousands.
 */
const SSN_PLACEHOLDERS = new Set([
  '123456789',
  '987654321',
  '078051120',
  '219099999',
  '111223333',
  '012345678',
]);

export function normalizeSsn(raw: string | undefined): string {
  const d = digitsOf(raw);
  if (d.length !== 9) return '';
  if (allSameChar(d) || SSN_PLACEHOLDERS.has(d)) return '';
  const area = d.slice(0, 3);
  if (area === '000' || area === '666' || area[0] === '9') return '';
  if (d.slice(3, 5) === '00' || d.slice(5) === '0000') return '';
  return d;
}

/** Ten-digit North American phone number (a leading country code 1 dropped), or "" when not usable. */
export function normalizePhone(raw: string | undefined): string {
  let d = digitsOf(raw);
  if (d.length === 11 && d[0] === '1') d = d.slice(1);
  if (d.length !== 10) return '';
  // Area codes and exchanges never start with 0 or 1; repeated digits and 123-456-7890 are fillers.
  if (d[0] < '2' || d[3] < '2' || allSameChar(d) || d === '1234567890' || allSameChar(d.slice(3))) return '';
  return d;
}

/** "M", "F", "O" (other) or "" for unknown; accepts FHIR codes, words, HL7 v2 and common 1/2 codes. */
export function normalizeGender(raw: string | undefined): string {
  const w = words(raw).join('');
  switch (w) {
    case 'M':
    case 'MALE':
    case 'MAN':
    case 'BOY':
    case 'H':
    case 'HOMBRE':
    case 'MASCULINO':
    case '1':
      return 'M';
    case 'F':
    case 'FEMALE':
    case 'WOMAN':
    case 'GIRL':
    case 'MUJER':
    case 'FEMENINO':
    case '2':
      return 'F';
    case 'O':
    case 'OTHER':
    case 'X':
    case 'NONBINARY':
      return 'O';
    default:
      return '';
  }
}

/**
 * Identifiers as "SYSTEM|VALUE" with the value upper-cased and stripped of separators, so "ab-12 34" and
 * "AB1234" agree. A bare value gets an empty system. Only identifiers from the same system are compared.
 */
export function normalizeIdentifier(raw: string): string {
  const bar = raw.lastIndexOf('|');
  const system = bar >= 0 ? raw.slice(0, bar).trim().toLowerCase() : '';
  const value = words(bar >= 0 ? raw.slice(bar + 1) : raw).join('');
  if (value === '' || allSameChar(value)) return '';
  return `${system}|${value}`;
}
