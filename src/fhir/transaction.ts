import { randomUUID } from 'node:crypto';
import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import { FhirError, operationOutcome } from './errors';
import type { FhirService, Outcome } from './service';
import { assertValid } from './validate';
import { queryFromString } from './service';

export interface BundleContext {
  base: string;
  returnRepresentation: boolean;
}

const ORDER: Record<string, number> = { DELETE: 0, POST: 1, PUT: 2, PATCH: 2, GET: 3, HEAD: 3 };

/** Processes a transaction (all or nothing) or batch (each entry alone) Bundle. */
export async function processBundle(
  service: FhirService,
  body: unknown,
  ctx: BundleContext,
): Promise<Bundle> {
  const bundle = body as Bundle;
  if (!bundle || bundle.resourceType !== 'Bundle') {
    throw new FhirError('invalid_resource', 'POST to the base must be a Bundle', 'Bundle.resourceType');
  }
  if (bundle.type !== 'transaction' && bundle.type !== 'batch') {
    throw new FhirError(
      'invalid_value',
      `Bundle.type must be transaction or batch, not '${bundle.type}'`,
      'Bundle.type',
    );
  }
  const entries = bundle.entry ?? [];
  entries.forEach((e, i) => {
    if (!e.request?.method || !e.request.url) {
      throw new FhirError(
        'required_missing',
        `Bundle.entry[${i}].request needs method and url`,
        `Bundle.entry[${i}].request`,
      );
    }
  });
  if (bundle.type === 'batch') return processBatch(service, entries, ctx);
  return service.store.inTransaction((tx) => processTransaction(service.withStore(tx), entries, ctx));
}

async function processBatch(
  service: FhirService,
  entries: BundleEntry[],
  ctx: BundleContext,
): Promise<Bundle> {
  const out: BundleEntry[] = [];
  for (const entry of entries) {
    try {
      const outcome = await service.store.inTransaction((tx) =>
        runEntry(service.withStore(tx), entry, entry.resource),
      );
      out.push(responseEntry(outcome, ctx, isRead(entry)));
    } catch (err) {
      out.push(errorEntry(err));
    }
  }
  return { resourceType: 'Bundle', type: 'batch-response', entry: out };
}

async function processTransaction(
  service: FhirService,
  entries: BundleEntry[],
  ctx: BundleContext,
): Promise<Bundle> {
  const ids = new Map<string, string>(); // fullUrl -> Type/id
  const newIds = new Map<number, string>(); // entry index -> id fixed for a conditional update that creates
  // Conditional updates resolved in the first pass: entry index -> the one match's id, or null when
  // none matched. The criteria stay locked until the transaction ends, so the entry then writes
  // without searching (and locking) again.
  const matched = new Map<number, string | null>();
  // Entries whose new id was generated here (not the client's), so nothing can exist under it yet.
  const freshIds = new Set<number>();
  // Only where no other entry writes the same type could change what the criteria match by then:
  // every write of that type is a conditional update with criteria of its own.
  const resolvable = resolvableTypes(entries);
  // Ids for creates are fixed first, so every reference to a urn:uuid can be rewritten up front.
  for (const [i, entry] of entries.entries()) {
    const { method, url } = entry.request!;
    if (method === 'POST') {
      const type = url.split('?')[0];
      if (entry.request!.ifNoneExist) {
        const found = await service.conditionalMatches(type, entry.request!.ifNoneExist, 2, {
          forWrite: true,
        });
        if (found.length > 1) {
          throw new FhirError(
            'multiple_matches',
            `Bundle.entry[${i}]: If-None-Exist matched several ${type}`,
          );
        }
        if (found.length === 1) {
          if (entry.fullUrl) ids.set(entry.fullUrl, `${type}/${found[0].id}`);
          continue;
        }
      }
      if (entry.fullUrl) ids.set(entry.fullUrl, `${type}/${randomUUID()}`);
    } else if (method === 'PUT' && entry.fullUrl && !url.includes('?')) {
      ids.set(entry.fullUrl, url);
    } else if (method === 'PUT' && entry.fullUrl) {
      // A conditional update others refer to: its target is the one match, or a new id fixed now.
      const [type, criteria] = url.split('?');
      const found = await service.conditionalMatches(type, criteria, 2, { forWrite: true });
      if (found.length === 1) {
        ids.set(entry.fullUrl, `${type}/${found[0].id}`);
        if (resolvable.has(type)) matched.set(i, found[0].id);
      } else if (found.length === 0) {
        const id = entry.resource?.id ?? randomUUID();
        newIds.set(i, id);
        ids.set(entry.fullUrl, `${type}/${id}`);
        if (resolvable.has(type)) {
          matched.set(i, null);
          if (!entry.resource?.id) freshIds.add(i);
        }
      }
    }
  }
  const resolved = new Map<string, string>();
  const order = entries
    .map((e, i) => i)
    .sort((a, b) => ORDER[entries[a].request!.method] - ORDER[entries[b].request!.method] || a - b);
  const results: BundleEntry[] = new Array(entries.length);
  const run = async (i: number): Promise<void> => {
    const entry = entries[i];
    const resource = entry.resource
      ? await rewriteReferences(service, entry.resource, ids, resolved, i)
      : undefined;
    if (resource && newIds.has(i)) resource.id = newIds.get(i);
    try {
      const outcome = matched.has(i)
        ? await service.conditionalUpdateResolved(entry.request!.url.split('?')[0], resource, {
            id: matched.get(i) ?? undefined,
            fresh: freshIds.has(i),
            ifMatch: entry.request!.ifMatch ? Number(/\d+/.exec(entry.request!.ifMatch)?.[0]) : undefined,
          })
        : await runEntry(service, entry, resource, ids);
      results[i] = responseEntry(outcome, ctx, isRead(entry));
    } catch (err) {
      if (err instanceof FhirError) {
        throw new FhirError(
          err.code,
          err.issues.map((d) => ({ ...d, diagnostics: `Bundle.entry[${i}]: ${d.diagnostics}` })),
        );
      }
      throw err;
    }
  };
  let postsDone = false;
  for (const i of order) {
    if (results[i]) continue;
    if (entries[i].request!.method === 'POST' && !postsDone) {
      postsDone = true;
      // Conditional creates go first, so the conditional references of the other creates
      // (`Organization?identifier=...`) find what this Bundle creates.
      for (const j of order)
        if (entries[j].request!.method === 'POST' && entries[j].request!.ifNoneExist) await run(j);
      await createAll(service, entries, ids, resolved, results, ctx);
      if (results[i]) continue;
    }
    await run(i);
  }
  return { resourceType: 'Bundle', type: 'transaction-response', entry: results };
}

/**
 * Types whose every write entry is a conditional update (`PUT Type?criteria`) with criteria no other
 * entry repeats: what such an entry's criteria matched when the ids were fixed still holds when it
 * runs (the criteria are locked), so it need not search again.
 */
function resolvableTypes(entries: BundleEntry[]): Set<string> {
  const ok = new Map<string, boolean>();
  const seen = new Set<string>();
  for (const e of entries) {
    const { method, url } = e.request!;
    if (method === 'GET' || method === 'HEAD') continue;
    const [path, qs] = url.replace(/^\//, '').split('?');
    const type = path.split('/')[0];
    const conditionalPut = method === 'PUT' && !!qs && !path.includes('/') && !!e.fullUrl;
    const key = `${type}?${qs ?? ''}`;
    ok.set(type, (ok.get(type) ?? true) && conditionalPut && !seen.has(key));
    seen.add(key);
  }
  return new Set([...ok].filter(([, v]) => v).map(([t]) => t));
}

/**
 * Creates every plain POST entry in one statement (the fast path): references are rewritten and
 * each resource validated first, so a bad entry still fails the whole transaction with its index.
 */
async function createAll(
  service: FhirService,
  entries: BundleEntry[],
  ids: Map<string, string>,
  resolved: Map<string, string>,
  results: BundleEntry[],
  ctx: BundleContext,
): Promise<void> {
  const batch: { index: number; resource: Resource }[] = [];
  for (const [i, entry] of entries.entries()) {
    if (entry.request!.method !== 'POST' || entry.request!.ifNoneExist || !entry.fullUrl) continue;
    const target = ids.get(entry.fullUrl);
    const type = entry.request!.url.split('?')[0];
    if (!target || !entry.resource) continue;
    const resource = await rewriteReferences(service, entry.resource, ids, resolved, i);
    if (resource.resourceType !== type) {
      throw new FhirError(
        'invalid_resource',
        `Bundle.entry[${i}]: the resource must be a ${type}`,
        'Bundle.entry.resource',
      );
    }
    const { id: _old, ...rest } = resource;
    try {
      assertValid(rest);
    } catch (err) {
      if (err instanceof FhirError) {
        throw new FhirError(
          err.code,
          err.issues.map((d) => ({ ...d, diagnostics: `Bundle.entry[${i}]: ${d.diagnostics}` })),
        );
      }
      throw err;
    }
    batch.push({ index: i, resource: { ...rest, id: target.split('/')[1] } as Resource });
  }
  const written = await service.store.createMany(batch.map((b) => b.resource));
  written.forEach((w, k) => {
    results[batch[k].index] = responseEntry({ status: 201, version: w.version }, ctx);
  });
}

async function runEntry(
  service: FhirService,
  entry: BundleEntry,
  resource: Resource | undefined,
  ids?: Map<string, string>,
): Promise<Outcome> {
  const { method, url, ifMatch, ifNoneExist } = entry.request!;
  const [path, qs] = url.replace(/^\//, '').split('?');
  const [type, id, hist, vid] = path.split('/');
  const match = ifMatch ? Number(/\d+/.exec(ifMatch)?.[0]) : undefined;
  switch (method) {
    case 'GET':
    case 'HEAD': {
      if (id && hist === '_history' && vid)
        return { status: 200, version: await service.vread(type, id, vid) };
      if (id) return { status: 200, version: await service.read(type, id) };
      const { result } = await service.search(type, queryFromString(qs ?? ''));
      const bundle = {
        resourceType: 'Bundle',
        type: 'searchset',
        total: result.total,
        entry: result.hits.map((h) => ({ resource: JSON.parse(h.json) })),
      } as unknown as Resource;
      return { status: 200, resource: bundle };
    }
    case 'POST': {
      const target = entry.fullUrl ? ids?.get(entry.fullUrl) : undefined;
      if (ids && target && ifNoneExist) {
        const [, existingId] = target.split('/');
        const existing = await service.store.readIfExists(type, existingId);
        if (existing) return { status: 200, version: existing };
      }
      if (ids) {
        // Inside a transaction the id was fixed in advance so references to it could be rewritten.
        const newId = target?.split('/')[1] ?? randomUUID();
        if (!resource || resource.resourceType !== type) {
          throw new FhirError('invalid_resource', `The resource must be a ${type}`, 'Bundle.entry.resource');
        }
        const { id: _old, ...rest } = resource;
        assertValid(rest);
        const result = await service.store.create(rest as Resource, newId);
        return { status: 201, version: result.version };
      }
      return service.create(type, resource, ifNoneExist);
    }
    case 'PUT':
      if (qs) return service.conditionalUpdate(type, qs, resource, match);
      return service.update(type, id, resource, match);
    case 'PATCH': {
      const ops = patchOperations(entry, resource);
      return service.patch(type, id, ops, match);
    }
    case 'DELETE':
      if (qs && !id) return service.conditionalDelete(type, qs);
      return service.delete(type, id, match);
    default:
      throw new FhirError('method_not_allowed', `Method ${method} is not allowed in a Bundle entry`);
  }
}

/** A JSON Patch in a Bundle travels as a Binary resource holding the patch document. */
function patchOperations(entry: BundleEntry, resource: Resource | undefined): unknown {
  if (resource?.resourceType === 'Binary' && resource.data) {
    return JSON.parse(Buffer.from(resource.data, 'base64').toString('utf8'));
  }
  throw new FhirError(
    'invalid_resource',
    'A PATCH entry needs a Binary resource with a JSON Patch',
    'Bundle.entry.resource',
  );
}

/** Replaces urn:uuid references and conditional references (`Type?criteria`) with `Type/id`. */
async function rewriteReferences(
  service: FhirService,
  resource: Resource,
  ids: Map<string, string>,
  resolved: Map<string, string>,
  index: number,
): Promise<Resource> {
  const copy = structuredClone(resource);
  const pending: { holder: Record<string, unknown>; ref: string }[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const obj = node as Record<string, unknown>;
      if (typeof obj.reference === 'string') pending.push({ holder: obj, ref: obj.reference });
      for (const v of Object.values(obj)) if (v && typeof v === 'object') walk(v);
    }
  };
  walk(copy);
  for (const { holder, ref } of pending) {
    if (ids.has(ref)) holder.reference = ids.get(ref);
    else if (/^[A-Z][A-Za-z]+\?/.test(ref)) {
      if (!resolved.has(ref)) {
        const [type, criteria] = ref.split('?');
        const found = await service.conditionalMatches(type, criteria, 2);
        if (found.length !== 1) {
          throw new FhirError(
            found.length ? 'multiple_matches' : 'not_found',
            `Bundle.entry[${index}]: conditional reference '${ref}' matched ${found.length} resources, not one`,
          );
        }
        resolved.set(ref, `${type}/${found[0].id}`);
      }
      holder.reference = resolved.get(ref);
    } else if (ref.startsWith('urn:uuid:') || ref.startsWith('urn:oid:')) {
      throw new FhirError(
        'not_found',
        `Bundle.entry[${index}]: reference '${ref}' names no entry of this Bundle`,
      );
    }
  }
  return copy;
}

function isRead(entry: BundleEntry): boolean {
  return entry.request?.method === 'GET' || entry.request?.method === 'HEAD';
}

/** A read always returns what it read; a write returns the resource only under return=representation. */
function responseEntry(outcome: Outcome, ctx: BundleContext, read = false): BundleEntry {
  const v = outcome.version;
  const entry: BundleEntry = {
    response: {
      status: String(outcome.status),
      ...(v
        ? {
            location: `${v.resourceType}/${v.id}/_history/${v.versionId}`,
            etag: `W/"${v.versionId}"`,
            lastModified: v.lastUpdated,
          }
        : {}),
    },
  };
  if (v) entry.fullUrl = `${ctx.base}/${v.resourceType}/${v.id}`;
  if ((ctx.returnRepresentation || read) && v) entry.resource = JSON.parse(v.json);
  else if (outcome.resource && !v) entry.resource = outcome.resource;
  return entry;
}

function errorEntry(err: unknown): BundleEntry {
  const e = err instanceof FhirError ? err : new FhirError('internal', 'The entry could not be processed');
  return { response: { status: String(e.status), outcome: operationOutcome(e.code, e.issues) } };
}
