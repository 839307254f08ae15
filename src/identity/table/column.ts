import { nicknameGroups } from '../normalize/nicknames';
import { phoneticCodes } from '../normalize/phonetic';
import { significantWords } from '../normalize/names';
import type { FieldKind } from '../types';

/**
 * One field of every record, dictionary-encoded: each record holds an integer id of its value, and
 * everything derived from a value (joined key, words, phonetic codes, nickname groups, parsed date) is
 * computed once per distinct value. A million records share a few hundred thousand distinct names, so
 * comparators and blocking work on integers and precomputed features instead of re-deriving strings.
 */
export class Column {
  /** Record index -> value id, -1 when missing. */
  ids = new Int32Array(1024);
  /** Value id -> stored form ("DE LA CRUZ", "123 N MAIN ST", "19800214"). */
  readonly values: string[] = [];
  /** Value id -> key id; two values agree exactly when their keys agree ("DE LA CRUZ" = "DELACRUZ"). */
  readonly keyOf: number[] = [];
  /** Key id -> key string (the value without spaces). */
  readonly keys: string[] = [];
  /** Key id -> number of records holding it, for term-frequency weights. */
  readonly keyCounts: number[] = [];
  /** Records with a value in this field. */
  present = 0;
  /** Value id -> significant words (names, addresses, places). */
  readonly tokens: string[][] = [];
  /** Value id -> Double Metaphone codes of the key and, for several-word values, of each word. */
  readonly codes: (readonly string[])[] = [];
  /** Value id -> nickname groups of its words (given and middle names). */
  readonly nick: (readonly number[])[] = [];
  /** Value id -> YYYYMMDD as a number (dates). */
  readonly dates: number[] = [];

  private readonly valueIndex = new Map<string, number>();
  private readonly keyIndex = new Map<string, number>();

  constructor(
    readonly kind: FieldKind,
    readonly isNickField = false,
  ) {}

  /** Value id for a stored form, adding it (and its features) on first sight. */
  intern(value: string): number {
    let id = this.valueIndex.get(value);
    if (id !== undefined) return id;
    id = this.values.length;
    this.valueIndex.set(value, id);
    this.values.push(value);
    const key = this.kind === 'date' || this.kind === 'multi' ? value : value.replace(/ /g, '');
    let keyId = this.keyIndex.get(key);
    if (keyId === undefined) {
      keyId = this.keys.length;
      this.keyIndex.set(key, keyId);
      this.keys.push(key);
      this.keyCounts.push(0);
    }
    this.keyOf.push(keyId);
    this.deriveFeatures(value, key);
    return id;
  }

  private deriveFeatures(value: string, key: string): void {
    if (this.kind === 'name' || this.kind === 'place' || this.kind === 'address') {
      const words = value.split(' ');
      const tokens = this.kind === 'name' ? significantWords(words) : words;
      this.tokens.push(tokens);
      if (this.kind === 'address') {
        this.codes.push([]);
      } else {
        const codes = [...phoneticCodes(key)];
        if (tokens.length > 1) for (const t of tokens) for (const c of phoneticCodes(t)) codes.push(c);
        this.codes.push(codes);
      }
      if (this.isNickField) {
        const groups: number[] = [];
        for (const t of tokens)
          for (const gId of nicknameGroups(t)) if (!groups.includes(gId)) groups.push(gId);
        for (const gId of nicknameGroups(key)) if (!groups.includes(gId)) groups.push(gId);
        this.nick.push(groups);
      }
    }
    if (this.kind === 'date') this.dates.push(Number(value));
  }

  /** Set record `index` to `value` ("" = missing). */
  set(index: number, value: string): void {
    if (index >= this.ids.length) {
      const grown = new Int32Array(Math.max(index + 1, this.ids.length * 2));
      grown.set(this.ids);
      this.ids = grown;
    }
    if (value === '') {
      this.ids[index] = -1;
      return;
    }
    const id = this.intern(value);
    this.ids[index] = id;
    this.keyCounts[this.keyOf[id]]++;
    this.present++;
  }

  /** Key id of record `index`, or -1. */
  keyAt(index: number): number {
    const id = this.ids[index];
    return id < 0 ? -1 : this.keyOf[id];
  }
}
