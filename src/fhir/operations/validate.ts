import type { OperationOutcome, Parameters, Resource } from '@medplum/fhirtypes';
import { validationIssues } from '../validate';
import type { OperationDefinitionEntry } from './index';

/** $validate: checks a resource (body, or Parameters.resource) without storing it. */
export const validateOperation: OperationDefinitionEntry = {
  name: 'validate',
  definition: 'http://hl7.org/fhir/OperationDefinition/Resource-validate',
  level: 'type-or-instance',
  async handler({ body, resourceType, id, service }) {
    let resource = body as Resource | undefined;
    if (resource?.resourceType === 'Parameters') {
      resource = (resource as Parameters).parameter?.find((p) => p.name === 'resource')?.resource;
    }
    // At instance level without a resource in the body, the stored version is the one checked.
    if (!resource && resourceType && id) resource = JSON.parse((await service.read(resourceType, id)).json);
    const issues = validationIssues(resource);
    if (resource && resourceType && resource.resourceType !== resourceType) {
      issues.push({ diagnostics: `Expected a ${resourceType}`, expression: 'Resource.resourceType' });
    }
    const outcome: OperationOutcome = {
      resourceType: 'OperationOutcome',
      issue: issues.length
        ? issues.map((i) => ({
            severity: 'error' as const,
            code: (i.type ?? 'invalid') as 'invalid',
            diagnostics: i.diagnostics,
            ...(i.expression ? { expression: [i.expression] } : {}),
          }))
        : [{ severity: 'information', code: 'informational', diagnostics: 'The resource is valid' }],
    };
    return { status: 200, resource: outcome };
  },
};
