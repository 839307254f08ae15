import { CONCEPT_MAPS, SYSTEMS } from '../../terminology';
import type { HmisContext } from './context';
import { deleteObservations, hmisObservation, observationRows, setCoded } from './observation';

const CODES = [
  '8', '9', '17', '37', '99', '101', '116', '118', '204', '205', '206', '207', '215', '225', '302', '314', '329', '332', '335',
  '336', '410', '411', '421', '435',
]; // prettier-ignore
const ID = 'current-living-situation-id';

/** CurrentLivingSituation.csv (4.12) → Observation: the HMIS situation plus its housing category via ConceptMap. */
export function mapCurrentLivingSituations(ctx: HmisContext): void {
  for (const row of observationRows(ctx, 'CurrentLivingSituation.csv', 'CurrentLivingSitID')) {
    const { r } = row;
    const code = r.code('CurrentLivingSituation', CODES, 'CurrentLivingSituation code', true);
    if (!code || r.failed) continue;
    if (r.str('DateDeleted')) {
      deleteObservations(ctx, row, ID, ['4.12']);
      continue;
    }
    const obs = hmisObservation(ctx, row, ID, '4.12');
    setCoded(obs, ctx.concept(CONCEPT_MAPS.hmisLivingSituation, SYSTEMS.hmisLivingSituation, code));
    const details = r.str('LocationDetails');
    if (details) obs.note = [{ text: details }];
    ctx.builder.add(obs, obs.identifier![0], ctx.origin(r));
  }
}
