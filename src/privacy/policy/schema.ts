import type { AccessLevel, OrganizationKind } from '../caller';

/**
 * The shape of an access policy (`default-policy.json` is one). The evaluation algorithm is fixed and
 * documented in README.md; the policy supplies its parameters and the rule id each decision reports.
 */

export type Action = 'read' | 'search' | 'create' | 'update' | 'delete';
export type WriteAction = 'create' | 'update' | 'delete';
export type Role = 'administrator' | 'data-steward';

/** A rule's identity: the id every decision it makes reports, and what it is for. */
export interface RuleRef {
  ruleId: string;
  description?: string;
}

/** Resource types a rule lets someone write, with the actions; `*` stands for every type. */
export type WriteTypes = Record<string, WriteAction[]>;

/** A sensitivity label that makes data restricted, and what consent it needs. */
export interface SensitivityRule extends RuleRef {
  code: string;
  /** The consent must name the recipient (42 CFR Part 2): a grant to `*` or `covered-entities` does not do. */
  namedRecipient: boolean;
  /** A consent to all restricted data (a grant labeled R or V) covers this label too. */
  coveredByRestricted: boolean;
}

export interface RedactionRule extends RuleRef {
  resourceTypes: string[];
  /** The one sensitivity label whose data the elements hold. */
  label: string;
  /** Top-level elements removed from the returned copy. */
  elements: string[];
  /** Search parameters that read those elements: a search using them must not see redacted rows. */
  searchParams: string[];
}

export interface AccessPolicy {
  id: string;
  version: string;
  description?: string;
  /** Purposes a caller's purpose of use also counts as, when matched against consent purposes. */
  purposeEquivalents: Record<string, string[]>;
  /** Covered entities see normal data for these purposes without a consent (unless one denies). */
  coveredEntity: RuleRef & {
    purposes: string[];
    purposesByKind?: Partial<Record<OrganizationKind, string[]>>;
  };
  /**
   * Purposes a session may be opened for (chosen at sign-in or asked for in a token request): those
   * of the organization's kind (or `noOrganization`) and of each role, plus the account's default.
   */
  purposesOfUse: RuleRef & {
    byKind: Partial<Record<OrganizationKind, string[]>>;
    noOrganization: string[];
    byRole?: Partial<Record<Role, string[]>>;
  };
  consent: {
    /** Reported when a consent permits. */
    permitRuleId: string;
    /** Reported when a consent denies. */
    denyRuleId: string;
    /** Reported when normal data needs a consent that is missing (a CBO without consent). */
    requiredRuleId: string;
    /** What a permit provision without security labels covers: normal data only, or all data. */
    unlabeledPermitCovers: 'normal' | 'all';
  };
  restricted: RuleRef & {
    /** Confidentiality codes that make data restricted on their own. */
    confidentiality: string[];
    /** Grant labels that cover all restricted data (for labels with coveredByRestricted). */
    umbrella: string[];
    labels: SensitivityRule[];
  };
  administrator: RuleRef & { write: WriteTypes };
  dataSteward: RuleRef & { read: string[]; write: WriteTypes };
  /** Types only some roles may read; `writable: false` forbids writes through the API to everyone. */
  restrictedTypes: (RuleRef & { resourceTypes: string[]; roles: Role[]; writable: boolean })[];
  /** The custodian organization always sees its own records. */
  ownRecords: RuleRef;
  /** Unlabeled resources outside every patient compartment (directory, terminology) are public to callers. */
  referenceData: RuleRef;
  breakGlass: RuleRef & { purpose: string; requireCoveredEntity: boolean; maxMinutes: number };
  accessLevels: Record<AccessLevel, RuleRef & { write: WriteTypes }>;
  /** A write is allowed only when the caller could read the result. */
  writeRequiresRead: RuleRef;
  redactions: RedactionRule[];
}
