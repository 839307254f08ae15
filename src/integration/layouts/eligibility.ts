import {
  CONCEPT_MAPS,
  SYSTEMS,
  kithIdentifierSystem,
  sourceDisplay,
  translateCoding,
} from '../../terminology';
import type { Coverage, EpisodeOfCare, Identifier } from '../fhir/types';
import { refTo, type MappingResult } from '../result';
import { startExtract, type ExtractOptions } from './extract';
import { PERSON_COLUMNS, personFromRow } from './person';

export const ELIGIBILITY_PROGRAMS = ['MC', 'CF', 'CW', 'FC', 'CC'];
export const EXTRACT_STATUSES = ['A', 'P', 'D', 'T'];
/** Programs that pay for health care, and so also become a Coverage. */
const HEALTH_COVERAGE = new Set(['MC']);

export const ELIGIBILITY_SPEC = {
  required: ['CaseNumber', 'PersonID', 'Program', 'Status', 'BeginDate'],
  optional: ['CIN', ...PERSON_COLUMNS, 'AidCode', 'EndDate', 'County'],
};

/**
 * Kith's CalSAWS-style eligibility extract (layouts/README.md) → Patient per person, EpisodeOfCare
 * per person, program and eligibility period, and a Coverage for Medi-Cal. An eligibility period is
 * keyed on case + person + program + begin date: a status change of the same period updates it,
 * a new period (a new begin date) is a new episode.
 */
export function mapEligibilityExtract(
  input: string | Uint8Array,
  options: ExtractOptions = {},
): MappingResult {
  const run = startExtract(input, ELIGIBILITY_SPEC, { file: 'eligibility.csv', source: 'calsaws' }, options);
  const { builder } = run;
  for (const r of run.rows) {
    const caseNumber = r.require('CaseNumber');
    const personId = r.require('PersonID');
    const program = r.code('Program', ELIGIBILITY_PROGRAMS, 'Program code (MC, CF, CW, FC or CC)', true);
    const status = r.code('Status', EXTRACT_STATUSES, 'Status code (A, P, D or T)', true);
    const begin = r.date('BeginDate', true);
    // An unreadable end date would silently leave the period open: the row waits for a fix instead.
    const end = r.str('EndDate') ? r.date('EndDate', true) : undefined;
    if (r.failed || !caseNumber || !personId || !program || !status || !begin) continue;
    if (end && end < begin) {
      r.report('error', 'EndDate', `'${end}' is before BeginDate ${begin}`, end);
      continue;
    }
    const personKey: Identifier = { system: kithIdentifierSystem(run.source, 'person-id'), value: personId };
    const extra: Identifier[] = [];
    const cin = r.str('CIN');
    if (cin && /^\d{8}[A-Z]$/i.test(cin)) extra.push({ system: MEDI_CAL_CIN, value: cin.toUpperCase() });
    else if (cin)
      r.report('warning', 'CIN', `'${cin}' is not a Medi-Cal CIN (8 digits and a letter); not mapped`, cin);
    builder.add(personFromRow(r, personKey, extra, builder, run.today), personKey, {
      kind: 'row',
      file: r.file,
      row: r.rowNumber,
    });

    const patient = refTo('Patient', personKey);
    const periodValue = `${caseNumber}|${personId}|${program}|${begin}`;
    const episodeKey: Identifier = {
      system: kithIdentifierSystem(run.source, 'program-enrollment'),
      value: periodValue,
    };
    const programCoding = translateCoding(
      CONCEPT_MAPS.extractProgram,
      SYSTEMS.extractProgramCode,
      program,
      SYSTEMS.socialProgram,
      run.registry,
    );
    const episode: EpisodeOfCare = {
      resourceType: 'EpisodeOfCare',
      identifier: [
        episodeKey,
        { system: kithIdentifierSystem(run.source, 'case-number'), value: caseNumber },
      ],
      status: (translateCoding(
        CONCEPT_MAPS.extractStatus,
        SYSTEMS.extractStatusCode,
        status,
        SYSTEMS.episodeOfCareStatus,
        run.registry,
      )?.code ?? 'active') as EpisodeOfCare['status'],
      type: [
        {
          coding: [
            {
              system: SYSTEMS.extractProgramCode,
              code: program,
              display: sourceDisplay(CONCEPT_MAPS.extractProgram, program, run.registry),
            },
            ...(programCoding ? [programCoding] : []),
          ],
        },
      ],
      patient,
      period: { start: begin, ...(end ? { end } : {}) },
    };
    const origin = { kind: 'row' as const, file: r.file, row: r.rowNumber };
    builder.add(episode, episodeKey, origin);

    if (!HEALTH_COVERAGE.has(program)) continue;
    const coverageKey: Identifier = {
      system: kithIdentifierSystem(run.source, 'medi-cal-coverage'),
      value: periodValue,
    };
    const coverage: Coverage = {
      resourceType: 'Coverage',
      identifier: [coverageKey],
      status: (translateCoding(
        CONCEPT_MAPS.extractStatus,
        SYSTEMS.extractStatusCode,
        status,
        SYSTEMS.fmStatus,
        run.registry,
      )?.code ?? 'active') as Coverage['status'],
      type: {
        coding: [
          translateCoding(
            CONCEPT_MAPS.extractProgram,
            SYSTEMS.extractProgramCode,
            program,
            SYSTEMS.sopt,
            run.registry,
          )!,
        ],
      },
      beneficiary: patient,
      payor: [{ display: 'California Department of Health Care Services (Medi-Cal)' }],
      period: { start: begin, ...(end ? { end } : {}) },
    };
    if (cin && extra.length) coverage.subscriberId = cin.toUpperCase();
    const aidCode = r.str('AidCode');
    if (aidCode) {
      coverage.class = [
        {
          type: {
            coding: [{ system: 'http://terminology.hl7.org/CodeSystem/coverage-class', code: 'plan' }],
          },
          value: aidCode,
          name: 'Medi-Cal aid code',
        },
      ];
    }
    builder.add(coverage, coverageKey, origin);
  }
  return builder.finish();
}

/** Medi-Cal Client Index Numbers are issued statewide, so their namespace is not scoped to a source. */
export const MEDI_CAL_CIN = kithIdentifierSystem('ca-dhcs', 'medi-cal-cin');
