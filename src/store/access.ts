import type { Resource } from '@medplum/fhirtypes';
import type { FhirStore, StoredVersion, WriteResult } from './repository';
import type { VisibilityFilter } from './search/execute';

/** The access columns of a `fhir_resources` / `fhir_history` row (null: never computed). */
export interface RowAccess {
  security: string[] | null;
  compartment: string[] | null;
  custodian: string | null;
  /** Category codes (the generated `category` column); undefined when not read with the row. */
  category?: string[] | null;
  /** What the access layer's `readCompanionSql` read with the row (its consent grants), when it asked. */
  prefetched?: unknown;
}

export type WriteAction = 'create' | 'update' | 'delete';

/** What a guarded read was for, so the decision and its audit name it. */
export type ReadKind = 'read' | 'vread' | 'history' | 'search';

/**
 * The access layer the store calls (installed by src/privacy/enforce): labels and columns on every
 * write, and, for a store bound to a caller (`withCaller`), the policy on every read and write. The
 * store only knows this shape, so the policy stays in src/privacy.
 */
export interface AccessControl {
  /** Labels a resource about to be stored (every write, the system's too). */
  label(tx: FhirStore, resource: Resource, previous: Resource | undefined): Promise<Resource>;
  /** The row's access columns for the resource as stored. */
  columns(resource: Resource): RowAccess;
  /** Guarded stores only: throws a forbidden FhirError naming the rule when the caller may not write. */
  authorizeWrite(
    tx: FhirStore,
    action: WriteAction,
    next: Resource | undefined,
    previous: Resource | undefined,
  ): Promise<void>;
  /** After every stored version (consent grants); inside the write transaction. */
  afterWrite(tx: FhirStore, result: WriteResult, previous: Resource | undefined): Promise<void>;
  /**
   * Guarded stores only: the version to return (redacted when the policy says so), or undefined to
   * answer "not found". `rows` are the access columns that must all allow it (the version's and,
   * for older versions, the current row's).
   */
  authorizeRead(
    store: FhirStore,
    version: StoredVersion,
    rows: RowAccess[],
    kind: ReadKind,
  ): Promise<StoredVersion | undefined>;
  /**
   * Guarded stores only: a scalar SQL expression over the row's columns (`compartment`, ...) that
   * `read` selects with the row and hands back in `RowAccess.prefetched`, sparing the decision a
   * round trip; undefined when the caller's decision needs nothing.
   */
  readCompanionSql?(store: FhirStore): string | undefined;
  /**
   * Guarded stores only: the SQL filter every search applies (also to chains, `_has` and includes).
   * `paramCodes`: every parameter the search filters, sorts or chains on (a search on an element a
   * redaction removes must not match redacted rows).
   */
  visibility(store: FhirStore, options: { resourceType?: string; paramCodes?: string[] }): VisibilityFilter;
  /** Guarded stores only: search or history hits as they may be returned (redactions applied). */
  redactHits<T extends { resourceType: string; id: string; json: string }>(
    store: FhirStore,
    hits: T[],
  ): Promise<T[]>;
  /** Guarded stores only: records that the caller saw (or was refused) these resources. */
  audit(store: FhirStore, event: AccessEvent): Promise<void>;
}

/** One access to record in the audit trail. */
export interface AccessEvent {
  action:
    | 'read'
    | 'vread'
    | 'search'
    | 'history'
    | 'create'
    | 'update'
    | 'delete'
    | 'denied'
    | 'consent-change'
    | 'export';
  /** For `export`: the operation, e.g. `$everything`. */
  operation?: string;
  /** `Type/id` (or `Type/id/_history/n`) of what was returned or written. */
  resources: string[];
  /** Patient references whose data was returned or written. */
  patients: string[];
  query?: string;
  /** For `denied`: what was attempted. */
  interaction?: string;
  ruleId?: string;
  policyVersion?: string;
  reason?: string;
}
