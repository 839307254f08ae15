import type { Person } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestKith, type TestKith } from '../../../test/helpers/kith';
import { generatePopulation } from '../generator/generate';
import { generatedToPatient } from '../generator/patient';
import { createMatcher } from '../matcher';
import { defaultRules } from '../rules';
import { BulkResolver, type ResolvedRecord } from './bulk-resolve';
import { identityContext } from './install';
import { patientToMatchRecord } from './patient-record';

// The bulk resolver must leave what creating the same Patients one at a time leaves: same links
// (Person partition, assurance, score, evidence), reviews, keys, records, value counts and Persons.
// A small online block limit (4) makes the skipping of large blocks part of the comparison.
const LIMIT = 4;
const rules = { ...defaultRules, blocking: { ...defaultRules.blocking, onlineMaxBlockSize: LIMIT } };
const base = identityContext().matcher;
const matcher = createMatcher(rules, base.params);

let t: TestKith;
let bundles: TestKith;
beforeAll(async () => {
  [t, bundles] = await Promise.all([startTestKith(), startTestKith()]);
  // No term frequencies online (their snapshot refreshes in the background, at no set point).
  identityContext(t.kith.store).matcher = matcher;
  identityContext(bundles.kith.store).matcher = matcher;
}, 400_000);
afterAll(async () => Promise.all([t?.close(), bundles?.close()]));

const data = generatePopulation({ seed: 21, records: 260 });
const patients = data.records.map((g, i) => generatedToPatient(g, `bulk-${String(i).padStart(4, '0')}`));

/** The resolver's view of the same creates; `together` records at a time share a write time (a Bundle's). */
function resolveAll(together = 1): { resolver: BulkResolver; resolved: ResolvedRecord[] } {
  const resolver = new BulkResolver(matcher, { termFrequency: false });
  const start = Date.parse('2026-01-01T00:00:00Z');
  const resolved: ResolvedRecord[] = patients.map((p, i) =>
    resolver.resolve(
      patientToMatchRecord(p),
      p.meta?.source,
      new Date(start + Math.floor(i / together) * 1000).toISOString(),
    ),
  );
  expect(resolver.size).toBe(patients.length);
  return { resolver, resolved };
}

describe('BulkResolver', () => {
  it('decides as Patient creates one at a time do, in the same order', async () => {
    for (const p of patients) await t.kith.store.create(p, p.id);
    await sameState(t, resolveAll());
  }, 400_000);

  it('decides as transaction Bundles of Patients do (batch identity), in the same order', async () => {
    for (let i = 0; i < patients.length; i += 40)
      await bundles.kith.store.createMany(patients.slice(i, i + 40));
    await sameState(bundles, resolveAll(40));
  }, 400_000);
});

async function sameState(
  t: TestKith,
  { resolver, resolved }: { resolver: BulkResolver; resolved: ResolvedRecord[] },
): Promise<void> {
  {
    const q = async (sql: string) => (await t.kith.db.pool.query(sql)).rows;
    const links = new Map((await q('select * from identity_links')).map((r) => [r.patient_id, r]));
    // Person ids are random on both sides: map the online ones to the resolver's.
    const personMap = new Map<string, string>();
    let reviewsBulk = 0;
    for (const r of resolved) {
      const online = links.get(r.record.id);
      expect(online, r.record.id).toBeDefined();
      const mapped = personMap.get(online.person_id);
      if (mapped === undefined) personMap.set(online.person_id, r.link.person_id);
      else expect(mapped, `Person of ${r.record.id}`).toBe(r.link.person_id);
      expect(online.assurance, r.record.id).toBe(r.link.assurance);
      expect(online.score).toBe(r.link.score);
      expect(online.evidence).toEqual(r.link.evidence);
      expect(online.rule_version).toBe(r.link.rule_version);
      reviewsBulk += r.reviews.length;
    }
    expect(personMap.size).toBe(resolver.persons);
    const assurances = new Set(resolved.map((r) => r.link.assurance));
    // The sample exercises every outcome: new Person, review, automatic link.
    expect([...assurances].sort()).toEqual(['level1', 'level2', 'level3']);

    const reviews = await q(
      'select patient_id, candidate_patient_id, candidate_person_id, score, evidence from identity_review',
    );
    expect(reviews.length).toBe(reviewsBulk);
    // One review per candidate Person; its record is the Person's best (equal scores may pick another).
    const bulkReviews = new Map(
      resolved.flatMap((r) => r.reviews).map((r) => [`${r.patient_id} ${r.candidate_person_id}`, r]),
    );
    for (const r of reviews) {
      const key = `${r.patient_id} ${personMap.get(r.candidate_person_id)}`;
      const b = bulkReviews.get(key);
      expect(b, key).toBeDefined();
      expect(r.score).toBe(b?.score);
      if (r.candidate_patient_id === b?.candidate_patient_id) expect(r.evidence).toEqual(b?.evidence);
    }

    const keyRows = await q('select patient_id, key, value from identity_keys');
    const keyOf = (p: string, k: string, v: string) => `${p} ${k} ${v}`;
    expect(keyRows.map((r) => keyOf(r.patient_id, r.key, r.value)).sort()).toEqual(
      resolved.flatMap((r) => r.keys.map((k) => keyOf(r.record.id, k.key, k.value))).sort(),
    );
    // Some block was skipped as too large, so the limit took part.
    const sizes = new Map<string, number>();
    for (const r of keyRows) sizes.set(`${r.key} ${r.value}`, (sizes.get(`${r.key} ${r.value}`) ?? 0) + 1);
    expect(Math.max(...sizes.values())).toBeGreaterThan(LIMIT);

    const records = new Map(
      (await q('select patient_id, person_id, record, norm from identity_records')).map((r) => [
        r.patient_id,
        r,
      ]),
    );
    for (const r of resolved) {
      expect(records.get(r.record.id)?.record).toEqual(r.record);
      expect(records.get(r.record.id)?.norm).toEqual(r.norm);
      expect(personMap.get(records.get(r.record.id)?.person_id)).toBe(r.link.person_id);
    }

    const counts = await q('select field, value_key, n from identity_value_counts where n <> 0');
    const bulkCounts = new Map<string, number>();
    for (const r of resolved)
      for (const [f, v] of r.frequencyKeys)
        bulkCounts.set(`${f} ${v}`, (bulkCounts.get(`${f} ${v}`) ?? 0) + 1);
    await identityContext(t.kith.store).counts?.flush();
    const flushed = await q('select field, value_key, n from identity_value_counts where n <> 0');
    expect(flushed.length).toBeGreaterThanOrEqual(counts.length);
    expect(new Map(flushed.map((r) => [`${r.field} ${r.value_key}`, r.n]))).toEqual(bulkCounts);

    // Persons: the same golden records and links (link order and timestamps aside).
    const stored = (
      await q(`select content from fhir_resources where resource_type = 'Person' and not deleted`)
    ).map((r) => (typeof r.content === 'string' ? JSON.parse(r.content) : r.content) as Person);
    const bulkPersons = new Map([...resolver.personResources()].map((p) => [p.id, p]));
    expect(stored.length).toBe(bulkPersons.size);
    const comparable = (p: Person, id: string) => {
      const { meta: _meta, ...rest } = p;
      return {
        ...rest,
        id,
        link: [...(p.link ?? [])].sort((a, b) => (a.target.reference! < b.target.reference! ? -1 : 1)),
      };
    };
    for (const p of stored) {
      const id = personMap.get(p.id as string) as string;
      expect(comparable(p, id)).toEqual(comparable(bulkPersons.get(id) as Person, id));
    }
  }
}
