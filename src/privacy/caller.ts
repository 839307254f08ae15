/**
 * Who is asking: the one shape every access decision reads. Built from a verified access token
 * (or a trusted OIDC identity) for each request; never from anything the client merely claims.
 */
export type AccessLevel = 'view-only' | 'exchange' | 'edit';

export type OrganizationKind = 'county-agency' | 'cbo' | 'state' | 'health-plan' | 'provider';

export interface CallerOrganization {
  id: string;
  kind: OrganizationKind;
  hipaaCoveredEntity: boolean;
  part2Program: boolean;
}

/** A SMART v2 scope, parsed: `patient/Observation.rs` → { context: 'patient', type: 'Observation', ops: 'rs' }. */
export interface Scope {
  context: 'patient' | 'user' | 'system';
  /** A resource type, or '*'. */
  type: string;
  /** Any of c r u d s. */
  ops: string;
}

export interface Caller {
  kind: 'user' | 'client' | 'anonymous';
  /** Kith user id or OAuth client id. */
  subject: string;
  displayName?: string;
  /** `PractitionerRole/..` that the user acts as, when a user. */
  practitionerRole?: string;
  organization?: CallerOrganization;
  accessLevel: AccessLevel;
  roles: ('administrator' | 'data-steward')[];
  /** HL7 v3 PurposeOfUse code: TREAT, HPAYMT, HOPERAT, CAREMGT (care coordination), ETREAT (break-glass), ... */
  purposeOfUse: string;
  scopes: Scope[];
  /** For `patient/` scopes: the one Patient the token is bound to. */
  patient?: string;
  /** The OAuth client (an app) through which a user acts; absent for Kith's own web app. */
  clientId?: string;
  /**
   * Set while a break-glass grant is active: its expiry and stated reason; `id` names the server's
   * record of it, which every request checks (src/privacy/auth/break-glass-grants.ts).
   */
  breakGlass?: { until: string; reason: string; id?: string };
}

/** The system itself (migrations, demo load, channel pipelines): sees and writes everything. */
export const SYSTEM_CALLER: Caller = {
  kind: 'client',
  subject: 'kith-system',
  accessLevel: 'edit',
  roles: ['administrator'],
  purposeOfUse: 'HOPERAT',
  scopes: [{ context: 'system', type: '*', ops: 'cruds' }],
};
