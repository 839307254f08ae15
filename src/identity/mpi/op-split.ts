import { registerOperation, type OperationDefinitionEntry } from '../../fhir/operations';
import { splitPerson } from './actions';
import { identityContext } from './install';
import { actionResult, idParams, requireId } from './operation-params';

/** Person/[id]/$identity-split (patient, repeated): move these records of this Person into a new Person. */
export const splitOperation: OperationDefinitionEntry = {
  name: 'identity-split',
  definition: 'https://kith.dev/fhir/OperationDefinition/identity-split',
  level: 'instance',
  types: ['Person'],
  async handler({ service, id, body }) {
    const ctx = identityContext(service.store);
    return actionResult(
      await splitPerson(service.store, ctx, requireId(id, 'Person'), idParams(body, 'patient', 'Patient')),
    );
  },
};

registerOperation(splitOperation);
