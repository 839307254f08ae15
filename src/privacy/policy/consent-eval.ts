import { inPeriod, type Grant } from '../consent';
import type { CallerContext, LabelSets } from './context';

/**
 * The consent part of the policy, per resource. Every function here has a twin in
 * `visibility-sql.ts` written as SQL over `consent_grants`; the generated agreement test checks that
 * the two give the same answer. Change both or neither.
 */
export interface Target {
  resourceType: string;
  /** "Type/id" of the resource, for grants limited to individual resources. */
  ref?: string;
  /** The resource's category codes (the `category` column), for grants limited to categories. */
  categories?: readonly string[];
}

/** Whether a grant row speaks to this caller about this resource now. */
export function applies(g: Grant, cc: CallerContext, t: Target): boolean {
  return (
    cc.grantees.includes(g.grantee) &&
    (!g.resourceTypes || g.resourceTypes.includes(t.resourceType)) &&
    (!g.categories || g.categories.some((c) => !!t.categories?.includes(c))) &&
    (!g.purposes || g.purposes.some((p) => cc.purposes.includes(p))) &&
    inPeriod(cc.now, g.periodStart, g.periodEnd) &&
    (!g.resources || (!!t.ref && g.resources.includes(t.ref)))
  );
}

/** Whether a permit row covers a data class (N, R or a sensitivity code). */
export function permitCovers(g: Grant, d: string, cc: CallerContext, sets: LabelSets): boolean {
  const unlabeledAll = cc.policy.consent.unlabeledPermitCovers === 'all';
  return (
    (g.labels.length === 0 && (d === 'N' || unlabeledAll)) ||
    g.labels.includes(d) ||
    (d !== 'N' &&
      (d === 'R' || sets.umbrellaCovered.includes(d)) &&
      g.labels.some((l) => sets.umbrella.includes(l)))
  );
}

/** Whether a deny row covers a data class: no labels denies everything; R or V denies all restricted data. */
export function denyCovers(g: Grant, d: string, sets: LabelSets): boolean {
  return (
    g.labels.length === 0 ||
    g.labels.includes(d) ||
    (d !== 'N' && g.labels.some((l) => sets.umbrella.includes(l)))
  );
}

/** For labels whose consent must name the recipient, a grant to `*` or `covered-entities` does not do. */
export function namesRecipient(g: Grant, d: string, sets: LabelSets): boolean {
  return !sets.named.includes(d) || (g.grantee !== '*' && g.grantee !== 'covered-entities');
}

export interface PatientScope {
  grants: readonly Grant[];
  cc: CallerContext;
  sets: LabelSets;
  target: Target;
  patient: string;
}

/** A deny row covers the class and no deeper permit row of the same consent does. */
export function denied(s: PatientScope, d: string): boolean {
  const rows = s.grants.filter((g) => g.patient === s.patient && applies(g, s.cc, s.target));
  return rows.some(
    (h) =>
      !h.permit &&
      denyCovers(h, d, s.sets) &&
      !rows.some(
        (g) =>
          g.consentId === h.consentId && g.permit && g.depth > h.depth && permitCovers(g, d, s.cc, s.sets),
      ),
  );
}

/** A permit row covers the class (naming the recipient if needed) and no deny row of the same consent at the same or a deeper level does. */
export function consented(s: PatientScope, d: string): boolean {
  const rows = s.grants.filter((g) => g.patient === s.patient && applies(g, s.cc, s.target));
  return rows.some(
    (g) =>
      g.permit &&
      permitCovers(g, d, s.cc, s.sets) &&
      namesRecipient(g, d, s.sets) &&
      !rows.some(
        (h) => h.consentId === g.consentId && !h.permit && h.depth >= g.depth && denyCovers(h, d, s.sets),
      ),
  );
}

export type ClassVerdict = 'allowed' | 'denied' | 'no-consent';

/**
 * One patient, one data class: denied when a consent denies it; otherwise allowed when a consent
 * permits it, or when it is normal data and the caller is a covered entity acting for a default purpose.
 */
export function classVerdict(s: PatientScope, d: string): ClassVerdict {
  if (denied(s, d)) return 'denied';
  if (consented(s, d) || (d === 'N' && s.cc.coveredEntityDefault)) return 'allowed';
  return 'no-consent';
}

export function patientScope(
  grants: readonly Grant[],
  cc: CallerContext,
  sets: LabelSets,
  target: Target,
  patient: string,
): PatientScope {
  return { grants, cc, sets, target, patient };
}
