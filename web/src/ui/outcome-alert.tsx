import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import { FhirRequestError } from '../fhir/client';

const SEVERITY: Record<string, string> = {
  fatal: 'Error',
  error: 'Error',
  warning: 'Warning',
  information: 'Note',
};

function issueText(issue: OperationOutcomeIssue): string {
  return issue.diagnostics ?? issue.details?.text ?? issue.code ?? 'No details';
}

function heading(err: unknown): string {
  if (!(err instanceof FhirRequestError)) return 'Something went wrong';
  if (err.status === 0) return 'The server could not be reached';
  if (err.status === 404) return 'Not found';
  if (err.status === 410) return 'This record was deleted';
  if (err.status === 401 || err.status === 403) return 'You do not have access to this';
  if (err.status < 500) return 'The server could not accept this request';
  return 'The server had a problem';
}

/** Shows a failed request: the OperationOutcome's issues when the server sent one, else the message. */
export function OutcomeAlert({ error }: { error: unknown }) {
  const issues = error instanceof FhirRequestError ? (error.outcome?.issue ?? []) : [];
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div className="alert alert-error" role="alert">
      <h2 className="alert-title">{heading(error)}</h2>
      {issues.length ? (
        <ul className="issue-list">
          {issues.map((issue, i) => (
            <li key={i}>
              <span className="issue-severity">{SEVERITY[issue.severity] ?? issue.severity}:</span>{' '}
              {issueText(issue)}
              {issue.expression?.length ? (
                <span className="issue-where"> ({issue.expression.join(', ')})</span>
              ) : null}
            </li>
          ))}
        </ul>
      ) : (
        <p>{message}</p>
      )}
    </div>
  );
}
