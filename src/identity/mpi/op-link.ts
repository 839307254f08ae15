import { registerOperation, type OperationDefinitionEntry } from '../../fhir/operations';
import { linkPatient } from './actions';
import { identityContext } from './install';
import { actionResult, idParam, requireId } from './operation-params';

/** Person/[id]/$identity-link (patient): link a Patient to this Person, steward-confirmed (level4). */
export const linkOperation: OperationDefinitionEntry = {
  name: 'identity-link',
  definition: 'https://kith.dev/fhir/OperationDefinition/identity-link',
  level: 'instance',
  types: ['Person'],
  async handler({ service, id, body }) {
    const ctx = identityContext(service.store);
    return actionResult(
      await linkPatient(service.store, ctx, idParam(body, 'patient', 'Patient'), requireId(id, 'Person')),
    );
  },
};

registerOperation(linkOperation);
