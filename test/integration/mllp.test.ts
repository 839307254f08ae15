import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestKith, type TestKith } from '../helpers/kith';
import { fixturesAvailable, fixturesDir } from '../helpers/fixtures';
import { startMllpServer, type MllpServer } from '../../src/integration/mllp/server';
import { frame } from '../../src/integration/mllp/framing';
import { processHl7, splitHl7Batch } from '../../src/integration';
import { ackCode, MllpTestClient } from './mllp-client';

const haveFixtures = fixturesAvailable();
const hl7Files = haveFixtures
  ? readdirSync(fixturesDir())
      .filter((d) => d.startsWith('hl7v2-'))
      .flatMap((d) =>
        readdirSync(path.join(fixturesDir(), d))
          .filter((f) => f.endsWith('.hl7'))
          .map((f) => path.join(fixturesDir(), d, f)),
      )
  : [];

async function count(t: TestKith, type: string): Promise<number> {
  const { rows } = await t.kith.db.query(
    'select count(*)::int as n from fhir_resources where resource_type = $1 and not deleted',
    [type],
  );
  return rows[0].n;
}

describe.skipIf(!haveFixtures)('HL7 v2 over a real MLLP socket', () => {
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

  it('ACKs every fixture message (AA when it maps, AE/AR when refused) and stores what the files hold', async () => {
    const client = await MllpTestClient.connect(mllp.port);
    const keys = { Patient: new Set<string>(), Encounter: new Set<string>(), Observation: new Set<string>() };
    let sent = 0;
    const seen = new Map<string, string>();
    for (const file of hl7Files) {
      const { messages } = splitHl7Batch(readFileSync(file, 'utf8'));
      for (const m of messages) {
        const expected = processHl7(m.text, {});
        const ack = await client.send(m.text);
        sent++;
        // Two fixture files reuse one sender's control id: the second is a duplicate and gets the first ACK.
        const first = seen.get(expected.messageKey);
        const where = `${path.basename(file)} line ${m.line}`;
        if (first !== undefined && expected.ackCode !== 'AA') expect(ackCode(ack), where).toBe(first);
        else expect(ackCode(ack), where).toBe(expected.ackCode);
        if (first === undefined && expected.ackCode === 'AA') seen.set(expected.messageKey, 'AA');
        if (first === undefined && expected.ackCode === 'AA') {
          for (const r of expected.result.resources) {
            if (r.action === 'upsert' && r.resourceType in keys)
              keys[r.resourceType as keyof typeof keys].add(r.key);
          }
        }
      }
    }
    client.close();
    expect(sent).toBeGreaterThan(15);
    expect(await count(t, 'Encounter')).toBe(keys.Encounter.size);
    expect(await count(t, 'Observation')).toBe(keys.Observation.size);
    // A40 may add a survivor record the files never described; never fewer than the distinct keys.
    expect(await count(t, 'Patient')).toBeGreaterThanOrEqual(keys.Patient.size);
    const { rows } = await t.kith.db.query(
      "select count(*)::int as n from integration_messages where status = 'committed'",
    );
    expect(rows[0].n).toBeGreaterThan(0);
    expect(await count(t, 'Provenance')).toBeGreaterThan(0);
  }, 300_000);

  it('handles several messages in one chunk and one message split over chunks; the same message twice is stored once', async () => {
    const msg = (id: string): string =>
      [
        `MSH|^~\\&|LAB|CHUNKTEST|KITH|COUNTY|20240101120000||ADT^A04^ADT_A01|${id}|P|2.5.1`,
        'EVN|A04|20240101120000',
        `PID|1||${id}-MRN^^^CHUNKTEST^MR||DOE^JANE||19800101|F`,
        'PV1|1|O',
      ].join('\r');
    const client = await MllpTestClient.connect(mllp.port);
    client.write(Buffer.concat([frame(msg('C1')), frame(msg('C2'))]));
    expect(ackCode(await client.nextAck())).toBe('AA');
    expect(ackCode(await client.nextAck())).toBe('AA');
    const f = frame(msg('C3'));
    client.write(f.subarray(0, 10));
    await new Promise((r) => setTimeout(r, 50));
    client.write(f.subarray(10));
    expect(ackCode(await client.nextAck())).toBe('AA');
    const again = await client.send(msg('C1'));
    expect(ackCode(again)).toBe('AA');
    client.close();
    const { rows } = await t.kith.db.query(
      "select count(*)::int as n, max(duplicates)::int as d from integration_messages where message_key like 'CHUNKTEST|C%'",
    );
    expect(rows[0]).toEqual({ n: 3, d: 1 });
  }, 120_000);

  it('refuses a bad message with an ERR naming segment and field, keeps it as a dead letter, replays it fixed', async () => {
    const bad = [
      'MSH|^~\\&|LAB|BADTEST|KITH|COUNTY|20240101120000||ADT^A04^ADT_A01|B1|P|2.5.1',
      'EVN|A04|20240101120000',
      'PID|1||||DOE^JOHN||19800101|M',
      'PV1|1|O',
    ].join('\r');
    const client = await MllpTestClient.connect(mllp.port);
    const ack = await client.send(bad);
    client.close();
    expect(ackCode(ack)).toBe('AE');
    expect(ack).toMatch(/ERR\|/);
    expect(ack).toMatch(/PID/);
    const dead = (await mllp.pipeline.deadLetters()).deadLetters;
    const letter = dead.find((d) => d.messageKey === 'BADTEST|B1');
    expect(letter).toBeDefined();
    expect(JSON.stringify(letter!.error)).toMatch(/PID-3/);
    const replay = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(replay.statusCode).toBe(200);
    const out = await mllp.pipeline.replay(
      letter!.id,
      () => undefined,
      bad.replace('PID|1||||', 'PID|1||B1-MRN^^^BADTEST^MR||'),
    );
    expect(out.status).toBe('committed');
    expect(out.ackCode).toBe('AA');
    expect((await mllp.pipeline.deadLetters()).deadLetters.some((d) => d.id === letter!.id)).toBe(false);
  }, 120_000);
});
