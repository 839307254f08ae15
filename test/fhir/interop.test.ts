import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CapabilityTool, Client } from 'fhir-kit-client';
import { startTestKith, TEST_CLIENT, type TestKith } from '../helpers/kith';

/**
 * An unmodified external FHIR client (fhir-kit-client) against a real listening Kith server:
 * what a third-party application sees over HTTP.
 */
let t: TestKith;
let client: Client;
beforeAll(async () => {
  t = await startTestKith();
  const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
  // As a backend application would: a token from the OAuth token endpoint (client_credentials).
  const res = await fetch(`${address}/oauth2/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${TEST_CLIENT.clientId}:${TEST_CLIENT.clientSecret}`).toString('base64')}`,
    },
    body: 'grant_type=client_credentials&scope=system/*.cruds',
  });
  expect(res.status).toBe(200);
  client = new Client({ baseUrl: `${address}/fhir`, bearerToken: (await res.json()).access_token });
});
afterAll(async () => t?.close());

const SYS = 'urn:test:interop';
const status = async (p: Promise<unknown>): Promise<number> => {
  try {
    await p;
    return 200;
  } catch (err: any) {
    return err.response?.status ?? -1;
  }
};

describe('fhir-kit-client against Kith', () => {
  it('reads the CapabilityStatement', async () => {
    const tool = new CapabilityTool((await client.capabilityStatement()) as any);
    expect(tool.serverCan('transaction')).toBe(true);
    expect(tool.resourceCan('Patient', 'create')).toBe(true);
    expect(tool.resourceSearch('Patient', 'birthdate')).toBe(true);
  });

  it('creates, reads, vreads, updates, patches, deletes', async () => {
    const created: any = await client.create({
      resourceType: 'Patient',
      body: { resourceType: 'Patient', name: [{ family: 'Interop', given: ['Ada'] }], gender: 'female' },
    });
    expect(created.id).toBeTruthy();
    const read: any = await client.read({ resourceType: 'Patient', id: created.id });
    expect(read.name[0].family).toBe('Interop');
    const response = Client.httpFor(read).response;
    expect(response?.headers.get('etag')).toBe('W/"1"');

    const updated: any = await client.update({
      resourceType: 'Patient',
      id: created.id,
      body: { ...read, birthDate: '1990-01-02' },
    });
    expect(updated.meta.versionId).toBe('2');
    const patched: any = await client.patch({
      resourceType: 'Patient',
      id: created.id,
      jsonPatch: [{ op: 'replace', path: '/gender', value: 'other' }],
    });
    expect(patched.gender).toBe('other');
    expect(patched.meta.versionId).toBe('3');
    const v1: any = await client.vread({ resourceType: 'Patient', id: created.id, version: '1' });
    expect(v1.birthDate).toBeUndefined();

    await client.delete({ resourceType: 'Patient', id: created.id });
    expect(await status(client.read({ resourceType: 'Patient', id: created.id }))).toBe(410);
    expect(await status(client.read({ resourceType: 'Patient', id: 'no-such-id' }))).toBe(404);
  });

  it('searches (GET and POST) and pages with nextPage/prevPage to the end', async () => {
    for (let i = 0; i < 12; i++) {
      await client.create({
        resourceType: 'Patient',
        body: {
          resourceType: 'Patient',
          identifier: [{ system: SYS, value: `p${i}` }],
          name: [{ family: 'Pager' }],
        },
      });
    }
    let bundle: any = await client.search({
      resourceType: 'Patient',
      searchParams: { family: 'pager', _count: '5' },
    });
    expect(bundle.total).toBe(12);
    const ids: string[] = bundle.entry.map((e: any) => e.resource.id);
    let pages = 1;
    for (let next = client.nextPage({ bundle }); next; next = client.nextPage({ bundle })) {
      bundle = await next;
      ids.push(...bundle.entry.map((e: any) => e.resource.id));
      pages++;
    }
    expect(pages).toBe(3);
    expect(new Set(ids).size).toBe(12);
    const back: any = await client.prevPage({ bundle });
    expect(back.entry).toHaveLength(5);

    const posted: any = await client.search({
      resourceType: 'Patient',
      searchParams: { identifier: `${SYS}|p3` },
      options: { postSearch: true },
    });
    expect(posted.entry.map((e: any) => e.resource.identifier[0].value)).toEqual(['p3']);
  });

  it('reads instance, type and system history', async () => {
    const p: any = await client.create({
      resourceType: 'Practitioner',
      body: { resourceType: 'Practitioner', name: [{ family: 'Hist' }] },
    });
    await client.update({ resourceType: 'Practitioner', id: p.id, body: { ...p, active: true } });
    const instance: any = await client.history({ resourceType: 'Practitioner', id: p.id });
    expect(instance.type).toBe('history');
    expect(instance.entry.map((e: any) => e.resource.meta.versionId)).toEqual(['2', '1']);
    const type: any = await client.history({ resourceType: 'Practitioner' });
    expect(type.total).toBe(2);
    const system: any = await client.history();
    expect(system.total).toBeGreaterThan(2);
  });

  it('posts a transaction with urn:uuid references and a batch', async () => {
    const result: any = await client.transaction({
      body: {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          {
            fullUrl: 'urn:uuid:6f0b1d2e-0000-4000-8000-000000000001',
            resource: { resourceType: 'Patient', name: [{ family: 'Tx' }] },
            request: { method: 'POST', url: 'Patient' },
          },
          {
            resource: {
              resourceType: 'Observation',
              status: 'final',
              code: { text: 'weight' },
              subject: { reference: 'urn:uuid:6f0b1d2e-0000-4000-8000-000000000001' },
            },
            request: { method: 'POST', url: 'Observation' },
          },
        ],
      },
    });
    expect(result.type).toBe('transaction-response');
    const patientId = result.entry[0].response.location.split('/')[1];
    const obs: any = await client.search({
      resourceType: 'Observation',
      searchParams: { subject: `Patient/${patientId}` },
    });
    expect(obs.total).toBe(1);

    const batch: any = await client.batch({
      body: {
        resourceType: 'Bundle',
        type: 'batch',
        entry: [
          { request: { method: 'GET', url: `Patient/${patientId}` } },
          { request: { method: 'GET', url: 'Patient/missing' } },
        ],
      },
    });
    expect(batch.entry.map((e: any) => e.response.status)).toEqual(['200', '404']);
    expect(batch.entry[0].resource.name[0].family).toBe('Tx');
  });
});
