import type { FhirService } from '../service';
import { MAX_COUNT, parseSearch, type Query } from '../search/parse';
import { executeSystemSearch } from '../../store/search/execute';
import type { SearchFilter, SearchRequest } from '../../store/search/model';
import { inAnyCompartment } from '../operations/compartment-filter';
import { finishJob, saveFile, setProgress, type ExportJob } from './jobs';

/** What one job exports, settled at kick-off. */
export interface ExportSpec {
  types: string[];
  since?: string;
  /** Patient and Group level: the `Patient/id` compartments to export; absent for a system export. */
  patients?: string[];
}

/**
 * Runs one job as its caller: each type's pages through the same search path as `$everything`
 * (the caller-bound store's policy filter, then its redaction), so consent, labels and scopes apply
 * as on any read. Resources changed after the job's transaction time are left for the next export.
 * Ends with one `export` AuditEvent naming what left and whose data it was.
 */
export async function runExport(service: FhirService, job: ExportJob, spec: ExportSpec): Promise<void> {
  const db = service.store.queryable;
  const resources: string[] = [];
  const patients = new Set<string>();
  try {
    const filters: SearchFilter[] = [
      { kind: 'lastUpdated', values: [`le${job.transactionTime}`] },
      ...(spec.since ? [{ kind: 'lastUpdated' as const, values: [`ge${spec.since}`] }] : []),
      ...(spec.patients ? [inAnyCompartment(spec.patients)] : []),
    ];
    for (const [i, type] of spec.types.entries()) {
      if (!(await setProgress(db, job.id, `${type} (${i + 1} of ${spec.types.length} types)`))) return;
      const lines: string[] = [];
      // An empty compartment list matches nothing: skip the search rather than send `&& '{}'`.
      if (!spec.patients || spec.patients.length)
        for (let offset = 0; ; offset += MAX_COUNT) {
          const req: SearchRequest = { ...parseSearch(type, {}), filters };
          const page = parseSearch('Resource', {
            _count: String(MAX_COUNT),
            _offset: String(offset),
            _total: 'none',
            _sort: '_lastUpdated,_id',
          } as Query);
          const result = await executeSystemSearch(db, [req], page, (r) => service.visibleFor(r));
          for (const hit of await service.store.redactHits(result.hits)) {
            lines.push(hit.json);
            resources.push(`${hit.resourceType}/${hit.id}`);
            for (const p of hit.compartment ?? []) patients.add(p);
          }
          if (!result.hasMore) break;
          // Touches the job (its heartbeat) page by page, and stops when it was cancelled.
          const progress = `${type} (${i + 1} of ${spec.types.length} types, ${lines.length} resources)`;
          if (!(await setProgress(db, job.id, progress))) return;
        }
      await saveFile(db, job.id, type, lines);
    }
    await finishJob(db, job.id);
  } catch (err) {
    await finishJob(db, job.id, err instanceof Error ? err.message : String(err));
  }
  await service.store.audit({
    action: 'export',
    operation: '$export',
    resources,
    patients: [...patients],
    query: job.request,
  });
}
