import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SHIPPED_CONCEPT_MAPS } from './maps';
import { CONCEPT_MAPS, SYSTEMS } from './systems';
import { translate, translateCoding } from './translate';

const EQUIVALENCES = [
  'relatedto',
  'equivalent',
  'equal',
  'wider',
  'subsumes',
  'narrower',
  'specializes',
  'inexact',
  'unmatched',
  'disjoint',
];

describe('shipped ConceptMaps', () => {
  it('ships one JSON file per map and every map is listed', () => {
    const files = readdirSync(fileURLToPath(new URL('./maps', import.meta.url))).filter((f) =>
      f.endsWith('.json'),
    );
    expect(files).toHaveLength(SHIPPED_CONCEPT_MAPS.length);
    expect(new Set(SHIPPED_CONCEPT_MAPS.map((m) => m.url)).size).toBe(SHIPPED_CONCEPT_MAPS.length);
    expect(SHIPPED_CONCEPT_MAPS.map((m) => m.url).sort()).toEqual(Object.values(CONCEPT_MAPS).sort());
  });

  for (const map of SHIPPED_CONCEPT_MAPS) {
    it(`${map.id} is a well-formed R4 ConceptMap`, () => {
      expect(map.resourceType).toBe('ConceptMap');
      expect(map.status).toBe('active');
      expect(map.url).toBe(`https://kith.example.org/fhir/ConceptMap/${map.id}`);
      expect(map.group?.length).toBeGreaterThan(0);
      for (const group of map.group ?? []) {
        expect(group.source).toMatch(/^(https?|urn):/);
        expect(group.target).toMatch(/^(https?|urn):/);
        const codes = group.element.map((e) => e.code);
        expect(new Set(codes).size, `duplicate source code in ${map.id}`).toBe(codes.length);
        for (const element of group.element) {
          expect(element.code).toBeTruthy();
          expect(element.target?.length).toBeGreaterThan(0);
          for (const t of element.target ?? []) {
            expect(EQUIVALENCES).toContain(t.equivalence);
            if (t.equivalence !== 'unmatched') expect(t.code, `${map.id} ${element.code}`).toBeTruthy();
          }
        }
      }
    });
  }

  it('classifies HMIS destinations by HUD category and missing-data codes by reason', () => {
    const category = (code: string): string | undefined =>
      translateCoding(
        CONCEPT_MAPS.hmisDestination,
        SYSTEMS.hmisLivingSituation,
        code,
        SYSTEMS.housingSituationCategory,
      )?.code;
    expect(category('435')).toBe('permanent');
    expect(category('116')).toBe('homeless');
    expect(category('207')).toBe('institutional');
    expect(category('313')).toBe('temporary');
    expect(category('24')).toBe('other');
    expect(translateCoding(CONCEPT_MAPS.hmisDestination, SYSTEMS.hmisLivingSituation, '9')).toMatchObject({
      code: 'asked-declined',
    });
    expect(translateCoding(CONCEPT_MAPS.hmisDestination, SYSTEMS.hmisLivingSituation, '30')).toMatchObject({
      code: 'not-asked',
    });
  });

  it('keeps destination-only codes out of the living situation list', () => {
    expect(translate(CONCEPT_MAPS.hmisLivingSituation, SYSTEMS.hmisLivingSituation, '422').result).toBe(
      false,
    );
    expect(translate(CONCEPT_MAPS.hmisLivingSituation, SYSTEMS.hmisLivingSituation, '336').result).toBe(true);
  });

  it('maps HMIS relationship, data quality and yes/no lists', () => {
    expect(
      translateCoding(CONCEPT_MAPS.hmisRelationshipToHoH, SYSTEMS.hmisRelationshipToHoH, '1')?.code,
    ).toBe('ONESELF');
    expect(translate(CONCEPT_MAPS.hmisDataQuality, SYSTEMS.hmisDataQuality, '1').result).toBe(false); // value present: nothing absent
    expect(translateCoding(CONCEPT_MAPS.hmisDataQuality, SYSTEMS.hmisDataQuality, '99')?.code).toBe(
      'not-asked',
    );
    expect(translateCoding(CONCEPT_MAPS.hmisNoYes, SYSTEMS.hmisNoYes, '1', SYSTEMS.v2YesNo)?.code).toBe('Y');
  });

  it('maps the extract program and status codes, with Coverage semantics only for Medi-Cal', () => {
    expect(
      translateCoding(CONCEPT_MAPS.extractProgram, SYSTEMS.extractProgramCode, 'CF', SYSTEMS.socialProgram)
        ?.code,
    ).toBe('calfresh');
    expect(
      translateCoding(CONCEPT_MAPS.extractProgram, SYSTEMS.extractProgramCode, 'MC', SYSTEMS.sopt)?.code,
    ).toBe('2');
    expect(
      translate(CONCEPT_MAPS.extractProgram, SYSTEMS.extractProgramCode, 'CF', { targetSystem: SYSTEMS.sopt })
        .result,
    ).toBe(false);
    expect(
      translateCoding(CONCEPT_MAPS.extractStatus, SYSTEMS.extractStatusCode, 'T', SYSTEMS.episodeOfCareStatus)
        ?.code,
    ).toBe('finished');
    expect(
      translateCoding(CONCEPT_MAPS.extractStatus, SYSTEMS.extractStatusCode, 'T', SYSTEMS.fmStatus)?.code,
    ).toBe('cancelled');
  });

  it('maps the HL7 v2 tables the mappers use', () => {
    expect(translateCoding(CONCEPT_MAPS.v2Sex, SYSTEMS.v2('0001'), 'F')?.code).toBe('female');
    expect(translateCoding(CONCEPT_MAPS.v2PatientClass, SYSTEMS.v2('0004'), 'I')?.code).toBe('IMP');
    expect(translate(CONCEPT_MAPS.v2PatientClass, SYSTEMS.v2('0004'), 'R').result).toBe(false);
    expect(translateCoding(CONCEPT_MAPS.v2DischargeDisposition, SYSTEMS.v2('0112'), '07')?.code).toBe(
      'aadvice',
    );
    expect(translateCoding(CONCEPT_MAPS.v2AbnormalFlags, SYSTEMS.v2('0078'), 'HH')?.code).toBe('HH');
    expect(translateCoding(CONCEPT_MAPS.v2ObservationResultStatus, SYSTEMS.v2('0085'), 'C')?.code).toBe(
      'corrected',
    );
    expect(translateCoding(CONCEPT_MAPS.v2ResultStatus, SYSTEMS.v2('0123'), 'F')?.code).toBe('final');
    expect(
      translateCoding(CONCEPT_MAPS.v2AddressType, SYSTEMS.v2('0190'), 'M', SYSTEMS.addressType)?.code,
    ).toBe('postal');
    expect(translateCoding(CONCEPT_MAPS.v2TelecomUse, SYSTEMS.v2('0201'), 'WPN')?.code).toBe('work');
    expect(translateCoding(CONCEPT_MAPS.v2TelecomEquipment, SYSTEMS.v2('0202'), 'Internet')?.code).toBe(
      'email',
    );
  });
});
