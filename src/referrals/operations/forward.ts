import type { Parameters } from '@medplum/fhirtypes';
import { FhirError } from '../../fhir/errors';
import type { OperationDefinitionEntry } from '../../fhir/operations';
import { forwardReferral } from '../workflow/intermediary';
import { firstValue, operationInputs } from './params';

/** `Task/{id}/$forward` (owner: Organization reference, note): an intermediary passes a referral on. */
export const forwardOperation: OperationDefinitionEntry = {
  name: 'forward',
  definition: 'https://kith.example.org/fhir/OperationDefinition/Task-forward',
  level: 'instance',
  types: ['Task'],
  async handler({ service, id, query, body }) {
    const q = operationInputs(query, body);
    const owner = firstValue(q, 'owner');
    if (!owner)
      throw new FhirError(
        'required_missing',
        '$forward needs owner (a reference to the Organization)',
        'owner',
      );
    const { task, serviceRequest } = await forwardReferral(service.store, id as string, {
      owner: { reference: owner },
      note: firstValue(q, 'note'),
    });
    const out: Parameters = {
      resourceType: 'Parameters',
      parameter: [
        { name: 'task', resource: task },
        { name: 'serviceRequest', resource: serviceRequest },
      ],
    };
    return { status: 201, resource: out };
  },
};
