import { registerOperation, type OperationDefinitionEntry } from '../../fhir/operations';
import { undoAction } from './actions';
import { identityContext } from './install';
import { actionResult, intParam } from './operation-params';

/** Person/$identity-undo (action): restore the state before a journaled identity action (unmerge, relink, ...). */
export const undoOperation: OperationDefinitionEntry = {
  name: 'identity-undo',
  definition: 'https://kith.dev/fhir/OperationDefinition/identity-undo',
  level: 'type',
  types: ['Person'],
  async handler({ service, body }) {
    const ctx = identityContext(service.store);
    return actionResult(await undoAction(service.store, ctx, intParam(body, 'action')));
  },
};

registerOperation(undoOperation);
