import { OperationOutcomeError, validateResource } from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';
import type { StructureIssue } from './issues';

/**
 * Medplum's `validateResource`, the validator Kith used before its own, reduced to its errors in
 * the same shape. Kept as the reference the diff test and `bench/validate.ts` hold Kith's to; it
 * visits every element of every type definition, present or not, which is what made it slow.
 */
export function medplumStructureIssues(resource: Resource): StructureIssue[] {
  let found;
  try {
    found = validateResource(resource);
  } catch (err) {
    if (!(err instanceof OperationOutcomeError)) throw err;
    found = err.outcome.issue ?? [];
  }
  return found
    .filter((i) => i.severity === 'error' || i.severity === 'fatal')
    .map((i) => ({
      expression: i.expression?.[0] ?? '',
      text: i.details?.text ?? i.diagnostics ?? 'invalid',
      code: i.code as StructureIssue['code'],
    }));
}
