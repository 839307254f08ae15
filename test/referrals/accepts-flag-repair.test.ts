import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { HealthcareService } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FhirService } from '../../src/fhir/service';
import {
  ACCEPTS_FLAG_REPAIR,
  EXT_ACCEPTS_REFERRALS,
  EXT_ACCEPTS_REFERRALS_SOURCE,
  importHsdsPath,
  repairImportedAcceptsFlags,
} from '../../src/referrals';
import type { TestKith } from '../helpers/kith';
import { fhirClient, type FhirClient } from '../helpers/http';
import { startReferralKith } from './setup';

/**
 * Services imported before the accepts-electronic-referrals flag was kept current carry it baked in:
 * that import also set it when the service's organization worked on Kith at the time, and re-imports
 * kept it. The one-time repair at start recomputes those flags; the import now records where its flag
 * came from, so a re-import takes back a flag the HSDS data no longer gives.
 */
const ORG_WAS_ON_KITH = 'c1000000-0000-4000-8000-000000000001';
const ORG_SAYS = 'c1000000-0000-4000-8000-000000000002';
const TERM = 'c4000000-0000-4000-8000-000000000001';
const S_BAKED = 'c2000000-0000-4000-8000-000000000001'; // flag baked in: its organization was on Kith
const S_TERM = 'c2000000-0000-4000-8000-000000000002'; // the HSDS data says so on the service
const S_ORG_TERM = 'c2000000-0000-4000-8000-000000000003'; // the HSDS data says so on the organization

const data = (serviceTerm: boolean) => ({
  'organizations.csv': [
    { id: ORG_WAS_ON_KITH, name: 'Former Kith pantry' },
    { id: ORG_SAYS, name: 'E-referral org' },
  ],
  'services.csv': [
    { id: S_BAKED, organization_id: ORG_WAS_ON_KITH, name: 'Repair pantry A', status: 'active' },
    { id: S_TERM, organization_id: ORG_WAS_ON_KITH, name: 'Repair pantry B', status: 'active' },
    { id: S_ORG_TERM, organization_id: ORG_SAYS, name: 'Repair pantry C', status: 'active' },
  ],
  'taxonomy_terms.csv': [{ id: TERM, code: 'electronic-referrals', name: 'Accepts electronic referrals' }],
  'attributes.csv': [
    ...(serviceTerm
      ? [{ id: 'c5000000-0000-4000-8000-000000000001', link_id: S_TERM, taxonomy_term_id: TERM }]
      : []),
    { id: 'c5000000-0000-4000-8000-000000000002', link_id: ORG_SAYS, taxonomy_term_id: TERM },
  ],
});

let t: TestKith;
let system: FhirService;
let fhir: FhirClient;
let dir: string;
let staffServiceId: string;

const serviceOf = async (hsdsId: string): Promise<HealthcareService> => {
  const [v] = await system.conditionalMatches(
    'HealthcareService',
    `identifier=https://kith.example.org/hsds/service|${hsdsId}`,
    1,
  );
  return JSON.parse(v.json) as HealthcareService;
};
const stored = (s: HealthcareService) => ({
  flag: s.extension?.find((x) => x.url === EXT_ACCEPTS_REFERRALS)?.valueBoolean ?? null,
  source: s.extension?.find((x) => x.url === EXT_ACCEPTS_REFERRALS_SOURCE)?.valueCode ?? null,
  elec: !!s.referralMethod?.some((m) => m.coding?.some((c) => c.code === 'elec')),
});
/** The services the directory lists as taking electronic referrals now. */
const accepting = async (): Promise<string[]> => {
  const ids = await fhir.ids('HealthcareService?accepts-referrals=true&name=Repair&_count=50');
  const names: string[] = [];
  for (const id of ids) names.push((await fhir.get(`HealthcareService/${id}`)).body.name);
  return names.sort();
};
const runImport = async (serviceTerm = true) => {
  writeFileSync(path.join(dir, 'directory.json'), JSON.stringify(data(serviceTerm)));
  const summary = await importHsdsPath(t.kith.store, dir);
  expect(summary.failed, JSON.stringify(summary.errors)).toBe(0);
};

/** What the import before the fix stored: the flag and `elec`, with no source. */
async function markTheOldWay(hsdsId: string): Promise<void> {
  const s = await serviceOf(hsdsId);
  const { meta: _m, ...rest } = s;
  await t.kith.store.update({
    ...rest,
    extension: [
      ...(s.extension ?? []).filter(
        (x) => x.url !== EXT_ACCEPTS_REFERRALS && x.url !== EXT_ACCEPTS_REFERRALS_SOURCE,
      ),
      { url: EXT_ACCEPTS_REFERRALS, valueBoolean: true },
    ],
    referralMethod: [
      {
        coding: [
          {
            system: 'http://terminology.hl7.org/CodeSystem/service-referral-method',
            code: 'elec',
            display: 'Secure Messaging',
          },
        ],
      },
    ],
  } as HealthcareService);
}

beforeAll(async () => {
  t = await startReferralKith();
  system = new FhirService(t.kith.store);
  fhir = fhirClient(t.app);
  dir = mkdtempSync(path.join(os.tmpdir(), 'kith-hsds-repair-'));
  await runImport();
  // Staff flagged a service of their own (not from HSDS) by hand.
  staffServiceId = (
    await fhir.create({
      resourceType: 'HealthcareService',
      active: true,
      name: 'Repair pantry staff',
      extension: [{ url: EXT_ACCEPTS_REFERRALS, valueBoolean: true }],
    })
  ).id;
});
afterAll(async () => {
  await t?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('accepts-electronic-referrals flags imported the old way', () => {
  it('the import records that its flags come from the HSDS data', async () => {
    expect(stored(await serviceOf(S_BAKED))).toEqual({ flag: null, source: null, elec: false });
    expect(stored(await serviceOf(S_TERM))).toEqual({ flag: true, source: 'hsds', elec: true });
    expect(stored(await serviceOf(S_ORG_TERM))).toEqual({ flag: true, source: 'hsds', elec: true });
  });

  it('a flag baked in by the old import is removed once at start; flags with a reason stay', async () => {
    // The data as the old import left it (its organization was on Kith when imported, since left).
    for (const id of [S_BAKED, S_TERM, S_ORG_TERM]) await markTheOldWay(id);
    expect(await accepting()).toEqual([
      'Repair pantry A',
      'Repair pantry B',
      'Repair pantry C',
      'Repair pantry staff',
    ]);
    // As a start after the upgrade: the repair has not run on this data yet.
    await t.kith.db.query('delete from referral_repair where id = $1', [ACCEPTS_FLAG_REPAIR]);
    expect(await repairImportedAcceptsFlags(t.kith.store)).toBe(3);
    expect(stored(await serviceOf(S_BAKED))).toEqual({ flag: null, source: null, elec: false });
    // Its own taxonomy term (stored in HealthcareService.type) says so: kept, now with its source.
    expect(stored(await serviceOf(S_TERM))).toEqual({ flag: true, source: 'hsds', elec: true });
    // Said on the organization only, which the stored service does not show: removed until the next import.
    expect(stored(await serviceOf(S_ORG_TERM))).toEqual({ flag: null, source: null, elec: false });
    expect(await accepting()).toEqual(['Repair pantry B', 'Repair pantry staff']);
    // A service not imported from HSDS keeps the flag staff gave it.
    const staff = (await fhir.get(`HealthcareService/${staffServiceId}`)).body as HealthcareService;
    expect(stored(staff)).toEqual({ flag: true, source: null, elec: false });
    // Once only: a second start changes nothing.
    expect(await repairImportedAcceptsFlags(t.kith.store)).toBeUndefined();
  });

  it('the next import gives back what the HSDS data says; the organization on Kith counts live', async () => {
    await runImport();
    expect(stored(await serviceOf(S_ORG_TERM))).toEqual({ flag: true, source: 'hsds', elec: true });
    expect(stored(await serviceOf(S_BAKED))).toEqual({ flag: null, source: null, elec: false });
    expect(await accepting()).toEqual(['Repair pantry B', 'Repair pantry C', 'Repair pantry staff']);
    // The organization joins Kith again: its services take referrals without a stored flag.
    const orgRef = (await serviceOf(S_BAKED)).providedBy?.reference as string;
    await fhir.create({
      resourceType: 'PractitionerRole',
      active: true,
      organization: { reference: orgRef },
    });
    expect(await accepting()).toEqual([
      'Repair pantry A',
      'Repair pantry B',
      'Repair pantry C',
      'Repair pantry staff',
    ]);
    expect(stored(await serviceOf(S_BAKED))).toEqual({ flag: null, source: null, elec: false });
  });

  it('a re-import whose data no longer says so takes back the flag it had set, not one staff set', async () => {
    // Staff flag an imported service by hand (no source).
    const a = await serviceOf(S_BAKED);
    await fhir.put(`HealthcareService/${a.id}`, {
      ...a,
      extension: [...(a.extension ?? []), { url: EXT_ACCEPTS_REFERRALS, valueBoolean: true }],
    });
    await runImport(false);
    expect(stored(await serviceOf(S_TERM))).toEqual({ flag: null, source: null, elec: false });
    expect(stored(await serviceOf(S_BAKED))).toEqual({ flag: true, source: null, elec: false });
    expect(stored(await serviceOf(S_ORG_TERM))).toEqual({ flag: true, source: 'hsds', elec: true });
  });
});
