import type { FhirStore } from '../../../store';
import type { JobQueue } from '../../../notify/jobs';
import { emptySummary, importHsdsUnits, jsonUnit, type HsdsImportSummary, type HsdsUnit } from './import';

export const HSDS_PULL_JOB = 'hsds-pull';
const MAX_PAGES = 1000;

/**
 * Pulls a directory from an HSDS 3.0 API: every page of `/services` (the `contents` of each
 * paged answer), then each service in full (`/services/{id}`), imported in place by HSDS id.
 */
export async function pullHsdsApi(
  store: FhirStore,
  baseUrl: string,
  opts: { fetch?: typeof fetch; perPage?: number; headers?: Record<string, string> } = {},
): Promise<HsdsImportSummary> {
  const get = async (url: string): Promise<unknown> => {
    const res = await (opts.fetch ?? fetch)(url, {
      headers: { accept: 'application/json', ...opts.headers },
      signal: AbortSignal.timeout(60_000),
    });
    if (!res.ok) throw new Error(`${url} answered HTTP ${res.status}`);
    return res.json();
  };
  const root = baseUrl.replace(/\/+$/, '');
  const summary = emptySummary();
  const units: HsdsUnit[] = [];
  for (let page = 1; page <= MAX_PAGES; page++) {
    const list = (await get(`${root}/services?page=${page}&per_page=${opts.perPage ?? 50}`)) as {
      contents?: { id?: string }[];
      last_page?: boolean;
      total_pages?: number;
    };
    const contents = list.contents ?? [];
    for (const item of contents) {
      if (!item.id) continue;
      const full = await get(`${root}/services/${encodeURIComponent(item.id)}`).catch(() => item);
      const unit = jsonUnit(full, `${root}/services/${item.id}`, summary);
      if (unit) units.push(unit);
    }
    if (
      !contents.length ||
      list.last_page === true ||
      (list.total_pages !== undefined && page >= list.total_pages)
    )
      break;
  }
  return importHsdsUnits(store, units, summary);
}

/**
 * Pulls `url` now and then every `everyMinutes`, through the durable job queue (one job per URL:
 * a restart or a second node does not pull twice; a failed pull is retried with backoff).
 */
export async function scheduleHsdsPull(
  jobs: JobQueue,
  store: FhirStore,
  url: string,
  everyMinutes = 24 * 60,
  onDone?: (s: HsdsImportSummary) => void,
): Promise<void> {
  jobs.register(HSDS_PULL_JOB, async (payload: { url: string; everyMinutes: number }) => {
    const summary = await pullHsdsApi(store, payload.url);
    onDone?.(summary);
    return { again: new Date(Date.now() + payload.everyMinutes * 60_000) };
  });
  await jobs.schedule(HSDS_PULL_JOB, { url, everyMinutes }, { key: `${HSDS_PULL_JOB}:${url}` });
}
