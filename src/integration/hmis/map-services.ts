import { SYSTEMS, kithCodeSystem, kithExtension } from '../../terminology';
import type { Encounter, Procedure } from '../fhir/types';
import { refTo } from '../result';
import type { HmisContext } from './context';
import { EPISODE_EXTENSION } from './observation';

// HUD list 1.4 RecordType.
const RECORD_TYPES: Record<string, string> = {
  '141': 'PATH Service',
  '142': 'RHY Service Connections',
  '143': 'HOPWA Service',
  '144': 'SSVF Service',
  '151': 'HOPWA Financial Assistance',
  '152': 'SSVF Financial Assistance',
  '161': 'PATH Referral',
  '200': 'Bed Night',
  '210': 'HUD-VASH OTH Voucher Tracking',
  '300': 'Moving On Assistance',
};
const BED_NIGHT = '200';

/** v3 ActCode FLD ("field"): an encounter outside both a healthcare setting and the person's home. */
const fieldClass = { system: SYSTEMS.v3ActCode, code: 'FLD', display: 'field' };

/**
 * Services.csv → a bed night (RecordType 200) is an Encounter of the enrollment: the person spent
 * that night at the shelter. Every other service (PATH, RHY, SSVF, HOPWA, financial assistance,
 * referrals) is something done for the person: a Procedure, coded by record type and type provided.
 */
export function mapServices(ctx: HmisContext): void {
  for (const r of ctx.rows('Services.csv')) {
    const servicesId = r.require('ServicesID');
    const enrollmentId = r.require('EnrollmentID');
    const personalId = r.require('PersonalID');
    const date = r.date('DateProvided', true);
    const recordType = r.code('RecordType', Object.keys(RECORD_TYPES), 'RecordType', true);
    if (r.failed || !servicesId || !enrollmentId || !personalId || !date || !recordType) continue;
    const enrollment = ctx.enrollments.get(enrollmentId);
    if (!enrollment) {
      if (ctx.failedEnrollments.has(enrollmentId)) continue;
      ctx.dangling(
        r,
        'EnrollmentID',
        `enrollment '${enrollmentId}' is not in Enrollment.csv; mapped without the enrollment link`,
      );
    } else if (enrollment.personalId !== personalId) {
      r.report(
        'error',
        'PersonalID',
        `'${personalId}' differs from enrollment ${enrollmentId}'s PersonalID '${enrollment.personalId}'`,
        personalId,
      );
      continue;
    }
    const key = ctx.id('services-id', servicesId);
    const resourceType = recordType === BED_NIGHT ? 'Encounter' : 'Procedure';
    if (r.str('DateDeleted')) {
      const stub =
        resourceType === 'Encounter'
          ? ({
              resourceType,
              identifier: [key],
              status: 'entered-in-error',
              class: fieldClass,
            } satisfies Encounter)
          : ({
              resourceType,
              identifier: [key],
              status: 'entered-in-error',
              subject: refTo('Patient', ctx.id('personal-id', personalId)),
            } satisfies Procedure);
      ctx.builder.add(stub, key, ctx.origin(r), 'delete');
      continue;
    }
    const subject = refTo('Patient', ctx.id('personal-id', personalId));
    const episode = enrollment ? refTo('EpisodeOfCare', ctx.id('enrollment-id', enrollmentId)) : undefined;
    const security = enrollment?.labels ? { security: enrollment.labels.map((c) => ({ ...c })) } : undefined;
    const recordCoding = {
      system: SYSTEMS.hmisRecordType,
      code: recordType,
      display: RECORD_TYPES[recordType],
    };

    if (resourceType === 'Encounter') {
      const encounter: Encounter = {
        resourceType: 'Encounter',
        identifier: [key],
        status: 'finished',
        class: fieldClass,
        type: [{ coding: [recordCoding] }],
        subject,
        period: { start: date, end: date },
      };
      if (episode) encounter.episodeOfCare = [episode];
      if (enrollment)
        encounter.serviceProvider = refTo('Organization', ctx.id('project-id', enrollment.projectId));
      if (security) encounter.meta = security;
      ctx.builder.add(encounter, key, ctx.origin(r));
      continue;
    }
    const procedure: Procedure = {
      resourceType: 'Procedure',
      identifier: [key],
      status: 'completed',
      category: { coding: [recordCoding] },
      subject,
      performedDateTime: date,
    };
    const typeProvided = r.int('TypeProvided');
    if (typeProvided !== undefined) {
      // TypeProvided codes are defined per record type (P1.2, R14.2, W1.2 ...): one code system each.
      procedure.code = {
        coding: [{ system: kithCodeSystem(`hmis-service-type-${recordType}`), code: String(typeProvided) }],
      };
    }
    const extension = [];
    if (episode) extension.push({ url: EPISODE_EXTENSION, valueReference: episode });
    const amount = r.money('FAAmount');
    if (amount !== undefined)
      extension.push({
        url: kithExtension('hmis-financial-assistance-amount'),
        valueMoney: { value: amount, currency: 'USD' },
      });
    if (extension.length) procedure.extension = extension;
    if (security) procedure.meta = security;
    ctx.builder.add(procedure, key, ctx.origin(r));
  }
}
