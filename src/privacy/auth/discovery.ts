import { ASSERTION_ALGORITHMS } from './assertion';
import type { AuthConfig } from './config';

/** SMART App Launch v2 discovery (`/.well-known/smart-configuration`), from Kith's settings. */
export function smartConfiguration(config: AuthConfig): Record<string, unknown> {
  const base = config.issuer;
  return {
    issuer: base,
    jwks_uri: `${base}/.well-known/jwks.json`,
    authorization_endpoint: `${base}/oauth2/authorize`,
    token_endpoint: `${base}/oauth2/token`,
    revocation_endpoint: `${base}/oauth2/revoke`,
    grant_types_supported: ['authorization_code', 'client_credentials', 'refresh_token'],
    response_types_supported: ['code'],
    token_endpoint_auth_methods_supported: [
      'private_key_jwt',
      'client_secret_basic',
      'client_secret_post',
      'none',
    ],
    token_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGORITHMS,
    scopes_supported: [
      'openid',
      'fhirUser',
      'profile',
      'launch/patient',
      'offline_access',
      'online_access',
      'patient/*.rs',
      'patient/*.cruds',
      'user/*.rs',
      'user/*.cruds',
      'system/*.rs',
      'system/*.cruds',
      'patient/*.read',
      'user/*.read',
      'user/*.write',
      'system/*.read',
      'system/*.*',
    ],
    code_challenge_methods_supported: ['S256'],
    capabilities: [
      'launch-standalone',
      'authorize-post',
      'client-public',
      'client-confidential-symmetric',
      'client-confidential-asymmetric',
      'sso-openid-connect',
      'context-standalone-patient',
      'permission-offline',
      'permission-online',
      'permission-patient',
      'permission-user',
      'permission-v1',
      'permission-v2',
    ],
    ...(config.oidc ? { 'kith:trusted_oidc_issuer': config.oidc.issuer } : {}),
  };
}

/** OpenID Connect discovery for the ID tokens Kith issues to apps that ask for `openid`. */
export function openidConfiguration(config: AuthConfig): Record<string, unknown> {
  const base = config.issuer;
  return {
    issuer: base,
    jwks_uri: `${base}/.well-known/jwks.json`,
    authorization_endpoint: `${base}/oauth2/authorize`,
    token_endpoint: `${base}/oauth2/token`,
    response_types_supported: ['code'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [config.signingAlg],
    scopes_supported: ['openid', 'fhirUser', 'profile'],
    claims_supported: ['sub', 'name', 'preferred_username', 'fhirUser', 'nonce'],
    code_challenge_methods_supported: ['S256'],
  };
}
