import type { OperationOutcome } from '@medplum/fhirtypes';

/**
 * The server's sign-in endpoints (src/privacy/auth/routes.ts). The refresh token travels in an
 * HttpOnly cookie scoped to /auth, so the page's scripts never hold it; only the short-lived
 * access token is kept, in memory.
 */

/** Who signed in, as /auth/login answers it. */
export interface SignedInUser {
  id: string;
  username: string;
  displayName: string;
  practitionerRole?: string;
  organization?: { id: string; kind: string; hipaaCoveredEntity: boolean; part2Program: boolean };
  accessLevel: 'view-only' | 'exchange' | 'edit';
  roles: ('administrator' | 'data-steward')[];
  purposeOfUse: string;
}

export interface IssuedToken {
  access_token: string;
  expires_in: number;
  /** A renewal of a session whose break-glass grant still holds (the server keeps it until its end). */
  breakGlass?: { until: string; reason: string };
}

/** The caller an access token speaks for (GET /auth/me). */
interface Caller {
  subject: string;
  displayName?: string;
  practitionerRole?: string;
  organization?: SignedInUser['organization'];
  accessLevel: SignedInUser['accessLevel'];
  roles: SignedInUser['roles'];
  purposeOfUse: string;
}

/** A refused sign-in or session request, with the server's own words. */
export class AuthRequestError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'AuthRequestError';
  }
}

async function post(url: string, body: unknown): Promise<Response> {
  try {
    return await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch {
    throw new AuthRequestError('Could not reach the Kith server. Check your connection and try again.', 0);
  }
}

async function failure(res: Response): Promise<AuthRequestError> {
  let text = '';
  try {
    const outcome = (await res.json()) as OperationOutcome;
    text = (outcome.issue ?? []).map((i) => i.diagnostics ?? i.details?.text ?? '').join(' ');
  } catch {
    // not JSON: fall back to the status
  }
  return new AuthRequestError(text.trim() || `The server answered ${res.status}.`, res.status);
}

export async function login(
  username: string,
  password: string,
  purposeOfUse?: string,
): Promise<IssuedToken & { user: SignedInUser }> {
  const res = await post('/auth/login', { username, password, ...(purposeOfUse ? { purposeOfUse } : {}) });
  if (!res.ok) throw await failure(res);
  return res.json();
}

/** Renews the session from the refresh cookie; undefined when there is no valid session. */
export async function refresh(): Promise<IssuedToken | undefined> {
  const res = await post('/auth/refresh', {});
  if (res.status === 401 || res.status === 400) return undefined;
  if (!res.ok) throw await failure(res);
  return res.json();
}

/** Ends this session's break-glass grant before its time. */
export async function endBreakGlass(token: string): Promise<void> {
  let res: Response;
  try {
    res = await fetch('/auth/break-glass/end', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
    });
  } catch {
    throw new AuthRequestError('Could not reach the Kith server. Check your connection and try again.', 0);
  }
  if (!res.ok) throw await failure(res);
}

export async function logout(): Promise<void> {
  await post('/auth/logout', {}).catch(() => undefined);
}

/** The signed-in user behind an access token (after a page reload, when only the cookie is left). */
export async function whoAmI(token: string): Promise<SignedInUser> {
  const res = await fetch('/auth/me', {
    headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
  });
  if (!res.ok) throw await failure(res);
  const c = (await res.json()) as Caller;
  return {
    id: c.subject,
    username: c.subject,
    displayName: c.displayName ?? c.subject,
    practitionerRole: c.practitionerRole,
    organization: c.organization,
    accessLevel: c.accessLevel,
    roles: c.roles,
    purposeOfUse: c.purposeOfUse,
  };
}

/** The organization's name for the header; its id when it cannot be read. */
export async function organizationName(token: string, id: string): Promise<string> {
  try {
    const res = await fetch(`/fhir/Organization/${encodeURIComponent(id)}`, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/fhir+json' },
    });
    if (!res.ok) return id;
    const org = (await res.json()) as { name?: string };
    return org.name ?? id;
  } catch {
    return id;
  }
}

/** The purposes of use a sign-in may ask for (the server still checks them against the user's organization). */
export async function purposes(): Promise<{ code: string; name: string }[]> {
  try {
    const res = await fetch('/auth/purposes', { headers: { accept: 'application/json' } });
    return res.ok ? await res.json() : [];
  } catch {
    return [];
  }
}

/** The identity provider the sign-in page offers ("Sign in with <name>"), if Kith has a client there. */
export async function identityProvider(): Promise<{ name: string } | undefined> {
  try {
    const res = await fetch('/auth/oidc', { headers: { accept: 'application/json' } });
    if (!res.ok) return undefined;
    const body = (await res.json()) as { name?: string | null };
    return body.name ? { name: body.name } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Where the browser goes to sign in through the identity provider: the server runs the
 * authorization code flow with PKCE and comes back to `returnTo` with the session cookie set.
 */
export function identityProviderStartUrl(returnTo: string, purposeOfUse?: string): string {
  const q = new URLSearchParams({ return: returnTo });
  if (purposeOfUse) q.set('purposeOfUse', purposeOfUse);
  return `/auth/oidc/start?${q.toString()}`;
}

/** The reason a sign-in through the identity provider failed, which the server puts in the URL. */
export const SIGN_IN_ERROR_PARAM = 'sign_in_error';

/** Break-glass: an access token for emergency treatment, with the stated reason, for a limited time. */
export async function breakGlass(
  token: string,
  reason: string,
  minutes?: number,
): Promise<IssuedToken & { breakGlass: { until: string; reason: string } }> {
  let res: Response;
  try {
    // The refresh cookie goes along: the server ties the grant to this session, so renewals keep it.
    res = await fetch('/auth/break-glass', {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        accept: 'application/json',
      },
      body: JSON.stringify({ reason, ...(minutes ? { minutes } : {}) }),
    });
  } catch {
    throw new AuthRequestError('Could not reach the Kith server. Check your connection and try again.', 0);
  }
  if (!res.ok) throw await failure(res);
  return res.json();
}
