import type { Bundle } from '@medplum/fhirtypes';
import { FhirError } from '../errors';
import { pageLinks, searchsetBundle } from '../bundle';
import { MAX_COUNT, parseSearch, type Query } from '../search/parse';
import { executeSystemSearch } from '../../store/search/execute';
import type { SearchFilter, SearchRequest } from '../../store/search/model';
import { compartmentTypes, inCompartment } from './compartment-filter';
import { dateRange } from '../../store/normalize';
import type { OperationDefinitionEntry, OperationRequest } from './index';

const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/**
 * Patient/[id]/$everything (FHIR R4 Patient-everything): the Patient and every resource in its
 * compartment that the caller may see, as a searchset Bundle with paging. `_type` limits the types,
 * `_since` to resources changed since an instant, `_count` / `_offset` page it. Each call is one
 * `export` AuditEvent (operation `$everything`) naming what was returned and whose data it was.
 */
async function everything(req: OperationRequest): Promise<{ status: number; resource: Bundle }> {
  const { service, id, query, base } = req;
  if (!id) throw new FhirError('not_supported', '$everything runs on one Patient: Patient/[id]/$everything');
  // The Patient first, as a read: a Patient the caller may not see is not known (404), as its read.
  await service.read('Patient', id);
  const named = [one(query._type) ?? '']
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  const all = compartmentTypes();
  for (const t of named)
    if (!all.includes(t))
      throw new FhirError('invalid_search', `_type: ${t} is not in the Patient compartment`, '_type');
  const since = one(query._since);
  if (since !== undefined && !dateRange(since))
    throw new FhirError('invalid_search', `_since: '${since}' is not an instant`, '_since');
  const filters: SearchFilter[] = [
    inCompartment(`Patient/${id}`),
    ...(since ? [{ kind: 'lastUpdated' as const, values: [`ge${since}`] }] : []),
  ];
  const page = parseSearch('Resource', {
    // A whole record is the point: pages as large as a search allows unless the client asks less.
    _count: one(query._count) ?? String(MAX_COUNT),
    _offset: one(query._offset),
    _total: 'accurate',
    _sort: '_lastUpdated,_id',
  } as Query);
  const reqs: SearchRequest[] = (named.length ? named : all).map((type) => ({
    ...parseSearch(type, {}),
    filters,
  }));
  const result = await executeSystemSearch(service.store.queryable, reqs, page, (r) => service.visibleFor(r));
  result.hits = await service.store.redactHits(result.hits);
  const params = new URLSearchParams(
    Object.entries(query).flatMap(([k, v]) => [v ?? []].flat().map((x) => [k, x] as [string, string])),
  );
  await service.store.audit({
    action: 'export',
    operation: '$everything',
    resources: result.hits.map((h) => `${h.resourceType}/${h.id}`),
    patients: [...new Set([`Patient/${id}`, ...result.hits.flatMap((h) => h.compartment ?? [])])],
    query: `Patient/${id}/$everything?${params.toString()}`,
  });
  const url = `${base}/Patient/${id}/$everything?${params.toString()}`;
  const links = pageLinks(url, page.offset, page.count, result.hasMore);
  return { status: 200, resource: JSON.parse(searchsetBundle(base, result, links, {})) as Bundle };
}

export const everythingOperation: OperationDefinitionEntry = {
  name: 'everything',
  definition: 'http://hl7.org/fhir/OperationDefinition/Patient-everything',
  level: 'instance',
  types: ['Patient'],
  handler: everything,
};
