import { CONCEPT_MAPS, SYSTEMS, kithExtension } from '../../terminology';
import type { EpisodeOfCare, Extension } from '../fhir/types';
import type { RowReader } from '../csv/row';
import { LABELS } from '../labels';
import { refTo, type Origin } from '../result';
import type { HmisContext } from './context';
import { projectTypeCoding } from './map-organization';

const RELATIONSHIP = ['1', '2', '3', '4', '5', '99'];
const LIVING_SITUATIONS = [
  '8', '9', '17', '24', '30', '37', '99', '101', '116', '118', '204', '205', '206', '207', '215', '225', '302', '312', '313',
  '314', '327', '329', '332', '335', '336', '410', '411', '421', '422', '423', '426', '435',
]; // prettier-ignore

interface PendingEpisode {
  episode: EpisodeOfCare;
  origins: Origin[];
  deleted: boolean;
}

/**
 * Enrollment.csv + Exit.csv → EpisodeOfCare (one per project enrollment). The exit closes the
 * episode and brings the destination; household id, relationship to the head of household, prior
 * living situation and move-in date travel as extensions. Enrollments in a victim service
 * provider's or DV-targeted project are labelled SDV/R, and so is everything hanging off them.
 */
export function mapEnrollments(ctx: HmisContext): void {
  const pending = new Map<string, PendingEpisode>();
  for (const r of ctx.rows('Enrollment.csv')) {
    const enrollmentId = r.require('EnrollmentID');
    const personalId = r.require('PersonalID');
    const projectId = r.require('ProjectID');
    const entry = r.date('EntryDate', true);
    if (r.failed || !enrollmentId || !personalId || !projectId || !entry) {
      if (enrollmentId) ctx.failedEnrollments.add(enrollmentId);
      continue;
    }
    if (!ctx.clients.has(personalId))
      ctx.dangling(
        r,
        'PersonalID',
        `client '${personalId}' is not in Client.csv; the episode refers to the Patient by identifier`,
      );
    const project = ctx.projects.get(projectId);
    if (!project) ctx.dangling(r, 'ProjectID', `project '${projectId}' is not in Project.csv`);
    const labels = project?.domesticViolence ? LABELS.domesticViolence : undefined;
    ctx.enrollments.set(enrollmentId, { personalId, projectId, labels });

    const key = ctx.id('enrollment-id', enrollmentId);
    const episode: EpisodeOfCare = {
      resourceType: 'EpisodeOfCare',
      identifier: [key],
      status: 'active',
      patient: refTo('Patient', ctx.id('personal-id', personalId)),
      managingOrganization: refTo('Organization', ctx.id('project-id', projectId)),
      period: { start: entry },
    };
    if (labels) episode.meta = { security: labels.map((c) => ({ ...c })) };
    if (project?.projectType)
      episode.type = [
        { coding: [projectTypeCoding(project.projectType)], ...(project.name ? { text: project.name } : {}) },
      ];
    const extensions = enrollmentExtensions(ctx, r);
    if (extensions.length) episode.extension = extensions;
    pending.set(enrollmentId, { episode, origins: [ctx.origin(r)], deleted: Boolean(r.str('DateDeleted')) });
  }

  for (const r of ctx.rows('Exit.csv')) {
    const exitId = r.require('ExitID');
    const enrollmentId = r.require('EnrollmentID');
    r.require('PersonalID');
    const exitDate = r.date('ExitDate', true);
    if (r.failed || !exitId || !enrollmentId || !exitDate) continue;
    if (r.str('DateDeleted')) continue; // a deleted exit re-opens nothing we have not already left open
    const target = pending.get(enrollmentId);
    if (!target) {
      if (!ctx.failedEnrollments.has(enrollmentId)) {
        ctx.dangling(
          r,
          'EnrollmentID',
          `enrollment '${enrollmentId}' is not in Enrollment.csv; the exit is not applied`,
        );
      }
      continue;
    }
    const episode = target.episode;
    if (episode.period?.start && exitDate < episode.period.start) {
      r.report(
        'warning',
        'ExitDate',
        `'${exitDate}' is before the entry date ${episode.period.start}; the exit date is not mapped`,
        exitDate,
      );
    } else {
      episode.period = { ...episode.period, end: exitDate };
      episode.status = 'finished';
    }
    const destination = r.code('Destination', LIVING_SITUATIONS, 'Destination code');
    if (destination) {
      const { value, absent } = ctx.concept(
        CONCEPT_MAPS.hmisDestination,
        SYSTEMS.hmisLivingSituation,
        destination,
      );
      (episode.extension ??= []).push({
        url: kithExtension('hmis-exit-destination'),
        valueCodeableConcept: value ?? absent,
      });
    }
    target.origins.push(ctx.origin(r));
  }

  for (const { episode, origins, deleted } of pending.values()) {
    const key = episode.identifier![0];
    const [first, ...rest] = origins;
    const mapped = deleted
      ? ctx.builder.add(
          {
            resourceType: 'EpisodeOfCare',
            identifier: [key],
            status: 'entered-in-error',
            patient: episode.patient,
          },
          key,
          first,
          'delete',
        )
      : ctx.builder.add(episode, key, first);
    mapped.origin.push(...rest);
  }
}

function enrollmentExtensions(ctx: HmisContext, r: RowReader): Extension[] {
  const out: Extension[] = [];
  const household: Extension[] = [];
  const householdId = r.str('HouseholdID');
  if (householdId)
    household.push({ url: 'householdId', valueIdentifier: ctx.id('household-id', householdId) });
  const relationship = r.code('RelationshipToHoH', RELATIONSHIP, 'RelationshipToHoH code');
  if (relationship) {
    const { value, absent } = ctx.concept(
      CONCEPT_MAPS.hmisRelationshipToHoH,
      SYSTEMS.hmisRelationshipToHoH,
      relationship,
    );
    household.push({ url: 'relationshipToHoH', valueCodeableConcept: value ?? absent });
  }
  if (household.length) out.push({ url: kithExtension('household'), extension: household });
  const living = r.code('LivingSituation', LIVING_SITUATIONS, 'LivingSituation code');
  if (living) {
    const { value, absent } = ctx.concept(
      CONCEPT_MAPS.hmisLivingSituation,
      SYSTEMS.hmisLivingSituation,
      living,
    );
    out.push({ url: kithExtension('hmis-prior-living-situation'), valueCodeableConcept: value ?? absent });
  }
  const moveIn = r.date('MoveInDate');
  if (moveIn) out.push({ url: kithExtension('hmis-move-in-date'), valueDate: moveIn });
  return out;
}
