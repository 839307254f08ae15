import { registerOperation, type OperationDefinitionEntry } from '../../fhir/operations';
import { unlinkPatient } from './actions';
import { identityContext } from './install';
import { actionResult, idParam } from './operation-params';

/** Person/$identity-unlink (patient): take a Patient out of its Person into a new Person of its own. */
export const unlinkOperation: OperationDefinitionEntry = {
  name: 'identity-unlink',
  definition: 'https://kith.dev/fhir/OperationDefinition/identity-unlink',
  level: 'type',
  types: ['Person'],
  async handler({ service, body }) {
    const ctx = identityContext(service.store);
    return actionResult(await unlinkPatient(service.store, ctx, idParam(body, 'patient', 'Patient')));
  },
};

registerOperation(unlinkOperation);
