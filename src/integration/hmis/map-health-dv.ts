import { SYSTEMS, kithCodeSystem } from '../../terminology';
import { LABELS } from '../labels';
import type { HmisContext } from './context';
import {
  NO_YES,
  component,
  deleteObservations,
  hmisObservation,
  listValue,
  observationRows,
  setCoded,
} from './observation';

const HEALTH_STATUS: Record<string, string> = {
  '1': 'Excellent',
  '2': 'Very good',
  '3': 'Good',
  '4': 'Fair',
  '5': 'Poor',
};
const WHEN_OCCURRED: Record<string, string> = {
  '1': 'Within the past three months',
  '2': 'Three to six months ago (excluding six months exactly)',
  '3': 'Six months to one year ago (excluding one year exactly)',
  '4': 'One year or more',
};
const HEALTH_STATUS_CODES = ['1', '2', '3', '4', '5', '8', '9', '99'];
const ID = 'health-and-dv-id';

/**
 * HealthAndDV.csv → Observations. Domestic violence (4.11: survivor, when it occurred, currently
 * fleeing) is always labelled SDV + R — the answer "no" is as sensitive as "yes", since being asked
 * reveals the context. Mental health status carries PSY. General and dental health and pregnancy
 * are ordinary observations.
 */
export function mapHealthAndDv(ctx: HmisContext): void {
  for (const row of observationRows(ctx, 'HealthAndDV.csv', 'HealthAndDVID')) {
    const { r } = row;
    if (r.str('DateDeleted')) {
      deleteObservations(ctx, row, ID, ['4.11', 'R7', 'R8', 'R9', 'R10']);
      continue;
    }
    const survivor = r.code('DomesticViolenceSurvivor', NO_YES, 'DomesticViolenceSurvivor code');
    const when = r.code('WhenOccurred', ['1', '2', '3', '4', '8', '9', '99'], 'WhenOccurred code');
    const fleeing = r.code('CurrentlyFleeing', NO_YES, 'CurrentlyFleeing code');
    if (survivor || when || fleeing) {
      const obs = hmisObservation(ctx, row, ID, '4.11', LABELS.domesticViolence);
      if (survivor) setCoded(obs, ctx.noYes(survivor));
      const parts = [];
      if (when) {
        const c = component('4.11.A', 'When experience occurred');
        setCoded(c, listValue(ctx, kithCodeSystem('hmis-when-dv-occurred'), when, WHEN_OCCURRED));
        parts.push(c);
      }
      if (fleeing) {
        const c = component('4.11.B', 'Currently fleeing');
        setCoded(c, ctx.noYes(fleeing));
        parts.push(c);
      }
      if (parts.length) obs.component = parts;
      ctx.builder.add(obs, obs.identifier![0], ctx.origin(r));
    }
    for (const [column, element, labels] of [
      ['GeneralHealthStatus', 'R7', undefined],
      ['DentalHealthStatus', 'R8', undefined],
      ['MentalHealthStatus', 'R9', LABELS.psychiatric],
    ] as const) {
      const status = r.code(column, HEALTH_STATUS_CODES, `${column} code`);
      if (!status) continue;
      const obs = hmisObservation(ctx, row, ID, element, labels);
      setCoded(obs, listValue(ctx, kithCodeSystem('hmis-health-status'), status, HEALTH_STATUS));
      ctx.builder.add(obs, obs.identifier![0], ctx.origin(r));
    }
    const pregnant = r.code('PregnancyStatus', NO_YES, 'PregnancyStatus code');
    if (pregnant) {
      const obs = hmisObservation(ctx, row, ID, 'R10');
      obs.code.coding!.push({ system: SYSTEMS.loinc, code: '82810-3', display: 'Pregnancy status' });
      setCoded(obs, ctx.noYes(pregnant));
      const due = r.date('DueDate');
      if (due) obs.component = [{ ...component('R10.A', 'Due date'), valueString: due }];
      ctx.builder.add(obs, obs.identifier![0], ctx.origin(r));
    }
  }
}
