import type { FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { FhirError } from '../../fhir/errors';
import type { Caller } from '../caller';
import { scopeAllows, type ScopeOp } from './scopes';

/** What a FHIR REST interaction needs from the token's scopes: an operation letter on a type. */
export interface ScopeNeed {
  /** A resource type, or '*' for whole-system interactions (system history). */
  type: string;
  op: ScopeOp;
}

const TYPE = /^[A-Z][A-Za-z]+$/;

/**
 * The scope a REST interaction needs, from its method and the path below the FHIR base
 * (`Patient/1/_history`). Undefined when the path names no interaction this check judges:
 * operations (`$...`, judged by the policy on what they touch), metadata, malformed paths (the
 * FHIR routes answer those) and the Bundle endpoint (see `bundleNeeds`).
 */
export function scopeNeed(method: string, path: string): ScopeNeed | undefined {
  const parts = path.split('/').filter(Boolean);
  if (parts.some((p) => p.startsWith('$'))) return undefined;
  const m = method.toUpperCase();
  if (parts.length === 1 && parts[0] === '_history') return m === 'GET' ? { type: '*', op: 'r' } : undefined;
  const [type, second, third] = parts;
  if (!type || !TYPE.test(type)) return undefined;
  if (parts.length === 1) {
    if (m === 'GET' || m === 'HEAD') return { type, op: 's' };
    if (m === 'POST') return { type, op: 'c' };
    if (m === 'PUT' || m === 'PATCH') return { type, op: 'u' };
    if (m === 'DELETE') return { type, op: 'd' };
    return undefined;
  }
  if (second === '_search') return { type, op: 's' };
  if (second === '_history') return { type, op: 'r' };
  if (parts.length === 2) {
    if (m === 'GET' || m === 'HEAD') return { type, op: 'r' };
    if (m === 'PUT' || m === 'PATCH') return { type, op: 'u' };
    if (m === 'DELETE') return { type, op: 'd' };
    return undefined;
  }
  if (third === '_history') return { type, op: 'r' };
  // Compartment search: Patient/1/Observation reads Observations.
  if (parts.length === 3 && TYPE.test(third)) return { type: third, op: 's' };
  return undefined;
}

/** The needs of a batch or transaction Bundle's entries (entries it cannot judge are left out). */
export function bundleNeeds(body: unknown): ScopeNeed[] {
  const entries = (body as { entry?: unknown } | undefined)?.entry;
  if (!Array.isArray(entries)) return [];
  const needs: ScopeNeed[] = [];
  for (const e of entries) {
    const request = (e as { request?: { method?: unknown; url?: unknown } } | null)?.request;
    if (typeof request?.method !== 'string' || typeof request.url !== 'string') continue;
    const need = scopeNeed(request.method, request.url.split('?')[0]);
    if (need) needs.push(need);
  }
  return needs;
}

const OP_NAMES: Record<ScopeOp, string> = { c: 'create', r: 'read', u: 'update', d: 'delete', s: 'search' };

function check(caller: Caller, need: ScopeNeed): void {
  if (!scopeAllows(caller, need.type, need.op))
    throw new FhirError(
      'forbidden',
      `The access token's scopes do not allow ${OP_NAMES[need.op]} on ${need.type === '*' ? 'every type' : need.type}`,
    );
}

/**
 * A preHandler that refuses, with 403, a FHIR REST interaction the token's SMART scopes do not
 * cover (a `user/*.rs` token cannot create). It runs after `requireAuth`, so the caller is known;
 * the access policy in the data layer then decides per resource.
 */
export function requireRestScopes(prefix = '/fhir'): preHandlerAsyncHookHandler {
  return async function kithRestScopes(req: FastifyRequest) {
    const caller = req.caller;
    if (!caller) return;
    const url = req.url.split('?')[0];
    if (url !== prefix && !url.startsWith(`${prefix}/`)) return;
    let path = url.slice(prefix.length);
    try {
      path = decodeURIComponent(path);
    } catch {
      return;
    }
    if (path === '' || path === '/') {
      if (req.method === 'POST') for (const need of bundleNeeds(req.body)) check(caller, need);
      return;
    }
    const need = scopeNeed(req.method, path);
    if (need) check(caller, need);
  };
}
