import { useSyncExternalStore } from 'react';

/**
 * A history-API router without dependencies: the URL path is the app's state. The server answers
 * unknown non-API paths with index.html (src/server/web.ts), so every app URL can be bookmarked.
 */

const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  window.addEventListener('popstate', listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('popstate', listener);
  };
}

// Only path and query route; a #fragment (skip link, in-page anchors) never re-renders the app.
const snapshot = (): string => window.location.pathname + window.location.search;

export interface AppLocation {
  pathname: string;
  query: URLSearchParams;
  /** pathname + search, for effect keys. */
  href: string;
}

export function useLocation(): AppLocation {
  const href = useSyncExternalStore(subscribe, snapshot);
  const q = href.indexOf('?');
  return {
    pathname: q < 0 ? href : href.slice(0, q),
    query: new URLSearchParams(q < 0 ? '' : href.slice(q + 1)),
    href,
  };
}

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (to === snapshot()) return;
  if (opts.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.scrollTo(0, 0);
  for (const l of listeners) l();
}

/** Matches "/Patient/:id" style patterns; returns the decoded parameters or undefined. */
export function matchPath(pattern: string, pathname: string): Record<string, string> | undefined {
  const want = pattern.split('/').filter(Boolean);
  const have = pathname.split('/').filter(Boolean);
  if (want.length !== have.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(':')) {
      try {
        params[want[i].slice(1)] = decodeURIComponent(have[i]);
      } catch {
        return undefined;
      }
    } else if (want[i] !== have[i]) return undefined;
  }
  return params;
}

/** Builds "/path?k=v" leaving out empty values. */
export function withQuery(path: string, params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== '' && v !== 0) q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}
