import { nicknameGroups } from '../normalize/nicknames';
import { phoneticCodes } from '../normalize/phonetic';
import { significantWords } from '../normalize/names';
import type { FieldKind } from '../types';

/**
 * One field of every record, dictionary-encoded: each record holds an integer id of its value, and
 * everything derived from a value (joined key, words, phonetic codes, nickname groups, parsed date) is
 * computed once per distinct value, on first use. A million records share a few hundred thousand distinct
 * names, so comparators and blocking work on integers and memoized features instead of re-deriving
 * strings; street lines, which are nearly all distinct, never pay for features no rule asks for.
 */
const NONE: readonly never[] = [];

export interface ColumnSnapshot {
  kind: FieldKind;
  isNickField: boolean;
  ids: Int32Array;
  values: string[];
  keyOf: number[];
  keys: string[];
  keyCounts: number[];
  present: number;
  dates: number[];
}

export class Column {
  /** Record index -> value id, -1 when missing. */
  ids: Int32Array;
  /** Value id -> stored form ("DE LA CRUZ", "123 N MAIN ST", "19800214"). */
  readonly values: string[] = [];
  /** Value id -> key id; two values agree exactly when their keys agree ("DE LA CRUZ" = "DELACRUZ"). */
  readonly keyOf: number[] = [];
  /** Key id -> key string (names and places: the value without spaces). */
  readonly keys: string[] = [];
  /** Key id -> number of records holding it, for term-frequency weights. */
  readonly keyCounts: number[] = [];
  /** Records with a value in this field. */
  present = 0;
  /** Value id -> YYYYMMDD as a number (dates). */
  readonly dates: number[] = [];

  private readonly tokenMemo: (readonly string[] | undefined)[] = [];
  private readonly codeMemo: (readonly string[] | undefined)[] = [];
  private readonly nickMemo: (readonly number[] | undefined)[] = [];
  private readonly valueIndex = new Map<string, number>();
  private readonly keyIndex = new Map<string, number>();
  private readonly spaceless: boolean;
  /**
   * Outside names and places a value is its own key (one key per value): two values agree exactly only when
   * they are the same value, and a value's key string is the value itself, one memory read fewer.
   */
  readonly keysAreValues: boolean;

  constructor(
    readonly kind: FieldKind,
    readonly isNickField = false,
    capacity = 1024,
  ) {
    this.ids = new Int32Array(Math.max(1, capacity));
    this.spaceless = kind === 'name' || kind === 'place';
    this.keysAreValues = !this.spaceless;
  }

  /** The column's values and record ids as plain data, to rebuild it in a worker thread (see restore). */
  snapshot(size: number): ColumnSnapshot {
    return {
      kind: this.kind,
      isNickField: this.isNickField,
      ids: this.ids.slice(0, size),
      values: this.values,
      keyOf: this.keyOf,
      keys: this.keys,
      keyCounts: this.keyCounts,
      present: this.present,
      dates: this.dates,
    };
  }

  /**
   * A column from a snapshot, for reading and comparing only (its value index is left empty: interning
   * into it would duplicate values). Derived features are computed again on first use.
   */
  static restore(s: ColumnSnapshot): Column {
    const c = new Column(s.kind, s.isNickField);
    const blank = () => new Array<undefined>(s.values.length).fill(undefined);
    Object.assign(c, {
      ids: s.ids,
      values: s.values,
      keyOf: s.keyOf,
      keys: s.keys,
      keyCounts: s.keyCounts,
      present: s.present,
      dates: s.dates,
      tokenMemo: blank(),
      codeMemo: blank(),
      nickMemo: blank(),
    });
    return c;
  }

  /**
   * Takes in the dictionary and counts of another column of the same field (one normalized by another
   * thread): its values are interned here and its key counts added. Returns the other column's value id
   * -> this column's value id; the caller places the other column's records (see RecordTable.interleave).
   */
  absorb(other: ColumnSnapshot, onNewValue?: (value: string) => void): Int32Array {
    const remap = new Int32Array(other.values.length);
    const keyMap = new Int32Array(other.keys.length);
    for (let v = 0; v < other.values.length; v++) {
      const before = this.values.length;
      const id = this.intern(other.values[v]);
      if (id === before) onNewValue?.(other.values[v]);
      remap[v] = id;
      keyMap[other.keyOf[v]] = this.keyOf[id];
    }
    for (let k = 0; k < other.keys.length; k++) this.keyCounts[keyMap[k]] += other.keyCounts[k];
    this.present += other.present;
    return remap;
  }

  /** Per value: its key's characters counted in 32 buckets (code & 31), and its key's length (0 = not yet). */
  private charCounts = new Uint8Array(0);
  private keyLengths = new Uint16Array(0);

  /**
   * Could the keys of values a and b share enough characters for a Jaro similarity of `jaroNeeded`? From
   * per-value character counts, so that the many pairs of unrelated street lines are turned away without
   * reading either string: Jaro <= (m/la + m/lb + 1) / 3, and m, the matching characters, is at most the
   * sum over buckets of the smaller count (folding characters into buckets only raises it).
   */
  mayBeJaroClose(a: number, b: number, jaroNeeded: number): boolean {
    const la = this.keyLength(a);
    const lb = this.keyLength(b);
    if (la === 0xffff || lb === 0xffff) return true;
    const counts = this.charCounts;
    let m = 0;
    for (let k = 0, x = a * 32, y = b * 32; k < 32; k++, x++, y++)
      m += counts[x] < counts[y] ? counts[x] : counts[y];
    return (m / la + m / lb + 1) / 3 >= jaroNeeded;
  }

  /** Length of value id's key (0xffff when too long to count in bytes), counting its characters once. */
  private keyLength(id: number): number {
    if (id >= this.keyLengths.length) {
      const size = Math.max(this.values.length, id + 1, this.keyLengths.length * 2);
      const lengths = new Uint16Array(size);
      lengths.set(this.keyLengths);
      this.keyLengths = lengths;
      const counts = new Uint8Array(size * 32);
      counts.set(this.charCounts);
      this.charCounts = counts;
    }
    let length = this.keyLengths[id];
    if (length === 0) {
      const key = this.keyString(id);
      length = key.length > 255 || key.length === 0 ? 0xffff : key.length;
      if (length !== 0xffff)
        for (let i = 0; i < key.length; i++) this.charCounts[id * 32 + (key.charCodeAt(i) & 31)]++;
      this.keyLengths[id] = length;
    }
    return length;
  }

  /** Value id for a stored form, adding it on first sight. */
  intern(value: string): number {
    let id = this.valueIndex.get(value);
    if (id !== undefined) return id;
    id = this.values.length;
    this.valueIndex.set(value, id);
    this.values.push(value);
    // Outside names and places a key is its value: a new value is a new key, no second map lookup (SSNs,
    // phones and street lines are nearly all distinct, a million of each in a large batch).
    const key = this.spaceless && value.includes(' ') ? value.replace(/ /g, '') : value;
    let keyId = this.spaceless ? this.keyIndex.get(key) : undefined;
    if (keyId === undefined) {
      keyId = this.keys.length;
      if (this.spaceless) this.keyIndex.set(key, keyId);
      this.keys.push(key);
      this.keyCounts.push(0);
    }
    this.keyOf.push(keyId);
    this.tokenMemo.push(undefined);
    this.codeMemo.push(undefined);
    this.nickMemo.push(undefined);
    if (this.kind === 'date') this.dates.push(Number(value));
    return id;
  }

  /** Key string of value `id`. */
  keyString(id: number): string {
    return this.keysAreValues ? this.values[id] : this.keys[this.keyOf[id]];
  }

  /** Significant words: names without particles, other values split at spaces. */
  tokensOf(id: number): readonly string[] {
    let t = this.tokenMemo[id];
    if (t === undefined) {
      const words = this.values[id].split(' ');
      t = this.kind === 'name' ? significantWords(words) : words;
      this.tokenMemo[id] = t;
    }
    return t;
  }

  /** Double Metaphone codes of the key and, for several-word values, of each word. */
  codesOf(id: number): readonly string[] {
    let c = this.codeMemo[id];
    if (c === undefined) {
      const key = this.keyString(id);
      const tokens = this.tokensOf(id);
      if (tokens.length > 1) {
        const all = [...phoneticCodes(key)];
        for (const t of tokens) for (const code of phoneticCodes(t)) if (!all.includes(code)) all.push(code);
        c = all;
      } else c = phoneticCodes(key);
      this.codeMemo[id] = c;
    }
    return c;
  }

  /** Nickname groups of the value's words (given and middle names only). */
  nickOf(id: number): readonly number[] {
    if (!this.isNickField) return NONE;
    let n = this.nickMemo[id];
    if (n === undefined) {
      const groups: number[] = [];
      for (const t of this.tokensOf(id))
        for (const g of nicknameGroups(t)) if (!groups.includes(g)) groups.push(g);
      for (const g of nicknameGroups(this.keyString(id))) if (!groups.includes(g)) groups.push(g);
      this.nickMemo[id] = n = groups;
    }
    return n;
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
