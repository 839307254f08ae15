import type { Parameters, ParametersParameter } from '@medplum/fhirtypes';
import type { OperationDefinitionEntry } from '../../fhir/operations';
import { referralMetrics, type MetricsGroup } from '../workflow/metrics';
import { firstValue, operationInputs } from './params';

/** `$referral-metrics`: closure metrics as Parameters, one `group` per owner / category slice. */
export const referralMetricsOperation: OperationDefinitionEntry = {
  name: 'referral-metrics',
  definition: 'https://kith.example.org/fhir/OperationDefinition/referral-metrics',
  level: 'system',
  async handler({ service, query, body }) {
    const q = operationInputs(query, body);
    const m = await referralMetrics(service.store.queryable, {
      owner: firstValue(q, 'owner'),
      requester: firstValue(q, 'requester'),
      category: firstValue(q, 'category'),
      since: firstValue(q, 'since'),
      until: firstValue(q, 'until'),
    });
    const groups = [
      ...[m.overall].map((g) => group('overall', g)),
      ...m.byOwner.map((g) => group('owner', g)),
      ...m.byCategory.map((g) => group('category', g)),
      ...m.byOwnerAndCategory.map((g) => group('owner-category', g)),
    ];
    const out: Parameters = { resourceType: 'Parameters', parameter: groups };
    return { status: 200, resource: out };
  },
};

function group(slice: string, g: MetricsGroup): ParametersParameter {
  const part: ParametersParameter[] = [{ name: 'slice', valueCode: slice }];
  if (g.owner) part.push({ name: 'owner', valueReference: { reference: `Organization/${g.owner}` } });
  if (g.category) part.push({ name: 'category', valueString: g.category });
  part.push({ name: 'total', valueInteger: g.total });
  for (const [status, n] of Object.entries(g.byStatus))
    part.push({
      name: 'count',
      part: [
        { name: 'status', valueCode: status },
        { name: 'n', valueInteger: n },
      ],
    });
  if (g.medianHoursToAcceptance !== null)
    part.push({ name: 'median-hours-to-acceptance', valueDecimal: g.medianHoursToAcceptance });
  if (g.medianHoursToCompletion !== null)
    part.push({ name: 'median-hours-to-completion', valueDecimal: g.medianHoursToCompletion });
  part.push(
    { name: 'closed', valueInteger: g.closed },
    { name: 'closed-with-outcome', valueInteger: g.closedWithOutcome },
  );
  if (g.shareClosedWithOutcome !== null)
    part.push({ name: 'share-closed-with-outcome', valueDecimal: g.shareClosedWithOutcome });
  return { name: 'group', part };
}
