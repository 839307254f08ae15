import { useSyncExternalStore } from 'react';

/** The signed-in user, as the shell shows them. Sign-in itself arrives with the privacy capability. */
export interface SessionUser {
  name: string;
  organization?: string;
  role?: string;
}

interface Session {
  user: SessionUser;
  token: string;
}

let current: Session | undefined;
const listeners = new Set<() => void>();

export function setSession(next: Session | undefined): void {
  current = next;
  for (const l of listeners) l();
}

/** The bearer token for API calls, or undefined while nobody is signed in. */
export function accessToken(): string | undefined {
  return current?.token;
}

export function useSessionUser(): SessionUser | undefined {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => current?.user,
  );
}
