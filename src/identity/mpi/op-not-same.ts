import { registerOperation, type OperationDefinitionEntry } from '../../fhir/operations';
import { markNotSame } from './actions';
import { identityContext } from './install';
import { actionResult, idParam, requireId } from './operation-params';

/** Patient/[id]/$identity-not-same (other): remember that two records are different people. */
export const notSameOperation: OperationDefinitionEntry = {
  name: 'identity-not-same',
  definition: 'https://kith.dev/fhir/OperationDefinition/identity-not-same',
  level: 'instance',
  types: ['Patient'],
  async handler({ service, id, body }) {
    const ctx = identityContext(service.store);
    return actionResult(
      await markNotSame(service.store, ctx, requireId(id, 'Patient'), idParam(body, 'other', 'Patient')),
    );
  },
};

registerOperation(notSameOperation);
