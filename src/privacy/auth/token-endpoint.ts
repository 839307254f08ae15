import { randomUUID } from 'node:crypto';
import type { Caller } from '../caller';
import { JWT_BEARER_ASSERTION, verifyClientAssertion } from './assertion';
import { findClient, verifyClientSecret, type ClientRecord, type GrantType } from './clients';
import { redeemCode } from './codes';
import { OAuthError } from './errors';
import { callerForClient, callerForUser, clientScopeCeiling, userScopeCeiling } from './principals';
import { issueRefreshToken, rotateRefreshToken } from './refresh-tokens';
import { narrowScopes, nonResourceScopes, parseScopes } from './scopes';
import type { AuthService, RequestContext, TokenResponse } from './service';
import { purposeProblem } from '../policy/purposes';
import { findUserById, type UserRecord } from './users';

export interface TokenRequestContext extends RequestContext {
  /** The request's Authorization header (client_secret_basic). */
  authorization?: string;
  /** URLs by which clients may name the token endpoint in an assertion's `aud`. */
  tokenUrls: string[];
}

type Params = Record<string, unknown>;

const param = (p: Params, name: string): string | undefined => {
  const v = p[name];
  if (Array.isArray(v)) throw new OAuthError('invalid_request', `'${name}' is given more than once`);
  return typeof v === 'string' && v !== '' ? v : undefined;
};

function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m) return undefined;
  const text = Buffer.from(m[1], 'base64').toString('utf8');
  const i = text.indexOf(':');
  if (i < 0) throw new OAuthError('invalid_client', 'Malformed Basic credentials');
  try {
    // RFC 6749 §2.3.1: both parts are form-urlencoded before encoding.
    return {
      id: decodeURIComponent(text.slice(0, i).replace(/\+/g, ' ')),
      secret: decodeURIComponent(text.slice(i + 1).replace(/\+/g, ' ')),
    };
  } catch {
    throw new OAuthError('invalid_client', 'Malformed Basic credentials');
  }
}

/** Who is calling the token endpoint: by secret (basic or post), signed assertion, or client_id alone (public). */
export async function authenticateClient(
  auth: AuthService,
  p: Params,
  ctx: TokenRequestContext,
): Promise<ClientRecord> {
  const basic = basicCredentials(ctx.authorization);
  const assertionType = param(p, 'client_assertion_type');
  const postSecret = param(p, 'client_secret');
  const clientId = param(p, 'client_id');
  const methods = [basic, assertionType, postSecret].filter((x) => x !== undefined).length;
  if (methods > 1) throw new OAuthError('invalid_request', 'Use one client authentication method');

  if (assertionType !== undefined) {
    if (assertionType !== JWT_BEARER_ASSERTION)
      throw new OAuthError('invalid_client', `client_assertion_type must be ${JWT_BEARER_ASSERTION}`);
    return verifyClientAssertion(auth.db, param(p, 'client_assertion'), {
      tokenUrls: ctx.tokenUrls,
      clientId,
    });
  }
  const id = basic?.id ?? clientId;
  if (!id) throw new OAuthError('invalid_client', 'Client authentication is required');
  if (basic && clientId && clientId !== basic.id)
    throw new OAuthError('invalid_client', 'client_id does not match the credentials');
  const client = await findClient(auth.db, id);
  const secret = basic?.secret ?? postSecret;
  if (secret !== undefined) {
    const ok = await verifyClientSecret(auth.db, id, secret);
    const usesSecret =
      client?.authMethod === 'client_secret_basic' || client?.authMethod === 'client_secret_post';
    if (!client || !ok || !usesSecret || client.disabled)
      throw new OAuthError('invalid_client', 'Unknown client or wrong secret');
    return client;
  }
  if (!client || client.disabled || client.authMethod !== 'none')
    throw new OAuthError('invalid_client', 'Client authentication is required');
  return client;
}

function requireGrant(client: ClientRecord, grant: GrantType): void {
  if (!client.grantTypes.includes(grant))
    throw new OAuthError('unauthorized_client', `This client may not use the ${grant} grant`);
}

/** The token request's `purpose_of_use` (an HL7 PurposeOfUse code), if any. */
function askedPurpose(p: Params): string | undefined {
  const v = param(p, 'purpose_of_use');
  if (v !== undefined && !/^[A-Z][A-Z0-9]{1,19}$/.test(v))
    throw new OAuthError(
      'invalid_request',
      'purpose_of_use must be an HL7 PurposeOfUse code such as TREAT or COC',
    );
  return v;
}

/** A grant's purpose of use against what the token request asks: it may repeat it, never change it. */
function samePurpose(granted: string | undefined, asked: string | undefined, where: string): void {
  if (asked !== undefined && granted !== undefined && asked !== granted)
    throw new OAuthError(
      'invalid_grant',
      `purpose_of_use ${asked} differs from the purpose ${granted} chosen ${where}`,
    );
}

const bareId = (patient: string | undefined): string | undefined => patient?.replace(/^Patient\//, '');

/** The token endpoint: client_credentials, authorization_code (PKCE) and refresh_token grants. */
export async function handleTokenRequest(
  auth: AuthService,
  p: Params,
  ctx: TokenRequestContext,
): Promise<TokenResponse> {
  const grantType = param(p, 'grant_type');
  let client: ClientRecord | undefined;
  try {
    if (!grantType) throw new OAuthError('invalid_request', 'grant_type is required');
    if (!['client_credentials', 'authorization_code', 'refresh_token'].includes(grantType))
      throw new OAuthError('unsupported_grant_type', `grant_type '${grantType}' is not supported`);
    client = await authenticateClient(auth, p, ctx);
    const result =
      grantType === 'client_credentials'
        ? await clientCredentials(auth, client, p)
        : grantType === 'authorization_code'
          ? await authorizationCode(auth, client, p)
          : await refreshGrant(auth, client, p);
    await auth.emit({
      type: 'token',
      outcome: 'success',
      ip: ctx.ip,
      userAgent: ctx.userAgent,
      clientId: client.clientId,
      grantType,
      userId: result.caller.kind === 'user' ? result.caller.subject : undefined,
      caller: result.caller,
    });
    return result.response;
  } catch (err) {
    if (err instanceof OAuthError)
      await auth.emit({
        type: 'token-failed',
        outcome: 'failure',
        ip: ctx.ip,
        userAgent: ctx.userAgent,
        clientId: client?.clientId ?? param(p, 'client_id'),
        grantType,
        reason: err.error,
      });
    throw err;
  }
}

interface Issued {
  response: TokenResponse;
  caller: Caller;
}

async function clientCredentials(auth: AuthService, client: ClientRecord, p: Params): Promise<Issued> {
  requireGrant(client, 'client_credentials');
  const ceiling = clientScopeCeiling(client).filter((s) => s.context === 'system');
  const asked = param(p, 'scope');
  const scopes = asked === undefined ? ceiling : narrowScopes(parseScopes(asked), ceiling);
  if (!scopes.length) throw new OAuthError('invalid_scope', 'None of the requested scopes can be granted');
  const caller = callerForClient(client, scopes);
  const purpose = askedPurpose(p);
  if (purpose !== undefined) {
    const problem = purposeProblem(client, purpose);
    if (problem) throw new OAuthError('invalid_request', problem.replace(/sign in/, 'ask for tokens'));
    caller.purposeOfUse = purpose;
  }
  const access = await auth.tokens.issue(caller);
  return {
    caller,
    response: {
      access_token: access.token,
      token_type: 'Bearer',
      expires_in: access.expiresIn,
      scope: access.scope,
    },
  };
}

async function userTokens(
  auth: AuthService,
  client: ClientRecord,
  user: UserRecord,
  grant: { scope: string; patient?: string; nonce?: string; purposeOfUse?: string; familyId: string },
  refresh: string | undefined,
): Promise<Issued> {
  const scopes = narrowScopes(
    narrowScopes(parseScopes(grant.scope), clientScopeCeiling(client)),
    userScopeCeiling(user),
  );
  const extra = nonResourceScopes(grant.scope);
  if (!scopes.length && !extra.length)
    throw new OAuthError('invalid_scope', 'No scope remains to be granted');
  if (grant.purposeOfUse) {
    // A purpose chosen earlier may no longer be allowed (the policy or the account changed).
    const problem = purposeProblem(user, grant.purposeOfUse);
    if (problem) throw new OAuthError('invalid_grant', problem);
  }
  const caller = callerForUser(user, {
    scopes,
    patient: grant.patient,
    clientId: client.clientId,
    purposeOfUse: grant.purposeOfUse,
  });
  const access = await auth.tokens.issue(caller, { nonResourceScopes: extra });
  const response: TokenResponse = {
    access_token: access.token,
    token_type: 'Bearer',
    expires_in: access.expiresIn,
    scope: access.scope,
  };
  if (grant.patient) response.patient = bareId(grant.patient);
  const offline = extra.includes('offline_access');
  if (refresh) response.refresh_token = refresh;
  else if (offline || extra.includes('online_access'))
    response.refresh_token = await issueRefreshToken(auth.db, {
      userId: user.id,
      clientId: client.clientId,
      scope: access.scope,
      patient: grant.patient,
      purposeOfUse: grant.purposeOfUse,
      familyId: grant.familyId,
      ttl: offline ? auth.config.offlineRefreshTokenTtl : auth.config.refreshTokenTtl,
    });
  const idToken = await auth.idToken(user, client.clientId, grant.scope, grant.nonce);
  if (idToken) response.id_token = idToken;
  return { caller, response };
}

async function authorizationCode(auth: AuthService, client: ClientRecord, p: Params): Promise<Issued> {
  requireGrant(client, 'authorization_code');
  const code = param(p, 'code');
  if (!code) throw new OAuthError('invalid_request', 'code is required');
  const redeemed = await redeemCode(
    auth.db,
    code,
    {
      clientId: client.clientId,
      redirectUri: param(p, 'redirect_uri'),
      codeVerifier: param(p, 'code_verifier'),
    },
    randomUUID(),
  );
  const user = await findUserById(auth.db, redeemed.userId);
  if (!user || user.disabled) throw new OAuthError('invalid_grant', 'The account is disabled');
  const asked = askedPurpose(p);
  samePurpose(redeemed.purposeOfUse, asked, 'at sign-in');
  return userTokens(
    auth,
    client,
    user,
    { ...redeemed, purposeOfUse: redeemed.purposeOfUse ?? asked },
    undefined,
  );
}

async function refreshGrant(auth: AuthService, client: ClientRecord, p: Params): Promise<Issued> {
  const token = param(p, 'refresh_token');
  if (!token) throw new OAuthError('invalid_request', 'refresh_token is required');
  const rotated = await rotateRefreshToken(auth.db, token, client.clientId, (g) =>
    nonResourceScopes(g.scope).includes('offline_access')
      ? auth.config.offlineRefreshTokenTtl
      : auth.config.refreshTokenTtl,
  );
  if (!rotated.ok) throw rotated.error;
  const user = rotated.grant.userId ? await findUserById(auth.db, rotated.grant.userId) : undefined;
  if (!user || user.disabled) throw new OAuthError('invalid_grant', 'The account is disabled');
  samePurpose(rotated.grant.purposeOfUse ?? user.purposeOfUse, askedPurpose(p), 'for this session');
  // A refresh may ask for less than was granted, never more.
  let scope = rotated.grant.scope;
  const asked = param(p, 'scope');
  if (asked !== undefined) {
    const granted = parseScopes(scope);
    const narrowed = narrowScopes(parseScopes(asked), granted);
    const extra = nonResourceScopes(asked).filter((s) => nonResourceScopes(scope).includes(s));
    scope = [...extra, ...narrowed.map((s) => `${s.context}/${s.type}.${s.ops}`)].join(' ');
  }
  return userTokens(auth, client, user, { ...rotated.grant, scope }, rotated.token);
}
