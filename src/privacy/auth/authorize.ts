import type { FastifyReply, FastifyRequest } from 'fastify';
import { FhirError } from '../../fhir/errors';
import type { Scope } from '../caller';
import { findClient, type ClientRecord } from './clients';
import { isPkceValue, issueCode } from './codes';
import { callerForUser, clientScopeCeiling, userScopeCeiling } from './principals';
import { formatScope, formatScopes, narrowScopes, nonResourceScopes, parseScopes } from './scopes';
import type { AuthService } from './service';
import { purposeName, purposeProblem, selectablePurposes } from '../policy/purposes';

/** A checked authorization request (RFC 6749 §4.1.1 + PKCE + SMART's aud). */
interface AuthorizeRequest {
  client: ClientRecord;
  redirectUri: string;
  state?: string;
  nonce?: string;
  aud?: string;
  codeChallenge: string;
  /** What the app asked for and may have: resource scopes and the non-resource ones. */
  scopes: Scope[];
  extra: string[];
}

type Checked =
  | { ok: true; request: AuthorizeRequest }
  /** The redirect URI cannot be trusted: show the error, never redirect. */
  | { ok: false; page: string }
  | { ok: false; redirect: string };

const one = (q: Record<string, unknown>, name: string): string | undefined => {
  const v = q[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
};

function redirectWith(uri: string, params: Record<string, string | undefined>): string {
  const url = new URL(uri);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return url.toString();
}

async function check(auth: AuthService, q: Record<string, unknown>): Promise<Checked> {
  const clientId = one(q, 'client_id');
  const client = clientId ? await findClient(auth.db, clientId) : undefined;
  if (!client || client.disabled) return { ok: false, page: 'Unknown application (client_id).' };
  let redirectUri = one(q, 'redirect_uri');
  if (!redirectUri && client.redirectUris.length === 1) redirectUri = client.redirectUris[0];
  if (!redirectUri || !client.redirectUris.includes(redirectUri))
    return { ok: false, page: 'The redirect_uri is not registered for this application.' };
  const state = one(q, 'state');
  const fail = (error: string, description: string): Checked => ({
    ok: false,
    redirect: redirectWith(redirectUri, { error, error_description: description, state }),
  });
  if (state && state.length > 2048) return fail('invalid_request', 'state is too long');
  if (one(q, 'response_type') !== 'code')
    return fail('unsupported_response_type', 'response_type must be code');
  if (!client.grantTypes.includes('authorization_code'))
    return fail('unauthorized_client', 'This application may not use the authorization code grant');
  const challenge = one(q, 'code_challenge');
  if (one(q, 'code_challenge_method') !== 'S256' || !isPkceValue(challenge) || challenge.length !== 43)
    return fail('invalid_request', 'PKCE is required: code_challenge with code_challenge_method=S256');
  const aud = one(q, 'aud')?.replace(/\/+$/, '');
  if (aud && !auth.config.audience.includes(aud))
    return fail('invalid_request', 'aud does not name this FHIR server');
  const asked = one(q, 'scope') ?? '';
  const scopes = narrowScopes(parseScopes(asked), clientScopeCeiling(client));
  const extra = nonResourceScopes(asked).filter((s) => client.scope.split(' ').includes(s));
  if (!scopes.length)
    return fail('invalid_scope', 'None of the requested scopes can be granted to this application');
  const nonce = one(q, 'nonce');
  return {
    ok: true,
    request: { client, redirectUri, state, nonce, aud, codeChallenge: challenge, scopes, extra },
  };
}

const escape = (s: string): string =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

const OP_WORDS: Record<string, string> = { c: 'create', r: 'read', u: 'update', d: 'delete', s: 'search' };

function describe(scope: Scope): string {
  const what = scope.type === '*' ? 'all record types' : scope.type;
  const whose =
    scope.context === 'patient'
      ? 'for one person you choose'
      : scope.context === 'user'
        ? 'that you may see'
        : '';
  return `${[...scope.ops].map((o) => OP_WORDS[o]).join(', ')} ${what} ${whose}`.trim();
}

function purposeOptions(chosen: unknown): string {
  const options = selectablePurposes().map(
    (code) =>
      `<option value="${escape(code)}"${chosen === code ? ' selected' : ''}>${escape(purposeName(code))}</option>`,
  );
  return `<option value="">My usual purpose</option>${options.join('')}`;
}

function page(req: AuthorizeRequest, form: Record<string, unknown>, error?: string): string {
  const hidden = [
    'client_id',
    'redirect_uri',
    'response_type',
    'state',
    'aud',
    'code_challenge',
    // Without it the posted form fails the PKCE check: every browser approval was refused.
    'code_challenge_method',
    'nonce',
    'scope',
  ]
    .map((n) =>
      typeof form[n] === 'string' ? `<input type="hidden" name="${n}" value="${escape(form[n])}">` : '',
    )
    .join('');
  const needsPatient =
    req.scopes.some((s) => s.context === 'patient') || req.extra.includes('launch/patient');
  const items = req.scopes
    .map(
      (s) =>
        `<li><label><input type="checkbox" name="grant" value="${escape(formatScope(s))}" checked> ${escape(describe(s))} <code>${escape(formatScope(s))}</code></label></li>`,
    )
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in to Kith</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:16px system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem}label{display:block;margin:.4rem 0}
input[type=text],input[type=password]{width:100%;padding:.4rem;box-sizing:border-box}.error{color:#a00}button{margin:.8rem .4rem 0 0;padding:.4rem 1rem}</style>
</head><body><h1>Sign in to Kith</h1>
<p><strong>${escape(req.client.name)}</strong> asks to:</p>
${error ? `<p class="error" role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/oauth2/authorize">${hidden}
<ul>${items}</ul>
<label>Purpose of use<select name="purpose_of_use">${purposeOptions(form.purpose_of_use)}</select></label>
${needsPatient ? '<label>Person (Patient id) to share<input type="text" name="patient" required pattern="[A-Za-z0-9.\\-]{1,64}"></label>' : ''}
<label>Username<input type="text" name="username" autocomplete="username" required></label>
<label>Password<input type="password" name="password" autocomplete="current-password" required></label>
<button type="submit" name="decision" value="approve">Sign in and allow</button>
<button type="submit" name="decision" value="deny" formnovalidate>Deny</button>
</form></body></html>`;
}

function sendPage(reply: FastifyReply, status: number, html: string, redirectUri?: string): FastifyReply {
  // The form posts here and is then redirected to the app: browsers check that hop against form-action.
  const formAction = redirectUri ? `'self' ${new URL(redirectUri).origin}` : "'self'";
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header(
      'content-security-policy',
      `default-src 'none'; style-src 'unsafe-inline'; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`,
    )
    .send(html);
}

const errorPage = (message: string): string =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Kith sign-in</title></head><body><h1>This sign-in request cannot be completed</h1><p>${escape(message)}</p></body></html>`;

/** GET /oauth2/authorize: the sign-in and consent page. */
export async function authorizePage(
  auth: AuthService,
  req: FastifyRequest,
  reply: FastifyReply,
): Promise<unknown> {
  const q = (req.query ?? {}) as Record<string, unknown>;
  const checked = await check(auth, q);
  if (!checked.ok)
    return 'page' in checked
      ? sendPage(reply, 400, errorPage(checked.page))
      : reply.redirect(checked.redirect, 302);
  return sendPage(reply, 200, page(checked.request, q), checked.request.redirectUri);
}

/** POST /oauth2/authorize: checks the password, records the consent, redirects with a code. */
export async function authorizeSubmit(
  auth: AuthService,
  req: FastifyRequest,
  reply: FastifyReply,
): Promise<unknown> {
  const form = (req.body ?? {}) as Record<string, unknown>;
  const checked = await check(auth, form);
  if (!checked.ok)
    return 'page' in checked
      ? sendPage(reply, 400, errorPage(checked.page))
      : reply.redirect(checked.redirect, 302);
  const r = checked.request;
  if (form.decision !== 'approve')
    return reply.redirect(redirectWith(r.redirectUri, { error: 'access_denied', state: r.state }), 302);

  const ctx = { ip: req.ip, userAgent: req.headers['user-agent'] };
  let user;
  try {
    user = await auth.checkPassword(String(form.username ?? ''), String(form.password ?? ''), ctx);
  } catch (err) {
    if (err instanceof FhirError)
      return sendPage(reply, err.status, page(r, form, err.message), r.redirectUri);
    throw err;
  }
  // A refusal after the password was right is audited as a failed sign-in, naming the app.
  const signInRefused = (reason: string) =>
    auth.emit({
      type: 'login-failed',
      outcome: 'failure',
      ...ctx,
      username: user.username,
      userId: user.id,
      clientId: r.client.clientId,
      reason,
    });
  const purposeOfUse =
    typeof form.purpose_of_use === 'string' && form.purpose_of_use !== '' ? form.purpose_of_use : undefined;
  if (purposeOfUse) {
    const problem = purposeProblem(user, purposeOfUse);
    if (problem) {
      await signInRefused('purpose-not-allowed');
      return sendPage(reply, 403, page(r, form, problem), r.redirectUri);
    }
  }
  const ticked = ([] as unknown[]).concat(form.grant ?? []).filter((g): g is string => typeof g === 'string');
  const chosen = narrowScopes(parseScopes(ticked.join(' ')), r.scopes);
  const scopes = narrowScopes(chosen, userScopeCeiling(user));
  if (!scopes.length)
    return sendPage(
      reply,
      403,
      page(r, form, 'Your account cannot grant any of the requested access.'),
      r.redirectUri,
    );
  let patient: string | undefined;
  if (scopes.some((s) => s.context === 'patient') || r.extra.includes('launch/patient')) {
    const id = typeof form.patient === 'string' ? form.patient.trim() : '';
    if (!/^[A-Za-z0-9.-]{1,64}$/.test(id))
      return sendPage(reply, 400, page(r, form, 'Choose the person (Patient id) to share.'), r.redirectUri);
    // The user may bind the app only to a person they may see themselves (as they would read it now).
    const asUser = callerForUser(user, {
      scopes: userScopeCeiling(user),
      clientId: r.client.clientId,
      purposeOfUse,
    });
    if (!(await auth.patientVisible(asUser, id))) {
      await signInRefused('patient-not-visible');
      return sendPage(
        reply,
        403,
        page(
          r,
          form,
          `You cannot share Patient/${id}: it is not a record you may see (or there is no such record). Choose a person whose records you may open.`,
        ),
        r.redirectUri,
      );
    }
    patient = `Patient/${id}`;
  }
  const code = await issueCode(
    auth.db,
    {
      clientId: r.client.clientId,
      userId: user.id,
      redirectUri: r.redirectUri,
      codeChallenge: r.codeChallenge,
      scope: formatScopes(scopes, r.extra),
      patient,
      nonce: r.nonce,
      purposeOfUse,
    },
    auth.config.authCodeTtl,
  );
  await auth.emit({
    type: 'login',
    outcome: 'success',
    ...ctx,
    username: user.username,
    userId: user.id,
    clientId: r.client.clientId,
    caller: callerForUser(user, { scopes, patient, clientId: r.client.clientId, purposeOfUse }),
  });
  return reply.redirect(redirectWith(r.redirectUri, { code, state: r.state }), 302);
}
