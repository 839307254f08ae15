import { describe, expect, it } from 'vitest';
import { ACTOR_GROUP_SYSTEM as SERVER_ACTOR_GROUP, flattenConsent } from '../../../src/privacy/consent';
import {
  buildConsent,
  draftProblems,
  revokedConsent,
  ACTOR_GROUP_SYSTEM,
  type ConsentDraft,
} from './consent-resource';
import { summarizeConsent } from './consent-summary';

const draft = (over: Partial<ConsentDraft> = {}): ConsentDraft => ({
  patientId: 'p1',
  decision: 'permit',
  recipients: { kind: 'organizations', organizations: [{ id: 'food-bank', name: 'Harbor Food Bank' }] },
  dataClasses: ['N', 'PSY'],
  recordTypes: [],
  purposes: ['COC'],
  start: '2026-01-01',
  end: '2026-12-31',
  signer: { kind: 'person' },
  recorded: '2026-01-01T10:00:00Z',
  ...over,
});

/** The screen's consent as the server's policy reads it: flattened into grant rows. */
const grantsOf = (d: ConsentDraft) => flattenConsent({ ...buildConsent(d), id: 'c1' });

describe('consent screen → Consent resource → the grants the policy honours', () => {
  it('uses the same logical-recipient system as the server', () => {
    expect(ACTOR_GROUP_SYSTEM).toBe(SERVER_ACTOR_GROUP);
  });

  it('a permit to a named organization yields one grant per data class set, purpose and period, with no notes', () => {
    const { grants, notes } = grantsOf(draft());
    expect(notes).toEqual([]);
    expect(grants).toEqual([
      {
        consentId: 'c1',
        patient: 'p1',
        grantee: 'food-bank',
        permit: true,
        depth: 0,
        labels: ['N', 'PSY'],
        purposes: ['COC'],
        periodStart: '2026-01-01T00:00:00.000Z',
        periodEnd: '2027-01-01T00:00:00.000Z',
      },
    ]);
  });

  it('data categories chosen on the screen become category limits the policy honours', () => {
    const { grants, notes } = grantsOf(
      draft({ dataClasses: ['N'], recordTypes: ['Observation'], categories: ['sdoh', 'social-history'] }),
    );
    expect(notes).toEqual([]);
    expect(grants).toHaveLength(1);
    expect(grants[0]).toMatchObject({
      resourceTypes: ['Observation'],
      categories: ['sdoh', 'social-history'],
    });
    const summary = JSON.stringify(summarizeConsent(buildConsent(draft({ categories: ['health-concern'] }))));
    expect(summary).toContain('Health concerns');
  });

  it('a deny to all covered entities for some record types, any purpose, no period', () => {
    const { grants, notes } = grantsOf(
      draft({
        decision: 'deny',
        recipients: { kind: 'covered-entities' },
        dataClasses: ['HIV'],
        recordTypes: ['Condition', 'Observation'],
        purposes: [],
        start: undefined,
        end: undefined,
      }),
    );
    expect(notes).toEqual([]);
    expect(grants).toEqual([
      {
        consentId: 'c1',
        patient: 'p1',
        grantee: 'covered-entities',
        permit: false,
        depth: 0,
        labels: ['HIV'],
        resourceTypes: ['Condition', 'Observation'],
      },
    ]);
  });

  it('anyone is the `*` grantee; revoking leaves no grant', () => {
    const anyone = draft({ recipients: { kind: 'anyone' }, dataClasses: ['N'] });
    expect(grantsOf(anyone).grants.map((g) => g.grantee)).toEqual(['*']);
    const revoked = revokedConsent({ ...buildConsent(anyone), id: 'c1' });
    expect(revoked.status).toBe('inactive');
    expect(flattenConsent(revoked).grants).toEqual([]);
  });

  it('refuses drafts the policy could not honour as meant', () => {
    expect(draftProblems(draft())).toEqual([]);
    expect(draftProblems(draft({ dataClasses: [] }))).toEqual(['Choose at least one kind of data.']);
    expect(draftProblems(draft({ recipients: { kind: 'organizations', organizations: [] } }))).toHaveLength(
      1,
    );
    // Part 2 data needs the recipient named (a grant to a group never opens it).
    expect(
      draftProblems(draft({ dataClasses: ['ETH'], recipients: { kind: 'covered-entities' } })),
    ).toHaveLength(1);
    expect(draftProblems(draft({ start: '2026-02-01', end: '2026-01-01' }))).toHaveLength(1);
    expect(draftProblems(draft({ signer: { kind: 'representative', name: ' ' } }))).toHaveLength(1);
  });

  it('records who signed, who witnessed and the signed form, and says so in the list', () => {
    const consent = buildConsent(
      draft({
        signer: { kind: 'representative', name: 'Ana Ruiz', relationship: 'guardian' },
        witness: { reference: 'PractitionerRole/r1', display: 'Nathan Moore' },
        recordedBy: { reference: 'Organization/food-bank', display: 'Harbor Food Bank' },
        attachment: { contentType: 'application/pdf', data: 'JVBERi0=', title: 'consent.pdf' },
      }),
    );
    const s = summarizeConsent({ ...consent, id: 'c1' }, new Date('2026-06-01T00:00:00Z'));
    expect(s).toMatchObject({
      state: 'active',
      provision: {
        decision: 'Permits',
        recipients: 'Harbor Food Bank',
        data: 'Unrestricted health and social data, Mental health',
        purposes: 'Coordination of care',
      },
      period: 'Jan 1, 2026 to Dec 31, 2026',
      signedBy: 'Ana Ruiz (guardian)',
      witness: 'Nathan Moore',
      recordedBy: 'Harbor Food Bank',
      attachment: { title: 'consent.pdf', href: 'data:application/pdf;base64,JVBERi0=' },
    });
    expect(summarizeConsent({ ...consent, status: 'inactive' }).stateText).toBe('Revoked');
    expect(summarizeConsent(consent, new Date('2027-02-01T00:00:00Z')).state).toBe('expired');
  });

  it('describes consents recorded through the API with nested exceptions, in words', () => {
    const consent = {
      ...buildConsent(draft({ dataClasses: ['N'], purposes: ['TREAT'] })),
      provision: {
        ...buildConsent(draft({ dataClasses: ['N'], purposes: ['TREAT'] })).provision,
        provision: [
          {
            type: 'permit' as const,
            actor: [
              {
                role: { coding: [{ code: 'IRCP' }] },
                reference: { reference: 'Organization/legal-aid', display: 'Bay Legal Aid' },
              },
            ],
            securityLabel: [{ code: 'SDV' }],
          },
        ],
      },
    };
    const s = summarizeConsent(consent, new Date('2026-06-01T00:00:00Z'));
    expect(s.exceptions).toEqual([
      {
        decision: 'Permits',
        recipients: 'Bay Legal Aid',
        data: 'Sexual or domestic violence',
        purposes: 'Treatment',
      },
    ]);
  });

  it('several purposes and nested exceptions: except substance use data, except one organization', () => {
    const d = draft({
      recipients: {
        kind: 'organizations',
        organizations: [
          { id: 'x', name: 'Org X' },
          { id: 'y', name: 'Org Y' },
        ],
      },
      dataClasses: ['N', 'PSY', 'ETH'],
      purposes: ['COC', 'CAREMGT'],
      start: undefined,
      end: undefined,
      exceptions: [
        { organizations: [], dataClasses: ['ETH'] },
        { organizations: [{ id: 'y', name: 'Org Y' }], dataClasses: ['PSY'] },
      ],
    });
    expect(draftProblems(d)).toEqual([]);
    const consent = buildConsent(d);
    expect(consent.provision?.purpose?.map((c) => c.code)).toEqual(['COC', 'CAREMGT']);
    expect(consent.provision?.provision?.map((p) => p.type)).toEqual(['deny', 'deny']);
    expect(consent.provision?.provision?.[0].actor).toBeUndefined(); // inherits X and Y
    const { grants, notes } = grantsOf(d);
    expect(notes).toEqual([]);
    const rows = grants.map((g) => `${g.grantee} ${g.permit ? 'permit' : 'deny'} ${g.depth} ${g.labels}`);
    expect(rows).toEqual([
      'x permit 0 N,ETH,PSY',
      'y permit 0 N,ETH,PSY',
      'x deny 1 ETH',
      'y deny 1 ETH',
      'y deny 1 PSY',
    ]);
    expect(grants.every((g) => g.purposes?.join() === 'COC,CAREMGT')).toBe(true);
    const s = summarizeConsent({ ...consent, id: 'c1' });
    expect(s.provision.purposes).toBe('Coordination of care, Care management');
    expect(s.exceptions).toEqual([
      {
        decision: 'Denies',
        recipients: 'Org X, Org Y',
        data: 'Substance use treatment (42 CFR Part 2)',
        purposes: 'Coordination of care, Care management',
      },
      {
        decision: 'Denies',
        recipients: 'Org Y',
        data: 'Mental health',
        purposes: 'Coordination of care, Care management',
      },
    ]);
  });

  it('an exception must say what it is about; a permit exception to a deny names organizations for Part 2 data', () => {
    expect(draftProblems(draft({ exceptions: [{ organizations: [], dataClasses: [] }] }))).toEqual([
      'Exception 1: choose the organizations or the kinds of data it is about.',
    ]);
    const deny = draft({
      decision: 'deny',
      recipients: { kind: 'anyone' },
      dataClasses: ['N', 'ETH'],
      exceptions: [{ organizations: [], dataClasses: ['ETH'] }],
    });
    expect(draftProblems(deny)).toEqual([
      'Exception 1: substance use treatment data can be shared only with organizations named one by one.',
    ]);
    const named = { ...deny, exceptions: [{ organizations: [{ id: 'rehab' }], dataClasses: ['ETH'] }] };
    expect(draftProblems(named)).toEqual([]);
    const { grants } = grantsOf(named);
    expect(grants.map((g) => `${g.grantee} ${g.permit} ${g.depth} ${g.labels}`)).toEqual([
      '* false 0 N,ETH',
      'rehab true 1 ETH',
    ]);
  });
});
