/**
 * Closed-loop referrals in the Gravity SDOH workflow: a ServiceRequest (category = SDOH domain, code =
 * the service, reason = the health concern, supporting info = the consent) and a Task (intent order,
 * focus = the ServiceRequest, owner = the receiving organization) in every status the guide allows
 * a referral to be in, with the finer business status, and a Procedure as the outcome of a completed one.
 */
import { coding, concept, refTo, SYSTEM, securityLabels, type Coding, type Resource } from './fhir';
import { ORG, type OrgKey, type SourceKey, SOURCES } from './kith';
import { addDays, daysAgo, daysSince, daysWithin, isoDateTime, minDate, asOfDate } from './dates';
import { orgRef } from './organizations';
import { staffRef } from './staff';
import { serviceFor } from './directory';
import {
  referralStatusCoding,
  serviceCoding,
  type ReferralStatusCode,
  type ServiceCode,
} from './terminology';
import type { ConcernKey, PersonContext } from './person-context';
import type { Random } from './random';

type TaskStatus =
  'requested' | 'accepted' | 'in-progress' | 'on-hold' | 'completed' | 'rejected' | 'cancelled';

interface Need {
  service: ServiceCode;
  domain?: [code: string, display: string];
  concern?: ConcernKey;
  senders: SourceKey[];
  sensitivity?: 'SDV' | 'ETH';
  snomed?: [string, string];
}

const SDOH = {
  food: ['food-insecurity', 'Food Insecurity'],
  homeless: ['homelessness', 'Homelessness'],
  housing: ['housing-instability', 'Housing Instability'],
  ipv: ['intimate-partner-violence', 'Intimate Partner Violence'],
  insurance: ['health-insurance-coverage-status', 'Health Insurance Coverage Status'],
} as const satisfies Record<string, [string, string]>;

function needsOf(ctx: PersonContext, rng: Random): Need[] {
  const p = ctx.person;
  const t = p.traits;
  const adult = p.age >= 18;
  const needs: Need[] = [];
  if (t.foodInsecure && adult && rng.chance(0.7)) {
    needs.push({
      service: 'food-pantry-enrollment',
      domain: SDOH.food,
      concern: 'food-insecurity',
      senders: ['clinic', 'hmis', 'calsaws', 'hospital'],
      snomed: ['467771000124109', 'Assistance with application for food pantry program'],
    });
  }
  if (t.foodInsecure && adult && !t.calfresh && rng.chance(0.5)) {
    needs.push({
      service: 'calfresh-application-assistance',
      domain: SDOH.food,
      concern: 'food-insecurity',
      senders: ['clinic', 'hmis', 'hospital'],
    });
  }
  if (t.homeless === 'unsheltered' && rng.chance(0.8)) {
    needs.push({
      service: 'emergency-shelter-placement',
      domain: SDOH.homeless,
      concern: 'homelessness',
      senders: ['hospital', 'clinic', 'jail', 'calsaws'],
    });
  }
  if ((t.homeless === 'sheltered' || (t.housingUnstable && rng.chance(0.3))) && rng.chance(0.7)) {
    needs.push({
      service: 'housing-navigation',
      domain: t.homeless ? SDOH.homeless : SDOH.housing,
      concern: t.homeless ? 'homelessness' : 'housing-instability',
      senders: ['clinic', 'calsaws', 'jail', 'hospital'],
    });
  }
  if (t.eviction && rng.chance(0.8)) {
    needs.push({
      service: 'eviction-defense',
      domain: SDOH.housing,
      concern: 'housing-instability',
      senders: ['clinic', 'hmis', 'calsaws'],
    });
  }
  if (t.dv && adult && rng.chance(0.65)) {
    needs.push({
      service: 'restraining-order-assistance',
      domain: SDOH.ipv,
      concern: 'intimate-partner-violence',
      senders: ['clinic', 'hospital', 'hmis'],
      sensitivity: 'SDV',
    });
  }
  if (!t.mediCal && adult && rng.chance(0.6)) {
    needs.push({
      service: 'medi-cal-enrollment',
      domain: SDOH.insurance,
      senders: ['hospital', 'clinic', 'hmis', 'foodbank'],
    });
  }
  if (!ctx.has('clinic') && ctx.has('hospital') && rng.chance(0.5)) {
    needs.push({ service: 'primary-care-follow-up', senders: ['hospital'] });
  }
  if (t.ecm) needs.push({ service: 'ecm-enrollment', senders: ['hospital', 'hmis', 'jail', 'calsaws'] });
  if (t.sud && (t.sudTreatment || rng.chance(0.4))) {
    needs.push({
      service: 'sud-treatment-intake',
      concern: 'substance-use',
      senders: ['jail', 'clinic', 'hospital', 'hmis'],
      sensitivity: 'ETH',
    });
  }
  if (t.pregnant && !ctx.has('wic')) {
    needs.push({ service: 'wic-enrollment', domain: SDOH.food, senders: ['clinic', 'calsaws'] });
  }
  return rng.sample(needs, 3);
}

const BUSINESS: Record<TaskStatus, readonly ReferralStatusCode[]> = {
  requested: ['pending', 'not-updated'],
  accepted: ['eligible', 'pending'],
  'in-progress': ['needs-client-action', 'eligible'],
  'on-hold': ['needs-client-action', 'couldnt-contact'],
  completed: ['got-help'],
  rejected: ['no-capacity', 'not-eligible', 'couldnt-contact'],
  cancelled: ['no-longer-interested', 'client-declined', 'referred-elsewhere'],
};

const REASONS: Partial<Record<ReferralStatusCode, string>> = {
  'no-capacity': 'No capacity: waitlist is full this month.',
  'not-eligible': 'Not eligible: outside income or residency limits.',
  'couldnt-contact': 'Could not reach the client after three attempts.',
  'needs-client-action': 'Waiting for the client to bring documents.',
  'no-longer-interested': 'Client no longer interested.',
  'client-declined': 'Client declined the service.',
  'referred-elsewhere': 'Client was referred to another provider.',
};

/** How long ago a referral in this status was sent (days): open ones are recent. */
const AGE: Record<TaskStatus, [number, number]> = {
  requested: [1, 20],
  accepted: [3, 40],
  'in-progress': [7, 90],
  'on-hold': [14, 120],
  completed: [20, 360],
  rejected: [10, 360],
  cancelled: [10, 360],
};

function pickStatus(rng: Random, need: Need, ctx: PersonContext): TaskStatus {
  // Someone already in the program the referral was for got there: that referral was completed.
  if (need.service === 'sud-treatment-intake' && ctx.has('bh')) return 'completed';
  if (need.service === 'ecm-enrollment' && ctx.has('clinic')) return 'completed';
  return rng.weighted([
    ['requested', 18],
    ['accepted', 14],
    ['in-progress', 14],
    ['completed', 30],
    ['rejected', 10],
    ['cancelled', 7],
    ['on-hold', 7],
  ] as const);
}

function referral(ctx: PersonContext, need: Need, index: number): void {
  const rng = ctx.rng(`referral:${index}`);
  const service = serviceFor(need.service);
  const receiver: OrgKey = service.org;
  const sender = need.senders.find((s) => ctx.has(s) && ORG[SOURCES[s].org] !== ORG[receiver]);
  if (!sender) return;
  const senderOrg = SOURCES[sender].org;
  const status = pickStatus(rng, need, ctx);
  const authored = daysAgo(rng, daysWithin(rng, ...AGE[status], ctx.lifeDays));
  const now = asOfDate();
  const accepted = minDate(addDays(authored, rng.int(1, 5)), now);
  const closed = minDate(
    addDays(accepted, rng.int(3, Math.max(4, Math.min(30, daysSince(accepted) - 1)))),
    now,
  );
  const business: ReferralStatusCode = rng.pick(BUSINESS[status]);
  const requester = staffRef(senderOrg, 'exchange');
  const patient = ctx.patientRef(sender);
  const labels = need.sensitivity ? securityLabels('R', need.sensitivity) : undefined;
  const concern = need.concern ? ctx.concerns.get(need.concern) : undefined;
  const consent = ctx.consents.find((c) => c.active && c.recipients.includes(ORG[receiver]));

  const category: unknown[] = need.domain
    ? [
        concept(SYSTEM.snomed, '410606002', 'Social service procedure'),
        concept(SYSTEM.sdohcc, ...need.domain),
      ]
    : [concept(SYSTEM.snomed, '3457005', 'Patient referral')];
  const code: Coding[] = [
    serviceCoding(need.service),
    ...(need.snomed ? [coding(SYSTEM.snomed, ...need.snomed)] : []),
  ];
  const srStatus =
    status === 'completed'
      ? 'completed'
      : status === 'cancelled' || status === 'rejected'
        ? 'revoked'
        : 'active';
  const sr = ctx.emit(
    sender,
    {
      resourceType: 'ServiceRequest',
      id: ctx.ids.next('sr'),
      status: srStatus,
      intent: 'order',
      category,
      priority: need.sensitivity === 'SDV' ? 'urgent' : 'routine',
      code: { coding: code, text: code[0].display },
      subject: patient,
      authoredOn: isoDateTime(authored),
      requester: requester.role,
      performer: [orgRef(receiver), refTo('HealthcareService', service.id, service.name)],
      ...(concern && concern.source === sender
        ? { reasonReference: [refTo('Condition', concern.resource.id)] }
        : {}),
      ...(consent ? { supportingInfo: [refTo('Consent', consent.resource.id)] } : {}),
    },
    labels,
  );

  let procedure: Resource | undefined;
  if (status === 'completed') {
    procedure = ctx.emit(
      sender,
      {
        resourceType: 'Procedure',
        id: ctx.ids.next('proc'),
        basedOn: [refTo('ServiceRequest', sr.id)],
        status: 'completed',
        ...(need.domain ? { category: concept(SYSTEM.snomed, '410606002', 'Social service procedure') } : {}),
        code:
          need.service === 'food-pantry-enrollment'
            ? {
                coding: [
                  coding(SYSTEM.snomed, '710925007', 'Provision of food'),
                  serviceCoding(need.service),
                ],
              }
            : { coding: [serviceCoding(need.service)] },
        subject: patient,
        performedDateTime: isoDateTime(closed),
        performer: [{ actor: orgRef(receiver) }],
        ...(concern && concern.source === sender
          ? { reasonReference: [refTo('Condition', concern.resource.id)] }
          : {}),
      },
      labels,
    );
  }

  const lastModified =
    status === 'requested' ? authored : ['accepted', 'in-progress'].includes(status) ? accepted : closed;
  const task = ctx.emit(
    sender,
    {
      resourceType: 'Task',
      id: ctx.ids.next('task'),
      status,
      ...(REASONS[business] && !['requested', 'accepted', 'in-progress', 'completed'].includes(status)
        ? { statusReason: { text: REASONS[business] } }
        : {}),
      businessStatus: {
        coding: [referralStatusCoding(business)],
        text: referralStatusCoding(business).display,
      },
      intent: 'order',
      priority: need.sensitivity === 'SDV' ? 'urgent' : 'routine',
      code: concept(SYSTEM.taskCode, 'fulfill', 'Fulfill the focal request'),
      focus: refTo('ServiceRequest', sr.id),
      for: patient,
      authoredOn: isoDateTime(authored),
      lastModified: isoDateTime(lastModified),
      requester: requester.role,
      owner: orgRef(receiver),
      ...(['accepted', 'in-progress', 'on-hold', 'completed'].includes(status)
        ? {
            executionPeriod: {
              start: isoDateTime(accepted),
              ...(status === 'completed' ? { end: isoDateTime(closed) } : {}),
            },
          }
        : {}),
      ...(procedure
        ? {
            output: [
              {
                type: concept(SYSTEM.sdohcc, 'resulting-activity', 'Resulting Activity'),
                valueReference: refTo('Procedure', procedure.id),
              },
            ],
          }
        : {}),
    },
    labels,
  );
  ctx.referrals.push({ source: sender, serviceRequest: sr, task });
}

export function referrals(ctx: PersonContext): void {
  needsOf(ctx, ctx.rng('needs')).forEach((need, i) => referral(ctx, need, i));
}
