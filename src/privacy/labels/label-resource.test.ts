import type { Coding, Condition, Observation, Resource } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import {
  CUSTODIAN_EXTENSION,
  DS4P,
  defaultRules,
  derivationReferences,
  labelOrigin,
  labelResource,
  parseRules,
  securityCodes,
  type SegmentationRules,
} from './index';

const ICD = 'http://hl7.org/fhir/sid/icd-10-cm';
const SNOMED = 'http://snomed.info/sct';
const LOINC = 'http://loinc.org';
const ACT = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
const CONF = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';
const SDOHCC = 'http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes';

const cc = (system: string, code: string) => ({ coding: [{ system, code }] });
const condition = (system: string, code: string, extra: Partial<Condition> = {}): Condition => ({
  resourceType: 'Condition',
  id: 'c1',
  subject: { reference: 'Patient/p1' },
  code: cc(system, code),
  ...extra,
});
const codes = (r: Resource) => securityCodes(r);

describe('labelResource by code', () => {
  it.each([
    ['F10.20', ['ETH', 'R'], 'icd10cm-substance-use'],
    ['F11.20', ['ETH', 'R'], 'icd10cm-substance-use'],
    ['F19.99', ['ETH', 'R'], 'icd10cm-substance-use'],
    ['O99.320', ['ETH', 'R'], 'icd10cm-substance-use'],
    ['T40.1X1A', ['ETH', 'R'], 'icd10cm-illicit-drug-poisoning'],
    ['F32.1', ['PSY', 'R'], 'icd10cm-mental-health'],
    ['F43.10', ['PSY', 'R'], 'icd10cm-mental-health'],
    ['F60.3', ['PSY', 'R'], 'icd10cm-mental-health'],
    ['R45.851', ['PSY', 'R'], 'icd10cm-mental-health'],
    ['B20', ['HIV', 'R'], 'icd10cm-hiv'],
    ['Z21', ['HIV', 'R'], 'icd10cm-hiv'],
    ['T74.11XA', ['R', 'SDV'], 'icd10cm-abuse-violence'],
    ['T76.21XA', ['R', 'SDV'], 'icd10cm-abuse-violence'],
    ['Y07.01', ['R', 'SDV'], 'icd10cm-abuse-violence'],
    ['Z69.11', ['R', 'SDV'], 'icd10cm-abuse-violence'],
    ['Z91.410', ['R', 'SDV'], 'icd10cm-abuse-violence'],
  ])('ICD-10-CM %s → %j', (code, expected, ruleId) => {
    const { resource, labels } = labelResource(condition(ICD, code));
    expect(codes(resource)).toEqual(expected);
    expect(labels.find((l) => l.code !== 'R')).toMatchObject({ ruleId, ruleVersion: defaultRules.version });
    expect(labels.find((l) => l.code === 'R')).toMatchObject({ ruleId, system: CONF });
  });

  it.each(['E11.9', 'I10', 'F17.210', 'F01.50', 'J45.909', 'Z91.89'])('ICD-10-CM %s → no label', (code) => {
    const { resource, labels } = labelResource(condition(ICD, code));
    expect(resource.meta).toBeUndefined();
    expect(labels).toEqual([]);
  });

  it.each([
    [SNOMED, '66590003', 'ETH'],
    [SNOMED, '5602001', 'ETH'],
    [SNOMED, '35489007', 'PSY'],
    [SNOMED, '86406008', 'HIV'],
    [SNOMED, '48661000175109', 'SDV'],
  ])('%s %s → %s', (system, code, label) => {
    expect(codes(labelResource(condition(system, code)).resource)).toEqual([label, 'R'].sort());
  });

  it('reads Observation code, value and components', () => {
    const phq: Observation = { resourceType: 'Observation', status: 'final', code: cc(LOINC, '44261-6') };
    expect(codes(labelResource(phq).resource)).toEqual(['PSY', 'R']);
    const value: Observation = {
      resourceType: 'Observation',
      status: 'final',
      code: cc(LOINC, '11450-4'),
      valueCodeableConcept: cc(SNOMED, '86406008'),
    };
    expect(codes(labelResource(value).resource)).toEqual(['HIV', 'R']);
    const comp: Observation = {
      resourceType: 'Observation',
      status: 'final',
      code: cc(LOINC, '11450-4'),
      component: [{ code: cc(LOINC, '8480-6') }, { code: cc(LOINC, '20447-9') }],
    };
    expect(codes(labelResource(comp).resource)).toEqual(['HIV', 'R']);
  });

  it('walks the code paths of each clinical resource type', () => {
    const cases: [Resource, string][] = [
      [
        { resourceType: 'Procedure', status: 'completed', subject: {}, code: cc(ICD, 'Z71.41') } as Resource,
        'ETH',
      ],
      [
        {
          resourceType: 'Encounter',
          status: 'finished',
          class: {},
          reasonCode: [cc(ICD, 'F33.1')],
        } as Resource,
        'PSY',
      ],
      [
        {
          resourceType: 'EpisodeOfCare',
          status: 'active',
          patient: {},
          type: [cc('https://kith.example.org/fhir/CodeSystem/program', 'dmc-ods')],
        } as Resource,
        'ETH',
      ],
      [
        {
          resourceType: 'ServiceRequest',
          status: 'active',
          intent: 'order',
          subject: {},
          code: cc('https://kith.example.org/fhir/CodeSystem/service', 'restraining-order-assistance'),
        } as Resource,
        'SDV',
      ],
      [
        {
          resourceType: 'DiagnosticReport',
          status: 'final',
          code: cc(LOINC, 'x'),
          conclusionCode: [cc(ICD, 'B20')],
        } as Resource,
        'HIV',
      ],
      [
        {
          resourceType: 'MedicationStatement',
          status: 'active',
          subject: {},
          medicationCodeableConcept: cc(SNOMED, 'x'),
          reasonCode: [cc(ICD, 'F11.20')],
        } as Resource,
        'ETH',
      ],
      [
        {
          resourceType: 'Claim',
          diagnosis: [{ sequence: 1, diagnosisCodeableConcept: cc(ICD, 'F10.20') }],
        } as Resource,
        'ETH',
      ],
      [
        {
          resourceType: 'ExplanationOfBenefit',
          diagnosis: [{ sequence: 1, diagnosisCodeableConcept: cc(ICD, 'Z21') }],
        } as Resource,
        'HIV',
      ],
      [
        {
          resourceType: 'QuestionnaireResponse',
          status: 'completed',
          item: [
            {
              linkId: 'a',
              item: [{ linkId: 'b', answer: [{ valueCoding: { system: LOINC, code: '76501-6' } }] }],
            },
          ],
        } as Resource,
        'SDV',
      ],
    ];
    for (const [resource, label] of cases) {
      expect(codes(labelResource(resource).resource), resource.resourceType).toEqual([label, 'R'].sort());
    }
  });

  it('does not read AllergyIntolerance codes', () => {
    const a = { resourceType: 'AllergyIntolerance', patient: {}, code: cc(ICD, 'F10.20') } as Resource;
    expect(labelResource(a).resource.meta).toBeUndefined();
  });

  it('records each rule with the DS4P classifier', () => {
    const { resource } = labelResource(condition(ICD, 'F11.20'));
    const eth = resource.meta!.security!.find((c) => c.code === 'ETH')!;
    expect(eth.system).toBe(ACT);
    expect(eth.extension?.[0].url).toBe(DS4P.classifier);
    expect(labelOrigin(eth)).toEqual({ ruleId: 'icd10cm-substance-use', ruleVersion: defaultRules.version });
  });
});

describe('labelResource by source, type and category', () => {
  it('labels everything from a Part 2 program ETH + 42CFRPart2 + NORDSCLCD, restricted, with a basis', () => {
    const bp: Observation = { resourceType: 'Observation', status: 'final', code: cc(LOINC, '85354-9') };
    const { resource, labels } = labelResource(bp, { sourceOrganization: { id: 'bh', part2Program: true } });
    expect(codes(resource)).toEqual(['42CFRPart2', 'ETH', 'NORDSCLCD', 'R']);
    expect(new Set(labels.map((l) => l.ruleId))).toEqual(new Set(['part2-program-source']));
    const eth = resource.meta!.security!.find((c) => c.code === 'ETH')!;
    expect(eth.extension?.find((e) => e.url === DS4P.basis)?.valueCoding?.code).toBe('42CFRPart2');
  });

  it('does not label data from an ordinary organization', () => {
    const bp: Observation = { resourceType: 'Observation', status: 'final', code: cc(LOINC, '85354-9') };
    const { resource } = labelResource(bp, { sourceOrganization: { id: 'clinic', part2Program: false } });
    expect(securityCodes(resource)).toEqual([]);
  });

  it('labels the intimate partner violence SDOH category', () => {
    const obs: Observation = {
      resourceType: 'Observation',
      status: 'final',
      category: [cc(SDOHCC, 'intimate-partner-violence')],
      code: cc(LOINC, '93026-3'),
    };
    const { resource, labels } = labelResource(obs);
    expect(codes(resource)).toEqual(['R', 'SDV']);
    expect(labels[0].ruleId).toBe('sdoh-partner-violence-category');
  });

  it('applies type rules from custom rule sets', () => {
    const rules: SegmentationRules = parseRules({
      ...defaultRules,
      version: 'test-1',
      typeRules: [{ id: 'all-flags', resourceTypes: ['Flag'], labels: ['BH'], confidentiality: 'V' }],
    });
    const flag = { resourceType: 'Flag', status: 'active', code: {}, subject: {} } as Resource;
    const { resource, labels } = labelResource(flag, {}, rules);
    expect(codes(resource)).toEqual(['BH', 'V']);
    expect(labels.every((l) => l.ruleId === 'all-flags' && l.ruleVersion === 'test-1')).toBe(true);
  });
});

describe('asserted labels, recomputation and custodian', () => {
  const staffSdv: Coding = { system: ACT, code: 'SDV' };

  it('keeps labels staff added and the highest confidentiality', () => {
    const c = condition(ICD, 'F10.20', { meta: { security: [staffSdv, { system: CONF, code: 'V' }] } });
    const { resource, labels } = labelResource(c);
    expect(codes(resource)).toEqual(['ETH', 'SDV', 'V']);
    expect(labels.find((l) => l.code === 'SDV')?.ruleId).toBe('asserted');
    expect(labels.find((l) => l.code === 'V')?.ruleId).toBe('asserted');
    expect(resource.meta!.security!.filter((s) => s.system === CONF)).toHaveLength(1);
  });

  it('raises an asserted normal confidentiality to restricted', () => {
    const c = condition(ICD, 'B20', { meta: { security: [{ system: CONF, code: 'N' }] } });
    expect(codes(labelResource(c).resource)).toEqual(['HIV', 'R']);
  });

  it('recomputes rule labels: a corrected code drops them, is idempotent', () => {
    const first = labelResource(condition(ICD, 'F10.20')).resource;
    expect(labelResource(first).resource).toEqual(first);
    const corrected = { ...first, code: cc(ICD, 'E11.9') };
    expect(labelResource(corrected).resource.meta).toBeUndefined();
  });

  it('carries asserted labels of the stored version over an update that leaves them out', () => {
    const previous = condition(ICD, 'E11.9', { meta: { security: [staffSdv] } });
    const update = condition(ICD, 'E11.9');
    expect(codes(labelResource(update, { previous }).resource)).toEqual(['SDV']);
    expect(labelResource(update, { previous, allowLabelRemoval: true }).resource.meta).toBeUndefined();
  });

  it('sets the custodian from the source, drops a forged one, keeps the stored one on update', () => {
    const forged = condition(ICD, 'E11.9', {
      meta: { extension: [{ url: CUSTODIAN_EXTENSION, valueReference: { reference: 'Organization/evil' } }] },
    });
    const created = labelResource(forged, {
      sourceOrganization: { id: 'clinic', part2Program: false },
    }).resource;
    expect(created.meta?.extension).toEqual([
      { url: CUSTODIAN_EXTENSION, valueReference: { reference: 'Organization/clinic' } },
    ]);
    expect(labelResource(forged).resource.meta).toBeUndefined();
    const updated = labelResource(condition(ICD, 'I10'), { previous: created }).resource;
    expect(updated.meta?.extension?.[0].valueReference?.reference).toBe('Organization/clinic');
  });
});

describe('propagation', () => {
  const qr: Resource = {
    resourceType: 'QuestionnaireResponse',
    id: 'qr1',
    status: 'completed',
    meta: {
      security: [
        { system: CONF, code: 'R' },
        { system: ACT, code: 'SDV' },
      ],
    },
  };

  it('an Observation derived from a labeled QuestionnaireResponse inherits its labels', () => {
    const obs: Observation = {
      resourceType: 'Observation',
      status: 'final',
      code: cc(LOINC, '71802-3'),
      derivedFrom: [{ reference: 'QuestionnaireResponse/qr1' }],
    };
    expect(derivationReferences(obs)).toEqual(['QuestionnaireResponse/qr1']);
    const { resource, labels } = labelResource(obs, { derivedFrom: [qr] });
    expect(codes(resource)).toEqual(['R', 'SDV']);
    expect(labels).toContainEqual(
      expect.objectContaining({
        code: 'SDV',
        ruleId: 'derived-from-labeled',
        from: 'QuestionnaireResponse/qr1',
      }),
    );
  });

  it('a Condition recorded in a labeled Encounter inherits Part 2 labels', () => {
    const enc: Resource = {
      resourceType: 'Encounter',
      id: 'e1',
      meta: {
        security: [
          { system: CONF, code: 'R' },
          { system: ACT, code: 'ETH' },
          { system: ACT, code: '42CFRPart2' },
          { system: ACT, code: 'NORDSCLCD' },
        ],
      },
    } as Resource;
    const c = condition(ICD, 'I10', {
      encounter: { reference: 'https://kith.example.org/fhir/Encounter/e1/_history/2' },
    });
    expect(derivationReferences(c)).toEqual(['Encounter/e1']);
    expect(codes(labelResource(c, { derivedFrom: [enc] }).resource)).toEqual([
      '42CFRPart2',
      'ETH',
      'NORDSCLCD',
      'R',
    ]);
  });

  it('Provenance targets and entities, Task focus, DiagnosticReport results are derivation paths', () => {
    const prov = {
      resourceType: 'Provenance',
      target: [{ reference: 'Observation/o1' }],
      entity: [{ role: 'source', what: { reference: 'DocumentReference/d1' } }],
    } as Resource;
    expect(derivationReferences(prov).sort()).toEqual(['DocumentReference/d1', 'Observation/o1']);
    expect(
      derivationReferences({ resourceType: 'Task', focus: { reference: 'ServiceRequest/s1' } } as Resource),
    ).toEqual(['ServiceRequest/s1']);
    expect(
      derivationReferences({
        resourceType: 'DiagnosticReport',
        result: [{ reference: 'Observation/o2' }],
      } as Resource),
    ).toEqual(['Observation/o2']);
  });
});
