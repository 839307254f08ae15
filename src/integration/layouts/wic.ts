import {
  CONCEPT_MAPS,
  SYSTEMS,
  kithExtension,
  kithIdentifierSystem,
  sourceDisplay,
  translateCoding,
} from '../../terminology';
import type { EpisodeOfCare, Identifier } from '../fhir/types';
import { refTo, type MappingResult } from '../result';
import { EXTRACT_STATUSES } from './eligibility';
import { startExtract, type ExtractOptions } from './extract';
import { PERSON_COLUMNS, personFromRow } from './person';

export const WIC_CATEGORIES = ['P', 'B', 'N', 'I', 'C'];

export const WIC_SPEC = {
  required: ['WICID', 'Category', 'CertStartDate', 'Status'],
  optional: ['FamilyID', ...PERSON_COLUMNS, 'CertEndDate', 'Agency'],
};

/**
 * Kith's WIC certification extract (layouts/README.md) → Patient per participant and an
 * EpisodeOfCare per certification period (keyed on participant + certification start), typed
 * with the WIC program and the participant category. WIC pays for food, not health care, so it is
 * not a FHIR Coverage.
 */
export function mapWicExtract(input: string | Uint8Array, options: ExtractOptions = {}): MappingResult {
  const run = startExtract(input, WIC_SPEC, { file: 'wic.csv', source: 'ca-wic' }, options);
  const { builder } = run;
  for (const r of run.rows) {
    const wicId = r.require('WICID');
    const category = r.code('Category', WIC_CATEGORIES, 'Category code (P, B, N, I or C)', true);
    const status = r.code('Status', EXTRACT_STATUSES, 'Status code (A, P, D or T)', true);
    const start = r.date('CertStartDate', true);
    const end = r.str('CertEndDate') ? r.date('CertEndDate', true) : undefined;
    if (r.failed || !wicId || !category || !status || !start) continue;
    if (end && end < start) {
      r.report('error', 'CertEndDate', `'${end}' is before CertStartDate ${start}`, end);
      continue;
    }
    const origin = { kind: 'row' as const, file: r.file, row: r.rowNumber };
    const personKey: Identifier = {
      system: kithIdentifierSystem(run.source, 'participant-id'),
      value: wicId,
    };
    builder.add(personFromRow(r, personKey, [], builder, run.today), personKey, origin);

    const key: Identifier = {
      system: kithIdentifierSystem(run.source, 'certification'),
      value: `${wicId}|${start}`,
    };
    const program = translateCoding(
      CONCEPT_MAPS.extractProgram,
      SYSTEMS.extractProgramCode,
      'WIC',
      SYSTEMS.socialProgram,
      run.registry,
    );
    const categoryCoding = translateCoding(
      CONCEPT_MAPS.wicCategory,
      SYSTEMS.wicCategoryCode,
      category,
      SYSTEMS.wicParticipantCategory,
      run.registry,
    );
    const episode: EpisodeOfCare = {
      resourceType: 'EpisodeOfCare',
      identifier: [key],
      status: (translateCoding(
        CONCEPT_MAPS.extractStatus,
        SYSTEMS.extractStatusCode,
        status,
        SYSTEMS.episodeOfCareStatus,
        run.registry,
      )?.code ?? 'active') as EpisodeOfCare['status'],
      type: [
        { coding: program ? [program] : [], text: 'WIC' },
        {
          coding: [
            {
              system: SYSTEMS.wicCategoryCode,
              code: category,
              display: sourceDisplay(CONCEPT_MAPS.wicCategory, category, run.registry),
            },
            ...(categoryCoding ? [categoryCoding] : []),
          ],
        },
      ],
      patient: refTo('Patient', personKey),
      period: { start, ...(end ? { end } : {}) },
    };
    const family = r.str('FamilyID');
    if (family) {
      episode.extension = [
        {
          url: kithExtension('household'),
          extension: [
            {
              url: 'householdId',
              valueIdentifier: { system: kithIdentifierSystem(run.source, 'family-id'), value: family },
            },
          ],
        },
      ];
    }
    const agency = r.str('Agency');
    if (agency)
      episode.managingOrganization = {
        identifier: { system: kithIdentifierSystem(run.source, 'local-agency'), value: agency },
      };
    builder.add(episode, key, origin);
  }
  return builder.finish();
}
