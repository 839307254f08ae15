import type { Bundle, BundleEntry, Parameters, Patient } from '@medplum/fhirtypes';
import { FhirError } from '../../fhir/errors';
import { registerOperation, type OperationDefinitionEntry } from '../../fhir/operations';
import { onlineBlockLimit, onlineMinSharedBlocks, scoreCandidates } from '../online';
import type { PairScore } from '../score/model';
import { loadCandidates } from './db-index';
import { identityContext } from './install';
import { patientToMatchRecord } from './patient-record';

export const MATCH_GRADE_URL = 'http://hl7.org/fhir/StructureDefinition/match-grade';
/** Why a candidate matches: the pair's score with per-field levels and weights, as JSON (as in $identity-review). */
export const MATCH_EVIDENCE_URL = 'https://kith.dev/fhir/StructureDefinition/match-evidence';

/**
 * Grade of a candidate: `certain` when the rules would link it automatically (decision match);
 * `probable` when it would go to review with a score in the upper half between the thresholds;
 * `possible` for the rest of the review band.
 */
export function matchGrade(result: PairScore, thresholds: { match: number; possible: number }): string {
  if (result.decision === 'match') return 'certain';
  const mid = (thresholds.match + thresholds.possible) / 2;
  return result.score >= mid ? 'probable' : 'possible';
}

/** Score as a probability in [0, 1] from the posterior log2 odds. */
export function scoreProbability(log2Odds: number): number {
  return Math.round((1 / (1 + 2 ** -log2Odds)) * 10000) / 10000;
}

/** Patient/$match: candidates for the given Patient, best first, without writing anything. */
export const matchOperation: OperationDefinitionEntry = {
  name: 'match',
  definition: 'http://hl7.org/fhir/OperationDefinition/Patient-match',
  level: 'type',
  types: ['Patient'],
  async handler({ body, service, base }) {
    const params = body as Parameters | undefined;
    if (params?.resourceType !== 'Parameters')
      throw new FhirError('invalid_resource', '$match takes a Parameters resource');
    const resource = params.parameter?.find((p) => p.name === 'resource')?.resource as Patient | undefined;
    if (resource?.resourceType !== 'Patient')
      throw new FhirError('invalid_resource', '$match needs a Patient in the "resource" parameter');
    const only = params.parameter?.find((p) => p.name === 'onlyCertainMatches')?.valueBoolean === true;
    const countParam = params.parameter?.find((p) => p.name === 'count')?.valueInteger;
    const count = Math.max(1, Math.min(countParam ?? 10, 100));
    const ctx = identityContext(service.store);
    const record = patientToMatchRecord({ ...resource, id: resource.id ?? '' });
    // Normalized once, for its keys and its comparisons.
    const { keys, normalized } = ctx.matcher.recordKeys(record);
    // One round trip for every block's records, as the write path does.
    const stored = await loadCandidates(
      service.store.queryable,
      record.id,
      keys,
      onlineBlockLimit(ctx.matcher),
      onlineMinSharedBlocks(ctx.matcher),
    );
    const candidates = scoreCandidates(
      { id: record.id, normalized },
      stored.map((c) => c.record),
      ctx.matcher,
    );
    const entries: BundleEntry[] = [];
    for (const c of candidates) {
      if (entries.length >= count) break;
      const grade = matchGrade(c.result, ctx.matcher.rules.thresholds);
      if (only && grade !== 'certain') continue;
      let patient: Patient;
      try {
        patient = JSON.parse((await service.read('Patient', c.id)).json) as Patient;
      } catch {
        continue; // not visible to this caller, or gone
      }
      entries.push({
        fullUrl: `${base}/Patient/${c.id}`,
        resource: patient,
        search: {
          mode: 'match',
          score: scoreProbability(c.result.score),
          extension: [
            { url: MATCH_GRADE_URL, valueCode: grade },
            { url: MATCH_EVIDENCE_URL, valueString: JSON.stringify(c.result) },
          ],
        },
      });
    }
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'searchset',
      total: entries.length,
      entry: entries,
    };
    return { status: 200, resource: bundle };
  },
};

registerOperation(matchOperation);
