// An OpenID Connect provider for tests, on its own origin: discovery, JWKS, a sign-in page, and a
// token endpoint that checks the client, the redirect URI and the PKCE verifier, and signs ID tokens
// (RS256, with the nonce it was given) with jose. `serve` is the small HTTP server under it.
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';

export type Handler = (
  req: http.IncomingMessage,
  url: URL,
  body: string,
) => Promise<{ status?: number; type?: string; body: string; location?: string }>;

/** A small HTTP server on 127.0.0.1 (its own origin) answering with `handler`. */
export async function serve(handler: Handler): Promise<{ origin: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      handler(req, url, body).then(
        (out) => {
          res.writeHead(out.status ?? (out.location ? 302 : 200), {
            'content-type': out.type ?? 'text/html; charset=utf-8',
            ...(out.location ? { location: out.location } : {}),
          });
          res.end(out.body);
        },
        (err) => res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err?.stack ?? err)),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export const html = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body>${body}</body></html>`;
export const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

export interface TestOidcProvider {
  issuer: string;
  /** What the token endpoint refused, newest last (for assertions). */
  refusals: string[];
  /** Authorization requests as the provider received them. */
  requests: URLSearchParams[];
  close(): Promise<void>;
}

interface Pending {
  account: string;
  nonce: string;
  challenge: string;
  redirectUri: string;
}

/**
 * The provider signs in whoever types an account name; the ID token's `sub` is `idp|<account>` and
 * its email `<account>@county.example.org`. The account `nonce-mismatch` gets an ID token with
 * another nonce (a replayed token), for testing that the relying party checks it.
 */
export async function startOidcProvider(client: {
  clientId: string;
  clientSecret?: string;
}): Promise<TestOidcProvider> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'test-idp-1', alg: 'RS256', use: 'sig' };
  const codes = new Map<string, Pending>();
  const refusals: string[] = [];
  const requests: URLSearchParams[] = [];
  let issuer = '';
  const json = (o: unknown, status = 200) => ({ status, type: 'application/json', body: JSON.stringify(o) });
  const refuse = (why: string) => {
    refusals.push(why);
    return json({ error: 'invalid_grant', error_description: why }, 400);
  };
  const server = await serve(async (req, url, body) => {
    if (url.pathname === '/.well-known/openid-configuration')
      return json({
        issuer,
        jwks_uri: `${issuer}/jwks`,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        response_types_supported: ['code'],
        code_challenge_methods_supported: ['S256'],
        id_token_signing_alg_values_supported: ['RS256'],
      });
    if (url.pathname === '/jwks') return json({ keys: [jwk] });
    if (url.pathname === '/authorize' && req.method === 'GET') {
      const q = url.searchParams;
      requests.push(q);
      if (q.get('client_id') !== client.clientId || q.get('response_type') !== 'code')
        return { status: 400, body: html('Error', '<p>Unknown client or response type</p>') };
      if (q.get('code_challenge_method') !== 'S256' || !q.get('code_challenge') || !q.get('nonce'))
        return { status: 400, body: html('Error', '<p>PKCE S256 and a nonce are required</p>') };
      const hidden = ['redirect_uri', 'state', 'nonce', 'code_challenge']
        .map((k) => `<input type="hidden" name="${k}" value="${escapeHtml(q.get(k) ?? '')}">`)
        .join('');
      return {
        body: html(
          'County sign-in',
          `<h1>County identity provider</h1><form method="post" action="/authorize">${hidden}
           <label>County account <input name="account"></label><button type="submit">Continue</button></form>`,
        ),
      };
    }
    if (url.pathname === '/authorize' && req.method === 'POST') {
      const form = new URLSearchParams(body);
      const code = randomBytes(16).toString('hex');
      codes.set(code, {
        account: form.get('account') ?? '',
        nonce: form.get('nonce') ?? '',
        challenge: form.get('code_challenge') ?? '',
        redirectUri: form.get('redirect_uri') ?? '',
      });
      const back = new URL(form.get('redirect_uri')!);
      back.searchParams.set('code', code);
      back.searchParams.set('state', form.get('state') ?? '');
      return { body: '', location: back.toString() };
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      const form = new URLSearchParams(body);
      const basic = /^Basic (.+)$/.exec(String(req.headers.authorization ?? ''));
      const [id, secret] = basic
        ? Buffer.from(basic[1], 'base64').toString().split(':').map(decodeURIComponent)
        : [form.get('client_id'), undefined];
      if (id !== client.clientId || (client.clientSecret && secret !== client.clientSecret))
        return refuse('client authentication failed');
      const pending = codes.get(form.get('code') ?? '');
      codes.delete(form.get('code') ?? '');
      if (!pending) return refuse('unknown or used code');
      if (form.get('redirect_uri') !== pending.redirectUri) return refuse('redirect_uri differs');
      const verifier = form.get('code_verifier') ?? '';
      if (createHash('sha256').update(verifier).digest('base64url') !== pending.challenge)
        return refuse('PKCE verifier does not match');
      const nonce = pending.account === 'nonce-mismatch' ? 'another-sign-in' : pending.nonce;
      const idToken = await new SignJWT({
        email: `${pending.account}@county.example.org`,
        email_verified: true,
        nonce,
      })
        .setProtectedHeader({ alg: 'RS256', kid: 'test-idp-1' })
        .setIssuer(issuer)
        .setAudience(client.clientId)
        .setSubject(`idp|${pending.account}`)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(privateKey);
      return json({ id_token: idToken, access_token: idToken, token_type: 'Bearer', expires_in: 300 });
    }
    return { status: 404, body: 'not found' };
  });
  issuer = server.origin;
  return { issuer, refusals, requests, close: () => server.close() };
}
