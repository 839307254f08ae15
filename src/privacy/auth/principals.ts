import type { Caller, Scope } from '../caller';
import type { ClientRecord } from './clients';
import { parseScopes } from './scopes';
import type { UserRecord } from './users';

/**
 * The most a user's tokens may allow, before the policy looks at consent and labels: view-only
 * users read and search; exchange and edit users may also write (the policy narrows what and where).
 */
export function userScopeCeiling(user: Pick<UserRecord, 'accessLevel'>): Scope[] {
  return user.accessLevel === 'view-only'
    ? [{ context: 'user', type: '*', ops: 'rs' }]
    : [{ context: 'user', type: '*', ops: 'cruds' }];
}

/** The most a client may be granted: its registered scope. */
export function clientScopeCeiling(client: Pick<ClientRecord, 'scope'>): Scope[] {
  return parseScopes(client.scope);
}

export interface UserCallerOptions {
  scopes: Scope[];
  /** `Patient/<id>` for tokens bound to one patient (SMART `patient/` scopes). */
  patient?: string;
  /** The app acting for the user. */
  clientId?: string;
  /** A purpose the user picked for this session; the user's default otherwise. */
  purposeOfUse?: string;
}

export function callerForUser(user: UserRecord, opts: UserCallerOptions): Caller {
  const caller: Caller = {
    kind: 'user',
    subject: user.id,
    displayName: user.displayName,
    accessLevel: user.accessLevel,
    roles: user.roles,
    purposeOfUse: opts.purposeOfUse ?? user.purposeOfUse,
    scopes: opts.scopes,
  };
  if (user.practitionerRole) caller.practitionerRole = user.practitionerRole;
  if (user.organization) caller.organization = user.organization;
  if (opts.patient) caller.patient = opts.patient;
  if (opts.clientId) caller.clientId = opts.clientId;
  return caller;
}

export function callerForClient(client: ClientRecord, scopes: Scope[]): Caller {
  const caller: Caller = {
    kind: 'client',
    subject: client.clientId,
    displayName: client.name,
    accessLevel: client.accessLevel,
    roles: client.roles,
    purposeOfUse: client.purposeOfUse,
    scopes,
  };
  if (client.organization) caller.organization = client.organization;
  return caller;
}
