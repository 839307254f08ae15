import type { SearchResult, HistoryEntry } from '../store';
import { shapeResource } from './shape';

export interface PageLinks {
  self: string;
  first?: string;
  next?: string;
  previous?: string;
}

/**
 * Builds a searchset Bundle as text around the stored JSON, so matched resources are never parsed
 * and re-encoded on the way out.
 */
export function searchsetBundle(
  base: string,
  result: SearchResult,
  links: PageLinks,
  opts: { summary?: string; elements?: string[]; outcome?: string },
): string {
  const parts: string[] = [];
  for (const hit of result.hits) {
    const json = shapeResource(hit.json, opts.summary, opts.elements);
    parts.push(
      `{"fullUrl":${JSON.stringify(`${base}/${hit.resourceType}/${hit.id}`)},"resource":${json},"search":{"mode":"${hit.mode}"}}`,
    );
  }
  if (opts.outcome) parts.push(`{"resource":${opts.outcome},"search":{"mode":"outcome"}}`);
  const linkList = Object.entries(links)
    .filter(([, url]) => url)
    .map(([relation, url]) => ({ relation, url }));
  const total = result.total !== undefined ? `,"total":${result.total}` : '';
  return `{"resourceType":"Bundle","type":"searchset"${total},"link":${JSON.stringify(linkList)},"entry":[${parts.join(',')}]}`;
}

export function historyBundle(
  base: string,
  entries: HistoryEntry[],
  total: number,
  links: PageLinks,
): string {
  const parts = entries.map((e) => {
    const url = `${e.resourceType}/${e.id}`;
    const request = JSON.stringify({ method: e.method, url: e.method === 'POST' ? e.resourceType : url });
    const status = e.deleted ? '204' : e.method === 'POST' ? '201' : '200';
    const resource = e.deleted ? '' : `"resource":${e.json},`;
    return `{"fullUrl":${JSON.stringify(`${base}/${url}`)},${resource}"request":${request},"response":{"status":"${status}","etag":"W/\\"${e.versionId}\\"","lastModified":"${e.lastUpdated}"}}`;
  });
  const linkList = Object.entries(links)
    .filter(([, url]) => url)
    .map(([relation, url]) => ({ relation, url }));
  return `{"resourceType":"Bundle","type":"history","total":${total},"link":${JSON.stringify(linkList)},"entry":[${parts.join(',')}]}`;
}

/** Paging links that keep every original parameter and move `_offset`. */
export function pageLinks(url: string, offset: number, count: number, hasMore: boolean): PageLinks {
  const u = new URL(url);
  const at = (o: number): string => {
    const copy = new URL(u);
    copy.searchParams.set('_offset', String(o));
    copy.searchParams.set('_count', String(count));
    return copy.toString();
  };
  return {
    self: at(offset),
    first: at(0),
    next: hasMore && count > 0 ? at(offset + count) : undefined,
    previous: offset > 0 ? at(Math.max(0, offset - count)) : undefined,
  };
}
