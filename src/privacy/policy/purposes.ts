import type { CallerOrganization } from '../caller';
import { defaultPolicy } from './default-policy';
import { PURPOSE_NAMES, purposeName } from './purpose-names';
import type { AccessPolicy, Role } from './schema';

export { PURPOSE_NAMES, purposeName };

/** Who opens a session, as far as purposes go: the organization, the roles and the account's default. */
export interface PurposeSubject {
  organization?: Pick<CallerOrganization, 'kind'>;
  roles: readonly string[];
  /** The account's (or client's) default purpose, set by an administrator: always allowed. */
  purposeOfUse?: string;
}

const KIND_WORDS: Record<string, string> = {
  'county-agency': 'a county agency',
  cbo: 'a community-based organization',
  state: 'a state agency',
  'health-plan': 'a health plan',
  provider: 'a health care provider',
};

/** The purposes a session of this subject may be opened for, in the policy's order. */
export function allowedPurposes(subject: PurposeSubject, policy: AccessPolicy = defaultPolicy): string[] {
  const p = policy.purposesOfUse;
  const out = new Set<string>();
  if (subject.purposeOfUse) out.add(subject.purposeOfUse);
  for (const code of subject.organization ? (p.byKind[subject.organization.kind] ?? []) : p.noOrganization)
    out.add(code);
  for (const role of subject.roles) for (const code of p.byRole?.[role as Role] ?? []) out.add(code);
  out.delete(policy.breakGlass.purpose);
  return [...out];
}

/**
 * Why a session may not be opened for `purpose` (a sentence naming the allowed ones), or undefined
 * when it may. Break-glass is never chosen this way: it is a grant with a stated reason.
 */
export function purposeProblem(
  subject: PurposeSubject,
  purpose: string,
  policy: AccessPolicy = defaultPolicy,
): string | undefined {
  if (purpose === policy.breakGlass.purpose)
    return `${purposeName(purpose)} is not chosen at sign-in: ask for break-glass access with a reason`;
  const allowed = allowedPurposes(subject, policy);
  if (allowed.includes(purpose)) return undefined;
  const who = subject.organization
    ? `Staff of ${KIND_WORDS[subject.organization.kind] ?? subject.organization.kind}`
    : 'An account without an organization';
  return `${who} may not sign in for ${purposeName(purpose)}; choose one of: ${allowed.map(purposeName).join(', ')}`;
}

/** Every purpose the policy lets someone choose (for a sign-in page that does not know the user yet). */
export function selectablePurposes(policy: AccessPolicy = defaultPolicy): string[] {
  const p = policy.purposesOfUse;
  const all = new Set([
    ...Object.values(p.byKind).flat(),
    ...p.noOrganization,
    ...Object.values(p.byRole ?? {}).flat(),
  ]);
  all.delete(policy.breakGlass.purpose);
  const order = Object.keys(PURPOSE_NAMES);
  const rank = (c: string) => (order.includes(c) ? order.indexOf(c) : order.length);
  return [...all].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}
