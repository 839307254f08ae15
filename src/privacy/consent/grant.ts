import { KITH_FHIR_BASE } from '../../terminology';

/**
 * One flattened consent provision for one patient and one grantee: the row shape of the
 * `consent_grants` table. A Consent yields one row per (provision, patient, grantee).
 */
export interface Grant {
  consentId: string;
  /** Patient id (without "Patient/"). */
  patient: string;
  /** Organization id, `PractitionerRole/<id>`, `covered-entities` (every HIPAA covered entity) or `*` (anyone). */
  grantee: string;
  permit: boolean;
  /** Nesting depth of the provision: 0 for the base provision; deeper provisions are its exceptions. */
  depth: number;
  /**
   * Security label codes the provision covers: `N` for normal data, `R` / `V` for all restricted data,
   * sensitivity codes (ETH, PSY, HIV, SDV, 42CFRPart2, ...). Empty when the provision names none.
   */
  labels: string[];
  /** Resource types the provision is limited to (Consent.provision.class); undefined: all. */
  resourceTypes?: string[];
  /**
   * Category codes the provision is limited to (Consent.provision.class codings that are not resource
   * types, e.g. observation-category `social-history`, us-core `sdoh`, condition-category
   * `health-concern`), matched by code against the resource's `category`; undefined: all. With
   * `resourceTypes` too, a resource must match both.
   */
  categories?: string[];
  /** PurposeOfUse codes the provision is limited to; undefined: any purpose. */
  purposes?: string[];
  /** Individual resources ("Type/id") the provision is limited to (provision.data); undefined: all. */
  resources?: string[];
  /** ISO instant, inclusive. */
  periodStart?: string;
  /** ISO instant, exclusive (a date-only end covers that whole day). */
  periodEnd?: string;
}

export const GRANTEE_EVERYONE = '*';
export const GRANTEE_COVERED_ENTITIES = 'covered-entities';

/**
 * Identifier system for logical actor references in Consent.provision.actor: value
 * `covered-entities` (every HIPAA covered entity in Kith) or `all` (anyone Kith serves).
 */
export const ACTOR_GROUP_SYSTEM = `${KITH_FHIR_BASE}/sid/consent-actor-group`;
