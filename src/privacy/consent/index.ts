/**
 * Consent evaluation: FHIR R4 patient-privacy Consents (IHE PCF pattern) flattened into grant rows
 * that the access policy reads, per resource and in SQL. See README.md.
 */
export { ACTOR_GROUP_SYSTEM, GRANTEE_COVERED_ENTITIES, GRANTEE_EVERYONE, type Grant } from './grant';
export {
  DISCLOSURE_ACTIONS,
  RECIPIENT_ROLES,
  consentGrants,
  flattenConsent,
  type FlattenOptions,
  type FlattenResult,
} from './flatten';
export { activeConsents, isConsentActive } from './active';
export { inPeriod, periodEnd, periodStart } from './period';
export {
  deleteConsentGrants,
  grantFromRow,
  GRANTS_OF_ROW_SQL,
  loadGrants,
  syncConsentGrants,
  type SqlClient,
} from './sync';
export { consentMigrations } from './migrations';
