import { useSyncExternalStore } from 'react';

/**
 * The organization the user works for in the referral screens: the receiving side's inbox, the
 * sender's list, the requester of a new referral. Until sign-in names it, the user picks it; the
 * choice is kept in this browser.
 */
export interface ActingOrganization {
  /** `Organization/<id>` */
  reference: string;
  name: string;
}

const KEY = 'kith.actingOrganization';
const listeners = new Set<() => void>();
let cachedRaw: string | null | undefined;
let cached: ActingOrganization | undefined;

function read(): ActingOrganization | undefined {
  const raw = window.localStorage.getItem(KEY);
  if (raw === cachedRaw) return cached;
  cachedRaw = raw;
  try {
    const v = raw ? (JSON.parse(raw) as ActingOrganization) : undefined;
    cached = v && /^Organization\/[^/]+$/.test(v.reference) ? v : undefined;
  } catch {
    cached = undefined;
  }
  return cached;
}

export function setActingOrganization(org: ActingOrganization | undefined): void {
  if (org) window.localStorage.setItem(KEY, JSON.stringify(org));
  else window.localStorage.removeItem(KEY);
  for (const l of listeners) l();
}

export function useActingOrganization(): ActingOrganization | undefined {
  return useSyncExternalStore((l) => {
    listeners.add(l);
    return () => listeners.delete(l);
  }, read);
}
