import { SYSTEMS, kithCodeSystem } from '../../terminology';
import type { Coding } from '../fhir/types';
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

// HUD list 1.3 DisabilityType → data element, and the sensitivity each answer carries.
const TYPES: Record<string, { element: string; labels?: Coding[] }> = {
  '5': { element: '4.05' },
  '6': { element: '4.06' },
  '7': { element: '4.07' },
  '8': { element: '4.08', labels: LABELS.hiv },
  '9': { element: '4.09', labels: LABELS.psychiatric },
  '10': { element: '4.10', labels: LABELS.substanceUse },
};
// 4.10.2: substance use answers are a list, not yes/no.
const SUBSTANCE_USE: Record<string, string> = {
  '0': 'No',
  '1': 'Alcohol use disorder',
  '2': 'Drug use disorder',
  '3': 'Both alcohol and drug use disorders',
};
const ID = 'disabilities-id';

/**
 * Disabilities.csv → one Observation per row (4.05-4.10). HIV/AIDS, mental health and substance
 * use answers are labelled HIV, PSY and ETH (+R) whatever the answer: a recorded "no" still tells
 * that the question was part of a sensitive assessment. (Whether 42 CFR Part 2 applies depends on
 * the program, which HMIS does not say; that label is left to the consent layer.)
 */
export function mapDisabilities(ctx: HmisContext): void {
  for (const row of observationRows(ctx, 'Disabilities.csv', 'DisabilitiesID')) {
    const { r } = row;
    const type = r.code('DisabilityType', Object.keys(TYPES), 'DisabilityType (5-10)', true);
    if (!type || r.failed) continue;
    const { element, labels } = TYPES[type];
    if (r.str('DateDeleted')) {
      deleteObservations(ctx, row, ID, [element]);
      continue;
    }
    const obs = hmisObservation(ctx, row, ID, element, labels);
    const response =
      type === '10'
        ? r.code(
            'DisabilityResponse',
            ['0', '1', '2', '3', '8', '9', '99'],
            'DisabilityResponse code for substance use',
          )
        : r.code('DisabilityResponse', NO_YES, 'DisabilityResponse code');
    if (response) {
      setCoded(
        obs,
        type === '10'
          ? listValue(ctx, kithCodeSystem('hmis-substance-use-response'), response, SUBSTANCE_USE)
          : ctx.noYes(response),
      );
    }
    const indefinite = r.code('IndefiniteAndImpairs', NO_YES, 'IndefiniteAndImpairs code');
    if (indefinite) {
      const c = component(
        `${element}.A`,
        'Expected to be of long-continued and indefinite duration and substantially impairs ability to live independently',
      );
      setCoded(c, ctx.noYes(indefinite));
      obs.component = [c];
    }
    if (!response && !indefinite)
      obs.dataAbsentReason = { coding: [{ system: SYSTEMS.dataAbsentReason, code: 'unknown' }] };
    ctx.builder.add(obs, obs.identifier![0], ctx.origin(r));
  }
}
