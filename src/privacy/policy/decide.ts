import type { Caller } from '../caller';
import type { Grant } from '../consent';
import { classVerdict, patientScope, type Target } from './consent-eval';
import { callerContext, dataClasses, labelSets, type CallerContext } from './context';
import { defaultPolicy } from './default-policy';
import type { AccessPolicy, Action, WriteTypes } from './schema';
import { ACTION_OP, scopeCoverage, scopeFor } from './scopes';

/** What is being asked about one resource. */
export interface AccessRequest {
  resourceType: string;
  /** Security label codes of the resource (`securityCodes(resource)`, the `security` column). */
  labels: readonly string[];
  /** Patients whose compartment holds the resource (ids, with or without "Patient/"); empty for none. */
  patientIds: readonly string[];
  action: Action;
  /** The custodian organization id (`custodianOf(resource)`, the `custodian` column). */
  custodian?: string;
  /** The resource id, for consents limited to individual resources. */
  id?: string;
  /** Category codes of the resource (`resourceCategories(resource)`, the `category` column). */
  categories?: readonly string[];
}

export interface Decision {
  decision: 'permit' | 'deny' | 'redact';
  reason: string;
  ruleId: string;
  policyVersion: string;
  /** For `redact`: the elements to remove (see applyRedaction). */
  redactions?: string[];
}

export interface DecideOptions {
  now?: Date;
  policy?: AccessPolicy;
}

/** Decisions the algorithm itself makes before any policy rule applies. */
export const BUILT_IN_RULE_IDS = {
  noIdentity: 'no-identity',
  smartScope: 'smart-scope',
  noOrganization: 'no-organization',
} as const;

const bare = (id: string) => id.replace(/^Patient\//, '');

function result(cc: CallerContext, decision: Decision['decision'], ruleId: string, reason: string): Decision {
  return { decision, reason, ruleId, policyVersion: cc.policy.version };
}

/** The read decision without the SMART scope check (writes check their own scope letter). */
function readDecision(
  caller: Caller,
  req: AccessRequest,
  grants: readonly Grant[],
  cc: CallerContext,
): Decision {
  const { policy } = cc;
  const sets = labelSets(policy);
  const type = req.resourceType;
  const patients = [...new Set(req.patientIds.map(bare))].sort();
  const classes = dataClasses(req.labels, sets);
  const normal = classes.length === 1 && classes[0] === 'N';

  const restrictedType = policy.restrictedTypes.find(
    (t) => t.resourceTypes.includes(type) && cc.forbiddenTypes.includes(type),
  );
  if (restrictedType)
    return result(
      cc,
      'deny',
      restrictedType.ruleId,
      `${type} is restricted to ${restrictedType.roles.join(', ')}`,
    );
  if (cc.admin)
    return result(cc, 'permit', policy.administrator.ruleId, 'administrator access for operations (audited)');
  if (cc.steward && policy.dataSteward.read.includes(type))
    return result(
      cc,
      'permit',
      policy.dataSteward.ruleId,
      'data steward access to identity data for stewardship (audited)',
    );
  if (!cc.orgId) {
    if (!patients.length && normal)
      return result(cc, 'permit', policy.referenceData.ruleId, 'unlabeled data about no person');
    return result(cc, 'deny', BUILT_IN_RULE_IDS.noOrganization, 'the caller acts for no organization');
  }
  if (req.custodian && req.custodian === cc.orgId)
    return result(cc, 'permit', policy.ownRecords.ruleId, "the caller's organization holds this record");
  if (!patients.length) {
    if (normal) return result(cc, 'permit', policy.referenceData.ruleId, 'unlabeled data about no person');
    return result(
      cc,
      'deny',
      policy.restricted.ruleId,
      'restricted data about no person: only its custodian sees it',
    );
  }
  if (cc.breakGlass)
    return result(
      cc,
      'permit',
      policy.breakGlass.ruleId,
      `break-glass until ${caller.breakGlass!.until}: ${caller.breakGlass!.reason}`,
    );

  const target: Target = {
    resourceType: type,
    ...(req.id ? { ref: `${type}/${req.id}` } : {}),
    ...(req.categories ? { categories: req.categories } : {}),
  };
  const failures: { patient: string; d: string; verdict: 'denied' | 'no-consent' }[] = [];
  const normalOk = (patient: string) =>
    classVerdict(patientScope(grants, cc, sets, target, patient), 'N') === 'allowed';
  for (const patient of patients) {
    const scope = patientScope(grants, cc, sets, target, patient);
    for (const d of classes) {
      const verdict = classVerdict(scope, d);
      if (verdict !== 'allowed') failures.push({ patient, d, verdict });
    }
  }
  if (!failures.length) {
    const byDefault = normal && cc.coveredEntityDefault;
    return byDefault
      ? result(cc, 'permit', policy.coveredEntity.ruleId, `covered entity, purpose ${caller.purposeOfUse}`)
      : result(
          cc,
          'permit',
          policy.consent.permitRuleId,
          `the person's consent permits ${classes.join(', ')} data`,
        );
  }
  const redaction = policy.redactions.find(
    (r) => r.resourceTypes.includes(type) && classes.length === 1 && classes[0] === r.label,
  );
  if (redaction && patients.every(normalOk)) {
    return {
      ...result(
        cc,
        'redact',
        redaction.ruleId,
        `${redaction.label} details withheld without a consent covering them`,
      ),
      redactions: redaction.elements,
    };
  }
  const first = failures[0];
  if (first.verdict === 'denied')
    return result(
      cc,
      'deny',
      policy.consent.denyRuleId,
      `the consent of Patient/${first.patient} denies ${first.d} data`,
    );
  if (first.d === 'N')
    return result(
      cc,
      'deny',
      policy.consent.requiredRuleId,
      `no consent of Patient/${first.patient} permits this organization`,
    );
  const rule = policy.restricted.labels.find((l) => l.code === first.d);
  const named = rule?.namedRecipient ? ' naming this organization' : '';
  return result(
    cc,
    'deny',
    rule?.ruleId ?? policy.restricted.ruleId,
    `${first.d} data needs a consent of Patient/${first.patient}${named}`,
  );
}

function allows(write: WriteTypes, type: string, action: string): boolean {
  return !!(write[type]?.includes(action as never) || write['*']?.includes(action as never));
}

/**
 * The access decision for one resource: permit, deny or redact, with the reason, the rule that
 * decided and the policy version. `grants` are the consent rows of the resource's patients (more
 * are harmless). Reads and searches follow README "Reading"; writes need the access level (or role)
 * to allow the type and action, and the caller to be able to read the resource (call it with the
 * stored labels and again with the new ones on update).
 */
export function decide(
  caller: Caller,
  req: AccessRequest,
  grants: readonly Grant[],
  options: DecideOptions = {},
): Decision {
  const policy = options.policy ?? defaultPolicy;
  const cc = callerContext(caller, policy, options.now ?? new Date());
  if (cc.anonymous) return result(cc, 'deny', BUILT_IN_RULE_IDS.noIdentity, 'not signed in');
  const type = req.resourceType;
  const coverage = scopeCoverage(caller, ACTION_OP[req.action]);
  const scope = scopeFor(coverage, type);
  const patients = req.patientIds.map(bare);
  if (scope === 'none')
    return result(
      cc,
      'deny',
      BUILT_IN_RULE_IDS.smartScope,
      `no scope grants ${ACTION_OP[req.action]} on ${type}`,
    );
  if (scope === 'patient' && patients.length && !patients.includes(coverage.patientId!))
    return result(cc, 'deny', BUILT_IN_RULE_IDS.smartScope, "outside the token's patient");
  if (req.action === 'read' || req.action === 'search') return readDecision(caller, req, grants, cc);

  if (policy.restrictedTypes.some((t) => t.resourceTypes.includes(type) && !t.writable))
    return result(
      cc,
      'deny',
      policy.restrictedTypes.find((t) => t.resourceTypes.includes(type))!.ruleId,
      `${type} is not written through the API`,
    );
  const level = policy.accessLevels[caller.accessLevel];
  let grantedBy: string | undefined;
  if (cc.admin && allows(policy.administrator.write, type, req.action))
    grantedBy = policy.administrator.ruleId;
  else if (cc.steward && allows(policy.dataSteward.write, type, req.action))
    grantedBy = policy.dataSteward.ruleId;
  else if (level && allows(level.write, type, req.action)) grantedBy = level.ruleId;
  if (!grantedBy)
    return result(
      cc,
      'deny',
      level?.ruleId ?? BUILT_IN_RULE_IDS.noIdentity,
      `${caller.accessLevel} access may not ${req.action} ${type}`,
    );
  const read = readDecision(caller, req, grants, cc);
  if (read.decision !== 'permit')
    return result(
      cc,
      'deny',
      policy.writeRequiresRead.ruleId,
      `may not ${req.action} what it cannot fully read: ${read.reason}`,
    );
  return result(cc, 'permit', grantedBy, `${req.action} ${type} (${read.ruleId})`);
}
