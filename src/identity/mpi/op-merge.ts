import { registerOperation, type OperationDefinitionEntry } from '../../fhir/operations';
import { mergePersons } from './actions';
import { identityContext } from './install';
import { actionResult, idParam, requireId } from './operation-params';

/** Person/[id]/$identity-merge (source): move every record of Person source into this Person; undo restores it exactly. */
export const mergeOperation: OperationDefinitionEntry = {
  name: 'identity-merge',
  definition: 'https://kith.dev/fhir/OperationDefinition/identity-merge',
  level: 'instance',
  types: ['Person'],
  async handler({ service, id, body }) {
    const ctx = identityContext(service.store);
    return actionResult(
      await mergePersons(service.store, ctx, requireId(id, 'Person'), idParam(body, 'source', 'Person')),
    );
  },
};

registerOperation(mergeOperation);
