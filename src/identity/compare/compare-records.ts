import type { FieldRule, LevelCondition, MatchRules } from '../rules/schema';
import type { Column } from '../table/column';
import type { RecordTable, ScalarField } from '../table/record-table';
import type { FieldName } from '../types';
import { PairCache } from './pair-cache';
import { crossAgrees, predicateFor, type Predicate } from './predicates';

/**
 * Turns a rule set into a comparison function over a RecordTable: for a pair of record indices it returns
 * the comparison vector (one level index per field, in rule order), also packed into one integer pattern so
 * that millions of pairs can be counted and weighed by pattern.
 */
export interface CompiledField {
  field: FieldName;
  rule: FieldRule;
  scored: boolean;
  labels: string[];
  /** Index of the `missing` level, or -1 when the rule has none (missing values then fall to `else`). */
  missingLevel: number;
  elseLevel: number;
  /** Index of the exact level that carries a term-frequency adjustment, or -1. */
  tfLevel: number;
  /** Index of the `one-sided` level (a value on one record only), or -1. */
  oneSidedLevel: number;
}

interface FieldImpl extends CompiledField {
  column: Column;
  predicates: (Predicate | null)[];
  /** Cross-field levels: [level index, other column]. */
  cross: [number, Column][];
  cache: PairCache | null;
}

/**
 * Slots of a value-pair cache (log2). A large batch meets more distinct name and date pairs than the
 * default holds before it clears; a comparer over a few hundred records (one online match with many
 * candidates) must not allocate megabytes it will never fill.
 */
function cacheBits(kind: string, records: number): number {
  const large = records > 65_536;
  if (kind === 'name' || kind === 'date') return large ? 20 : 18;
  return large ? 16 : 14;
}

/** Comparators decided from the records rather than from a pair of values. */
const RECORD_LEVEL = new Set(['missing', 'else', 'cross-field', 'one-sided']);

export class RecordComparer {
  readonly fields: CompiledField[];
  /** Pattern = sum of level * stride over fields. */
  readonly strides: number[];
  readonly patternCount: number;
  private readonly impl: FieldImpl[];
  private readonly swaps: {
    x: number;
    y: number;
    acceptX: Set<number>;
    acceptY: Set<number>;
    maxX: number;
    maxY: number;
  }[];
  /** Per field: alternative conditions, each a list of [field index, levels] that must all hold. */
  private readonly skips: { field: number; when: [number, Set<number>][][] }[];
  private readonly skipFlags: Uint8Array;

  /**
   * `cacheValuePairs: false` for a comparer of a few records (one online match): the caches pay off only
   * over many pairs, and allocating them costs megabytes per comparer.
   */
  constructor(
    rules: MatchRules,
    private readonly table: RecordTable,
    options: { cacheValuePairs?: boolean; rowMajor?: boolean } = {},
  ) {
    const caching = options.cacheValuePairs !== false;
    this.impl = rules.fields.map((rule) => {
      const labels = rule.levels.map((l) => l.label);
      const column = table.column(rule.field);
      // Names and places repeat; so do birth dates and ZIP codes in a large batch (tens of thousands of
      // values over a million records), whose levels (swap, one or two edits) cost an edit distance each.
      const repeats = column.kind !== 'multi' && column.values.length * 4 < table.size;
      const cacheable = caching && (column.kind === 'name' || column.kind === 'place' || repeats);
      return {
        field: rule.field,
        rule,
        scored: rule.scored !== false,
        labels,
        missingLevel: rule.levels[0].comparator === 'missing' ? 0 : -1,
        elseLevel: rule.levels.length - 1,
        tfLevel: rule.levels.findIndex((l) => l.comparator === 'exact' && l.termFrequency === true),
        oneSidedLevel: rule.levels.findIndex((l) => l.comparator === 'one-sided'),
        column,
        predicates: rule.levels.map((l) => (RECORD_LEVEL.has(l.comparator) ? null : predicateFor(l))),
        cross: rule.levels.flatMap((l, i): [number, Column][] =>
          l.comparator === 'cross-field' && l.field ? [[i, table.column(l.field)]] : [],
        ),
        cache: cacheable ? new PairCache(cacheBits(column.kind, table.size)) : null,
      };
    });
    this.fields = this.impl;
    this.strides = [];
    let stride = 1;
    for (const f of this.impl) {
      this.strides.push(stride);
      stride *= f.labels.length;
    }
    if (stride > Number.MAX_SAFE_INTEGER) throw new Error('too many comparison levels to encode a pattern');
    this.patternCount = stride;
    const index = (f: FieldName) => this.impl.findIndex((x) => x.field === f);
    const levelSet = (k: number, labels: string[] | undefined) =>
      new Set((labels ?? []).map((l) => this.impl[k].labels.indexOf(l)));
    const conditions = (c: LevelCondition): [number, Set<number>][] =>
      Object.entries(c).map(([field, labels]) => {
        const k = index(field as FieldName);
        return [k, levelSet(k, labels)];
      });
    this.swaps = (rules.swaps ?? []).map((sw) => {
      const [x, y] = sw.fields.map(index);
      const acceptX = levelSet(x, sw.accept[sw.fields[0]]);
      const acceptY = levelSet(y, sw.accept[sw.fields[1]]);
      return { x, y, acceptX, acceptY, maxX: Math.max(...acceptX), maxY: Math.max(...acceptY) };
    });
    this.skips = rules.fields.flatMap((rule, k) =>
      rule.skipWhen ? [{ field: k, when: rule.skipWhen.map(conditions) }] : [],
    );
    this.skipFlags = new Uint8Array(this.skips.length);
    if (options.rowMajor) {
      const width = this.impl.length;
      const rows = new Int32Array(table.size * width);
      for (let k = 0; k < width; k++) {
        const ids = this.impl[k].column.ids;
        for (let i = 0; i < table.size; i++) rows[i * width + k] = ids[i];
      }
      this.rows = rows;
    }
  }

  /**
   * The value ids of every compared field, record by record (rowMajor): a pair's comparison then reads two
   * runs of adjacent memory instead of one cache line per field and record, which over millions of pairs of
   * a million records is most of its cost. Only for a table that no longer grows (a batch).
   */
  private rows: Int32Array | null = null;

  /**
   * Level of values a (in ca) and b (in cb) from the value-level comparators only; levels after `upTo` are
   * not tried (the answer is then `else`), which bounds the crosswise comparisons of a swap check.
   */
  private valueLevel(
    f: FieldImpl,
    ca: Column,
    a: number,
    cb: Column,
    b: number,
    upTo = f.elseLevel - 1,
  ): number {
    const preds = f.predicates;
    for (let l = 0; l <= upTo; l++) {
      const p = preds[l];
      if (p !== null && p(ca, a, cb, b)) return l;
    }
    return f.elseLevel;
  }

  private fieldLevel(f: FieldImpl, k: number, i: number, j: number): number {
    if (f.field === 'identifier') return this.identifierLevel(f, i, j);
    const col = f.column;
    const rows = this.rows;
    const width = this.impl.length;
    const a = rows === null ? col.ids[i] : rows[i * width + k];
    const b = rows === null ? col.ids[j] : rows[j * width + k];
    if (a < 0 || b < 0) {
      if (f.oneSidedLevel >= 0 && (a >= 0 || b >= 0)) return f.oneSidedLevel;
      return f.missingLevel >= 0 ? f.missingLevel : f.elseLevel;
    }
    let level: number;
    if (
      a === b &&
      f.predicates[f.missingLevel + 1] !== null &&
      f.rule.levels[f.missingLevel + 1].comparator === 'exact'
    ) {
      level = f.missingLevel + 1;
    } else if (f.cache !== null) {
      const lo = a < b ? a : b;
      const hi = a < b ? b : a;
      level = f.cache.get(lo, hi);
      if (level < 0) {
        level = this.valueLevel(f, col, a, col, b);
        f.cache.set(lo, hi, level);
      }
    } else level = this.valueLevel(f, col, a, col, b);
    // Cross-field levels (given vs the other's middle) need the records, so they sit outside the cache.
    for (let c = 0; c < f.cross.length; c++) {
      const l = f.cross[c][0];
      const other = f.cross[c][1];
      if (l >= level) break;
      const oi = other.ids[i];
      const oj = other.ids[j];
      if ((oj >= 0 && crossAgrees(col, a, other, oj)) || (oi >= 0 && crossAgrees(other, oi, col, b)))
        return l;
    }
    return level;
  }

  /** Identifiers compare only within one system; sharing no system is "missing", not disagreement. */
  private identifierLevel(f: FieldImpl, i: number, j: number): number {
    const t = this.table;
    const col = f.column;
    const si = t.identifierStart[i];
    const ei = t.identifierStart[i + 1];
    const sj = t.identifierStart[j];
    const ej = t.identifierStart[j + 1];
    let best = Infinity;
    let sameSystem = false;
    for (let x = si; x < ei; x++) {
      const a = t.identifierList[x];
      for (let y = sj; y < ej; y++) {
        const b = t.identifierList[y];
        if (t.identifierSystem[a] !== t.identifierSystem[b]) continue;
        sameSystem = true;
        best = Math.min(best, this.valueLevel(f, col, a, col, b));
      }
    }
    if (!sameSystem) return f.missingLevel >= 0 ? f.missingLevel : f.elseLevel;
    return best;
  }

  /** Fills `out` with the level of each field for records i and j. */
  compare(i: number, j: number, out: Int32Array): void {
    const impl = this.impl;
    for (let k = 0; k < impl.length; k++) out[k] = this.fieldLevel(impl[k], k, i, j);
    for (let s = 0; s < this.swaps.length; s++) {
      const { x, y, acceptX, acceptY, maxX, maxY } = this.swaps[s];
      const fx = impl[x];
      const fy = impl[y];
      if (out[x] !== fx.elseLevel || out[y] !== fy.elseLevel) continue;
      // Both fields disagree: try them crosswise (first name in the last-name field and vice versa).
      const xi = fx.column.ids[i];
      const yj = fy.column.ids[j];
      const yi = fy.column.ids[i];
      const xj = fx.column.ids[j];
      if (xi < 0 || yj < 0 || yi < 0 || xj < 0) continue;
      const ly = this.valueLevel(fy, fy.column, yi, fx.column, xj, maxY);
      if (!acceptY.has(ly)) continue;
      const lx = this.valueLevel(fx, fx.column, xi, fy.column, yj, maxX);
      if (acceptX.has(lx)) {
        out[x] = lx;
        out[y] = ly;
      }
    }
    // Implied evidence counts once: decide every skip on the unskipped vector, then apply.
    const skips = this.skips;
    if (skips.length === 0) return;
    for (let s = 0; s < skips.length; s++) {
      let any = 0;
      const when = skips[s].when;
      for (let c = 0; c < when.length; c++) {
        let all = 1;
        for (let q = 0; q < when[c].length; q++) if (!when[c][q][1].has(out[when[c][q][0]])) all = 0;
        any |= all;
      }
      this.skipFlags[s] = any;
    }
    for (let s = 0; s < skips.length; s++)
      if (this.skipFlags[s]) out[skips[s].field] = impl[skips[s].field].missingLevel;
  }

  /** The comparison vector of records i and j packed into one number. */
  pattern(i: number, j: number, scratch: Int32Array): number {
    this.compare(i, j, scratch);
    let p = 0;
    for (let k = 0; k < this.strides.length; k++) p += scratch[k] * this.strides[k];
    return p;
  }

  /** Level of field k inside a packed pattern. */
  levelOf(pattern: number, k: number): number {
    return Math.floor(pattern / this.strides[k]) % this.fields[k].labels.length;
  }

  /** Value id of record i in field k's column (for term frequencies), -1 if missing or multi-valued. */
  valueKey(k: number, i: number): number {
    const f = this.impl[k];
    if (f.field === 'identifier') return -1;
    return f.column.keyAt(i);
  }

  columnOf(k: number): Column {
    return this.impl[k].column;
  }

  static scalar(field: FieldName): field is ScalarField {
    return field !== 'identifier';
  }
}
