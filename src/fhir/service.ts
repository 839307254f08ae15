import type { Resource } from '@medplum/fhirtypes';
import jsonpatch, { type Operation } from 'fast-json-patch';
import { lockConditional } from './conditional-lock';
import { FhirError } from './errors';
import { isSupportedResourceType } from './definitions';
import { assertValid } from './validate';
import { parseSearch, type Query } from './search/parse';
import type { Caller } from '../privacy/caller';
import {
  executeSearch,
  executeSystemSearch,
  FhirStore,
  storedResourceTypes,
  isValidId,
  type SearchFilter,
  type SearchRequest,
  type SearchResult,
  type StoredVersion,
  type VisibilityFilter,
} from '../store';

/** fast-json-patch errors of a well-formed patch that does not apply to the current resource. */
const PATCH_UNPROCESSABLE = new Set([
  'TEST_OPERATION_FAILED',
  'OPERATION_PATH_UNRESOLVABLE',
  'OPERATION_FROM_UNRESOLVABLE',
  'OPERATION_PATH_CANNOT_ADD',
  'OPERATION_VALUE_OUT_OF_BOUNDS',
]);

export interface Outcome {
  status: number;
  /** The stored version written or read, when there is one. */
  version?: StoredVersion;
  resource?: Resource;
  /** An update that changed nothing. */
  unchanged?: boolean;
}

/**
 * The FHIR interactions, independent of HTTP, so REST routes and Bundle entries run the same code.
 * Bound to one store (which may be inside a transaction). A service over a caller-bound store
 * (`withCaller`) obeys the access policy on every interaction: the store enforces it.
 */
export class FhirService {
  constructor(
    readonly store: FhirStore,
    private readonly visible?: VisibilityFilter,
  ) {}

  withStore(store: FhirStore): FhirService {
    return new FhirService(store, this.visible);
  }

  /** The same service acting for a caller under the policy; no caller: denied everything. */
  withCaller(caller: Caller | undefined): FhirService {
    return new FhirService(this.store.withCaller(caller), this.visible);
  }

  /** The filter for a search: the given one, else the caller's (undefined for the system). */
  visibleFor(req: SearchRequest): VisibilityFilter | undefined {
    return (
      this.visible ??
      this.store.visibility({ resourceType: req.resourceType, paramCodes: searchedCodes(req) })
    );
  }

  assertType(type: string): void {
    if (!isSupportedResourceType(type))
      throw new FhirError('unknown_type', `'${type}' is not a supported resource type`);
  }

  async read(type: string, id: string): Promise<StoredVersion> {
    this.assertType(type);
    return this.store.read(type, id);
  }

  async vread(type: string, id: string, versionId: string): Promise<StoredVersion> {
    this.assertType(type);
    return this.store.vread(type, id, versionId);
  }

  async create(type: string, body: unknown, ifNoneExist?: string): Promise<Outcome> {
    const resource = this.checkBody(type, body);
    // The check and the create in one transaction, under the criteria's lock (see conditionalMatches).
    if (ifNoneExist && !this.store.inTx)
      return this.store.inTransaction((tx) => this.withStore(tx).createChecked(type, resource, ifNoneExist));
    return this.createChecked(type, resource, ifNoneExist);
  }

  private async createChecked(type: string, resource: Resource, ifNoneExist?: string): Promise<Outcome> {
    if (ifNoneExist) {
      const existing = await this.conditionalMatches(type, ifNoneExist, 2, { forWrite: true });
      if (existing.length > 1) {
        throw new FhirError(
          'multiple_matches',
          `If-None-Exist '${ifNoneExist}' matched more than one ${type}`,
        );
      }
      if (existing.length === 1) return { status: 200, version: existing[0] };
    }
    const { id: _ignored, ...rest } = resource;
    const result = await this.store.create(rest as Resource);
    return { status: 201, version: result.version, resource: result.resource };
  }

  async update(type: string, id: string, body: unknown, ifMatch?: number): Promise<Outcome> {
    return this.updateChecked(type, id, this.checkBody(type, body), ifMatch);
  }

  /** An update of a body checkBody has passed (validated once, not again). */
  private async updateChecked(
    type: string,
    id: string,
    resource: Resource,
    ifMatch?: number,
  ): Promise<Outcome> {
    if (!isValidId(id)) throw new FhirError('id_mismatch', `'${id}' is not a valid FHIR id`, 'Resource.id');
    if (resource.id !== id) {
      throw new FhirError(
        'id_mismatch',
        `Resource.id '${resource.id ?? ''}' does not match the URL id '${id}'`,
        'Resource.id',
      );
    }
    const result = await this.store.update(resource, { ifMatch });
    return {
      status: result.created ? 201 : 200,
      version: result.version,
      resource: result.resource,
      unchanged: result.unchanged,
    };
  }

  /** PUT Type?criteria: update the one match, create when none, 412 when several. */
  async conditionalUpdate(type: string, criteria: string, body: unknown, ifMatch?: number): Promise<Outcome> {
    const resource = this.checkBody(type, body);
    if (!this.store.inTx)
      return this.store.inTransaction((tx) =>
        this.withStore(tx).conditionalUpdate(type, criteria, resource, ifMatch),
      );
    const matches = await this.conditionalMatches(type, criteria, 2, { forWrite: true });
    if (matches.length > 1)
      throw new FhirError('multiple_matches', `Conditional update '${criteria}' matched several ${type}`);
    return this.writeResolved(type, resource, { id: matches[0]?.id, fresh: false, ifMatch });
  }

  /**
   * A conditional update whose criteria this transaction already searched and still holds locked
   * (a transaction Bundle resolves them first): `id` is the one match, or undefined when none
   * matched. `fresh`: the resource's id was generated for this create, so nothing is stored under it.
   */
  async conditionalUpdateResolved(
    type: string,
    body: unknown,
    match: { id?: string; fresh: boolean; ifMatch?: number },
  ): Promise<Outcome> {
    if (!this.store.inTx)
      throw new Error('conditionalUpdateResolved runs inside the transaction that matched');
    return this.writeResolved(type, this.checkBody(type, body), match);
  }

  /** The write of a conditional update once its match is known (the body is already validated). */
  private async writeResolved(
    type: string,
    resource: Resource,
    match: { id?: string; fresh: boolean; ifMatch?: number },
  ): Promise<Outcome> {
    if (match.id) {
      if (resource.id && resource.id !== match.id) {
        throw new FhirError(
          'id_mismatch',
          `Resource.id '${resource.id}' differs from the matched ${type}/${match.id}`,
        );
      }
      return this.updateChecked(type, match.id, { ...resource, id: match.id }, match.ifMatch);
    }
    if (resource.id && match.fresh) {
      // Nothing can be stored under an id made for this create: no row to lock and compare.
      const result = await this.store.create(resource, resource.id);
      return { status: 201, version: result.version, resource: result.resource };
    }
    if (resource.id) return this.updateChecked(type, resource.id, resource);
    return this.createChecked(type, resource);
  }

  async patch(type: string, id: string, operations: unknown, ifMatch?: number): Promise<Outcome> {
    if (!Array.isArray(operations)) {
      throw new FhirError('invalid_json', 'A JSON Patch body must be an array of operations', 'Patch');
    }
    const current = JSON.parse((await this.read(type, id)).json) as Resource;
    let patched: Resource;
    try {
      const errors = jsonpatch.validate(operations as Operation[], current);
      if (errors) throw errors;
      patched = jsonpatch.applyPatch(current, operations as Operation[], false, false).newDocument;
    } catch (err: any) {
      // fast-json-patch appends the whole document to its message: keep only the first line.
      const where =
        err?.index !== undefined ? `operation ${err.index} (${err.operation?.op ?? '?'})` : 'patch';
      const text = `JSON Patch ${where} failed: ${String(err?.message ?? err).split('\n')[0]}`;
      // A malformed operation is a bad request; one that does not apply to this resource is unprocessable.
      throw new FhirError(
        PATCH_UNPROCESSABLE.has(err?.name) ? 'patch_failed' : 'invalid_json',
        text,
        'Patch',
      );
    }
    if (patched.resourceType !== type || patched.id !== id) {
      throw new FhirError('patch_failed', 'A patch may not change resourceType or id', 'Resource.id');
    }
    return this.update(type, id, patched, ifMatch ?? Number(current.meta?.versionId));
  }

  async delete(type: string, id: string, ifMatch?: number): Promise<Outcome> {
    this.assertType(type);
    await this.store.delete(type, id, { ifMatch });
    return { status: 204 };
  }

  async conditionalDelete(type: string, criteria: string): Promise<Outcome> {
    if (!this.store.inTx)
      return this.store.inTransaction((tx) => this.withStore(tx).conditionalDelete(type, criteria));
    const matches = await this.conditionalMatches(type, criteria, 2, { forWrite: true });
    if (matches.length > 1)
      throw new FhirError('multiple_matches', `Conditional delete '${criteria}' matched several ${type}`);
    if (matches.length === 1) await this.store.delete(type, matches[0].id);
    return { status: 204 };
  }

  async search(
    type: string,
    query: Query,
  ): Promise<{ result: SearchResult; unknown: string[]; count: number; offset: number }> {
    this.assertType(type);
    const req = parseSearch(type, query);
    const result = await executeSearch(this.store.queryable, req, this.visibleFor(req));
    if (this.store.guarded) {
      result.hits = await this.store.redactHits(result.hits);
      await this.store.audit({
        action: 'search',
        resources: result.hits.map((h) => `${h.resourceType}/${h.id}`),
        patients: [...new Set(result.hits.flatMap((h) => h.compartment ?? []))],
        query: `${type}?${new URLSearchParams(flattenQuery(query)).toString()}`,
      });
    }
    return { result, unknown: req.unknown, count: req.count, offset: req.offset };
  }

  /**
   * Search across types (`GET /fhir?...`): the types named by `_type`, else every type stored. Only
   * parameters every searched type defines are allowed (400 otherwise), results are ordered by
   * `_lastUpdated` or `_id`, and there are no includes.
   */
  async systemSearch(
    query: Query,
  ): Promise<{ result: SearchResult; unknown: string[]; count: number; offset: number }> {
    const { _type, ...rest } = query;
    const named = [_type ?? []]
      .flat()
      .flatMap((v) => v.split(','))
      .map((v) => v.trim())
      .filter(Boolean);
    for (const type of named)
      if (!isSupportedResourceType(type))
        throw new FhirError('invalid_search', `_type: '${type}' is not a supported resource type`, '_type');
    const types = named.length ? [...new Set(named)] : await storedResourceTypes(this.store.queryable);
    for (const key of [rest._sort ?? []].flat().flatMap((v) => v.split(',')))
      if (!['_id', '_lastUpdated'].includes(key.trim().replace(/^-/, '')))
        throw new FhirError(
          'invalid_search',
          `A search across types sorts by _lastUpdated or _id, not ${key}`,
          '_sort',
        );
    // Parsed once with no type for the paging and sort controls, then once per type for its filters.
    const page = parseSearch('Resource', rest);
    if (page.include.length || page.revinclude.length)
      throw new FhirError(
        'invalid_search',
        'A search across types takes no _include or _revinclude',
        '_include',
      );
    const reqs = types.map((type) => {
      const req = parseSearch(type, rest);
      if (req.unknown.length)
        throw new FhirError(
          'invalid_search',
          `Parameter ${req.unknown.join(', ')} is not defined for ${type}: a search across types takes parameters every type has`,
          req.unknown[0],
        );
      return req;
    });
    const result = await executeSystemSearch(this.store.queryable, reqs, page, (req) => this.visibleFor(req));
    if (this.store.guarded) {
      result.hits = await this.store.redactHits(result.hits);
      await this.store.audit({
        action: 'search',
        resources: result.hits.map((h) => `${h.resourceType}/${h.id}`),
        patients: [...new Set(result.hits.flatMap((h) => h.compartment ?? []))],
        query: `?${new URLSearchParams(flattenQuery(query)).toString()}`,
      });
    }
    return { result, unknown: [], count: page.count, offset: page.offset };
  }

  /** Resources matching conditional criteria (a query string without `?`). */
  /**
   * `forWrite`: the match decides a conditional create, update or delete. Inside a write transaction
   * the criteria then stay locked until it ends, so a concurrent conditional write on the same
   * criteria waits, then sees what this one wrote (plain lookups take no lock).
   */
  async conditionalMatches(
    type: string,
    criteria: string,
    limit: number,
    opts: { forWrite?: boolean } = {},
  ): Promise<StoredVersion[]> {
    this.assertType(type);
    const query = queryFromString(criteria);
    const req = parseSearch(type, query);
    if (req.filters.length === 0) {
      throw new FhirError(
        'invalid_search',
        `Conditional criteria '${criteria}' have no search parameter Kith knows`,
      );
    }
    if (opts.forWrite && this.store.inTx) await lockConditional(this.store.queryable, type, criteria);
    req.count = limit;
    req.total = 'none';
    req.include = [];
    req.revinclude = [];
    const hits = await this.store.redactHits(
      (await executeSearch(this.store.queryable, req, this.visibleFor(req))).hits,
    );
    return hits.map((h) => {
      const meta = JSON.parse(h.json).meta ?? {};
      return {
        resourceType: type,
        id: h.id,
        versionId: Number(meta.versionId),
        lastUpdated: meta.lastUpdated,
        deleted: false,
        json: h.json,
      };
    });
  }

  private checkBody(type: string, body: unknown): Resource {
    this.assertType(type);
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      throw new FhirError('invalid_json', 'The body must be a JSON FHIR resource', 'Resource');
    }
    const resource = body as Resource;
    if (resource.resourceType !== type) {
      throw new FhirError(
        'invalid_resource',
        `resourceType '${String(resource.resourceType)}' does not match the URL type '${type}'`,
        'Resource.resourceType',
      );
    }
    assertValid(resource);
    return resource;
  }
}

/** Every parameter a search filters, sorts or chains on (for the redaction check). */
function searchedCodes(req: SearchRequest): string[] {
  const codes: string[] = req.sort.map((s) => s.code);
  const walk = (f: SearchFilter): void => {
    if (f.kind === 'param') codes.push(f.code);
    else if (f.kind === 'chain') {
      codes.push(f.code);
      walk(f.next);
    } else if (f.kind === 'has') walk(f.next);
  };
  req.filters.forEach(walk);
  return codes;
}

function flattenQuery(query: Query): [string, string][] {
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(query))
    for (const x of Array.isArray(v) ? v : v === undefined ? [] : [v]) out.push([k, String(x)]);
  return out;
}

export function queryFromString(qs: string): Query {
  const query: Record<string, string[]> = {};
  for (const [k, v] of new URLSearchParams(qs.replace(/^\?/, ''))) (query[k] ??= []).push(v);
  return query;
}
