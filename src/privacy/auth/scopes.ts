import type { Caller, Scope } from '../caller';

/** One SMART v2 permission letter: create, read, update, delete, search. */
export type ScopeOp = 'c' | 'r' | 'u' | 'd' | 's';

const OP_ORDER = 'cruds';
const CONTEXTS = new Set(['patient', 'user', 'system']);
const RESOURCE_TYPE = /^(?:\*|[A-Z][A-Za-z]{1,63})$/;
/** SMART v1 suffixes, translated to v2 letters. */
const V1_OPS: Record<string, string> = { read: 'rs', write: 'cud', '*': 'cruds' };

/** Scopes that are not about resources but that Kith understands and may grant. */
export const NON_RESOURCE_SCOPES = [
  'openid',
  'fhirUser',
  'profile',
  'launch/patient',
  'offline_access',
  'online_access',
] as const;

/**
 * Parses one resource scope, SMART v2 (`patient/Observation.rs`, `system/*.cruds`) or v1
 * (`user/*.read`, `patient/Observation.write`, `system/*.*`). Returns undefined for anything else,
 * including v2 scopes with a query restriction (`patient/Observation.rs?category=...`): Kith cannot
 * yet enforce those, and granting them without the restriction would widen access.
 */
export function parseScope(text: string): Scope | undefined {
  const m = /^(patient|user|system)\/([^.?\s]+)\.([a-z*]+)$/.exec(text);
  if (!m || !CONTEXTS.has(m[1]) || !RESOURCE_TYPE.test(m[2])) return undefined;
  let ops: string;
  if (V1_OPS[m[3]]) ops = V1_OPS[m[3]];
  else {
    // v2: the letters c r u d s, each at most once, in that order.
    let last = -1;
    for (const ch of m[3]) {
      const i = OP_ORDER.indexOf(ch);
      if (i <= last) return undefined;
      last = i;
    }
    ops = m[3];
  }
  return { context: m[1] as Scope['context'], type: m[2], ops };
}

/** Parses a space-separated scope string; keeps the resource scopes, drops the rest. */
export function parseScopes(text: string | undefined | null): Scope[] {
  const out: Scope[] = [];
  for (const part of (text ?? '').split(/\s+/)) {
    const s = part ? parseScope(part) : undefined;
    if (s) out.push(s);
  }
  return mergeScopes(out);
}

/** The non-resource scopes Kith knows (openid, fhirUser, offline_access ...) in a scope string. */
export function nonResourceScopes(text: string | undefined | null): string[] {
  const known = new Set<string>(NON_RESOURCE_SCOPES);
  return [...new Set((text ?? '').split(/\s+/).filter((s) => known.has(s)))];
}

export function formatScope(scope: Scope): string {
  return `${scope.context}/${scope.type}.${scope.ops}`;
}

export function formatScopes(scopes: Scope[], extra: string[] = []): string {
  return [...extra, ...scopes.map(formatScope)].join(' ');
}

function sortOps(ops: string): string {
  return [...OP_ORDER].filter((c) => ops.includes(c)).join('');
}

/** Combines scopes for the same context and type into one, with the union of their letters. */
export function mergeScopes(scopes: Scope[]): Scope[] {
  const byKey = new Map<string, Scope>();
  for (const s of scopes) {
    const key = `${s.context}/${s.type}`;
    const prev = byKey.get(key);
    byKey.set(key, { ...s, ops: sortOps((prev?.ops ?? '') + s.ops) });
  }
  // What a `context/*` scope already allows need not be repeated for a named type.
  const out: Scope[] = [];
  for (const s of byKey.values()) {
    const wildcard = s.type === '*' ? undefined : byKey.get(`${s.context}/*`);
    const ops = wildcard ? [...s.ops].filter((o) => !wildcard.ops.includes(o)).join('') : s.ops;
    if (ops) out.push({ ...s, ops });
  }
  return out;
}

/** A ceiling scope of context `ceiling` can back a requested scope of context `requested`. */
function contextCovers(ceiling: Scope['context'], requested: Scope['context']): boolean {
  if (ceiling === requested) return true;
  // A user may share with an app what concerns one patient: patient/ is narrower than user/.
  return ceiling === 'user' && requested === 'patient';
}

/**
 * What may be granted of `requested` under `ceiling`: each requested scope keeps only the letters
 * that a ceiling scope of a compatible context and type also holds. A requested `*` under ceilings
 * for named types becomes one scope per named type.
 */
export function narrowScopes(requested: Scope[], ceiling: Scope[]): Scope[] {
  const out: Scope[] = [];
  for (const req of requested) {
    for (const c of ceiling) {
      if (!contextCovers(c.context, req.context)) continue;
      let type: string;
      if (c.type === '*') type = req.type;
      else if (req.type === '*' || req.type === c.type) type = c.type;
      else continue;
      const ops = [...req.ops].filter((o) => c.ops.includes(o)).join('');
      if (ops) out.push({ context: req.context, type, ops });
    }
  }
  return mergeScopes(out);
}

/**
 * True when the caller's scopes allow `op` on resources of `type`. This is the scope check only:
 * it says nothing of consent, labels or organization (the policy decides those), and for
 * `patient/` scopes the FHIR layer must also keep to the patient in `caller.patient`.
 */
export function scopeAllows(caller: Pick<Caller, 'scopes'>, type: string, op: ScopeOp): boolean {
  return caller.scopes.some((s) => (s.type === '*' || s.type === type) && s.ops.includes(op));
}

/** The scope contexts under which the caller may do `op` on `type` (e.g. to learn it is patient-bound). */
export function scopeContexts(caller: Pick<Caller, 'scopes'>, type: string, op: ScopeOp): Scope['context'][] {
  const out = new Set<Scope['context']>();
  for (const s of caller.scopes)
    if ((s.type === '*' || s.type === type) && s.ops.includes(op)) out.add(s.context);
  return [...out];
}
