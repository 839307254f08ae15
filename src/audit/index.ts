// The audit trail: the public face of src/audit. Importing it registers the audit tables'
// migrations, so import it before openKith runs them.
import './migrations';

export { auditMigrations } from './migrations';

export {
  buildAuditEvent,
  patientRef,
  patientsOf,
  actionOf,
  KITH_AUDIT_SYSTEM,
  KITH_USER_SYSTEM,
  KITH_CLIENT_SYSTEM,
  AGENT_ORGANIZATION_EXT,
  type AuditAction,
  type AuditInput,
  type AuditOutcome,
} from './event';
export {
  recordAudit,
  recordAuditBatch,
  recordPendingAudit,
  AuditWriter,
  type RecordedAudit,
  type Sql,
  type TransactionalSql,
} from './record';
export { verifyAuditChain, describeVerification, type ChainVerification, type ChainBreak } from './verify';
export { disclosuresFor, DISCLOSURE_ACTIONS, type Disclosure, type DisclosureQuery } from './disclosures';
export { auditFromAuthEvent, auditAuthEvents } from './auth-events';
export { auditRoutes, type AuditRoutesOptions } from './routes';
export { canonicalJson, chainHash, GENESIS_HASH } from './canonical';
