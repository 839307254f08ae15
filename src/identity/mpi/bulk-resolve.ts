import { randomUUID } from 'node:crypto';
import type { Person } from '@medplum/fhirtypes';
import { compileKeys, type CompiledKey } from '../block/blocker';
import { keyValues } from '../block/key-parts';
import { createMatcher, type BlockingKey, type Matcher } from '../matcher';
import { normalizeRecord } from '../normalize/record';
import { toStoredForm, type StoredForm } from '../normalize/stored-form';
import { onlineBlockLimit, requiredSharedBlocks } from '../online';
import type { PairScore } from '../score/model';
import { RecordTable } from '../table/record-table';
import type { FieldName, MatchRecord } from '../types';
import { SYSTEM_ACTOR, type Assurance, type LinkRow } from './core';
import { buildPerson, type SurvivorshipOptions } from './golden';

/** A review task as `onPatientWrite` files it: the new record and its best record of another Person. */
export interface ReviewRow {
  patient_id: string;
  candidate_patient_id: string;
  candidate_person_id: string;
  score: number;
  evidence: PairScore;
}

/** What one record's create leaves in the identity tables. */
export interface ResolvedRecord {
  record: MatchRecord;
  /** Its stored normalized form (identity_records.norm). */
  norm: StoredForm;
  source: string | undefined;
  /** Its blocking keys, one per (key, value) as identity_keys holds them. */
  keys: BlockingKey[];
  /** Its value-count keys (identity_value_counts gets +1 for each). */
  frequencyKeys: [FieldName, string][];
  link: LinkRow;
  reviews: ReviewRow[];
}

import { BlockPostings, PostingPool } from './block-postings';
import { TextStore } from './text-store';

/**
 * Identity resolution of many new Patients in memory, record after record, with the decisions the
 * online path makes when the same Patients are created one at a time in this order into an empty
 * index (`onPatientWrite`): the same blocking keys and block limit (a key whose block already holds
 * `onlineBlockLimit` records is skipped), the same scores, the same choice (best `match` links at
 * level3; else a new Person, level2 with one review task per candidate Person, or level1), the same
 * golden records. For loading a large population (the identity-online benchmark) where writing each
 * record through the store would take hours: records are normalized once into one growing table and
 * scored with value-pair caches, as the batch linker does. Equivalence with online writes is tested
 * (bulk-resolve.test.ts).
 *
 * Term frequencies: exact agreements are weighed by the counts of the records resolved before (the
 * online path reads a snapshot of the stored counts up to a minute old); `termFrequency: false` turns
 * them off, as `installIdentity`'s option does.
 */
export class BulkResolver {
  readonly matcher: Matcher;
  private readonly table = new RecordTable();
  private readonly keys: CompiledKey[];
  private readonly score: (i: number, j: number) => PairScore | undefined;
  private readonly limit: number;
  /*
   * Per-record state lives in typed arrays and off-heap buffers, not in millions of small objects: at
   * 1M people (2.6M records) a major GC had to mark every posting array, JSON string and Person's member
   * array, and took half the loader's CPU.
   */
  /** The records holding each blocking key's values (one pool of posting nodes for all keys). */
  private readonly pool = new PostingPool();
  private readonly postings: BlockPostings[];
  /** Records as JSON (UTF-8, off the heap), for the golden records. */
  private readonly records = new TextStore();
  private readonly ids: string[] = [];
  /** Source of each record, as an index into `sourceNames` (sources are few). */
  private sourceOf = new Int32Array(1024);
  private readonly sourceNames: (string | undefined)[] = [];
  private readonly sourceIndex = new Map<string | undefined, number>();
  private updatedAt = new Float64Array(1024);
  /** Person of each record, as an index into `personIds` (Persons in creation order). */
  private personOf = new Int32Array(1024);
  private readonly personIds: string[] = [];
  private assurance = new Uint8Array(1024);
  /** seen[j] = i + 1 once record j is among record i's candidates. */
  private seen = new Int32Array(1024);
  private candidates = new Int32Array(1024);
  /** shared[j]: how many of record i's blocks hold record j (valid where seen[j] = i + 1). */
  private shared = new Int32Array(1024);
  /** Candidates scored so far, over all records (what online matching pays grows with it). */
  candidatesScored = 0;
  private readonly tfFields: { field: FieldName; k: number }[];
  private readonly counts = new Map<
    FieldName,
    { total: number; sumSquares: number; n: Map<string, number> }
  >();

  constructor(
    base: Matcher,
    private readonly options: { termFrequency?: boolean; survivorship?: SurvivorshipOptions } = {},
  ) {
    const rules = base.rules;
    const maxAdjustment = rules.termFrequency.maxAdjustment;
    this.matcher =
      options.termFrequency === false
        ? createMatcher(rules, base.params)
        : createMatcher(rules, base.params, {
            // TermFrequencyCache.lookup's formula over the counts so far.
            termFrequency: (field, valueKey) => {
              const f = this.counts.get(field);
              if (!f || f.total < 2 || !(f.sumSquares > 0)) return 0;
              const count = Math.max(f.n.get(valueKey) ?? 1, 1);
              const bits = Math.log2(f.sumSquares / (f.total * count));
              return Math.max(-maxAdjustment, Math.min(maxAdjustment, bits));
            },
          });
    this.keys = compileKeys(rules, this.table);
    this.postings = this.keys.map(() => new BlockPostings(this.pool));
    this.score = this.matcher.tableScorer(this.table);
    this.limit = onlineBlockLimit(this.matcher);
    this.tfFields = rules.fields.flatMap((f, k) =>
      f.field !== 'identifier' && f.levels.some((l) => l.comparator === 'exact' && l.termFrequency)
        ? [{ field: f.field, k }]
        : [],
    );
  }

  get size(): number {
    return this.ids.length;
  }

  /** Resolves the next created record; `at` is its write time (ISO), its link's linked_at. */
  resolve(record: MatchRecord, source: string | undefined, at: string): ResolvedRecord {
    const normalized = normalizeRecord(record);
    const i = this.table.addNormalized(record.id, normalized, 0);
    const keys: BlockingKey[] = [];
    /** The (key, value) pair of each entry of `keys`. */
    const mineKey: number[] = [];
    const mineValue: number[] = [];
    // Candidates once each (a record shares several keys with its likely matches), in index order.
    if (this.seen.length <= i) {
      const grown = new Int32Array(Math.max(1024, 2 * (i + 1)));
      grown.set(this.seen);
      this.seen = grown;
      const shared = new Int32Array(grown.length);
      shared.set(this.shared);
      this.shared = shared;
    }
    const stamp = i + 1;
    let n = 0;
    let blocksRead = 0;
    for (let k = 0; k < this.keys.length; k++) {
      const key = this.keys[k];
      const postings = this.postings[k];
      for (const v of keyValues(key.parts, i, key.salt)) {
        keys.push({ key: key.name, value: v.toString(16) });
        mineKey.push(k);
        mineValue.push(v);
        if (!postings.isFull(v)) blocksRead++;
        // Records of an open block (none when the block is absent or full), newest first.
        const { next, record: recordAt } = this.pool;
        for (let p = postings.head(v); p !== -1; p = next[p]) {
          const j = recordAt[p];
          if (this.seen[j] !== stamp) {
            this.seen[j] = stamp;
            this.shared[j] = 1;
            if (n === this.candidates.length) {
              const grown = new Int32Array(this.candidates.length * 2);
              grown.set(this.candidates);
              this.candidates = grown;
            }
            this.candidates[n++] = j;
          } else this.shared[j]++;
        }
      }
    }
    // Only those in enough of the record's blocks, as online (requiredSharedBlocks).
    const required = requiredSharedBlocks(this.matcher, blocksRead);
    if (required > 1) {
      let kept = 0;
      for (let c = 0; c < n; c++)
        if (this.shared[this.candidates[c]] >= required) this.candidates[kept++] = this.candidates[c];
      n = kept;
    }
    // In record id order, as scoreCandidates takes them (equal scores keep that order).
    const ids = this.ids;
    const order = this.candidates
      .subarray(0, n)
      .sort((a, b) => (ids[a] < ids[b] ? -1 : ids[a] > ids[b] ? 1 : 0));
    this.candidatesScored += n;
    const scored: { j: number; result: PairScore }[] = [];
    for (let c = 0; c < n; c++) {
      const result = this.score(i, order[c]);
      if (result) scored.push({ j: order[c], result });
    }
    scored.sort((x, y) => y.result.score - x.result.score);

    const best = scored[0];
    let link: LinkRow;
    /** The record's Person: its best match's, or (-1) a new one. */
    let person = -1;
    const reviews: ReviewRow[] = [];
    if (best && best.result.decision === 'match') {
      person = this.personOf[best.j];
      link = {
        patient_id: record.id,
        person_id: this.personIds[person],
        assurance: 'level3',
        rule_version: best.result.rulesVersion,
        score: best.result.score,
        evidence: best.result,
        linked_at: at,
        linked_by: SYSTEM_ACTOR,
      };
    } else {
      const possible = scored.filter((c) => c.result.decision === 'possible');
      link = {
        patient_id: record.id,
        person_id: randomUUID(),
        assurance: possible.length ? 'level2' : 'level1',
        rule_version: this.matcher.rules.version,
        score: null,
        evidence: null,
        linked_at: at,
        linked_by: SYSTEM_ACTOR,
      };
      const seen = new Set<number>();
      for (const c of possible) {
        const other = this.personOf[c.j];
        if (seen.has(other)) continue;
        seen.add(other);
        reviews.push({
          patient_id: record.id,
          candidate_patient_id: this.ids[c.j],
          candidate_person_id: this.personIds[other],
          score: c.result.score,
          evidence: c.result,
        });
      }
    }

    // The record joins the index and the counts after its own resolution, as a stored record would.
    const distinct = new Set<string>();
    const stored: BlockingKey[] = [];
    keys.forEach((key, n) => {
      const id = `${key.key}\u0000${key.value}`;
      if (distinct.has(id)) return;
      distinct.add(id);
      stored.push(key);
      // A block reaching the online block limit is full: skipped for every later record.
      this.postings[mineKey[n]].add(mineValue[n], i, this.limit);
    });
    const frequencyKeys: [FieldName, string][] = [];
    for (const { field } of this.tfFields) {
      const col = this.table.column(field);
      const key = col.keyAt(i);
      if (key < 0) continue;
      const value = col.keys[key];
      frequencyKeys.push([field, value]);
      if (this.options.termFrequency === false) continue;
      let f = this.counts.get(field);
      if (!f) this.counts.set(field, (f = { total: 0, sumSquares: 0, n: new Map() }));
      const before = f.n.get(value) ?? 0;
      f.n.set(value, before + 1);
      f.total++;
      f.sumSquares += 2 * before + 1;
    }
    this.records.push(JSON.stringify(record));
    this.ids.push(record.id);
    if (i >= this.updatedAt.length) {
      const size = this.updatedAt.length * 2;
      this.updatedAt = grow(this.updatedAt, new Float64Array(size));
      this.sourceOf = grow(this.sourceOf, new Int32Array(size));
      this.personOf = grow(this.personOf, new Int32Array(size));
      this.assurance = grow(this.assurance, new Uint8Array(size));
    }
    let s = this.sourceIndex.get(source);
    if (s === undefined) {
      s = this.sourceNames.push(source) - 1;
      this.sourceIndex.set(source, s);
    }
    this.sourceOf[i] = s;
    this.updatedAt[i] = Date.parse(at);
    this.personOf[i] = person >= 0 ? person : this.personIds.push(link.person_id) - 1;
    this.assurance[i] = ASSURANCES.indexOf(link.assurance);
    return {
      record,
      norm: toStoredForm(record, normalized),
      source,
      keys: stored,
      frequencyKeys,
      link,
      reviews,
    };
  }

  /** Number of Persons so far. */
  get persons(): number {
    return this.personIds.length;
  }

  /** Every Person as its last online rewrite leaves it: golden record and links from all its records. */
  *personResources(): Generator<Person> {
    // Each Person's records in link order (record order), grouped by a counting sort over personOf.
    const persons = this.personIds.length;
    const records = this.ids.length;
    const start = new Int32Array(persons + 1);
    for (let i = 0; i < records; i++) start[this.personOf[i] + 1]++;
    for (let p = 0; p < persons; p++) start[p + 1] += start[p];
    const fill = start.slice(0, persons);
    const members = new Int32Array(records);
    for (let i = 0; i < records; i++) members[fill[this.personOf[i]]++] = i;
    for (let p = 0; p < persons; p++) {
      const list = Array.from(members.subarray(start[p], start[p + 1]));
      yield buildPerson(
        this.personIds[p],
        list.map((i) => ({
          record: JSON.parse(this.records.get(i)) as MatchRecord,
          source: this.sourceNames[this.sourceOf[i]],
          updatedAt: new Date(this.updatedAt[i]).toISOString(),
        })),
        list.map((i) => ({
          target: { reference: `Patient/${this.ids[i]}` },
          assurance: ASSURANCES[this.assurance[i]],
        })),
        this.options.survivorship,
      );
    }
  }
}

/** Assurance levels by their index in `BulkResolver.assurance`. */
const ASSURANCES: readonly Assurance[] = ['level1', 'level2', 'level3', 'level4'];

/** `into` holding `from`'s elements first (a grown copy). */
function grow<T extends Float64Array | Int32Array | Uint8Array>(from: T, into: T): T {
  into.set(from);
  return into;
}
