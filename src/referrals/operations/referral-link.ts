import type { Parameters, ParametersParameter } from '@medplum/fhirtypes';
import type { OperationDefinitionEntry } from '../../fhir/operations';
import {
  createReferralLink,
  listReferralLinks,
  revokeLinkOfReferral,
  type IssuedLink,
} from '../workflow/link';
import { FhirError } from '../../fhir/errors';
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

function linkPart(l: IssuedLink): ParametersParameter {
  return {
    name: 'link',
    part: [
      { name: 'jti', valueString: l.jti },
      { name: 'owner', valueReference: { reference: `Organization/${l.owner}` } },
      { name: 'created', valueInstant: l.created },
      { name: 'expires', valueInstant: l.expires },
      ...(l.revoked ? [{ name: 'revoked', valueInstant: l.revoked }] : []),
      { name: 'state', valueCode: l.state },
    ],
  };
}

/** `Task/{id}/$referral-links`: the signed links issued for the referral (the sending side), newest first. */
export const referralLinksOperation: OperationDefinitionEntry = {
  name: 'referral-links',
  definition: 'https://kith.example.org/fhir/OperationDefinition/Task-referral-links',
  level: 'instance',
  types: ['Task'],
  async handler({ service, id }) {
    const links = await listReferralLinks(service.store, id as string);
    return { status: 200, resource: { resourceType: 'Parameters', parameter: links.map(linkPart) } };
  },
};

/** `Task/{id}/$revoke-referral-link` (jti): the link stops working at once; answers the link as it now is. */
export const revokeReferralLinkOperation: OperationDefinitionEntry = {
  name: 'revoke-referral-link',
  definition: 'https://kith.example.org/fhir/OperationDefinition/Task-revoke-referral-link',
  level: 'instance',
  types: ['Task'],
  async handler({ service, id, query, body }) {
    const jti = firstValue(operationInputs(query, body), 'jti');
    if (!jti) throw new FhirError('invalid_value', 'Name the link to revoke (jti)', 'jti');
    const link = await revokeLinkOfReferral(service.store, id as string, jti);
    return { status: 200, resource: { resourceType: 'Parameters', parameter: [linkPart(link)] } };
  },
};
