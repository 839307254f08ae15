import { SYSTEMS } from '../../terminology';
import type { Organization } from '../fhir/types';
import { refTo } from '../result';
import type { HmisContext } from './context';

// HUD 2.02.6 project types (FY2024 and FY2026 share the list).
const PROJECT_TYPES: Record<string, string> = {
  '0': 'Emergency Shelter - Entry Exit',
  '1': 'Emergency Shelter - Night-by-Night',
  '2': 'Transitional Housing',
  '3': 'PH - Permanent Supportive Housing',
  '4': 'Street Outreach',
  '6': 'Services Only',
  '7': 'Other',
  '8': 'Safe Haven',
  '9': 'PH - Housing Only',
  '10': 'PH - Housing with Services (no disability required for entry)',
  '11': 'Day Shelter',
  '12': 'Homelessness Prevention',
  '13': 'PH - Rapid Re-Housing',
  '14': 'Coordinated Entry',
};

export function projectTypeCoding(code: string): { system: string; code: string; display?: string } {
  const display = PROJECT_TYPES[code];
  return display
    ? { system: SYSTEMS.hmisProjectType, code, display }
    : { system: SYSTEMS.hmisProjectType, code };
}

/** Organization.csv → Organization; remembers victim service providers (their enrollments are SDV). */
export function mapOrganizations(ctx: HmisContext): void {
  for (const r of ctx.rows('Organization.csv')) {
    const orgId = r.require('OrganizationID');
    if (r.failed || !orgId) continue;
    const key = ctx.id('organization-id', orgId);
    if (r.str('DateDeleted')) {
      ctx.builder.add({ resourceType: 'Organization', identifier: [key] }, key, ctx.origin(r), 'delete');
      continue;
    }
    if (r.code('VictimServiceProvider', ['0', '1', '99'], 'VictimServiceProvider (0 or 1)') === '1')
      ctx.victimServiceOrgs.add(orgId);
    const org: Organization = { resourceType: 'Organization', identifier: [key], active: true };
    const name = r.str('OrganizationName');
    if (name) org.name = name;
    const common = r.str('OrganizationCommonName');
    if (common && common !== name) org.alias = [common];
    ctx.builder.add(org, key, ctx.origin(r));
  }
}

/**
 * Project.csv → Organization (partOf its HMIS organization). A project is where an enrollment
 * happens, and EpisodeOfCare.managingOrganization can only point at an Organization.
 */
export function mapProjects(ctx: HmisContext): void {
  for (const r of ctx.rows('Project.csv')) {
    const projectId = r.require('ProjectID');
    const orgId = r.require('OrganizationID');
    if (r.failed || !projectId || !orgId) continue;
    const key = ctx.id('project-id', projectId);
    const targetsDv = r.code('TargetPopulation', ['1', '3', '4'], 'TargetPopulation') === '1';
    const projectType = r.code('ProjectType', Object.keys(PROJECT_TYPES), 'ProjectType');
    const name = r.str('ProjectName');
    ctx.projects.set(projectId, {
      organizationId: orgId,
      domesticViolence: targetsDv || ctx.victimServiceOrgs.has(orgId),
      projectType,
      name,
    });
    if (r.str('DateDeleted')) {
      ctx.builder.add({ resourceType: 'Organization', identifier: [key] }, key, ctx.origin(r), 'delete');
      continue;
    }
    const end = r.date('OperatingEndDate');
    r.date('OperatingStartDate');
    const project: Organization = {
      resourceType: 'Organization',
      identifier: [key],
      active: !end || end >= ctx.today,
      partOf: refTo('Organization', ctx.id('organization-id', orgId)),
    };
    if (projectType) project.type = [{ coding: [projectTypeCoding(projectType)] }];
    if (name) project.name = name;
    const common = r.str('ProjectCommonName');
    if (common && common !== name) project.alias = [common];
    ctx.builder.add(project, key, ctx.origin(r));
  }
}
