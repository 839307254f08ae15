import { FhirError } from '../../fhir/errors';

/** Why an access token was refused; tests and the audit read it, the client sees only the message. */
export type TokenRejection =
  | 'missing'
  | 'malformed'
  | 'algorithm'
  | 'expired'
  | 'not-yet-valid'
  | 'issuer'
  | 'audience'
  | 'signature'
  | 'unknown-key'
  | 'type'
  | 'claims'
  | 'unknown-user'
  | 'disabled'
  | 'provider-unavailable'
  | 'nonce'
  | 'state';

/** A refused access token: 401 with an OperationOutcome of type `login`. */
export class TokenError extends FhirError {
  constructor(
    readonly reason: TokenRejection,
    message: string,
  ) {
    super('unauthenticated', message);
  }
}

/** An OAuth 2.0 error answer (RFC 6749 §5.2), sent as `{ error, error_description }`. */
export class OAuthError extends Error {
  constructor(
    readonly error:
      | 'invalid_request'
      | 'invalid_client'
      | 'invalid_grant'
      | 'unauthorized_client'
      | 'unsupported_grant_type'
      | 'invalid_scope'
      | 'access_denied'
      | 'unsupported_response_type'
      | 'server_error'
      | 'temporarily_unavailable',
    readonly description: string,
    readonly status = error === 'invalid_client' ? 401 : error === 'temporarily_unavailable' ? 429 : 400,
  ) {
    super(description);
  }

  toJSON(): { error: string; error_description: string } {
    return { error: this.error, error_description: this.description };
  }
}
