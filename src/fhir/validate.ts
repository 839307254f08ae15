import { OperationOutcomeError, validateResource } from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';
import { FhirError, type IssueDetail } from './errors';
import { isSupportedResourceType } from './definitions';
import { checkRequiredBindings } from './required-bindings';

/**
 * Validates a resource against the R4 StructureDefinitions (cardinality, types, invariants the
 * Medplum validator evaluates) plus required code bindings, which that validator leaves out.
 */
export function validationIssues(resource: unknown): IssueDetail[] {
  if (!resource || typeof resource !== 'object' || Array.isArray(resource)) {
    return [{ diagnostics: 'The body is not a FHIR resource (a JSON object)', expression: 'Resource' }];
  }
  const type = (resource as { resourceType?: unknown }).resourceType;
  if (typeof type !== 'string' || !isSupportedResourceType(type)) {
    return [{ diagnostics: `resourceType '${String(type)}' is not an R4 resource type`, expression: 'Resource.resourceType' }];
  }
  const issues: IssueDetail[] = [];
  try {
    for (const i of validateResource(resource as Resource)) {
      if (i.severity === 'error' || i.severity === 'fatal') issues.push(toIssue(i));
    }
  } catch (err) {
    if (err instanceof OperationOutcomeError) {
      for (const i of err.outcome.issue ?? []) if (i.severity === 'error' || i.severity === 'fatal') issues.push(toIssue(i));
    } else throw err;
  }
  issues.push(...checkRequiredBindings(resource as Record<string, unknown>));
  return issues;
}

function toIssue(i: { details?: { text?: string }; diagnostics?: string; expression?: string[]; code?: string }): IssueDetail {
  const where = i.expression?.[0];
  const text = i.details?.text ?? i.diagnostics ?? 'invalid';
  return { diagnostics: where ? `${where}: ${text}` : text, expression: where, type: i.code };
}

/** Throws a 400/422 OperationOutcome naming each element at fault. */
export function assertValid(resource: unknown): asserts resource is Resource {
  const issues = validationIssues(resource);
  if (issues.length) {
    const structural = issues.some((i) => i.type === 'structure');
    throw new FhirError(structural ? 'invalid_resource' : 'validation_failed', issues);
  }
}
