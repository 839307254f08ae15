import type { Consent } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../store/db/migrate';
import { openDatabase, type Database } from '../../store/db/database';
import {
  consentGrants,
  consentMigrations,
  deleteConsentGrants,
  loadGrants,
  syncConsentGrants,
} from './index';

let db: Database;

beforeAll(async () => {
  db = await openDatabase({ dataDir: 'memory://' });
  await migrate(db, consentMigrations);
});
afterAll(async () => db?.close());

const consent = (id: string, status: Consent['status'] = 'active'): Consent => ({
  resourceType: 'Consent',
  id,
  status,
  scope: { coding: [{ code: 'patient-privacy' }] },
  category: [],
  patient: { reference: 'Patient/p1' },
  provision: {
    type: 'permit',
    period: { start: '2025-01-01', end: '2025-12-31' },
    actor: [{ role: { coding: [{ code: 'IRCP' }] }, reference: { reference: 'Organization/bh-clinic' } }],
    securityLabel: [{ code: 'ETH' }, { code: '42CFRPart2' }],
    purpose: [{ code: 'TREAT' }],
    class: [{ code: 'Condition' }],
    provision: [
      {
        type: 'deny',
        securityLabel: [{ code: 'HIV' }],
        data: [{ meaning: 'instance', reference: { reference: 'Condition/c9' } }],
      },
    ],
  },
});

const count = async (id: string) =>
  (await db.query('select count(*)::int as n from consent_grants where consent_id = $1', [id])).rows[0].n;

describe('syncConsentGrants', () => {
  it('stores the flattened rows and reads them back unchanged', async () => {
    const c = consent('a');
    await db.transaction((client) => syncConsentGrants(client, c, { patients: ['p1', 'p2'] }));
    expect(await count('a')).toBe(4);
    const stored = await loadGrants(db, ['p1', 'p2']);
    expect(stored).toEqual(consentGrants(c, { patients: ['p1', 'p2'] }));
    expect(await loadGrants(db, [])).toEqual([]);
  });

  it('replaces the rows of that consent on update and revoke, leaving other consents alone', async () => {
    await syncConsentGrants(db, consent('b'));
    expect(await count('b')).toBe(2);
    await syncConsentGrants(db, consent('a'));
    expect(await count('a')).toBe(2);
    await syncConsentGrants(db, consent('a', 'inactive'));
    expect(await count('a')).toBe(0);
    expect(await count('b')).toBe(2);
  });

  it('removes the rows of a deleted consent', async () => {
    await syncConsentGrants(db, consent('b'), { deleted: true });
    expect(await count('b')).toBe(0);
    await syncConsentGrants(db, consent('c'));
    await deleteConsentGrants(db, 'c');
    expect(await count('c')).toBe(0);
  });
});
