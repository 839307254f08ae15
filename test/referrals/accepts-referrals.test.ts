import type { Bundle, HealthcareService } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXT_ACCEPTS_REFERRALS } from '../../src/referrals';
import { setUserDisabled } from '../../src/privacy/auth';
import type { TestKith } from '../helpers/kith';
import { fhirClient, type FhirClient } from '../helpers/http';
import { startReferralKith } from './setup';

/**
 * "Accepts electronic referrals" is kept current: a service takes them when its own flag or Endpoint
 * says so, or when its organization works on Kith — an active sign-in account, an active
 * PractitionerRole, or an Endpoint — and stops when those go. Both the directory search and the FHIR
 * search parameter follow each change without a re-import.
 */
let t: TestKith;
let fhir: FhirClient;
let orgId: string;
let serviceId: string;

const flagInDirectory = async (id: string): Promise<boolean> => {
  const r = await fhir.get('HealthcareService/$directory-search?text=pantry&_count=50');
  expect(r.status).toBe(200);
  const s = (r.body as Bundle).entry?.find((e) => e.resource?.id === id)?.resource as HealthcareService;
  expect(s, 'the service is listed').toBeDefined();
  return s.extension?.find((e) => e.url === EXT_ACCEPTS_REFERRALS)?.valueBoolean === true;
};

/** Is the service found when only accepting services are asked for, by $directory-search and by FHIR search? */
const accepts = async (id = serviceId): Promise<boolean> => {
  const direct = (
    (await fhir.get('HealthcareService/$directory-search?accepts-referrals=true&_count=50')).body as Bundle
  ).entry
    ?.filter((e) => e.search?.mode === 'match')
    .some((e) => e.resource?.id === id);
  const fhirSearch = (await fhir.ids('HealthcareService?accepts-referrals=true&_count=50')).includes(id);
  const notAccepting = (await fhir.ids('HealthcareService?accepts-referrals=false&_count=50')).includes(id);
  const flag = await flagInDirectory(id);
  expect({ fhirSearch, flag, notAccepting: !notAccepting }).toEqual({
    fhirSearch: !!direct,
    flag: !!direct,
    notAccepting: !!direct,
  });
  return !!direct;
};

beforeAll(async () => {
  t = await startReferralKith();
  fhir = fhirClient(t.app);
  orgId = (await fhir.create({ resourceType: 'Organization', name: 'Pantry Org' })).id;
  serviceId = (
    await fhir.create({
      resourceType: 'HealthcareService',
      active: true,
      name: 'Neighborhood Pantry',
      providedBy: { reference: `Organization/${orgId}` },
    })
  ).id;
});
afterAll(() => t?.close());

describe('accepts electronic referrals, kept current', () => {
  it('an organization with no one on Kith and no Endpoint: no', async () => {
    expect(await accepts()).toBe(false);
  });

  it('adding an Endpoint to the organization flips it; removing it flips it back', async () => {
    const endpoint = await fhir.create({
      resourceType: 'Endpoint',
      status: 'active',
      connectionType: {
        system: 'http://terminology.hl7.org/CodeSystem/endpoint-connection-type',
        code: 'hl7-fhir-rest',
      },
      payloadType: [{ text: 'referrals' }],
      address: 'https://pantry.example.org/fhir',
    });
    const org = (await fhir.get(`Organization/${orgId}`)).body;
    await fhir.put(`Organization/${orgId}`, { ...org, endpoint: [{ reference: `Endpoint/${endpoint.id}` }] });
    expect(await accepts()).toBe(true);
    const withEndpoint = (await fhir.get(`Organization/${orgId}`)).body;
    const { endpoint: _gone, ...without } = withEndpoint;
    await fhir.put(`Organization/${orgId}`, without);
    expect(await accepts()).toBe(false);
  });

  it('an active sign-in account of the organization flips it; disabling the account flips it back', async () => {
    await t.addUser({
      username: 'pantry-worker',
      password: 'a long enough password 123',
      organization: { id: orgId, kind: 'cbo', hipaaCoveredEntity: false, part2Program: false },
      accessLevel: 'edit',
    });
    expect(await accepts()).toBe(true);
    await setUserDisabled(t.kith.db, 'pantry-worker', true);
    expect(await accepts()).toBe(false);
  });

  it('an active PractitionerRole at the organization flips it; inactive or deleted, it does not count', async () => {
    const role = await fhir.create({
      resourceType: 'PractitionerRole',
      active: true,
      organization: { reference: `Organization/${orgId}` },
    });
    expect(await accepts()).toBe(true);
    await fhir.put(`PractitionerRole/${role.id}`, { ...role, active: false });
    expect(await accepts()).toBe(false);
    await fhir.put(`PractitionerRole/${role.id}`, { ...role, active: true });
    expect(await accepts()).toBe(true);
    // a service added while the organization is on Kith takes referrals from the start
    const second = (
      await fhir.create({
        resourceType: 'HealthcareService',
        active: true,
        name: 'Pantry deliveries',
        providedBy: { reference: `Organization/${orgId}` },
      })
    ).id;
    expect(await accepts(second)).toBe(true);
    expect((await fhir.delete(`PractitionerRole/${role.id}`)).status).toBeLessThan(300);
    expect(await accepts()).toBe(false);
    expect(await accepts(second)).toBe(false);
  });

  it("a service's own Endpoint, or its stored flag, counts whatever its organization", async () => {
    const own = await fhir.create({
      resourceType: 'Endpoint',
      status: 'active',
      connectionType: {
        system: 'http://terminology.hl7.org/CodeSystem/endpoint-connection-type',
        code: 'direct-project',
      },
      payloadType: [{ text: 'referrals' }],
      address: 'mailto:intake@pantry.example.org',
    });
    const s = (await fhir.get(`HealthcareService/${serviceId}`)).body;
    await fhir.put(`HealthcareService/${serviceId}`, {
      ...s,
      endpoint: [{ reference: `Endpoint/${own.id}` }],
    });
    expect(await accepts()).toBe(true);
    await fhir.put(`HealthcareService/${serviceId}`, {
      ...s,
      extension: [{ url: EXT_ACCEPTS_REFERRALS, valueBoolean: true }],
    });
    expect(await accepts()).toBe(true);
    await fhir.put(`HealthcareService/${serviceId}`, s);
    expect(await accepts()).toBe(false);
  });

  it('refuses a value that is not true or false', async () => {
    const r = await fhir.get('HealthcareService?accepts-referrals=maybe');
    expect(r.status).toBe(400);
    expect(r.body.issue[0].diagnostics).toMatch(/accepts-referrals must be true or false/);
  });
});
