/**
 * Privacy consents (FHIR Consent, scope patient-privacy) in the IHE PCF shape:
 * - clinic: permit sharing normal data with named community partners for treatment and care
 *   coordination (some also permit domestic-violence data to legal aid), or an opt-out;
 * - HMIS release of information: permit to named county and community partners for a year;
 * - 42 CFR Part 2: the behavioral-health program's written consent naming each recipient.
 * Some consents are revoked (inactive) or have expired (period ended).
 */
import { coding, concept, refTo, SYSTEM, type Coding, type Resource } from './fhir';
import { ORG, type OrgKey, type SourceKey } from './kith';
import { addDays, asOfDate, daysAgo, daysWithin, isoDate, isoDateTime } from './dates';
import { orgInfo } from './organizations';
import type { PersonContext } from './person-context';

const PART2_POLICY = 'https://www.ecfr.gov/current/title-42/chapter-I/subchapter-A/part-2';
const HIPAA_POLICY = 'https://www.hhs.gov/hipaa/for-professionals/privacy/index.html';

const purpose = (code: 'TREAT' | 'COC' | 'HPAYMT') =>
  coding(
    SYSTEM.actReason,
    code,
    { TREAT: 'treatment', COC: 'coordination of care', HPAYMT: 'healthcare payment' }[code],
  );
const label = (system: string, code: string, display: string): Coding => coding(system, code, display);
const NORMAL = label(SYSTEM.confidentiality, 'N', 'normal');
const SDV = label(
  SYSTEM.actCode,
  'SDV',
  'sexual assault, abuse, or domestic violence information sensitivity',
);
const ETH = label(SYSTEM.actCode, 'ETH', 'substance abuse information sensitivity');
const PART2 = label(SYSTEM.actCode, '42CFRPart2', '42 CFR Part2');

function recipients(keys: OrgKey[]) {
  return keys.map((k) => ({
    role: concept(SYSTEM.participationType, 'IRCP', 'information recipient'),
    reference: refTo('Organization', ORG[k], orgInfo(k).name),
  }));
}

interface ConsentSpec {
  source: SourceKey;
  custodian: OrgKey;
  signed: Date;
  months: number;
  type: 'permit' | 'deny';
  to: OrgKey[];
  purposes: Coding[];
  labels: Coding[];
  nested?: { to: OrgKey[]; labels: Coding[]; purposes: Coding[] }[];
  part2?: boolean;
  revoked?: boolean;
  note: string;
}

function consent(ctx: PersonContext, spec: ConsentSpec): void {
  const patient = ctx.patientRef(spec.source);
  const end = addDays(spec.signed, Math.round(spec.months * 30.4));
  const resource: Resource = {
    resourceType: 'Consent',
    id: ctx.ids.next('consent'),
    status: spec.revoked ? 'inactive' : 'active',
    scope: concept(SYSTEM.consentScope, 'patient-privacy', 'Privacy Consent'),
    category: [
      concept(SYSTEM.loinc, '59284-0', 'Patient Consent'),
      concept(SYSTEM.actCode, 'IDSCL', 'information disclosure'),
    ],
    patient,
    dateTime: isoDateTime(spec.signed),
    performer: [patient],
    organization: [refTo('Organization', ORG[spec.custodian], orgInfo(spec.custodian).name)],
    policy: [{ uri: spec.part2 ? PART2_POLICY : HIPAA_POLICY }],
    policyRule:
      spec.type === 'permit'
        ? concept(SYSTEM.actCode, 'OPTIN', 'opt-in')
        : concept(SYSTEM.actCode, 'OPTOUT', 'op-out'),
    sourceAttachment: { contentType: 'application/pdf', title: `${spec.note} (signed form on file)` },
    verification: [{ verified: true, verificationDate: isoDateTime(spec.signed) }],
    provision: {
      type: spec.type,
      period: { start: isoDate(spec.signed), end: isoDate(end) },
      actor: recipients(spec.to),
      action: [concept(SYSTEM.consentAction, 'disclose', 'Disclose')],
      securityLabel: spec.labels,
      purpose: spec.purposes,
      ...(spec.nested?.length
        ? {
            provision: spec.nested.map((n) => ({
              type: 'permit',
              actor: recipients(n.to),
              action: [concept(SYSTEM.consentAction, 'disclose', 'Disclose')],
              securityLabel: n.labels,
              purpose: n.purposes,
            })),
          }
        : {}),
    },
  };
  const stamped = ctx.emit(spec.source, resource);
  ctx.consents.push({
    source: spec.source,
    recipients: [...spec.to, ...(spec.nested ?? []).flatMap((n) => n.to)].map((k) => ORG[k]),
    resource: stamped,
    active: !spec.revoked && spec.type === 'permit' && end.getTime() > asOfDate().getTime(),
  });
}

export function consents(ctx: PersonContext): void {
  const t = ctx.person.traits;
  const rng = ctx.rng('consents');
  if (ctx.has('clinic') && ctx.person.age >= 18) {
    const roll = rng.next();
    if (roll < 0.6) {
      consent(ctx, {
        source: 'clinic',
        custodian: 'clinic',
        signed: daysAgo(rng, rng.int(20, 500)),
        months: 24,
        type: 'permit',
        to: ['foodbank', 'shelter', 'legalAid', 'dss'],
        purposes: [purpose('TREAT'), purpose('COC')],
        labels: [NORMAL],
        nested: t.dv ? [{ to: ['legalAid'], labels: [SDV], purposes: [purpose('COC')] }] : undefined,
        revoked: rng.chance(0.08),
        note: 'Community partner sharing',
      });
    } else if (roll < 0.7) {
      consent(ctx, {
        source: 'clinic',
        custodian: 'clinic',
        signed: daysAgo(rng, rng.int(20, 500)),
        months: 60,
        type: 'deny',
        to: ['foodbank', 'shelter', 'legalAid'],
        purposes: [purpose('COC')],
        labels: [],
        note: 'Opt-out of community sharing',
      });
    }
  }
  if (ctx.has('hmis') && rng.chance(0.85)) {
    consent(ctx, {
      source: 'hmis',
      custodian: 'shelter',
      // Some releases were signed more than a year ago and have expired.
      signed: daysAgo(rng, daysWithin(rng, 10, 480, ctx.lifeDays)),
      months: 12,
      type: 'permit',
      to: ['hhsa', 'dss', 'clinic', 'foodbank', 'legalAid'],
      purposes: [purpose('COC')],
      labels: [NORMAL],
      note: 'HMIS release of information',
    });
  }
  if (ctx.has('bh') && rng.chance(0.75)) {
    const to: OrgKey[] = ['clinic'];
    if (t.mediCal && rng.chance(0.5)) to.push('plan');
    if (ctx.has('jail') && rng.chance(0.6)) to.push('probation');
    consent(ctx, {
      source: 'bh',
      custodian: 'bh',
      signed: daysAgo(rng, rng.int(10, 400)),
      months: 12,
      type: 'permit',
      to,
      purposes: to.includes('plan') ? [purpose('TREAT'), purpose('HPAYMT')] : [purpose('TREAT')],
      labels: [ETH, PART2],
      part2: true,
      revoked: rng.chance(0.15),
      note: '42 CFR Part 2 disclosure',
    });
  }
}
