import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Patient, Provenance } from '@medplum/fhirtypes';
import { startTestKith, type TestKith } from '../helpers/kith';
import { startMllpServer, type MllpServer } from '../../src/integration/mllp/server';
import { frame } from '../../src/integration/mllp/framing';
import { processHl7 } from '../../src/integration';
import { MllpTestClient } from './mllp-client';

/**
 * Group commit over MLLP: messages of several connections committed in one transaction each group,
 * with every per-message guarantee kept (duplicates, a bad message alone, order, Provenance).
 */
const adt = (sender: string, id: string, mrn: string, family: string, event = 'A04'): string =>
  [
    `MSH|^~\\&|EHR|${sender}|KITH|COUNTY|20240101120000||ADT^${event}^ADT_A01|${id}|P|2.5.1`,
    `EVN|${event}|20240101120000`,
    `PID|1||${mrn}^^^${sender}^MR||${family}^ALEX||19800101|F`,
    `PV1|1|O|||||||||||||||||V${mrn}^^^${sender}^VN|||||||||||||||||||||||||20240101120000`,
  ].join('\r');

const msa = (ack: string): string[] =>
  ack
    .split(/\r|\n/)
    .find((s) => s.startsWith('MSA'))
    ?.split('|') ?? [];

async function one(t: TestKith, sql: string, params: unknown[] = []): Promise<Record<string, unknown>> {
  return (await t.kith.db.query(sql, params)).rows[0] as Record<string, unknown>;
}

/** Writes all frames in one chunk (no waiting between them) and reads as many ACKs. */
async function burst(port: number, messages: string[]): Promise<string[]> {
  const client = await MllpTestClient.connect(port);
  client.write(Buffer.concat(messages.map(frame)));
  const acks: string[] = [];
  for (let i = 0; i < messages.length; i++) acks.push(await client.nextAck());
  client.close();
  return acks;
}

describe('MLLP group commit', () => {
  let t: TestKith;
  let mllp: MllpServer;
  beforeAll(async () => {
    t = await startTestKith();
    // A wide window so the test's bursts surely land in one group.
    mllp = await startMllpServer(t.kith, { port: 0, host: '127.0.0.1', group: { windowMs: 40 } });
  }, 120_000);
  afterAll(async () => {
    await mllp?.close();
    await t?.close();
  });

  it('commits messages of several connections together, each ACKed in order with its own Provenance', async () => {
    const before = { ...mllp.group.stats };
    const conns = [0, 1, 2, 3].map((c) =>
      Array.from({ length: 5 }, (_, k) => adt('GRP', `G${c}-${k}`, `G${c}-${k}`, `GROUPFAM${c}${k}`)),
    );
    const acks = await Promise.all(conns.map((m) => burst(mllp.port, m)));
    for (const [c, list] of acks.entries()) {
      // In the order sent, each naming its own message.
      expect(list.map((a) => msa(a)[1])).toEqual(['AA', 'AA', 'AA', 'AA', 'AA']);
      expect(list.map((a) => msa(a)[2])).toEqual(conns[c].map((_, k) => `G${c}-${k}`));
    }
    const groups = mllp.group.stats.groups - before.groups;
    expect(mllp.group.stats.messages - before.messages).toBe(20);
    expect(groups).toBeLessThan(20);
    expect(mllp.group.stats.largest).toBeGreaterThan(1);
    expect(
      await one(
        t,
        `select count(*)::int as n, count(*) filter (where status = 'committed')::int as committed,
           count(distinct ack)::int as acks from integration_messages where message_key like 'GRP|G%'`,
      ),
    ).toEqual({ n: 20, committed: 20, acks: 20 });
    // One Provenance per message, naming that message and its Patient and Encounter.
    const { rows } = await t.kith.db.query(
      `select content from fhir_resources where resource_type = 'Provenance' and not deleted
         and content->'entity'->0->'what'->'identifier'->>'value' in
           (select id::text from integration_messages where message_key like 'GRP|G%')`,
    );
    expect(rows).toHaveLength(20);
    for (const r of rows) {
      const p = r.content as Provenance;
      expect(p.target.map((x) => x.reference!.split('/')[0]).sort()).toEqual(['Encounter', 'Patient']);
    }
    expect(
      await one(
        t,
        `select count(*)::int as n from fhir_resources
         where resource_type = 'Patient' and content::text like '%GROUPFAM%' and not deleted`,
      ),
    ).toEqual({ n: 20 });
  }, 120_000);

  it('a group starts as soon as every open connection has a message waiting, else after the window', async () => {
    const slow = await startMllpServer(t.kith, { port: 0, host: '127.0.0.1', group: { windowMs: 3000 } });
    try {
      const [a, b] = await Promise.all([
        MllpTestClient.connect(slow.port),
        MllpTestClient.connect(slow.port),
      ]);
      const t0 = performance.now();
      let ackA: string | undefined;
      const first = a.send(adt('WIN', 'W1', 'W1', 'WINFAMA')).then((x) => (ackA = x));
      await new Promise((r) => setTimeout(r, 300));
      // b is open and has sent nothing: the group waits for the window.
      expect(ackA).toBeUndefined();
      const ackB = await b.send(adt('WIN', 'W2', 'W2', 'WINFAMB'));
      await first;
      expect([msa(ackA!)[1], msa(ackB)[1]]).toEqual(['AA', 'AA']);
      // b's message completed the set: both went at once, long before the 3 s window.
      expect(performance.now() - t0).toBeLessThan(2500);
      expect(slow.group.stats).toMatchObject({ groups: 1, messages: 2 });
      b.close();
      // Alone now (b closed): a's next message goes at once.
      await new Promise((r) => setTimeout(r, 100));
      const t1 = performance.now();
      expect(msa(await a.send(adt('WIN', 'W3', 'W3', 'WINFAMC')))[1]).toBe('AA');
      expect(performance.now() - t1).toBeLessThan(2500);
      a.close();
    } finally {
      await slow.close();
    }
  }, 120_000);

  it('two copies of one message in one group: stored once, both AA with the same ACK', async () => {
    const m = adt('DUPG', 'D1', 'D1', 'DUPFAM');
    const acks = await burst(mllp.port, [m, adt('DUPG', 'D2', 'D2', 'DUPFAMB'), m]);
    expect(acks.map((a) => msa(a)[1])).toEqual(['AA', 'AA', 'AA']);
    expect(acks[2]).toBe(acks[0]);
    expect(
      await one(
        t,
        `select count(*)::int as n, sum(duplicates)::int as d from integration_messages where message_key like 'DUPG|%'`,
      ),
    ).toEqual({ n: 2, d: 1 });
    expect(
      await one(
        t,
        `select count(*)::int as n from fhir_resources, jsonb_array_elements(content->'identifier') i
         where resource_type = 'Patient' and i->>'value' = 'D1'`,
      ),
    ).toEqual({ n: 1 });
  }, 120_000);

  it('one message that fails at commit fails alone: its AE names the problem, the rest of its group commits', async () => {
    // Two stored Patients with the MRN of B2 (as the mapper writes it): its conditional update
    // matches several (412), which fails the whole group's transaction.
    const mapped = processHl7(adt('BADG', 'B2', 'TWIN', 'BADFAMB'), {}).result.resources;
    const identifier = (mapped.find((r) => r.resourceType === 'Patient')!.resource as Patient).identifier!;
    for (let i = 0; i < 2; i++)
      await t.kith.store.create({ resourceType: 'Patient', identifier: [identifier[0]] } as Patient);
    const fallbacks = mllp.group.stats.fallbacks;
    const acks = await burst(mllp.port, [
      adt('BADG', 'B1', 'B1', 'BADFAMA'),
      adt('BADG', 'B2', 'TWIN', 'BADFAMB'),
      adt('BADG', 'B3', 'B3', 'BADFAMC'),
    ]);
    expect(acks.map((a) => msa(a)[1])).toEqual(['AA', 'AE', 'AA']);
    expect(acks[1]).toMatch(/ERR\|/);
    expect(acks[1]).toMatch(/matched several|multiple/i);
    expect(mllp.group.stats.fallbacks).toBeGreaterThan(fallbacks);
    const dead = (await mllp.pipeline.deadLetters({ channel: 'mllp-adt' })).deadLetters;
    expect(dead.map((d) => d.messageKey)).toContain('BADG|B2');
    expect(
      await one(
        t,
        `select count(*) filter (where status = 'committed')::int as committed,
           count(*) filter (where status = 'failed')::int as failed
         from integration_messages where message_key like 'BADG|%'`,
      ),
    ).toEqual({ committed: 2, failed: 1 });
  }, 120_000);

  it('keeps the order of one connection: an update sent right after the create lands after it', async () => {
    const acks = await burst(mllp.port, [
      adt('ORD', 'O1', 'O1', 'FIRSTNAME'),
      adt('ORD', 'O2', 'O1', 'SECONDNAME', 'A08'),
      adt('ORD', 'O3', 'O3', 'OTHERNAME'),
    ]);
    expect(acks.map((a) => msa(a)[1])).toEqual(['AA', 'AA', 'AA']);
    const { rows } = await t.kith.db.query(
      `select content, version_id from fhir_resources, jsonb_array_elements(content->'identifier') i
       where resource_type = 'Patient' and i->>'value' = 'O1'`,
    );
    expect(rows).toHaveLength(1);
    expect((rows[0].content as Patient).name?.[0]?.family).toBe('SECONDNAME');
    expect(Number(rows[0].version_id)).toBe(2);
  }, 120_000);

  it("a Provenance carries its targets' sensitivity labels, taken from the writes themselves", async () => {
    const oru = [
      'MSH|^~\\&|LIS|LABG|KITH|COUNTY|20240301101500||ORU^R01^ORU_R01|H-1|P|2.5.1',
      'PID|1||H1^^^LABG^MR||HIVTEST^ANN||19700505|F',
      'OBR|1|PL1^EHR|FL1^LABG|75622-1^HIV 1 and 2 tests^LN|||20240301080000|||||||||||||||20240301100000|||F',
      'OBX|1|ST|75622-1^HIV 1 and 2 tests^LN||Negative||||||F|||20240301081500',
    ].join('\r');
    const acks = await burst(mllp.port, [oru, adt('LABG', 'H-2', 'H2', 'PLAINFAM')]);
    expect(acks.map((a) => msa(a)[1])).toEqual(['AA', 'AA']);
    const { rows } = await t.kith.db.query(
      `select p.content from fhir_resources p join integration_messages m
         on p.content->'entity'->0->'what'->'identifier'->>'value' = m.id::text
       where p.resource_type = 'Provenance' and m.message_key in ('LABG|H-1', 'LABG|H-2')
       order by m.message_key`,
    );
    const codes = rows.map((r) => ((r.content as Provenance).meta?.security ?? []).map((c) => c.code).sort());
    expect(codes[0]).toContain('HIV');
    expect(codes[1]).not.toContain('HIV');
  }, 120_000);
});
