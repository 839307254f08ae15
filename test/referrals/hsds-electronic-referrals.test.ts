import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { HealthcareService } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FhirService } from '../../src/fhir/service';
import { EXT_ACCEPTS_REFERRALS, importHsdsPath } from '../../src/referrals';
import type { TestKith } from '../helpers/kith';
import { startReferralKith } from './setup';

/**
 * The directory's "accepts electronic referrals" flag from an HSDS import: set where the HSDS data
 * says so (a taxonomy term on the service, its service_at_location or its organization, or a
 * custom field); otherwise left as Kith had it. Whether the organization works on Kith is not stored
 * by the import: the directory works it out on each search (accepts-referrals.test.ts).
 */
const ORG_SAYS = 'b1000000-0000-4000-8000-000000000001';
const ORG_PLAIN = 'b1000000-0000-4000-8000-000000000002';
const ORG_ON_KITH = 'b1000000-0000-4000-8000-000000000003';
const TERM = 'b4000000-0000-4000-8000-000000000001';
const OTHER_TERM = 'b4000000-0000-4000-8000-000000000002';

const service = (id: string, org: string, extra: Record<string, unknown> = {}) => ({
  id,
  organization_id: org,
  name: `Service ${id.slice(-2)}`,
  status: 'active',
  ...extra,
});

const DATA = {
  'organizations.csv': [
    { id: ORG_SAYS, name: 'Takes e-referrals org' },
    { id: ORG_PLAIN, name: 'Phone-only org' },
    { id: ORG_ON_KITH, name: 'Food bank on Kith' },
  ],
  'services.csv': [
    service('b2000000-0000-4000-8000-000000000001', ORG_PLAIN), // term on the service
    service('b2000000-0000-4000-8000-000000000002', ORG_SAYS), // term on the organization
    service('b2000000-0000-4000-8000-000000000003', ORG_PLAIN), // term with value "false"
    service('b2000000-0000-4000-8000-000000000004', ORG_PLAIN, { accepts_electronic_referrals: 'true' }),
    service('b2000000-0000-4000-8000-000000000005', ORG_PLAIN), // another term only
    service('b2000000-0000-4000-8000-000000000006', ORG_ON_KITH),
  ],
  'taxonomy_terms.csv': [
    { id: TERM, code: 'accepts-electronic-referrals', name: 'Accepts electronic referrals' },
    { id: OTHER_TERM, code: 'food-pantry', name: 'Food pantry' },
  ],
  'attributes.csv': [
    {
      id: 'b5000000-0000-4000-8000-000000000001',
      link_id: 'b2000000-0000-4000-8000-000000000001',
      taxonomy_term_id: TERM,
    },
    { id: 'b5000000-0000-4000-8000-000000000002', link_id: ORG_SAYS, taxonomy_term_id: TERM },
    {
      id: 'b5000000-0000-4000-8000-000000000003',
      link_id: 'b2000000-0000-4000-8000-000000000003',
      taxonomy_term_id: TERM,
      value: 'false',
    },
    {
      id: 'b5000000-0000-4000-8000-000000000005',
      link_id: 'b2000000-0000-4000-8000-000000000005',
      taxonomy_term_id: OTHER_TERM,
    },
  ],
};

let t: TestKith;
let system: FhirService;
let dir: string;

const flagOf = async (hsdsId: string): Promise<boolean | undefined> => {
  const [v] = await system.conditionalMatches(
    'HealthcareService',
    `identifier=https://kith.example.org/hsds/service|${hsdsId}`,
    1,
  );
  const s = JSON.parse(v.json) as HealthcareService;
  const flag = s.extension?.find((x) => x.url === EXT_ACCEPTS_REFERRALS)?.valueBoolean;
  if (flag) expect(s.referralMethod?.some((m) => m.coding?.some((c) => c.code === 'elec'))).toBe(true);
  return flag;
};

const runImport = async () => {
  const summary = await importHsdsPath(t.kith.store, dir);
  expect(summary.failed, JSON.stringify(summary.errors)).toBe(0);
};

beforeAll(async () => {
  t = await startReferralKith();
  system = new FhirService(t.kith.store);
  dir = mkdtempSync(path.join(os.tmpdir(), 'kith-hsds-elec-'));
  writeFileSync(path.join(dir, 'directory.json'), JSON.stringify(DATA));
  await runImport();
});
afterAll(async () => {
  await t?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('HSDS import: accepts electronic referrals', () => {
  it('is set where the HSDS data says so, and only there', async () => {
    expect(await flagOf('b2000000-0000-4000-8000-000000000001')).toBe(true);
    expect(await flagOf('b2000000-0000-4000-8000-000000000002')).toBe(true);
    expect(await flagOf('b2000000-0000-4000-8000-000000000003')).toBeUndefined();
    expect(await flagOf('b2000000-0000-4000-8000-000000000004')).toBe(true);
    expect(await flagOf('b2000000-0000-4000-8000-000000000005')).toBeUndefined();
    expect(await flagOf('b2000000-0000-4000-8000-000000000006')).toBeUndefined();
  });

  it('a flag Kith set survives a re-import; an organization on Kith is found live, not stored', async () => {
    const [org] = await system.conditionalMatches(
      'Organization',
      `identifier=https://kith.example.org/hsds/organization|${ORG_ON_KITH}`,
      1,
    );
    await system.create('PractitionerRole', {
      resourceType: 'PractitionerRole',
      active: true,
      organization: { reference: `Organization/${org.id}` },
    });
    // Kith staff flagged a phone-only service by hand; the HSDS data does not say otherwise.
    const [plain] = await system.conditionalMatches(
      'HealthcareService',
      'identifier=https://kith.example.org/hsds/service|b2000000-0000-4000-8000-000000000005',
      1,
    );
    const manual = JSON.parse(plain.json) as HealthcareService;
    await system.update('HealthcareService', manual.id!, {
      ...manual,
      extension: [...(manual.extension ?? []), { url: EXT_ACCEPTS_REFERRALS, valueBoolean: true }],
      referralMethod: [...(manual.referralMethod ?? []), { coding: [{ code: 'elec' }] }],
    });
    await runImport();
    expect(await flagOf('b2000000-0000-4000-8000-000000000006')).toBeUndefined();
    expect(await flagOf('b2000000-0000-4000-8000-000000000005')).toBe(true);
    expect(await flagOf('b2000000-0000-4000-8000-000000000003')).toBeUndefined();
    // Searchable as the directory's flag: the on-Kith organization's service is among them.
    const { result } = await system.search('HealthcareService', { 'accepts-referrals': 'true' });
    expect(result.hits.length).toBe(5);
  });
});
