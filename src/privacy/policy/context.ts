import type { Caller } from '../caller';
import type { AccessPolicy } from './schema';

/**
 * Everything about a caller that the policy reads, derived once per request. `decide` and
 * `visibilitySql` both start from this, so the two cannot disagree on who the caller is.
 */
export interface CallerContext {
  policy: AccessPolicy;
  now: Date;
  anonymous: boolean;
  admin: boolean;
  steward: boolean;
  orgId?: string;
  /** Grantee values that name this caller: its organization, its PractitionerRole, `*`, `covered-entities`. */
  grantees: string[];
  /** The purpose of use and the purposes it counts as. */
  purposes: string[];
  /** A covered entity acting for one of its default purposes: normal data needs no consent. */
  coveredEntityDefault: boolean;
  /** An active, well-formed break-glass grant. */
  breakGlass: boolean;
  /** Restricted types the caller's roles do not open. */
  forbiddenTypes: string[];
}

export function callerContext(caller: Caller, policy: AccessPolicy, now: Date): CallerContext {
  const org = caller.organization;
  const roles = new Set<string>(caller.roles);
  const grantees = ['*'];
  if (org) grantees.push(org.id);
  if (org?.hipaaCoveredEntity) grantees.push('covered-entities');
  if (caller.practitionerRole) grantees.push(caller.practitionerRole);
  const purpose = caller.purposeOfUse;
  const cePurposes =
    (org && policy.coveredEntity.purposesByKind?.[org.kind]) ?? policy.coveredEntity.purposes;
  const bg = caller.breakGlass;
  const until = bg ? Date.parse(bg.until) : NaN;
  const breakGlass =
    !!org &&
    !!bg &&
    purpose === policy.breakGlass.purpose &&
    bg.reason.trim() !== '' &&
    until > now.getTime() &&
    until <= now.getTime() + policy.breakGlass.maxMinutes * 60_000 &&
    (!policy.breakGlass.requireCoveredEntity || org.hipaaCoveredEntity);
  return {
    policy,
    now,
    anonymous: caller.kind === 'anonymous',
    admin: roles.has('administrator'),
    steward: roles.has('data-steward'),
    orgId: org?.id,
    grantees,
    purposes: [...new Set([purpose, ...(policy.purposeEquivalents[purpose] ?? [])])],
    coveredEntityDefault: !!org?.hipaaCoveredEntity && cePurposes.includes(purpose),
    breakGlass,
    forbiddenTypes: policy.restrictedTypes
      .filter((t) => !t.roles.some((r) => roles.has(r)))
      .flatMap((t) => t.resourceTypes),
  };
}

/** The label code sets the policy reads, derived once per policy. */
export interface LabelSets {
  /** Sensitivity codes that make data restricted. */
  sensitive: string[];
  /** Sensitivity codes whose consent must name the recipient. */
  named: string[];
  /** Sensitivity codes a consent to all restricted data covers. */
  umbrellaCovered: string[];
  /** Grant labels that mean "all restricted data". */
  umbrella: string[];
  /** Confidentiality codes that make data restricted. */
  restrictedConfidentiality: string[];
  /** sensitive ∪ restrictedConfidentiality: any of these makes data restricted. */
  restrictedAll: string[];
}

const setsCache = new WeakMap<AccessPolicy, LabelSets>();

export function labelSets(policy: AccessPolicy): LabelSets {
  let s = setsCache.get(policy);
  if (!s) {
    const labels = policy.restricted.labels;
    s = {
      sensitive: labels.map((l) => l.code),
      named: labels.filter((l) => l.namedRecipient).map((l) => l.code),
      umbrellaCovered: labels.filter((l) => l.coveredByRestricted).map((l) => l.code),
      umbrella: policy.restricted.umbrella,
      restrictedConfidentiality: policy.restricted.confidentiality,
      restrictedAll: [...new Set([...labels.map((l) => l.code), ...policy.restricted.confidentiality])],
    };
    setsCache.set(policy, s);
  }
  return s;
}

/**
 * The data classes of a resource from its label codes: its sensitivity codes when it has any;
 * otherwise `R` when its confidentiality is restricted (R or V); otherwise `N` (normal data).
 */
export function dataClasses(labels: readonly string[], sets: LabelSets): string[] {
  const sensitive = [...new Set(labels.filter((l) => sets.sensitive.includes(l)))].sort();
  if (sensitive.length) return sensitive;
  if (labels.some((l) => sets.restrictedConfidentiality.includes(l))) return ['R'];
  return ['N'];
}
