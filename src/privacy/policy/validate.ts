import type { AccessPolicy } from './schema';

/**
 * Checks an access policy before it is used and reports every problem at once with its JSON path,
 * so a broken policy fails at start-up with a readable list instead of deciding wrongly later.
 */
export type PolicyValidation = { ok: true; policy: AccessPolicy } | { ok: false; errors: string[] };

type Obj = Record<string, unknown>;
type Err = (path: string, msg: string) => void;

const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isText = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';
const isTextList = (v: unknown): v is string[] => Array.isArray(v) && v.every(isText);
const RULE_ID = /^[a-z0-9][a-z0-9-]*$/;
const TYPE = /^([A-Z][A-Za-z]+|\*)$/;
const ACTIONS = ['create', 'update', 'delete'];
const LEVELS = ['view-only', 'exchange', 'edit'];
const KINDS = ['county-agency', 'cbo', 'state', 'health-plan', 'provider'];
const ROLES = ['administrator', 'data-steward'];

function keys(o: Obj, allowed: string[], path: string, err: Err): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) err(`${path}.${k}`, 'unknown property');
}

/** A RuleRef: an object with a kebab-case ruleId (and optional description). */
function rule(v: unknown, path: string, err: Err, extra: string[] = []): Obj | undefined {
  if (!isObject(v)) {
    err(path, 'must be an object');
    return undefined;
  }
  keys(v, ['ruleId', 'description', ...extra], path, err);
  if (!isText(v.ruleId) || !RULE_ID.test(v.ruleId)) err(`${path}.ruleId`, 'must be a kebab-case rule id');
  if (v.description !== undefined && typeof v.description !== 'string')
    err(`${path}.description`, 'must be a string');
  return v;
}

function writeTypes(v: unknown, path: string, err: Err): void {
  if (!isObject(v)) return err(path, 'must map resource types to actions');
  for (const [type, actions] of Object.entries(v)) {
    if (!TYPE.test(type)) err(`${path}.${type}`, 'must be a resource type or *');
    if (!Array.isArray(actions) || !actions.every((a) => ACTIONS.includes(a as string)))
      err(`${path}.${type}`, `must be a list of ${ACTIONS.join(', ')}`);
  }
}

function types(v: unknown, path: string, err: Err): void {
  if (!isTextList(v) || !v.every((t) => TYPE.test(t))) err(path, 'must be a list of resource types');
}

export function validatePolicy(input: unknown): PolicyValidation {
  const errors: string[] = [];
  const err: Err = (path, msg) => errors.push(`${path}: ${msg}`);
  if (!isObject(input)) return { ok: false, errors: ['(root): must be an object'] };
  const p = input;
  keys(
    p,
    [
      '$comment',
      'id',
      'version',
      'description',
      'purposeEquivalents',
      'coveredEntity',
      'purposesOfUse',
      'consent',
      'restricted',
      'administrator',
      'dataSteward',
      'restrictedTypes',
      'ownRecords',
      'referenceData',
      'breakGlass',
      'accessLevels',
      'writeRequiresRead',
      'redactions',
    ],
    '(root)',
    err,
  );
  if (!isText(p.id)) err('id', 'must be a non-empty string');
  if (!isText(p.version)) err('version', 'must be a non-empty string');

  if (!isObject(p.purposeEquivalents)) err('purposeEquivalents', 'must map purposes to lists of purposes');
  else
    for (const [k, v] of Object.entries(p.purposeEquivalents))
      if (!isTextList(v)) err(`purposeEquivalents.${k}`, 'must be a list of purpose codes');

  const ce = rule(p.coveredEntity, 'coveredEntity', err, ['purposes', 'purposesByKind']);
  if (ce) {
    if (!isTextList(ce.purposes)) err('coveredEntity.purposes', 'must be a list of purpose codes');
    if (ce.purposesByKind !== undefined) {
      if (!isObject(ce.purposesByKind))
        err('coveredEntity.purposesByKind', 'must map organization kinds to purposes');
      else
        for (const [k, v] of Object.entries(ce.purposesByKind)) {
          if (!KINDS.includes(k))
            err(`coveredEntity.purposesByKind.${k}`, `unknown organization kind; one of ${KINDS.join(', ')}`);
          if (!isTextList(v)) err(`coveredEntity.purposesByKind.${k}`, 'must be a list of purpose codes');
        }
    }
  }

  const pou = rule(p.purposesOfUse, 'purposesOfUse', err, ['byKind', 'noOrganization', 'byRole']);
  if (pou) {
    const lists = (v: unknown, path: string, allowed: string[], what: string) => {
      if (!isObject(v)) return err(path, `must map ${what} to purposes`);
      for (const [k, l] of Object.entries(v)) {
        if (!allowed.includes(k))
          err(`${path}.${k}`, `unknown ${what.replace(/s$/, '')}; one of ${allowed.join(', ')}`);
        if (!isTextList(l)) err(`${path}.${k}`, 'must be a list of purpose codes');
      }
    };
    lists(pou.byKind, 'purposesOfUse.byKind', KINDS, 'organization kinds');
    if (!isTextList(pou.noOrganization))
      err('purposesOfUse.noOrganization', 'must be a list of purpose codes');
    if (pou.byRole !== undefined) lists(pou.byRole, 'purposesOfUse.byRole', ROLES, 'roles');
  }

  if (!isObject(p.consent)) err('consent', 'must be an object');
  else {
    keys(
      p.consent,
      ['permitRuleId', 'denyRuleId', 'requiredRuleId', 'unlabeledPermitCovers'],
      'consent',
      err,
    );
    for (const k of ['permitRuleId', 'denyRuleId', 'requiredRuleId'])
      if (!isText(p.consent[k]) || !RULE_ID.test(p.consent[k] as string))
        err(`consent.${k}`, 'must be a kebab-case rule id');
    if (!['normal', 'all'].includes(p.consent.unlabeledPermitCovers as string))
      err('consent.unlabeledPermitCovers', 'must be "normal" or "all"');
  }

  const restricted = rule(p.restricted, 'restricted', err, ['confidentiality', 'umbrella', 'labels']);
  const sensitive = new Set<string>();
  if (restricted) {
    if (!isTextList(restricted.confidentiality)) err('restricted.confidentiality', 'must be a list of codes');
    if (!isTextList(restricted.umbrella)) err('restricted.umbrella', 'must be a list of codes');
    if (!Array.isArray(restricted.labels)) err('restricted.labels', 'must be an array');
    else
      restricted.labels.forEach((l: unknown, i: number) => {
        const lp = `restricted.labels[${i}]`;
        const r = rule(l, lp, err, ['code', 'namedRecipient', 'coveredByRestricted']);
        if (!r) return;
        if (!isText(r.code)) err(`${lp}.code`, 'must be a label code');
        else if (sensitive.has(r.code)) err(`${lp}.code`, `"${r.code}" is listed twice`);
        else if (['N', 'R'].includes(r.code))
          err(`${lp}.code`, 'N and R are data classes, not sensitivity labels');
        else sensitive.add(r.code);
        if (typeof r.namedRecipient !== 'boolean') err(`${lp}.namedRecipient`, 'must be a boolean');
        if (typeof r.coveredByRestricted !== 'boolean') err(`${lp}.coveredByRestricted`, 'must be a boolean');
      });
  }

  const admin = rule(p.administrator, 'administrator', err, ['write']);
  if (admin) writeTypes(admin.write, 'administrator.write', err);
  const steward = rule(p.dataSteward, 'dataSteward', err, ['read', 'write']);
  if (steward) {
    types(steward.read, 'dataSteward.read', err);
    writeTypes(steward.write, 'dataSteward.write', err);
  }
  if (!Array.isArray(p.restrictedTypes)) err('restrictedTypes', 'must be an array');
  else
    p.restrictedTypes.forEach((t: unknown, i: number) => {
      const r = rule(t, `restrictedTypes[${i}]`, err, ['resourceTypes', 'roles', 'writable']);
      if (!r) return;
      types(r.resourceTypes, `restrictedTypes[${i}].resourceTypes`, err);
      if (!isTextList(r.roles) || !r.roles.every((x) => ROLES.includes(x)))
        err(`restrictedTypes[${i}].roles`, `must be a list of ${ROLES.join(', ')}`);
      if (typeof r.writable !== 'boolean') err(`restrictedTypes[${i}].writable`, 'must be a boolean');
    });
  rule(p.ownRecords, 'ownRecords', err);
  rule(p.referenceData, 'referenceData', err);
  rule(p.writeRequiresRead, 'writeRequiresRead', err);
  const bg = rule(p.breakGlass, 'breakGlass', err, ['purpose', 'requireCoveredEntity', 'maxMinutes']);
  if (bg) {
    if (!isText(bg.purpose)) err('breakGlass.purpose', 'must be a purpose code');
    if (typeof bg.requireCoveredEntity !== 'boolean')
      err('breakGlass.requireCoveredEntity', 'must be a boolean');
    if (typeof bg.maxMinutes !== 'number' || !(bg.maxMinutes > 0))
      err('breakGlass.maxMinutes', 'must be a positive number');
  }
  if (pou && bg && isText(bg.purpose)) {
    const all = [
      ...Object.values(isObject(pou.byKind) ? pou.byKind : {}),
      pou.noOrganization,
      ...Object.values(isObject(pou.byRole) ? pou.byRole : {}),
    ].flatMap((l) => (isTextList(l) ? l : []));
    if (all.includes(bg.purpose))
      err('purposesOfUse', `${bg.purpose} is break-glass: it is granted, never chosen at sign-in`);
  }
  if (!isObject(p.accessLevels)) err('accessLevels', 'must be an object');
  else
    for (const level of LEVELS) {
      const l = rule(p.accessLevels[level], `accessLevels.${level}`, err, ['write']);
      if (l) writeTypes(l.write, `accessLevels.${level}.write`, err);
    }
  if (!Array.isArray(p.redactions)) err('redactions', 'must be an array');
  else
    p.redactions.forEach((x: unknown, i: number) => {
      const rp = `redactions[${i}]`;
      const r = rule(x, rp, err, ['resourceTypes', 'label', 'elements', 'searchParams']);
      if (!r) return;
      types(r.resourceTypes, `${rp}.resourceTypes`, err);
      if (!isText(r.label) || !sensitive.has(r.label))
        err(`${rp}.label`, 'must be a label listed in restricted.labels');
      if (!isTextList(r.elements) || !r.elements.length)
        err(`${rp}.elements`, 'must be a non-empty list of elements');
      if (!isTextList(r.searchParams)) err(`${rp}.searchParams`, 'must be a list of search parameter codes');
    });
  return errors.length ? { ok: false, errors } : { ok: true, policy: input as unknown as AccessPolicy };
}

/** Validates and returns the policy, or throws one error listing every problem. */
export function parsePolicy(input: unknown): AccessPolicy {
  const v = validatePolicy(input);
  if (!v.ok) throw new Error(`Invalid access policy:\n  ${v.errors.join('\n  ')}`);
  return v.policy;
}
