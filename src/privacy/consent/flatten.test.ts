import type { Consent, ConsentProvision } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { ACTOR_GROUP_SYSTEM, activeConsents, consentGrants, flattenConsent, isConsentActive } from './index';

const CONF = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';
const ACT = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
const REASON = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';
const ircp = {
  coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP' }],
};
const org = (id: string) => ({ role: ircp, reference: { reference: `Organization/${id}` } });
const purpose = (...codes: string[]) => codes.map((code) => ({ system: REASON, code }));
const label = (system: string, code: string) => ({ system, code });

function consent(provision: ConsentProvision | undefined, extra: Partial<Consent> = {}): Consent {
  return {
    resourceType: 'Consent',
    id: 'k1',
    status: 'active',
    scope: {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }],
    },
    category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
    patient: { reference: 'Patient/p1' },
    ...(provision ? { provision } : {}),
    ...extra,
  };
}

describe('consentGrants', () => {
  it('flattens the IHE PCF "normal but not restricted" consent', () => {
    const grants = consentGrants(
      consent({
        type: 'permit',
        securityLabel: [label(CONF, 'N')],
        purpose: purpose('TREAT', 'HPAYMT', 'HOPERAT'),
        provision: [{ type: 'deny', securityLabel: [label(CONF, 'R')] }],
      }),
    );
    expect(grants).toEqual([
      {
        consentId: 'k1',
        patient: 'p1',
        grantee: '*',
        permit: true,
        depth: 0,
        labels: ['N'],
        purposes: ['TREAT', 'HPAYMT', 'HOPERAT'],
      },
      {
        consentId: 'k1',
        patient: 'p1',
        grantee: '*',
        permit: false,
        depth: 1,
        labels: ['R'],
        purposes: ['TREAT', 'HPAYMT', 'HOPERAT'],
      },
    ]);
  });

  it('flattens a community-partner consent with a nested SDV permit that inherits the period', () => {
    const grants = consentGrants(
      consent({
        type: 'permit',
        period: { start: '2025-01-15', end: '2026-01-14' },
        actor: [org('foodbank'), org('legal-aid')],
        action: [{ coding: [{ code: 'disclose' }] }],
        securityLabel: [label(CONF, 'N')],
        purpose: purpose('TREAT', 'COC'),
        provision: [
          {
            type: 'permit',
            actor: [org('legal-aid')],
            securityLabel: [label(ACT, 'SDV')],
            purpose: purpose('COC'),
          },
        ],
      }),
    );
    const period = { periodStart: '2025-01-15T00:00:00.000Z', periodEnd: '2026-01-15T00:00:00.000Z' };
    expect(grants).toEqual([
      {
        consentId: 'k1',
        patient: 'p1',
        grantee: 'foodbank',
        permit: true,
        depth: 0,
        labels: ['N'],
        purposes: ['TREAT', 'COC'],
        ...period,
      },
      {
        consentId: 'k1',
        patient: 'p1',
        grantee: 'legal-aid',
        permit: true,
        depth: 0,
        labels: ['N'],
        purposes: ['TREAT', 'COC'],
        ...period,
      },
      {
        consentId: 'k1',
        patient: 'p1',
        grantee: 'legal-aid',
        permit: true,
        depth: 1,
        labels: ['SDV'],
        purposes: ['COC'],
        ...period,
      },
    ]);
  });

  it('names covered entities, anyone and practitioner roles through documented actors', () => {
    const grants = consentGrants(
      consent({
        type: 'permit',
        actor: [
          {
            role: ircp,
            reference: { identifier: { system: ACTOR_GROUP_SYSTEM, value: 'covered-entities' } },
          },
          { role: ircp, reference: { identifier: { system: ACTOR_GROUP_SYSTEM, value: 'all' } } },
          { role: ircp, reference: { reference: 'PractitionerRole/r1' } },
        ],
      }),
    );
    expect(grants.map((g) => g.grantee)).toEqual(['covered-entities', '*', 'PractitionerRole/r1']);
    expect(grants[0].labels).toEqual([]);
  });

  it('expands to every linked Patient of the person', () => {
    const grants = consentGrants(consent({ type: 'permit', actor: [org('a')] }), { patients: ['p1', 'p2'] });
    expect(grants.map((g) => g.patient)).toEqual(['p1', 'p2']);
  });

  it('reads classes as resource types and data instances as resources', () => {
    const [g] = consentGrants(
      consent({
        type: 'permit',
        actor: [org('a')],
        class: [{ system: 'http://hl7.org/fhir/resource-types', code: 'Observation' }, { code: 'Condition' }],
        data: [{ meaning: 'instance', reference: { reference: 'Observation/o1' } }],
      }),
    );
    expect(g).toMatchObject({ resourceTypes: ['Observation', 'Condition'], resources: ['Observation/o1'] });
  });

  it('drops a permit it cannot evaluate and widens a deny', () => {
    const custodian = { coding: [{ code: 'CST' }] };
    const r = flattenConsent(
      consent({
        type: 'deny',
        actor: [{ role: custodian, reference: { reference: 'Organization/src' } }],
        provision: [
          { type: 'permit', actor: [org('a')], code: [{ coding: [{ code: '1234-5' }] }] },
          { type: 'permit', actor: [{ role: custodian, reference: { reference: 'Organization/x' } }] },
          {
            type: 'deny',
            actor: [org('b')],
            class: [{ code: 'not a type' }],
          },
          { type: 'permit', actor: [org('c')], action: [{ coding: [{ code: 'collect' }] }] },
        ],
      }),
    );
    expect(r.grants).toEqual([
      { consentId: 'k1', patient: 'p1', grantee: '*', permit: false, depth: 0, labels: [] },
      { consentId: 'k1', patient: 'p1', grantee: 'b', permit: false, depth: 1, labels: [] },
    ]);
    expect(r.notes).toHaveLength(5);
    expect(r.notes.join('\n')).toMatch(/provision.code; permit dropped/);
  });

  it('reads classes of a category system as category limits, with resource types as a second limit', () => {
    const SDOH = { system: 'http://hl7.org/fhir/us/core/CodeSystem/us-core-category', code: 'sdoh' };
    const SOCIAL = {
      system: 'http://terminology.hl7.org/CodeSystem/observation-category',
      code: 'social-history',
    };
    const r = flattenConsent(
      consent({
        type: 'permit',
        actor: [org('a')],
        class: [{ system: 'http://hl7.org/fhir/resource-types', code: 'Observation' }, SDOH, SOCIAL],
        provision: [
          { type: 'deny', class: [SOCIAL] },
          { type: 'deny', class: [SDOH, { code: '??' }] },
        ],
      }),
    );
    expect(r.grants).toEqual([
      {
        consentId: 'k1',
        patient: 'p1',
        grantee: 'a',
        permit: true,
        depth: 0,
        labels: [],
        resourceTypes: ['Observation'],
        categories: ['sdoh', 'social-history'],
      },
      // The first exception states its class: it limits the category and no longer the type.
      {
        consentId: 'k1',
        patient: 'p1',
        grantee: 'a',
        permit: false,
        depth: 1,
        labels: [],
        categories: ['social-history'],
      },
      // A deny with a class Kith cannot read is widened to every class.
      { consentId: 'k1', patient: 'p1', grantee: 'a', permit: false, depth: 1, labels: [] },
    ]);
    expect(r.notes).toEqual([
      'provision.provision[1]: class is neither a resource type nor a category; deny applied without that limit',
    ]);
  });

  it('reads a basic OPTOUT consent without provisions as deny-all', () => {
    const optOut = consent(undefined, { policyRule: { coding: [{ system: ACT, code: 'OPTOUT' }] } });
    expect(consentGrants(optOut)).toEqual([
      { consentId: 'k1', patient: 'p1', grantee: '*', permit: false, depth: 0, labels: [] },
    ]);
  });

  it('yields nothing for revoked, rejected or non-privacy consents', () => {
    const p: ConsentProvision = { type: 'permit', actor: [org('a')] };
    expect(consentGrants(consent(p, { status: 'inactive' }))).toEqual([]);
    expect(consentGrants(consent(p, { status: 'rejected' }))).toEqual([]);
    expect(consentGrants(consent(p, { scope: { coding: [{ code: 'treatment' }] } }))).toEqual([]);
    expect(consentGrants(consent(p, { patient: undefined }))).toEqual([]);
  });

  it('reads partial dates as whole periods', () => {
    const [g] = consentGrants(consent({ type: 'permit', period: { start: '2025-02', end: '2025' } }));
    expect(g).toMatchObject({
      periodStart: '2025-02-01T00:00:00.000Z',
      periodEnd: '2026-01-01T00:00:00.000Z',
    });
    const [h] = consentGrants(consent({ type: 'permit', period: { end: '2025-03-01T10:00:00-08:00' } }));
    expect(h.periodEnd).toBe('2025-03-01T18:00:00.000Z');
  });
});

describe('activeConsents', () => {
  const now = new Date('2025-06-30T12:00:00Z');
  const withPeriod = (id: string, start?: string, end?: string, status: Consent['status'] = 'active') =>
    consent({ type: 'permit', period: { start, end } }, { id, status, dateTime: start });

  it('keeps active consents within their period, newest first', () => {
    const list = [
      withPeriod('old', '2024-01-01', '2026-01-01'),
      withPeriod('expired', '2024-01-01', '2025-06-29'),
      withPeriod('last-day', '2025-01-01', '2025-06-30'),
      withPeriod('future', '2025-07-01'),
      withPeriod('revoked', '2025-01-01', undefined, 'inactive'),
    ];
    expect(activeConsents(list, now).map((c) => c.id)).toEqual(['last-day', 'old']);
    expect(isConsentActive(withPeriod('open'), now)).toBe(true);
  });
});
