import type { AuthEvent } from '../privacy/auth';
import type { AuditInput } from './event';
import { recordAudit, type Sql } from './record';

/**
 * The AuditEvent for a sign-in event, or undefined for routine ones not worth a row (a
 * successful session refresh every few minutes).
 */
export function auditFromAuthEvent(e: AuthEvent): AuditInput | undefined {
  const network = { address: e.ip, userAgent: e.userAgent };
  const details: Record<string, string> = {};
  if (e.grantType) details['grant-type'] = e.grantType;
  const who = {
    id: e.userId ?? e.clientId,
    display: e.username,
    kind: e.userId ? ('user' as const) : ('client' as const),
  };
  switch (e.type) {
    case 'login':
    case 'token':
      return { action: 'login', caller: e.caller, who, network, details, recorded: e.at };
    case 'logout':
      return { action: 'logout', who, network, recorded: e.at };
    case 'login-failed':
    case 'token-failed':
    case 'refresh-failed':
      return {
        action: 'login-failed',
        who: { ...who, kind: e.type === 'token-failed' ? 'client' : 'user' },
        network,
        outcomeDescription: e.reason,
        reason: e.reason,
        details: { ...details, step: e.type },
        recorded: e.at,
      };
    case 'break-glass':
      return {
        action: 'break-glass',
        caller: e.caller,
        who,
        network,
        reason: e.reason,
        details: { ...details, until: e.caller?.breakGlass?.until ?? '' },
        recorded: e.at,
      };
    case 'refresh':
      return undefined;
  }
}

/** A listener for `AuthService` that records sign-in events: `auth.onAuthEvent(auditAuthEvents(db))`. */
export function auditAuthEvents(db: Sql): (e: AuthEvent) => Promise<void> {
  return async (e) => {
    const input = auditFromAuthEvent(e);
    if (input) await recordAudit(db, input);
  };
}
