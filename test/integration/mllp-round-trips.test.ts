import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestKith, type TestKith } from '../helpers/kith';
import { startMllpServer, type MllpServer } from '../../src/integration/mllp/server';
import { frame } from '../../src/integration/mllp/framing';
import { ackCode, MllpTestClient } from './mllp-client';
import { MALE_NAMES, SURNAMES } from '../../src/identity/generator/data-names';

const adt = (i: number): string =>
  [
    `MSH|^~\\&|RT|RTHOSP|KITH|COUNTY|20240101120000||ADT^A04^ADT_A01|RT-${i}|P|2.5.1`,
    'EVN|A04|20240101120000',
    `PID|1||RT${i}^^^RTHOSP^MR||FAMILY${i}^GIVEN||1980010${1 + (i % 9)}|F|||${i} MAIN ST^^OAKLAND^CA^94612`,
    `PV1|1|O|CLINIC^^^RTHOSP||||||||||||||||V${i}|||||||||||||||||||||||||20240101120000`,
  ].join('\r');

/** Counts the SQL statements every connection of the pool sends, by their first words. */
function countStatements(t: TestKith): {
  total: () => number;
  byKind: () => Record<string, number>;
  reset(): void;
} {
  const proto = (
    t.kith.db.pool as unknown as { Client: { prototype: { query: (...a: unknown[]) => unknown } } }
  ).Client.prototype;
  const original = proto.query;
  let seen: string[] = [];
  proto.query = function (this: unknown, ...args: unknown[]) {
    const q = args[0];
    const text = typeof q === 'string' ? q : ((q as { text?: string })?.text ?? '');
    // On PostgreSQL a transaction's begin goes out with its first statement (begin-with-first.ts).
    if ((q as { beginsTransaction?: boolean })?.beginsTransaction) seen.push('begin');
    seen.push(text.trim().split(/\s+/).slice(0, 3).join(' ').toLowerCase());
    return original.apply(this, args);
  };
  return {
    total: () => seen.length,
    byKind: () => seen.reduce<Record<string, number>>((m, s) => ({ ...m, [s]: (m[s] ?? 0) + 1 }), {}),
    reset: () => void (seen = []),
  };
}

describe('MLLP: database round trips per ADT message', () => {
  let t: TestKith;
  let mllp: MllpServer;
  beforeAll(async () => {
    t = await startTestKith();
    mllp = await startMllpServer(t.kith, { port: 0, host: '127.0.0.1' });
  }, 120_000);
  afterAll(async () => {
    await mllp?.close();
    await t?.close();
  });

  it('an accepted ADT message costs the pipeline one statement of its own inside the write transaction (and nothing before it): the raw insert takes the conditional locks, the status update rides with the Provenance', async () => {
    const client = await MllpTestClient.connect(mllp.port);
    for (let i = 0; i < 5; i++) expect(ackCode(await client.send(adt(i)))).toBe('AA'); // warm-up
    const counter = countStatements(t);
    const n = 20;
    counter.reset();
    for (let i = 100; i < 100 + n; i++) expect(ackCode(await client.send(adt(i)))).toBe('AA');
    const kinds = counter.byKind();
    // The whole path (FHIR transaction, identity, labels, notify hooks), for the report.
    console.log(JSON.stringify({ statementsPerMessage: counter.total() / n, byKind: kinds }));
    expect(kinds['insert into integration_messages']).toBe(n);
    expect(kinds['update integration_messages m']).toBeUndefined();
    expect(kinds['select count(pg_advisory_xact_lock($1::int, k))']).toBeUndefined();
    expect(kinds['select status from']).toBeUndefined();
    // The riding status update still happened, in the same transaction: committed, with its ACK.
    const { rows: stored } = await t.kith.db.query(
      `select count(*)::int as n from integration_messages
       where message_key like 'RTHOSP|RT-1__' and status = 'committed' and ack like 'MSH|%' and latency_ms > 0`,
    );
    expect(stored[0].n).toBe(n);
    expect(kinds['begin']).toBe(n);
    expect(kinds['commit']).toBe(n);

    // A re-sent message is recognised in the transaction and answered with the stored ACK.
    counter.reset();
    const again = await client.send(adt(100));
    expect(ackCode(again)).toBe('AA');
    const { rows } = await t.kith.db.query(
      `select count(*)::int as n, max(duplicates)::int as d from integration_messages where message_key like 'RTHOSP|RT-100'`,
    );
    expect(rows[0]).toEqual({ n: 1, d: 1 });
    client.close();
  }, 120_000);

  it('a message whose Patient founds a new Person writes that Person in the same statement as its Provenance: 7 statements in all', async () => {
    // Different people (names, birth dates, places): each Patient founds its own Person.
    const person = (i: number): string =>
      [
        `MSH|^~\\&|RT|RTHOSP|KITH|COUNTY|20240101120000||ADT^A04^ADT_A01|NP-${i}|P|2.5.1`,
        'EVN|A04|20240101120000',
        `PID|1||NP${i}^^^RTHOSP^MR||${SURNAMES[(i * 37) % SURNAMES.length]}^${MALE_NAMES[(i * 11) % MALE_NAMES.length]}||19${10 + i}0${1 + (i % 9)}1${i % 10}|M|||${i} OAK AVE^^FRESNO^CA^9370${i % 10}`,
        `PV1|1|O|CLINIC^^^RTHOSP||||||||||||||||NPV${i}|||||||||||||||||||||||||20240101120000`,
      ].join('\r');
    const client = await MllpTestClient.connect(mllp.port);
    const counter = countStatements(t);
    const n = 10;
    counter.reset();
    for (let i = 0; i < n; i++) expect(ackCode(await client.send(person(i)))).toBe('AA');
    client.close();
    const kinds = counter.byKind();
    const total = counter.total();
    console.log(JSON.stringify({ statementsPerMessage: total / n, byKind: kinds }));
    const { rows } = await t.kith.db.query(
      `select count(distinct l.person_id)::int as persons, count(p.id)::int as stored
       from identity_links l
       join fhir_resources r on r.resource_type = 'Patient' and r.id = l.patient_id
       left join fhir_resources p on p.resource_type = 'Person' and p.id = l.person_id
       where r.content->'identifier'->0->>'value' like 'NP%' and l.assurance in ('level1', 'level2')`,
    );
    expect(rows[0]).toEqual({ persons: n, stored: n });
    // begin, raw insert, criteria, Patient + Encounter, identity keys and candidates,
    // Person + Provenance (+ status), commit.
    expect(kinds['with r as']).toBe(2 * n);
    // The identity module's term-frequency counts are written and read back outside the messages.
    const background = (kinds['insert into identity_value_counts'] ?? 0) + (kinds['with f as'] ?? 0);
    expect(total - background).toBe(7 * n);
  }, 120_000);

  it('a message whose Patient joins a stored Person writes its link in the statement that reads that Person: 9 statements in all', async () => {
    // Pairs of records of one person from two hospitals: the second of each pair joins the first's Person.
    const person = (i: number, site: string): string =>
      [
        `MSH|^~\\&|RT|${site}|KITH|COUNTY|20240101120000||ADT^A04^ADT_A01|JN-${site}-${i}|P|2.5.1`,
        'EVN|A04|20240101120000',
        `PID|1||JN${i}^^^${site}^MR||${SURNAMES[(i * 53 + 7) % SURNAMES.length]}^${MALE_NAMES[(i * 13 + 3) % MALE_NAMES.length]}||19${20 + i}0${1 + (i % 9)}2${i % 10}|M|||${i} ELM ST^^VISALIA^CA^9327${i % 10}`,
        `PV1|1|O|CLINIC^^^${site}||||||||||||||||JNV${site}${i}|||||||||||||||||||||||||20240101120000`,
      ].join('\r');
    const client = await MllpTestClient.connect(mllp.port);
    const n = 10;
    for (let i = 0; i < n; i++) expect(ackCode(await client.send(person(i, 'JNA')))).toBe('AA');
    const counter = countStatements(t);
    counter.reset();
    for (let i = 0; i < n; i++) expect(ackCode(await client.send(person(i, 'JNB')))).toBe('AA');
    client.close();
    const kinds = counter.byKind();
    const total = counter.total();
    console.log(JSON.stringify({ statementsPerMessage: total / n, byKind: kinds }));
    // Every second record joined its pair's Person, and that Person lists both, rebuilt from both.
    const { rows } = await t.kith.db.query(
      `select count(*)::int as joined, count(*) filter (where jsonb_array_length(p.content->'link') = 2)::int as listed
       from identity_links l
       join fhir_resources r on r.resource_type = 'Patient' and r.id = l.patient_id
       join identity_links a on a.person_id = l.person_id and a.patient_id <> l.patient_id
       join fhir_resources p on p.resource_type = 'Person' and p.id = l.person_id
       where r.content::text ilike '%hl7v2/jnb/%' and l.assurance = 'level3'`,
    );
    expect(rows[0]).toEqual({ joined: n, listed: n });
    // begin, raw insert, criteria, Patient + Encounter, identity keys and candidates, the link
    // with the Person's refresh read, the Person's rewrite, Provenance (+ status), commit.
    const background = (kinds['insert into identity_value_counts'] ?? 0) + (kinds['with f as'] ?? 0);
    expect(total - background).toBe(9 * n);
  }, 120_000);

  it('messages arriving together share one transaction and its statements (group commit)', async () => {
    const counter = countStatements(t);
    const n = 20;
    const client = await MllpTestClient.connect(mllp.port);
    counter.reset();
    client.write(Buffer.concat(Array.from({ length: n }, (_, k) => frame(adt(200 + k)))));
    for (let k = 0; k < n; k++) expect(ackCode(await client.nextAck())).toBe('AA');
    client.close();
    const kinds = counter.byKind();
    console.log(JSON.stringify({ statementsPerMessage: counter.total() / n, byKind: kinds }));
    // One group (or a few, as the frames arrive): far fewer transactions and statements than messages.
    expect(kinds['begin']).toBeLessThanOrEqual(3);
    expect(kinds['insert into integration_messages']).toBe(kinds['begin']);
    expect(counter.total() / n).toBeLessThan(2);
  }, 120_000);
});
