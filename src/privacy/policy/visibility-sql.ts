import type { Caller } from '../caller';
import type { SqlParams } from '../../store/search/params';
import { callerContext, labelSets, type CallerContext, type LabelSets } from './context';
import { defaultPolicy } from './default-policy';
import type { AccessPolicy } from './schema';
import { ACTION_OP, scopeCoverage, scopeFor } from './scopes';

/**
 * The read decision of `decide` as one SQL predicate over `fhir_resources` (alias `r`) with the
 * columns `security`, `compartment`, `custodian`, `category` and the `consent_grants` table. A row satisfies it
 * exactly when `decide(caller, {action: 'search', ...})` permits (or redacts, unless
 * `allowRedacted: false`) the resource. Every consent function here mirrors one in consent-eval.ts.
 */
export interface VisibilityOptions {
  /** The SMART letter rows must be open to: `search` (default) or `read`. */
  action?: 'read' | 'search';
  /** The type of the rows when known; `*` or undefined when the rows may be of any type (includes). */
  resourceType?: string;
  /** Keep rows the policy would redact (default true). Pass false when the search reads redacted elements. */
  allowRedacted?: boolean;
  /** Table alias (default `r`). */
  alias?: string;
  now?: Date;
  policy?: AccessPolicy;
}

type Bind = (key: string, value: unknown, cast: string) => string;

/**
 * Values are bound through placeholders that become `$n` only when the finished SQL uses them, each
 * once (PostgreSQL refuses parameters a statement does not use).
 */
function binder(): { bind: Bind; finish: (sql: string | undefined, p: SqlParams) => string | undefined } {
  const values = new Map<string, { value: unknown; cast: string }>();
  const bind: Bind = (key, value, cast) => {
    if (!values.has(key)) values.set(key, { value, cast });
    return `⟦${key}⟧`;
  };
  const finish = (sql: string | undefined, p: SqlParams) => {
    if (sql === undefined) return undefined;
    const placed = new Map<string, string>();
    return sql.replace(/⟦([^⟧]+)⟧/g, (_, key: string) => {
      let ph = placed.get(key);
      if (!ph) {
        const { value, cast } = values.get(key)!;
        ph = `${p.add(value)}::${cast}`;
        placed.set(key, ph);
      }
      return ph;
    });
  };
  return { bind, finish };
}

/** SQL for the consent part: applies / covers / denied / consented, as in consent-eval.ts. */
function consentSql(cc: CallerContext, sets: LabelSets, r: string, bind: Bind) {
  const G = () => bind('grantees', cc.grantees, 'text[]');
  const P = () => bind('purposes', cc.purposes, 'text[]');
  const NOW = () => bind('now', cc.now.toISOString(), 'timestamptz');
  const UMB = () => bind('umbrella', sets.umbrella, 'text[]');
  const UMBCOV = () => bind('umbrellaCovered', sets.umbrellaCovered, 'text[]');
  const NAMED = () => bind('named', sets.named, 'text[]');
  const unlabeledAll = cc.policy.consent.unlabeledPermitCovers === 'all';

  const applies = (a: string) =>
    `${a}.grantee = any(${G()}) and (${a}.resource_types is null or ${r}.resource_type = any(${a}.resource_types))` +
    ` and (${a}.categories is null or coalesce(${r}.category ?| ${a}.categories, false))` +
    ` and (${a}.purposes is null or ${a}.purposes && ${P()})` +
    ` and (${a}.period_start is null or ${a}.period_start <= ${NOW()}) and (${a}.period_end is null or ${a}.period_end > ${NOW()})` +
    ` and (${a}.resources is null or (${r}.resource_type || '/' || ${r}.id) = any(${a}.resources))`;
  const permitCovers = (a: string, d: string) =>
    `((cardinality(${a}.labels) = 0${unlabeledAll ? '' : ` and ${d} = 'N'`}) or ${d} = any(${a}.labels)` +
    ` or (${d} <> 'N' and (${d} = 'R' or ${d} = any(${UMBCOV()})) and ${a}.labels && ${UMB()}))`;
  const denyCovers = (a: string, d: string) =>
    `(cardinality(${a}.labels) = 0 or ${d} = any(${a}.labels) or (${d} <> 'N' and ${a}.labels && ${UMB()}))`;
  const names = (a: string, d: string) =>
    `(${d} <> all(${NAMED()}) or ${a}.grantee <> all(array['*', 'covered-entities']))`;

  const denied = (x: string, d: string) =>
    `exists (select 1 from consent_grants vh where vh.patient = ${x} and not vh.permit and ${applies('vh')} and ${denyCovers('vh', d)}` +
    ` and not exists (select 1 from consent_grants vg where vg.consent_id = vh.consent_id and vg.patient = ${x}` +
    ` and vg.permit and vg.depth > vh.depth and ${applies('vg')} and ${permitCovers('vg', d)}))`;
  const consented = (x: string, d: string) =>
    `exists (select 1 from consent_grants vg where vg.patient = ${x} and vg.permit and ${applies('vg')}` +
    ` and ${permitCovers('vg', d)} and ${names('vg', d)}` +
    ` and not exists (select 1 from consent_grants vh where vh.consent_id = vg.consent_id and vh.patient = ${x}` +
    ` and not vh.permit and vh.depth >= vg.depth and ${applies('vh')} and ${denyCovers('vh', d)}))`;

  /** classVerdict(...) === 'allowed' */
  const allowed = (x: string, d: string, normal: boolean) =>
    normal && cc.coveredEntityDefault
      ? `not ${denied(x, d)}`
      : `(not ${denied(x, d)} and ${consented(x, d)})`;
  return { allowed };
}

/** `r.resource_type` in a list: a constant when the row type is known. */
function typeIn(
  list: readonly string[],
  type: string | undefined,
  r: string,
  bind: Bind,
  key: string,
): string {
  if (type && type !== '*') return list.includes(type) ? 'true' : 'false';
  return list.length ? `${r}.resource_type = any(${bind(key, list, 'text[]')})` : 'false';
}

function scopeSql(
  caller: Caller,
  op: string,
  type: string | undefined,
  r: string,
  bind: Bind,
): string | undefined {
  const cov = scopeCoverage(caller, op);
  const inPatient = () =>
    `(cardinality(${r}.compartment) = 0 or ${bind('scopePatientRef', `Patient/${cov.patientId}`, 'text')} = any(${r}.compartment))`;
  if (type && type !== '*') {
    const s = scopeFor(cov, type);
    return s === 'full' ? undefined : s === 'none' ? 'false' : inPatient();
  }
  if (cov.full === '*') return undefined;
  const ors: string[] = [];
  if (cov.full.length) ors.push(`${r}.resource_type = any(${bind('scopeFull', cov.full, 'text[]')})`);
  if (cov.patientId && (cov.patient === '*' || cov.patient.length)) {
    const types =
      cov.patient === '*'
        ? 'true'
        : `${r}.resource_type = any(${bind('scopePatient', cov.patient, 'text[]')})`;
    ors.push(`(${types} and ${inPatient()})`);
  }
  return ors.length ? `(${ors.join(' or ')})` : 'false';
}

export function visibilitySql(
  caller: Caller,
  p: SqlParams,
  options: VisibilityOptions = {},
): string | undefined {
  const { bind, finish } = binder();
  return finish(predicate(caller, bind, options), p);
}

function predicate(caller: Caller, bind: Bind, options: VisibilityOptions): string | undefined {
  const policy = options.policy ?? defaultPolicy;
  const cc = callerContext(caller, policy, options.now ?? new Date());
  const r = options.alias ?? 'r';
  const type = options.resourceType;
  if (cc.anonymous) return 'false';

  const parts: string[] = [];
  const scope = scopeSql(caller, ACTION_OP[options.action ?? 'search'], type, r, bind);
  if (scope === 'false') return 'false';
  if (scope) parts.push(scope);
  if (cc.forbiddenTypes.length) {
    const forbidden = typeIn(cc.forbiddenTypes, type, r, bind, 'forbidden');
    if (forbidden === 'true') return 'false';
    if (forbidden !== 'false') parts.push(`not (${forbidden})`);
  }
  if (cc.admin) return parts.length ? parts.join(' and ') : undefined;

  const sets = labelSets(policy);
  parts.push(`${r}.security is not null and ${r}.compartment is not null`);
  const RALL = () => bind('restrictedAll', sets.restrictedAll, 'text[]');
  const ors: string[] = [];
  if (cc.steward) {
    const steward = typeIn(policy.dataSteward.read, type, r, bind, 'stewardRead');
    if (steward === 'true') return parts.join(' and ');
    if (steward !== 'false') ors.push(steward);
  }
  ors.push(`(cardinality(${r}.compartment) = 0 and not (${r}.security && ${RALL()}))`);
  if (cc.orgId) {
    ors.push(`${r}.custodian = ${bind('org', cc.orgId, 'text')}`);
    if (cc.breakGlass) ors.push(`cardinality(${r}.compartment) > 0`);
    else {
      const { allowed } = consentSql(cc, sets, r, bind);
      const x = 'substr(vcp.ref, 9)';
      const SENS = () => bind('sensitive', sets.sensitive, 'text[]');
      const RCONF = () => bind('restrictedConf', sets.restrictedConfidentiality, 'text[]');
      const classes =
        `case when ${r}.security && ${SENS()} then array(select vs from unnest(${r}.security) as vs where vs = any(${SENS()}))` +
        ` when ${r}.security && ${RCONF()} then array['R'] else '{}'::text[] end`;
      ors.push(
        `(cardinality(${r}.compartment) > 0 and not exists (select 1 from unnest(${r}.compartment) as vcp(ref) where not (` +
          `(${r}.security && ${RALL()} or ${allowed(x, "'N'", true)})` +
          ` and not exists (select 1 from unnest(${classes}) as vcl(code) where not ${allowed(x, 'vcl.code', false)}))))`,
      );
      if (options.allowRedacted !== false) {
        policy.redactions.forEach((rule, i) => {
          const types = typeIn(rule.resourceTypes, type, r, bind, `redactTypes${i}`);
          if (types === 'false') return;
          const others = sets.sensitive.filter((s) => s !== rule.label);
          ors.push(
            `(${types} and cardinality(${r}.compartment) > 0 and ${r}.security && ${bind(`redactLabel${i}`, [rule.label], 'text[]')}` +
              ` and not (${r}.security && ${bind(`redactOthers${i}`, others, 'text[]')})` +
              ` and not exists (select 1 from unnest(${r}.compartment) as vcp(ref) where not ${allowed(x, "'N'", true)}))`,
          );
        });
      }
    }
  }
  parts.push(`(${ors.join(' or ')})`);
  return parts.join(' and ');
}

/** A store `VisibilityFilter` for one caller: `(resourceType, p) => visibilitySql(caller, p, {...})`. */
export function visibilityFilter(
  caller: Caller,
  options: Omit<VisibilityOptions, 'resourceType'> = {},
): (resourceType: string, p: SqlParams) => string | undefined {
  const now = options.now ?? new Date();
  return (resourceType, p) => visibilitySql(caller, p, { ...options, now, resourceType });
}
