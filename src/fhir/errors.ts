import type { OperationOutcome } from '@medplum/fhirtypes';

/**
 * The one catalogue of errors the API can answer: a stable code, an HTTP status and the FHIR
 * OperationOutcome issue type. Routes and the store throw `FhirError`; the server turns it into an
 * OperationOutcome. See docs in src/fhir/README.md.
 */
export const ERRORS = {
  not_found: { status: 404, type: 'not-found' },
  gone: { status: 410, type: 'deleted' },
  unknown_type: { status: 404, type: 'not-supported' },
  invalid_resource: { status: 400, type: 'structure' },
  invalid_json: { status: 400, type: 'structure' },
  validation_failed: { status: 422, type: 'invariant' },
  invalid_value: { status: 422, type: 'value' },
  patch_failed: { status: 422, type: 'processing' },
  required_missing: { status: 422, type: 'required' },
  invalid_search: { status: 400, type: 'invalid' },
  /** A request missing a header or parameter an operation needs (e.g. $export without Prefer: respond-async). */
  invalid_request: { status: 400, type: 'invalid' },
  unknown_search_param: { status: 400, type: 'not-supported' },
  version_conflict: { status: 412, type: 'conflict' },
  id_mismatch: { status: 400, type: 'invalid' },
  conflict: { status: 409, type: 'conflict' },
  multiple_matches: { status: 412, type: 'multiple-matches' },
  method_not_allowed: { status: 405, type: 'not-supported' },
  unsupported_media: { status: 415, type: 'not-supported' },
  not_supported: { status: 501, type: 'not-supported' },
  transaction_failed: { status: 400, type: 'processing' },
  unauthenticated: { status: 401, type: 'login' },
  forbidden: { status: 403, type: 'forbidden' },
  too_many_requests: { status: 429, type: 'throttled' },
  internal: { status: 500, type: 'exception' },
} as const;

export type ErrorCode = keyof typeof ERRORS;

export interface IssueDetail {
  diagnostics: string;
  /** FHIRPath of the element at fault, e.g. `Patient.birthDate`. */
  expression?: string;
  severity?: 'error' | 'warning' | 'information' | 'fatal';
  type?: string;
}

export class FhirError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly issues: IssueDetail[];

  constructor(code: ErrorCode, diagnostics: string | IssueDetail[], expression?: string) {
    const issues = typeof diagnostics === 'string' ? [{ diagnostics, expression }] : diagnostics;
    super(issues.map((i) => i.diagnostics).join('; '));
    this.code = code;
    this.status = ERRORS[code].status;
    this.issues = issues;
  }

  toOperationOutcome(): OperationOutcome {
    return operationOutcome(this.code, this.issues);
  }
}

export function operationOutcome(code: ErrorCode, issues: IssueDetail[]): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: issues.map((i) => ({
      severity: i.severity ?? 'error',
      code: (i.type ?? ERRORS[code].type) as 'invalid',
      details: { coding: [{ system: 'https://kith.example.org/fhir/CodeSystem/error', code }], text: code },
      diagnostics: i.diagnostics,
      ...(i.expression ? { expression: [i.expression] } : {}),
    })),
  };
}

export function informationOutcome(diagnostics: string): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: [{ severity: 'information', code: 'informational', diagnostics }],
  };
}
