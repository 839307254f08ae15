import { normalizeRecord, type NormalizedRecord } from '../normalize/record';
import { FIELD_KINDS, type FieldName, type MatchRecord } from '../types';
import { Column, type ColumnSnapshot } from './column';

/** A table's records as plain data (structured-cloneable), without the callers' ids. */
export interface TableSnapshot {
  size: number;
  source: Uint8Array;
  columns: Record<ScalarField, ColumnSnapshot>;
  identifiers: ColumnSnapshot;
  identifierStart: Int32Array;
  identifierList: number[];
  identifierSystem: string[];
}

/** A run of consecutive records normalized by one part of a split linkage (see RecordTable.interleave). */
export interface RowSegment {
  /** true: the rows are the other part's, else this table's own. */
  other: boolean;
  count: number;
}

export type ScalarField = Exclude<FieldName, 'identifier'>;
const SCALAR_FIELDS = (Object.keys(FIELD_KINDS) as FieldName[]).filter(
  (f): f is ScalarField => f !== 'identifier',
);

/**
 * All records of a linkage job in columns (see Column). Records are addressed by their index; the caller's
 * id is kept only to label output and is never read by comparators, blocking or estimation. `source`
 * tells the two files of a linkage apart (0 = A, 1 = B).
 */
export class RecordTable {
  size = 0;
  readonly externalIds: string[] = [];
  source: Uint8Array;
  readonly columns: Record<ScalarField, Column>;
  /** Identifiers: record i owns value ids identifierList[identifierStart[i] .. identifierStart[i+1]). */
  readonly identifiers: Column;
  identifierStart: Int32Array;
  readonly identifierList: number[] = [];
  /** Value id of `identifiers` -> its system (text before "|"). */
  readonly identifierSystem: string[] = [];

  /**
   * `capacity`: records to make room for (the arrays grow past it); a table for one online match
   * holds a few dozen records and is made on every request.
   */
  constructor(capacity = 1024) {
    const n = Math.max(1, capacity);
    this.source = new Uint8Array(n);
    this.identifierStart = new Int32Array(n + 1);
    this.identifiers = new Column('multi', false, n);
    const cols = {} as Record<ScalarField, Column>;
    for (const f of SCALAR_FIELDS) cols[f] = new Column(FIELD_KINDS[f], f === 'given' || f === 'middle', n);
    this.columns = cols;
  }

  column(field: FieldName): Column {
    return field === 'identifier' ? this.identifiers : this.columns[field];
  }

  /** Normalize and append a record; returns its index. */
  add(record: MatchRecord, source = 0, maxYear?: number): number {
    return this.addNormalized(record.id, normalizeRecord(record, maxYear), source);
  }

  addNormalized(externalId: string, n: NormalizedRecord, source = 0): number {
    const i = this.size++;
    this.externalIds.push(externalId);
    if (i >= this.source.length) {
      const grown = new Uint8Array(this.source.length * 2);
      grown.set(this.source);
      this.source = grown;
    }
    this.source[i] = source;
    const c = this.columns;
    c.given.set(i, n.given);
    c.middle.set(i, n.middle);
    c.family.set(i, n.family);
    c.suffix.set(i, n.suffix);
    c.gender.set(i, n.gender);
    c.birthDate.set(i, n.birthDate === 0 ? '' : String(n.birthDate));
    c.ssn.set(i, n.ssn);
    c.phone.set(i, n.phone);
    c.line.set(i, n.line);
    c.city.set(i, n.city);
    c.state.set(i, n.state);
    c.postalCode.set(i, n.postalCode);
    if (i + 2 > this.identifierStart.length) {
      const grown = new Int32Array(this.identifierStart.length * 2);
      grown.set(this.identifierStart);
      this.identifierStart = grown;
    }
    for (const value of n.identifiers) {
      const before = this.identifiers.values.length;
      const id = this.identifiers.intern(value);
      if (id === before) this.identifierSystem.push(value.slice(0, value.indexOf('|')));
      this.identifiers.keyCounts[this.identifiers.keyOf[id]]++;
      this.identifierList.push(id);
    }
    if (n.identifiers.length > 0) this.identifiers.present++;
    this.identifierStart[i + 1] = this.identifierList.length;
    return i;
  }

  /** The records as plain data, for a worker thread that compares pairs (see restore). */
  snapshot(): TableSnapshot {
    const n = this.size;
    const columns = {} as Record<ScalarField, ColumnSnapshot>;
    for (const f of SCALAR_FIELDS) columns[f] = this.columns[f].snapshot(n);
    return {
      size: n,
      source: this.source.slice(0, n),
      columns,
      identifiers: this.identifiers.snapshot(n),
      identifierStart: this.identifierStart.slice(0, n + 1),
      identifierList: this.identifierList,
      identifierSystem: this.identifierSystem,
    };
  }

  /**
   * Makes this table the whole of a linkage whose records were normalized in two parts: this table's own
   * rows and those of `other` (a table another thread built), laid out in input order by `segments`
   * (consecutive runs of rows, each from one part). `externalIds` and `source` are every record's, in input
   * order. Values keep their ids here and other's are added, so this costs the other part's distinct values,
   * not its records.
   */
  interleave(
    other: TableSnapshot,
    segments: readonly RowSegment[],
    externalIds: string[],
    source: Uint8Array,
  ): void {
    const n = this.size + other.size;
    if (externalIds.length !== n || source.length < n)
      throw new Error(`interleave: ${externalIds.length} ids and ${source.length} sources for ${n} records`);
    const place = (own: Int32Array, theirs: Int32Array, remap: Int32Array): Int32Array => {
      const out = new Int32Array(n);
      let at = 0;
      let mine = 0;
      let their = 0;
      for (const seg of segments) {
        if (seg.other) {
          for (let r = 0; r < seg.count; r++) {
            const v = theirs[their++];
            out[at++] = v < 0 ? -1 : remap[v];
          }
        } else {
          out.set(own.subarray(mine, mine + seg.count), at);
          mine += seg.count;
          at += seg.count;
        }
      }
      if (at !== n) throw new Error(`interleave: segments cover ${at} of ${n} records`);
      return out;
    };
    for (const f of SCALAR_FIELDS) {
      const col = this.columns[f];
      const theirs = other.columns[f];
      col.ids = place(col.ids, theirs.ids, col.absorb(theirs));
    }
    const idRemap = this.identifiers.absorb(other.identifiers, (value) =>
      this.identifierSystem.push(value.slice(0, value.indexOf('|'))),
    );
    const start = new Int32Array(n + 1);
    const list: number[] = [];
    let at = 0;
    let mine = 0;
    let their = 0;
    for (const seg of segments) {
      for (let r = 0; r < seg.count; r++, at++) {
        if (seg.other) {
          for (let x = other.identifierStart[their]; x < other.identifierStart[their + 1]; x++)
            list.push(idRemap[other.identifierList[x]]);
          their++;
        } else {
          for (let x = this.identifierStart[mine]; x < this.identifierStart[mine + 1]; x++)
            list.push(this.identifierList[x]);
          mine++;
        }
        start[at + 1] = list.length;
      }
    }
    this.identifierList.length = 0;
    for (const id of list) this.identifierList.push(id);
    this.identifierStart = start;
    this.externalIds.length = 0;
    for (const id of externalIds) this.externalIds.push(id);
    this.source = source.slice(0, n);
    this.size = n;
  }

  /** A read-only table from a snapshot (records are not added to it; ids are the record indices). */
  static restore(s: TableSnapshot): RecordTable {
    const t = new RecordTable();
    const columns = {} as Record<ScalarField, Column>;
    for (const f of SCALAR_FIELDS) columns[f] = Column.restore(s.columns[f]);
    Object.assign(t, {
      size: s.size,
      source: s.source,
      columns,
      identifiers: Column.restore(s.identifiers),
      identifierStart: s.identifierStart,
      identifierList: s.identifierList,
      identifierSystem: s.identifierSystem,
    });
    return t;
  }

  /** Value ids of record i's identifiers. */
  identifiersOf(i: number): number[] {
    return this.identifierList.slice(this.identifierStart[i], this.identifierStart[i + 1]);
  }

  /** Whether record i has a value in `field`. */
  has(field: FieldName, i: number): boolean {
    if (field === 'identifier') return this.identifierStart[i + 1] > this.identifierStart[i];
    return this.columns[field].ids[i] >= 0;
  }
}
