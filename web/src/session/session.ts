import { useSyncExternalStore } from 'react';
import * as api from './auth-api';

/** The signed-in user, as the shell shows them. */
export interface SessionUser {
  name: string;
  username: string;
  /** The organization's name (its id until the name is known). */
  organization?: string;
  /** Access level and roles, in words: "Edit · Administrator". */
  role?: string;
  purposeOfUse: string;
  /** `PractitionerRole/<id>` the user acts as, when they have one. */
  practitionerRole?: string;
  /** Kith roles, for showing the screens the server would let them use. */
  roles: api.SignedInUser['roles'];
  /** The organization is a HIPAA covered entity (its staff may break the glass in an emergency). */
  coveredEntity: boolean;
  /** Emergency access in force: until when, and the reason stated. */
  breakGlass?: { until: string; reason: string };
}

export type SessionState =
  | { status: 'loading' }
  | { status: 'signed-out'; reason?: string }
  | { status: 'signed-in'; user: SessionUser };

interface Session {
  user: SessionUser;
  /** The purpose of use before break-glass, restored when the session renews. */
  normalPurpose?: string;
  token: string;
  /** Epoch ms when the access token stops working. */
  expiresAt: number;
}

const LEVELS: Record<api.SignedInUser['accessLevel'], string> = {
  'view-only': 'View only',
  exchange: 'Exchange',
  edit: 'Edit',
};
const ROLES: Record<api.SignedInUser['roles'][number], string> = {
  administrator: 'Administrator',
  'data-steward': 'Data steward',
};

/** Renew this long before the access token expires, so a request never leaves with a dying one. */
const EARLY_MS = 30_000;

let current: Session | undefined;
let state: SessionState = { status: 'loading' };
let refreshing: Promise<string | undefined> | undefined;
const listeners = new Set<() => void>();

function publish(next: SessionState): void {
  state = next;
  for (const l of listeners) l();
}

function toUser(u: api.SignedInUser): SessionUser {
  return {
    name: u.displayName,
    username: u.username,
    organization: u.organization?.id,
    role: [LEVELS[u.accessLevel] ?? u.accessLevel, ...u.roles.map((r) => ROLES[r] ?? r)].join(' · '),
    purposeOfUse: u.purposeOfUse,
    practitionerRole: u.practitionerRole,
    roles: u.roles,
    coveredEntity: !!u.organization?.hipaaCoveredEntity,
  };
}

function start(user: api.SignedInUser, token: api.IssuedToken): void {
  current = {
    user: toUser(user),
    token: token.access_token,
    expiresAt: Date.now() + token.expires_in * 1000,
  };
  publish({ status: 'signed-in', user: current.user });
  const orgId = user.organization?.id;
  if (orgId)
    void api.organizationName(token.access_token, orgId).then((name) => {
      if (!current || current.user.organization !== orgId) return;
      current = { ...current, user: { ...current.user, organization: name } };
      publish({ status: 'signed-in', user: current.user });
    });
}

function showBreakGlass(grant: { until: string; reason: string }): void {
  if (!current) return;
  current = { ...current, user: { ...current.user, breakGlass: grant } };
  publish({ status: 'signed-in', user: current.user });
}

function end(reason?: string): void {
  current = undefined;
  publish({ status: 'signed-out', reason });
}

/** Signs in with a username and password; throws `AuthRequestError` with the server's reason. */
export async function signIn(username: string, password: string, purposeOfUse?: string): Promise<void> {
  const result = await api.login(username, password, purposeOfUse);
  start(result.user, result);
}

/**
 * Break-glass: asks the server for emergency access with a stated reason (staff of a covered
 * entity). The server records the grant for this session: renewals carry it until its end.
 * Throws the server's refusal.
 */
export async function breakGlass(reason: string, minutes?: number): Promise<void> {
  const token = await accessToken();
  if (!token || !current) throw new api.AuthRequestError('Sign in first.', 401);
  const r = await api.breakGlass(token, reason, minutes);
  current = {
    normalPurpose: current.normalPurpose ?? current.user.purposeOfUse,
    token: r.access_token,
    expiresAt: Date.now() + r.expires_in * 1000,
    user: { ...current.user, purposeOfUse: 'ETREAT', breakGlass: r.breakGlass },
  };
  publish({ status: 'signed-in', user: current.user });
}

/** Ends emergency access now; the next token is a normal one. */
export async function endBreakGlass(): Promise<void> {
  const token = await accessToken();
  if (!token) return;
  await api.endBreakGlass(token);
  if (current) current = { ...current, expiresAt: 0 };
  await renewAccessToken();
}

export async function signOut(): Promise<void> {
  current = undefined;
  await api.logout();
  end();
}

/**
 * Renews the access token from the refresh cookie, once at a time (a refresh token works once:
 * two renewals racing with the same one would end the session). Undefined, and signed out, when
 * the session is over.
 */
export function renewAccessToken(): Promise<string | undefined> {
  refreshing ??= (async () => {
    try {
      const token = await api.refresh();
      if (!token) {
        end(current ? 'Your session has ended. Sign in again.' : undefined);
        return undefined;
      }
      if (current && token.breakGlass) {
        // The server keeps the session's break-glass grant until its own end: the renewal carries it.
        current = {
          normalPurpose: current.normalPurpose ?? current.user.purposeOfUse,
          user: { ...current.user, purposeOfUse: 'ETREAT', breakGlass: token.breakGlass },
          token: token.access_token,
          expiresAt: Date.now() + token.expires_in * 1000,
        };
        publish({ status: 'signed-in', user: current.user });
      } else if (current?.user.breakGlass) {
        // The grant has ended (its time, or ended early): the renewal is back to normal access.
        const { breakGlass: _ended, ...user } = current.user;
        current = {
          user: { ...user, purposeOfUse: current.normalPurpose ?? user.purposeOfUse },
          token: token.access_token,
          expiresAt: Date.now() + token.expires_in * 1000,
        };
        publish({ status: 'signed-in', user: current.user });
      } else if (current)
        current = { ...current, token: token.access_token, expiresAt: Date.now() + token.expires_in * 1000 };
      else {
        start(await api.whoAmI(token.access_token), token);
        // A reload during emergency access: the session's grant still holds.
        if (token.breakGlass) showBreakGlass(token.breakGlass);
      }
      return token.access_token;
    } catch {
      end(current ? 'Your session could not be renewed. Sign in again.' : undefined);
      return undefined;
    } finally {
      refreshing = undefined;
    }
  })();
  return refreshing;
}

/** On page load: resume the session the refresh cookie still holds, or show the sign-in screen. */
export function resumeSession(): Promise<string | undefined> {
  return renewAccessToken();
}

/** The bearer token for API calls (renewed first when close to expiry), or undefined when signed out. */
export async function accessToken(): Promise<string | undefined> {
  if (!current) return undefined;
  if (Date.now() > current.expiresAt - EARLY_MS) return renewAccessToken();
  return current.token;
}

function subscribe(l: () => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

export function useSession(): SessionState {
  return useSyncExternalStore(subscribe, () => state);
}

export function useSessionUser(): SessionUser | undefined {
  const s = useSession();
  return s.status === 'signed-in' ? s.user : undefined;
}
