import type { Group } from '@medplum/fhirtypes';
import { FhirError } from '../errors';
import { isSupportedResourceType } from '../definitions';
import { MAX_COUNT, parseSearch, type Query } from '../search/parse';
import type { FhirService } from '../service';
import { executeSystemSearch, storedResourceTypes } from '../../store/search/execute';
import type { SearchFilter } from '../../store/search/model';
import { dateRange } from '../../store/normalize';
import { scopeCoverage, scopeFor } from '../../privacy/policy';
import { compartmentTypes } from '../operations/compartment-filter';
import type { OperationDefinitionEntry, OperationRequest, OperationResult } from '../operations';
import { createJob, finishJob, ownerOf } from './jobs';
import { runExport, type ExportSpec } from './run';

/** The output formats Bulk Data allows for NDJSON; anything else is refused at kick-off. */
const NDJSON_FORMATS = ['application/fhir+ndjson', 'application/ndjson', 'ndjson'];

type Level = 'system' | 'patient' | 'group';

const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/**
 * `$export` kick-off (FHIR Bulk Data 2.0): checks the request, settles what the job exports for the
 * caller (types their SMART scopes open; for a Group, its members the caller may see), stores the
 * job and starts it in this process. Answers 202 with the status URL in `Content-Location`.
 */
async function kickOff(req: OperationRequest, level: Level): Promise<OperationResult> {
  const { service, query, base } = req;
  const prefer = [req.headers?.prefer ?? []].flat().join(',');
  if (!/(^|[,;\s])respond-async($|[,;\s])/.test(prefer))
    throw new FhirError(
      'invalid_request',
      '$export runs asynchronously: send the header Prefer: respond-async',
      'Prefer',
    );
  const format = one(query._outputFormat);
  if (format !== undefined && !NDJSON_FORMATS.includes(format))
    throw new FhirError(
      'invalid_request',
      `_outputFormat: '${format}' is not supported (application/fhir+ndjson)`,
      '_outputFormat',
    );
  const since = one(query._since);
  if (since !== undefined && !dateRange(since))
    throw new FhirError('invalid_search', `_since: '${since}' is not an instant`, '_since');
  const types = await exportTypes(service, level, one(query._type));
  const patients = level === 'system' ? undefined : await exportPatients(service, level, req.id);
  const spec: ExportSpec = { types, ...(since ? { since } : {}), ...(patients ? { patients } : {}) };

  const path = level === 'system' ? '' : level === 'patient' ? 'Patient/' : `Group/${req.id}/`;
  const params = new URLSearchParams(
    Object.entries(query).flatMap(([k, v]) => [v ?? []].flat().map((x) => [k, x] as [string, string])),
  ).toString();
  const db = service.store.queryable;
  const job = await createJob(
    db,
    ownerOf(service.store.actor),
    `${base}/${path}$export${params ? `?${params}` : ''}`,
  );
  // In this process, after the answer: the job row is the only shared state, polled by status.
  void runExport(service, job, spec).catch((err: unknown) =>
    finishJob(db, job.id, err instanceof Error ? err.message : String(err)),
  );
  return {
    status: 202,
    headers: { 'content-location': `${base}/$export-status/${job.id}` },
    resource: {
      resourceType: 'OperationOutcome',
      issue: [
        { severity: 'information', code: 'informational', diagnostics: `Export job ${job.id} started` },
      ],
    },
  };
}

/** `_type` (or every type the level covers), each opened by the caller's SMART scopes. */
async function exportTypes(
  service: FhirService,
  level: Level,
  typeParam: string | undefined,
): Promise<string[]> {
  const named = [
    ...new Set(
      (typeParam ?? '')
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean),
    ),
  ];
  const allowed = level === 'system' ? undefined : compartmentTypes();
  for (const t of named) {
    if (!isSupportedResourceType(t))
      throw new FhirError('invalid_search', `_type: '${t}' is not a supported resource type`, '_type');
    if (allowed && !allowed.includes(t))
      throw new FhirError('invalid_search', `_type: ${t} is not in the Patient compartment`, '_type');
  }
  const coverage = scopeCoverage(service.store.actor, 's');
  const uncovered = named.filter((t) => scopeFor(coverage, t) === 'none');
  if (uncovered.length)
    throw new FhirError(
      'forbidden',
      `The access token's scopes do not cover ${uncovered.join(', ')}`,
      '_type',
    );
  if (named.length) return named.sort();
  const all = allowed ?? (await storedResourceTypes(service.store.queryable)).sort();
  return all.filter((t) => scopeFor(coverage, t) !== 'none');
}

/** The `Patient/id` compartments of a Patient or Group export: only Patients the caller may see. */
async function exportPatients(service: FhirService, level: Level, groupId?: string): Promise<string[]> {
  let members: string[] | undefined;
  if (level === 'group') {
    if (!groupId) throw new FhirError('not_supported', 'Group export runs on one Group: Group/[id]/$export');
    // Read as the caller: a Group they may not see is not known (404), as its read.
    const group = JSON.parse((await service.read('Group', groupId)).json) as Group;
    members = (group.member ?? [])
      .map((m) => m.entity.reference ?? '')
      .filter((r) => r.startsWith('Patient/'))
      .map((r) => r.slice('Patient/'.length));
    if (!members.length) return [];
  }
  const filters: SearchFilter[] = members ? [{ kind: 'id', values: members }] : [];
  const ids: string[] = [];
  for (let offset = 0; ; offset += MAX_COUNT) {
    const page = parseSearch('Resource', {
      _count: String(MAX_COUNT),
      _offset: String(offset),
      _total: 'none',
      _sort: '_id',
    } as Query);
    const req = { ...parseSearch('Patient', {}), filters };
    const result = await executeSystemSearch(service.store.queryable, [req], page, (r) =>
      service.visibleFor(r),
    );
    ids.push(...result.hits.map((h) => `Patient/${h.id}`));
    if (!result.hasMore) return ids;
  }
}

const BULK = 'http://hl7.org/fhir/uv/bulkdata/OperationDefinition';

export const exportOperations: OperationDefinitionEntry[] = [
  { name: 'export', definition: `${BULK}/export`, level: 'system', handler: (r) => kickOff(r, 'system') },
  {
    name: 'export',
    definition: `${BULK}/patient-export`,
    level: 'type',
    types: ['Patient'],
    handler: (r) => kickOff(r, 'patient'),
  },
  {
    name: 'export',
    definition: `${BULK}/group-export`,
    level: 'instance',
    types: ['Group'],
    handler: (r) => kickOff(r, 'group'),
  },
];
