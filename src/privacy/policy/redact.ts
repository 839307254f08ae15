import type { Resource } from '@medplum/fhirtypes';
import { ACT_CODE_SYSTEM, CONFIDENTIALITY_SYSTEM } from '../labels';
import type { Decision } from './decide';
import { defaultPolicy } from './default-policy';
import type { AccessPolicy } from './schema';

/** The DS4P integrity label put on a copy from which elements were removed. */
export const REDACTED_LABEL = {
  system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue',
  code: 'REDACTED',
  display: 'redacted',
} as const;

/**
 * The copy of a resource to return for a `redact` decision: the listed elements removed, the
 * redacted sensitivity label and the confidentiality code (which describe what was removed) taken
 * off, and the REDACTED label added. Any other decision returns the resource unchanged.
 */
export function applyRedaction<T extends Resource>(
  resource: T,
  decision: Decision,
  policy: AccessPolicy = defaultPolicy,
): T {
  if (decision.decision !== 'redact') return resource;
  const rule = policy.redactions.find((r) => r.ruleId === decision.ruleId);
  const copy = { ...resource } as Record<string, unknown>;
  for (const element of decision.redactions ?? rule?.elements ?? []) delete copy[element];
  const security = (resource.meta?.security ?? []).filter(
    (c) =>
      !(c.system === ACT_CODE_SYSTEM && c.code === rule?.label) &&
      c.system !== CONFIDENTIALITY_SYSTEM &&
      c.code !== REDACTED_LABEL.code,
  );
  copy.meta = { ...resource.meta, security: [...security, { ...REDACTED_LABEL }] };
  return copy as T;
}

/** Search parameters that read elements some redaction removes, for a resource type ('*': any type). */
export function redactedSearchParams(resourceType: string, policy: AccessPolicy = defaultPolicy): string[] {
  const rules = policy.redactions.filter(
    (r) => resourceType === '*' || r.resourceTypes.includes(resourceType),
  );
  return [...new Set(rules.flatMap((r) => r.searchParams))].sort();
}

/**
 * Whether a search on a type uses (filters, sorts or chains through) a parameter that reads redacted
 * elements: then pass `allowRedacted: false` to visibilitySql, or the match would reveal them.
 */
export function searchReadsRedacted(
  resourceType: string,
  paramCodes: readonly string[],
  policy: AccessPolicy = defaultPolicy,
): boolean {
  if (!paramCodes.length) return false;
  // Every search asks: the parameters of each type are worked out once per policy.
  let byType = redactedParamSets.get(policy);
  if (!byType) redactedParamSets.set(policy, (byType = new Map()));
  let redacted = byType.get(resourceType);
  if (!redacted) byType.set(resourceType, (redacted = new Set(redactedSearchParams(resourceType, policy))));
  return paramCodes.some((c) => redacted.has(c.split(':')[0]));
}

const redactedParamSets = new WeakMap<AccessPolicy, Map<string, Set<string>>>();
