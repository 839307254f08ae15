// talisman ships CommonJS without type declarations; only the functions Kith uses are declared.
declare module 'talisman/phonetics/double-metaphone' {
  export default function doubleMetaphone(word: string): [string, string];
}
