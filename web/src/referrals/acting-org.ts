import type { Organization } from '@medplum/fhirtypes';
import { useEffect, useSyncExternalStore } from 'react';
import { kithFhir } from '../fhir/kith';
import { useSessionUser } from '../session/session';
import {
  readStoredChoice,
  resolveActing,
  type ActingChoices,
  type ActingOrganization,
} from './acting-choice';
import { kithRoot } from './api';

export type { ActingChoices, ActingOrganization } from './acting-choice';

/**
 * The organization the user works for in the referral screens: the receiving side's inbox, the
 * sender's list, the requester of a new referral. It is the signed-in user's organization; a
 * person with roles in several organizations picks among those, an administrator among all. The
 * pick is kept in this browser, per user.
 */
interface Loaded {
  username: string;
  choices?: ActingChoices;
  error?: unknown;
}

let loaded: Loaded | undefined;
let loading: string | undefined;
let version = 0;
const listeners = new Set<() => void>();
const changed = () => {
  version++;
  for (const l of listeners) l();
};
const subscribe = (l: () => void) => {
  listeners.add(l);
  return () => listeners.delete(l);
};

const storageKey = (username: string) => `kith.actingOrganization.${username}`;

async function loadChoices(username: string): Promise<void> {
  if (loading === username || loaded?.username === username) return;
  loading = username;
  try {
    const answer = await kithRoot.request<{ any: boolean; organizations: string[] }>('notify/acting-for');
    const names = new Map<string, string>();
    if (answer.organizations.length) {
      const found = await kithFhir.search<Organization>('Organization', {
        _id: answer.organizations.join(','),
        _count: answer.organizations.length,
      });
      for (const e of found.entry ?? []) if (e.resource?.id) names.set(e.resource.id, e.resource.name ?? '');
    }
    const organizations = answer.organizations.map((id) => ({
      reference: `Organization/${id}`,
      name: names.get(id) || id,
    }));
    if (loading === username) loaded = { username, choices: { any: answer.any, organizations } };
  } catch (error) {
    if (loading === username) loaded = { username, error };
  } finally {
    if (loading === username) loading = undefined;
    changed();
  }
}

/** What the signed-in user may act for (undefined while it loads), and a load error if any. */
export function useActingChoices(): { choices?: ActingChoices; error?: unknown } {
  const user = useSessionUser();
  useSyncExternalStore(subscribe, () => version);
  const username = user?.username;
  useEffect(() => {
    if (username) void loadChoices(username);
  }, [username]);
  if (!username || loaded?.username !== username) return {};
  return { choices: loaded.choices, error: loaded.error };
}

export function useActingOrganization(): ActingOrganization | undefined {
  const user = useSessionUser();
  const { choices } = useActingChoices();
  if (!user) return undefined;
  return resolveActing(choices, readStoredChoice(window.localStorage.getItem(storageKey(user.username))));
}

/** Keeps the user's pick (the screens still only offer what `useActingChoices` allows). */
export function setActingOrganization(username: string, org: ActingOrganization | undefined): void {
  if (org) window.localStorage.setItem(storageKey(username), JSON.stringify(org));
  else window.localStorage.removeItem(storageKey(username));
  changed();
}
