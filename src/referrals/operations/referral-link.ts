import type { Parameters } from '@medplum/fhirtypes';
import type { OperationDefinitionEntry } from '../../fhir/operations';
import { createReferralLink } from '../workflow/link';
import { firstValue, operationInputs } from './params';

/** `Task/{id}/$referral-link` (days): a signed link the receiving organization can use without an account. */
export const referralLinkOperation: OperationDefinitionEntry = {
  name: 'referral-link',
  definition: 'https://kith.example.org/fhir/OperationDefinition/Task-referral-link',
  level: 'instance',
  types: ['Task'],
  async handler({ service, id, query, body, base }) {
    const q = operationInputs(query, body);
    const days = firstValue(q, 'days');
    const { token, expires } = await createReferralLink(service.store, id as string, {
      days: days ? Number(days) : undefined,
    });
    const root = base.replace(/\/fhir\/?$/, '');
    const out: Parameters = {
      resourceType: 'Parameters',
      parameter: [
        { name: 'url', valueUrl: `${root}/referral-link/${token}` },
        { name: 'token', valueString: token },
        { name: 'expires', valueInstant: expires },
      ],
    };
    return { status: 200, resource: out };
  },
};
