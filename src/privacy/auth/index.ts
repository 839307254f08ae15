// Sign-in and tokens: the public face of src/privacy/auth. Importing it registers the auth tables'
// migrations, so import it before openKith runs them.
import './migrations';

export { loadAuthConfig, parseOidcMatch, type AuthConfig, type OidcConfig, type LoginLimits } from './config';
export {
  AuthService,
  type AuthEvent,
  type AuthEventListener,
  type AuthServiceOptions,
  type LoginResult,
  type TokenResponse,
  type RequestContext,
} from './service';
export { authRoutes, REFRESH_COOKIE, type AuthRoutesOptions } from './routes';
export {
  requireAuth,
  requireScope,
  requireRole,
  bearerToken,
  DEFAULT_PUBLIC_PATHS,
  DEFAULT_API_PREFIXES,
  type RequireAuthOptions,
  type PathPattern,
} from './require-auth';
export {
  securityHeaders,
  parseCorsOrigins,
  DEFAULT_PAGE_CSP,
  type SecurityHeadersOptions,
} from './security-headers';
export {
  parseScope,
  parseScopes,
  formatScope,
  formatScopes,
  narrowScopes,
  mergeScopes,
  scopeAllows,
  scopeContexts,
  type ScopeOp,
} from './scopes';
export { TokenError, OAuthError, type TokenRejection } from './errors';
export {
  createUser,
  findUserById,
  findUserByUsername,
  listUsers,
  setUserDisabled,
  setUserPassword,
  type UserRecord,
  type NewUser,
  type Role,
  ACCESS_LEVELS,
  ROLES,
  ORGANIZATION_KINDS,
} from './users';
export {
  createClient,
  findClient,
  listClients,
  setClientDisabled,
  type ClientRecord,
  type NewClient,
  type ClientAuthMethod,
  type GrantType,
} from './clients';
export { bootstrapAuth, bootstrapNotice, type BootstrapResult } from './bootstrap';
export { smartConfiguration, openidConfiguration } from './discovery';
export { JWT_BEARER_ASSERTION } from './assertion';
export { generatePassword } from './passwords';
export { callerForUser, callerForClient, userScopeCeiling } from './principals';
export { requireRestScopes, scopeNeed, bundleNeeds, type ScopeNeed } from './rest-scopes';
export { OidcLogin, OIDC_STATE_COOKIE, OIDC_CALLBACK_PATH, localReturnPath } from './oidc-login';
export { storePatientAccess, type PatientAccess } from './patient-access';
