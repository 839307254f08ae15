import { describe, expect, it } from 'vitest';
import { FhirClient, FhirRequestError, outcomeText } from './client';

function fakeFetch(
  status: number,
  body: unknown,
  seen: { url?: string; headers?: Headers } = {},
): typeof fetch {
  return async (input, init) => {
    seen.url = String(input);
    seen.headers = new Headers(init?.headers);
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    return new Response(text, { status, headers: { 'content-type': 'application/fhir+json' } });
  };
}

const UNAUTHORIZED = {
  resourceType: 'OperationOutcome',
  issue: [{ severity: 'error', code: 'login', diagnostics: 'The access token has expired' }],
};

describe('FhirClient', () => {
  it('builds search URLs, leaving out empty parameters, and asks for FHIR JSON', async () => {
    const seen: { url?: string; headers?: Headers } = {};
    const client = new FhirClient({
      baseUrl: '/fhir/',
      fetchImpl: fakeFetch(200, { resourceType: 'Bundle' }, seen),
    });
    await client.search('Patient', { name: 'lopez', birthdate: '', identifier: undefined, _count: 20 });
    expect(seen.url).toBe('/fhir/Patient?name=lopez&_count=20');
    expect(seen.headers?.get('accept')).toBe('application/fhir+json');
    expect(seen.headers?.has('authorization')).toBe(false);
  });

  it('sends a bearer token when the session has one', async () => {
    const seen: { url?: string; headers?: Headers } = {};
    const client = new FhirClient({
      baseUrl: '/fhir',
      getAccessToken: async () => 'tok-1',
      fetchImpl: fakeFetch(200, { resourceType: 'Patient', id: 'a b' }, seen),
    });
    await client.read('Patient', 'a b');
    expect(seen.url).toBe('/fhir/Patient/a%20b');
    expect(seen.headers?.get('authorization')).toBe('Bearer tok-1');
  });

  it('turns an OperationOutcome into an error that carries it', async () => {
    const outcome = {
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'not-found', diagnostics: 'Patient/x is not known' }],
    };
    const client = new FhirClient({ baseUrl: '/fhir', fetchImpl: fakeFetch(404, outcome) });
    const err = await client.read('Patient', 'x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FhirRequestError);
    expect((err as FhirRequestError).status).toBe(404);
    expect((err as FhirRequestError).outcome?.issue[0].code).toBe('not-found');
    expect((err as Error).message).toBe('Patient/x is not known');
  });

  it('reports non-FHIR errors and unreachable servers plainly', async () => {
    const html = new FhirClient({ baseUrl: '/fhir', fetchImpl: fakeFetch(502, '<html>Bad gateway</html>') });
    const err = (await html.read('Patient', 'x').catch((e: unknown) => e)) as FhirRequestError;
    expect(err.status).toBe(502);
    expect(err.outcome).toBeUndefined();
    expect(err.message).toMatch(/^The server answered 502/);

    const down = new FhirClient({
      baseUrl: '/fhir',
      fetchImpl: async () => {
        throw new TypeError('fetch failed');
      },
    });
    const err2 = (await down.read('Patient', 'x').catch((e: unknown) => e)) as FhirRequestError;
    expect(err2.status).toBe(0);
    expect(err2.message).toMatch(/Could not reach the Kith server/);
  });

  it('describes an outcome without diagnostics by details or code', () => {
    expect(
      outcomeText({
        resourceType: 'OperationOutcome',
        issue: [
          { severity: 'error', code: 'invalid', details: { text: 'Bad date' } },
          { severity: 'error', code: 'processing' },
        ],
      }),
    ).toBe('Bad date\nprocessing');
  });

  it('renews the token once on a 401 and sends the request again with the new one', async () => {
    const sent: (string | null)[] = [];
    const fetchImpl: typeof fetch = async (_input, init) => {
      const auth = new Headers(init?.headers).get('authorization');
      sent.push(auth);
      const ok = auth === 'Bearer fresh';
      return new Response(JSON.stringify(ok ? { resourceType: 'Patient', id: '1' } : UNAUTHORIZED), {
        status: ok ? 200 : 401,
      });
    };
    let renewals = 0;
    const client = new FhirClient({
      baseUrl: '/fhir',
      getAccessToken: () => 'stale',
      renewAccessToken: async () => (renewals++, 'fresh'),
      fetchImpl,
    });
    expect((await client.read('Patient', '1')).id).toBe('1');
    expect(sent).toEqual(['Bearer stale', 'Bearer fresh']);
    expect(renewals).toBe(1);
  });

  it('throws the 401 when the session cannot be renewed, without retrying', async () => {
    let calls = 0;
    const client = new FhirClient({
      baseUrl: '/fhir',
      getAccessToken: () => 'stale',
      renewAccessToken: async () => undefined,
      fetchImpl: async () => (calls++, new Response(JSON.stringify(UNAUTHORIZED), { status: 401 })),
    });
    const err = (await client.read('Patient', '1').catch((e: unknown) => e)) as FhirRequestError;
    expect(err.status).toBe(401);
    expect(err.message).toBe('The access token has expired');
    expect(calls).toBe(1);
  });
});
