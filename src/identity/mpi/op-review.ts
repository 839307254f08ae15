import type { Parameters } from '@medplum/fhirtypes';
import { FhirError } from '../../fhir/errors';
import { registerOperation, type OperationDefinitionEntry } from '../../fhir/operations';
import { decideReview, listReviews } from './actions';
import { identityContext } from './install';
import { actionResult, codeParam, intParam } from './operation-params';

/**
 * Person/$identity-review: without a body (GET), the open review tasks with their evidence (the pair's
 * score and per-field levels and weights, as JSON in `evidence`); POSTed with `review` (integer) and
 * `decision` (link | not-same), decides one task.
 */
export const reviewOperation: OperationDefinitionEntry = {
  name: 'identity-review',
  definition: 'https://kith.dev/fhir/OperationDefinition/identity-review',
  level: 'type',
  types: ['Person'],
  async handler({ service, body }) {
    if (body) {
      const decision = codeParam(body, 'decision');
      if (decision !== 'link' && decision !== 'not-same')
        throw new FhirError('invalid_resource', 'Parameter decision must be link or not-same');
      const ctx = identityContext(service.store);
      return actionResult(await decideReview(service.store, ctx, intParam(body, 'review'), decision));
    }
    const tasks = await listReviews(service.store.queryable);
    const resource: Parameters = {
      resourceType: 'Parameters',
      parameter: tasks.map((t) => ({
        name: 'task',
        part: [
          { name: 'id', valueInteger: t.id },
          { name: 'patient', valueReference: { reference: `Patient/${t.patientId}` } },
          { name: 'candidate', valueReference: { reference: `Patient/${t.candidatePatientId}` } },
          { name: 'candidatePerson', valueReference: { reference: `Person/${t.candidatePersonId}` } },
          { name: 'score', valueDecimal: t.score },
          { name: 'evidence', valueString: JSON.stringify(t.evidence) },
          { name: 'created', valueDateTime: t.createdAt },
        ],
      })),
    };
    return { status: 200, resource };
  },
};

registerOperation(reviewOperation);
