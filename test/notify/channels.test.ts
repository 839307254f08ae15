import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle, Parameters } from '@medplum/fhirtypes';
import {
  EXT_CONTENT,
  EXT_FILTER,
  EXT_HEARTBEAT,
  GENERIC_TOPIC,
  GRAVITY_TASK_TOPIC,
  encodeFrame,
  FrameParser,
  OP,
  notifyRuntime,
} from '../../src/notify';
import type { TestKith } from '../helpers/kith';
import { fhirClient, type FhirClient } from '../helpers/http';
import { startReferralKith, waitFor } from '../referrals/setup';

let t: TestKith;
let fhir: FhirClient;
let port: number;
const received: { path: string; bundle: Bundle }[] = [];
let failing = false;
let hook: http.Server;

beforeAll(async () => {
  t = await startReferralKith({
    delivery: { pollMs: 30, baseDelayMs: 40, maxDelayMs: 100, retryWindowMs: 400 },
  });
  fhir = fhirClient(t.app);
  hook = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (failing) return res.writeHead(503).end();
      received.push({ path: req.url ?? '', bundle: JSON.parse(body) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  port = (hook.address() as AddressInfo).port;
  await t.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  hook?.close();
  await t?.close();
});

const statusOf = (b: Bundle) => {
  const p = b.entry?.[0].resource as Parameters;
  return Object.fromEntries(
    (p.parameter ?? [])
      .filter((x) => !x.part)
      .map((x) => [x.name, x.valueCode ?? x.valueString ?? x.valueCanonical]),
  );
};

function restHook(path: string, extra: Record<string, unknown> = {}, content = 'id-only') {
  return {
    resourceType: 'Subscription',
    status: 'requested',
    reason: 'test',
    criteria: GRAVITY_TASK_TOPIC,
    channel: {
      type: 'rest-hook',
      endpoint: `http://127.0.0.1:${port}${path}`,
      payload: 'application/fhir+json',
      _payload: { extension: [{ url: EXT_CONTENT, valueCode: content }] },
      header: ['Authorization: Bearer abc'],
    },
    ...extra,
  };
}

describe('rest-hook payloads and filters', () => {
  it('full-resource payload carries the version that changed; the filter picks matching resources only', async () => {
    const sub = await fhir.create(
      restHook(
        '/full',
        { _criteria: { extension: [{ url: EXT_FILTER, valueString: 'Task?status=in-progress' }] } },
        'full-resource',
      ) as any,
    );
    await waitFor(() => received.some((r) => r.path === '/full') || undefined);
    const a = await fhir.create({ resourceType: 'Task', status: 'requested', intent: 'proposal' });
    const b = await fhir.create({
      resourceType: 'Task',
      status: 'in-progress',
      intent: 'proposal',
      description: 'v1',
    });
    await fhir.put(`Task/${b.id}`, { ...b, description: 'v2' });
    await waitFor(() => received.filter((r) => r.path === '/full').length >= 3 || undefined);
    const events = received.filter(
      (r) => r.path === '/full' && statusOf(r.bundle).type === 'event-notification',
    );
    expect(events.map((e) => e.bundle.entry?.[1].resource?.id)).toEqual([b.id, b.id]);
    expect(events.map((e) => (e.bundle.entry?.[1].resource as any).description)).toEqual(['v1', 'v2']);
    expect(events.map((e) => e.bundle.entry?.[1].request?.method)).toEqual(['POST', 'PUT']);
    expect(JSON.stringify(events)).not.toContain(a.id);
    expect(events[0].bundle.type).toBe('history');
    expect((await fhir.get(`Subscription/${sub.id}`)).body.status).toBe('active');
  });

  it('refuses what it cannot serve', async () => {
    const bad = await fhir.post('Subscription', {
      ...restHook('/x'),
      criteria: 'http://example.org/SubscriptionTopic/unknown',
    });
    expect(bad.status).toBe(422);
    const badFilter = await fhir.post('Subscription', {
      ...restHook('/x'),
      _criteria: { extension: [{ url: EXT_FILTER, valueString: 'Task?nonsense=1' }] },
    });
    expect(badFilter.status).toBe(422);
    expect(badFilter.body.issue[0].diagnostics).toMatch(/nonsense/);
    const generic = await fhir.post('Subscription', { ...restHook('/x'), criteria: GENERIC_TOPIC });
    expect(generic.body.issue[0].diagnostics).toMatch(/names the resource type/);
  });
});

describe('error state and $resend', () => {
  it('after the retry window a notification fails and the subscription is in error; $resend delivers it', async () => {
    const sub = await fhir.create(restHook('/flaky', { criteria: 'Observation?status=final' }) as any);
    await waitFor(() => received.some((r) => r.path === '/flaky') || undefined);
    failing = true;
    const obs = await fhir.create({ resourceType: 'Observation', status: 'final', code: { text: 'x' } });
    await waitFor(async () =>
      (await fhir.get(`Subscription/${sub.id}`)).body.status === 'error' ? true : undefined,
    );
    const st = await fhir.get(`Subscription/${sub.id}/$status`);
    expect(statusOf({ entry: st.body.entry } as Bundle).status).toBe('error');
    expect((await fhir.get(`Subscription/${sub.id}`)).body.error).toMatch(/HTTP 503/);
    failing = false;
    const r = await fhir.post(`Subscription/${sub.id}/$resend`, { resourceType: 'Parameters' });
    expect(r.body.parameter[0].valueInteger).toBe(1);
    await waitFor(
      () =>
        received.some(
          (x) => x.path === '/flaky' && x.bundle.entry?.[1]?.fullUrl?.endsWith(`Observation/${obs.id}`),
        ) || undefined,
    );
    await waitFor(async () =>
      (await fhir.get(`Subscription/${sub.id}`)).body.status === 'active' ? true : undefined,
    );
  });

  it('heartbeats an idle subscription', async () => {
    const sub = await fhir.create(
      restHook('/beat', {
        channel: { ...restHook('/beat').channel, extension: [{ url: EXT_HEARTBEAT, valueUnsignedInt: 1 }] },
      }) as any,
    );
    await waitFor(
      () => received.some((r) => r.path === '/beat' && statusOf(r.bundle).type === 'heartbeat') || undefined,
      10_000,
    );
    expect(sub.id).toBeTruthy();
  });
});

/** A bare websocket client over a TCP socket (Node 20 has no WebSocket client). */
async function wsConnect(
  path: string,
): Promise<{ send(text: string): void; next(): Promise<string>; close(): void }> {
  const sock = net.connect(port2(), '127.0.0.1');
  await new Promise((r) => sock.once('connect', r));
  sock.write(
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  const parser = new FrameParser();
  const queue: string[] = [];
  let waiting: ((s: string) => void) | undefined;
  let head = true;
  sock.on('data', (chunk: Buffer) => {
    if (head) {
      const i = chunk.indexOf('\r\n\r\n');
      expect(chunk.subarray(0, i).toString()).toMatch(/^HTTP\/1.1 101/);
      chunk = chunk.subarray(i + 4);
      head = false;
    }
    for (const f of parser.push(chunk)) {
      if (f.opcode !== OP.text) continue;
      const s = f.payload.toString();
      if (waiting) {
        const w = waiting;
        waiting = undefined;
        w(s);
      } else queue.push(s);
    }
  });
  return {
    send: (text) => sock.write(encodeFrame(OP.text, text, true)),
    next: () => (queue.length ? Promise.resolve(queue.shift() as string) : new Promise((r) => (waiting = r))),
    close: () => sock.destroy(),
  };
}
const port2 = (): number => (t.app.server.address() as AddressInfo).port;

describe('websocket channel', () => {
  it('binds with a token, gets a handshake, then notifications', async () => {
    const sub = await fhir.create({
      resourceType: 'Subscription',
      status: 'requested',
      reason: 'ws',
      criteria: 'Patient',
      channel: {
        type: 'websocket',
        payload: 'application/fhir+json',
        _payload: { extension: [{ url: EXT_CONTENT, valueCode: 'id-only' }] },
      },
    } as any);
    expect(sub.status).toBe('active');
    const tok = await fhir.get(`Subscription/${sub.id}/$get-ws-binding-token`);
    const token = tok.body.parameter.find((p: any) => p.name === 'token').valueString;
    expect(tok.body.parameter.find((p: any) => p.name === 'websocket-url').valueUrl).toMatch(
      /^ws:.*\/notify\/websocket$/,
    );
    // A change before anyone listens is kept and delivered once the socket is bound.
    const before = await fhir.create({ resourceType: 'Patient', name: [{ family: 'Before' }] });
    const ws = await wsConnect('/notify/websocket');
    ws.send(`bind-with-token ${token}`);
    const hs = JSON.parse(await ws.next());
    expect(statusOf(hs).type).toBe('handshake');
    const first = JSON.parse(await ws.next());
    expect(first.entry[1].fullUrl).toMatch(new RegExp(`Patient/${before.id}$`));
    const p = await fhir.create({ resourceType: 'Patient', name: [{ family: 'After' }] });
    const ev = JSON.parse(await ws.next());
    expect(statusOf(ev).type).toBe('event-notification');
    expect(ev.entry[1].fullUrl).toMatch(new RegExp(`Patient/${p.id}$`));
    ws.close();
    expect(notifyRuntime(t.kith)?.hub).toBeTruthy();
  });
});

describe('in-app inbox', () => {
  it('lists Communications per recipient with unread counts, and marks them read', async () => {
    const org = await fhir.create({ resourceType: 'Organization', name: 'Food bank' });
    const to = `Organization/${org.id}`;
    for (const text of ['one', 'two'])
      await fhir.create({
        resourceType: 'Communication',
        status: 'completed',
        recipient: [{ reference: to }],
        payload: [{ contentString: text }],
      });
    const get = async (url: string) => JSON.parse((await t.inject({ method: 'GET', url })).body);
    expect(await get(`/notify/inbox/unread-count?recipient=${to}`)).toEqual({ recipient: to, unread: 2 });
    const list = await get(`/notify/inbox?recipient=${to}`);
    expect(list.items).toHaveLength(2);
    const id = list.items[0].communication.id;
    const read = await t.inject({
      method: 'POST',
      url: `/notify/inbox/${id}/read`,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ recipient: to, reader: 'Practitioner/1' }),
    });
    expect(JSON.parse(read.body).unread).toBe(1);
    expect((await get(`/notify/inbox?recipient=${to}&unread=true`)).items).toHaveLength(1);
    const bad = await t.inject({ method: 'GET', url: '/notify/inbox?recipient=nonsense' });
    expect(bad.statusCode).toBe(422);
  });
});
