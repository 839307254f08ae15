import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestKith, type TestKith } from '../helpers/kith';
import { fhirClient, outcomeText, type FhirClient } from '../helpers/http';

let t: TestKith;
let api: FhirClient;
/** Label -> id, and back, so assertions read as names. */
const ids = new Map<string, string>();
const labels = new Map<string, string>();

async function make(
  label: string,
  resource: Record<string, unknown> & { resourceType: string },
): Promise<void> {
  const created = await api.create(resource);
  ids.set(label, created.id);
  labels.set(created.id, label);
}

/** The labels a search matched, sorted. */
async function found(url: string): Promise<string[]> {
  return (await api.ids(`${url}${url.includes('?') ? '&' : '?'}_count=100`))
    .map((id) => labels.get(id) ?? id)
    .sort();
}

const V2 = 'http://terminology.hl7.org/CodeSystem/v2-0203';
const LOINC = 'http://loinc.org';
const UCUM = 'http://unitsofmeasure.org';
const day = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

beforeAll(async () => {
  t = await startTestKith();
  api = fhirClient(t.app);
  await make('muller', {
    resourceType: 'Patient',
    name: [{ family: 'Müller', given: ['José'] }],
    gender: 'male',
    birthDate: '1980-05-06',
    active: true,
    address: [{ city: 'Springfield' }],
    telecom: [{ system: 'email', value: 'jose@example.org' }],
    identifier: [
      {
        system: 'urn:mrn',
        value: '1001',
        type: { coding: [{ system: V2, code: 'MR' }], text: 'Medical record' },
      },
      { system: 'urn:ssn', value: '999-11-1111', type: { coding: [{ system: V2, code: 'SS' }] } },
    ],
  });
  await make('mueller', {
    resourceType: 'Patient',
    name: [{ family: 'Mueller', given: ['Anna'] }],
    gender: 'female',
    birthDate: '1980',
    active: false,
    identifier: [{ system: 'urn:mrn', value: '1002' }],
  });
  await make('smith', {
    resourceType: 'Patient',
    name: [{ family: 'Smith', given: ['John Paul'] }],
    birthDate: '1975-12-31',
  });
  await make('smithson', {
    resourceType: 'Patient',
    name: [{ family: 'Smithson', given: ['Ann'] }],
    gender: 'female',
    birthDate: '1990-01-01',
    identifier: [{ value: '1001' }],
  });
  const obs = (label: string, extra: Record<string, unknown>) =>
    make(label, { resourceType: 'Observation', status: 'final', code: { text: label }, ...extra });
  const subject = {
    reference: `Patient/${ids.get('muller')}`,
    identifier: { system: 'urn:mrn', value: '1001' },
  };
  await obs('sbp120', {
    code: {
      coding: [{ system: LOINC, code: '8480-6', display: 'Systolic blood pressure' }],
      text: 'BP systolic',
    },
    subject,
    valueQuantity: { value: 120, unit: 'mmHg', system: UCUM, code: 'mm[Hg]' },
    effectiveDateTime: '2021-03-04T10:15:00Z',
  });
  await obs('sbp140', {
    code: { coding: [{ system: LOINC, code: '8480-6' }] },
    subject: { reference: `Patient/${ids.get('mueller')}` },
    valueQuantity: { value: 140, unit: 'mmHg', system: UCUM, code: 'mm[Hg]' },
    effectiveDateTime: '2021-03-04T22:00:00+05:00',
  });
  await obs('mg', {
    valueQuantity: { value: 5.4, unit: 'mg', system: UCUM, code: 'mg' },
    subject: { reference: 'http://other.example.org/fhir/Patient/ext1' },
  });
  await obs('noFhirBase', { subject: { reference: 'http://elsewhere.example.org/people/Patient/ext2' } });
  await obs('bp', {
    code: { coding: [{ system: LOINC, code: '85354-9' }] },
    component: [
      {
        code: { coding: [{ system: LOINC, code: '8480-6' }] },
        valueQuantity: { value: 118, system: UCUM, code: 'mm[Hg]' },
      },
      {
        code: { coding: [{ system: LOINC, code: '8462-4' }] },
        valueQuantity: { value: 76, system: UCUM, code: 'mm[Hg]' },
      },
    ],
    effectivePeriod: { start: '2020-01-01T08:00:00Z', end: '2020-01-03T17:00:00Z' },
  });
  await obs('openPeriod', { effectivePeriod: { start: '2020-06-01' } });
  await obs('yesterday', { effectiveDateTime: isoDay(Date.now() - day) });
  await obs('lastMonth', { effectiveDateTime: isoDay(Date.now() - 30 * day) });
  await obs('smoker', {
    code: { coding: [{ system: LOINC, code: '72166-2' }] },
    valueCodeableConcept: { coding: [{ system: 'http://snomed.info/sct', code: '449868002' }] },
  });
  for (const [label, p] of [
    ['p25', 0.25],
    ['p50', 0.5],
    ['p80', 0.8],
  ] as const) {
    await make(label, {
      resourceType: 'RiskAssessment',
      status: 'final',
      subject,
      prediction: [{ probabilityDecimal: p }],
    });
  }
  await make('vsA', {
    resourceType: 'ValueSet',
    status: 'active',
    url: 'http://example.org/fhir/ValueSet/a',
  });
  await make('vsAB', {
    resourceType: 'ValueSet',
    status: 'active',
    url: 'http://example.org/fhir/ValueSet/a/b',
  });
  await make('vsOther', { resourceType: 'ValueSet', status: 'active', url: 'http://other.org/ValueSet/a' });
  await make('qr', {
    resourceType: 'QuestionnaireResponse',
    status: 'completed',
    questionnaire: 'http://example.org/Questionnaire/phq9|1.0',
  });
});
afterAll(async () => t?.close());

describe('string', () => {
  it('matches the start of any part, ignoring case and accents', async () => {
    expect(await found('Patient?family=mul')).toEqual(['muller']);
    expect(await found('Patient?family=MÜLLER')).toEqual(['muller']);
    expect(await found('Patient?name=jose')).toEqual(['muller']);
    expect(await found('Patient?name=smi')).toEqual(['smith', 'smithson']);
    expect(await found('Patient?given=john')).toEqual(['smith']);
    expect(await found('Patient?given=paul')).toEqual([]);
    expect(await found('Patient?address-city=spring')).toEqual(['muller']);
    expect(await found('Patient?family=smith,muller')).toEqual(['muller', 'smith', 'smithson']);
    expect(await found('Patient?family=smith&given=ann')).toEqual(['smithson']);
  });
  it(':exact is case and accent sensitive; :contains matches inside', async () => {
    expect(await found('Patient?family:exact=Müller')).toEqual(['muller']);
    expect(await found('Patient?family:exact=müller')).toEqual([]);
    expect(await found('Patient?family:exact=Smith')).toEqual(['smith']);
    expect(await found('Patient?family:contains=LLER')).toEqual(['mueller', 'muller']);
    expect(await found('Patient?name:contains=ohn')).toEqual(['smith']);
  });
});

describe('token', () => {
  it('system|code, |code, system|, code and :not', async () => {
    expect(await found('Patient?identifier=urn:mrn|1001')).toEqual(['muller']);
    expect(await found('Patient?identifier=1001')).toEqual(['muller', 'smithson']);
    expect(await found('Patient?identifier=|1001')).toEqual(['smithson']);
    expect(await found('Patient?identifier=urn:mrn|')).toEqual(['mueller', 'muller']);
    expect(await found('Patient?gender=female')).toEqual(['mueller', 'smithson']);
    expect(await found('Patient?gender:not=male')).toEqual(['mueller', 'smith', 'smithson']);
    expect(await found('Patient?active=true')).toEqual(['muller']);
    expect(await found('Patient?email=jose@example.org')).toEqual(['muller']);
    expect(await found(`Observation?code=${LOINC}|8480-6`)).toEqual(['sbp120', 'sbp140']);
  });
  it(':text, :of-type and :missing', async () => {
    expect(await found('Patient?identifier:text=medical')).toEqual(['muller']);
    expect(await found('Observation?code:text=systolic')).toEqual(['sbp120']);
    expect(await found('Observation?code:text=bp sys')).toEqual(['sbp120']);
    expect(await found(`Patient?identifier:of-type=${V2}|MR|1001`)).toEqual(['muller']);
    expect(await found(`Patient?identifier:of-type=${V2}|SS|1001`)).toEqual([]);
    expect(await found('Patient?gender:missing=true')).toEqual(['smith']);
    expect(await found('Patient?identifier:missing=false')).toEqual(['mueller', 'muller', 'smithson']);
  });
});

describe('date', () => {
  it('compares the precision ranges of dates with every prefix', async () => {
    expect(await found('Patient?birthdate=1980')).toEqual(['mueller', 'muller']);
    expect(await found('Patient?birthdate=1980-05')).toEqual(['muller']);
    expect(await found('Patient?birthdate=eq1980-05-06')).toEqual(['muller']);
    expect(await found('Patient?birthdate=ne1980-05-06')).toEqual(['mueller', 'smith', 'smithson']);
    expect(await found('Patient?birthdate=lt1980')).toEqual(['smith']);
    expect(await found('Patient?birthdate=gt1980')).toEqual(['smithson']);
    expect(await found('Patient?birthdate=le1980-05-06')).toEqual(['mueller', 'muller', 'smith']);
    expect(await found('Patient?birthdate=ge1980-05-06')).toEqual(['mueller', 'muller', 'smithson']);
    expect(await found('Patient?birthdate=sa1980')).toEqual(['smithson']);
    expect(await found('Patient?birthdate=eb1980')).toEqual(['smith']);
    expect(await found('Patient?birthdate=ge1975&birthdate=lt1980')).toEqual(['smith']);
  });
  it('handles dateTimes with time zones, Periods (open or closed) and ap', async () => {
    expect(await found('Observation?date=2021-03-04')).toEqual(['sbp120', 'sbp140']);
    expect(await found('Observation?date=2021-03-04T10:15')).toEqual(['sbp120']);
    expect(await found('Observation?date=2021-03-04T17:00:00Z')).toEqual(['sbp140']);
    expect(await found('Observation?date=gt2021-03-04T12:00:00Z')).toEqual([
      'lastMonth',
      'openPeriod',
      'sbp140',
      'yesterday',
    ]);
    expect(await found('Observation?date=2020-01')).toEqual(['bp']);
    expect(await found('Observation?date=2020-01-02')).toEqual([]);
    expect(await found('Observation?date=ge2020-01-02&date=lt2020-01-02')).toEqual(['bp']);
    expect(await found('Observation?date=sa2019-12-31&date=lt2021')).toEqual(['bp', 'openPeriod']);
    expect(await found('Observation?date=eb2020-05-01')).toEqual(['bp']);
    expect(await found('Observation?date=gt2100-01-01')).toEqual(['openPeriod']);
    expect(await found('Observation?date=ne2020-01&date=lt2021')).toEqual(['openPeriod']);
    expect(await found(`Observation?date=ap${isoDay(Date.now() - day)}`)).toEqual([
      'openPeriod',
      'yesterday',
    ]);
    expect(await found(`Observation?date=ap${isoDay(Date.now() - 31 * day)}`)).toEqual([
      'lastMonth',
      'openPeriod',
    ]);
  });
});

describe('number and quantity', () => {
  it('number: implicit precision for eq, exact bounds for the other prefixes', async () => {
    expect(await found('RiskAssessment?probability=0.5')).toEqual(['p50']);
    expect(await found('RiskAssessment?probability=0.25')).toEqual(['p25']);
    expect(await found('RiskAssessment?probability=gt0.3')).toEqual(['p50', 'p80']);
    expect(await found('RiskAssessment?probability=le0.5')).toEqual(['p25', 'p50']);
    expect(await found('RiskAssessment?probability=ne0.5')).toEqual(['p25', 'p80']);
    expect(await found('RiskAssessment?probability=ap0.79')).toEqual(['p80']);
  });
  it('quantity: value, value|system|code, value||unit, prefixes', async () => {
    expect(await found('Observation?value-quantity=120')).toEqual(['sbp120']);
    expect(await found('Observation?value-quantity=gt125')).toEqual(['sbp140']);
    expect(await found(`Observation?value-quantity=120|${UCUM}|mm[Hg]`)).toEqual(['sbp120']);
    expect(await found(`Observation?value-quantity=120|${UCUM}|mg`)).toEqual([]);
    expect(await found('Observation?value-quantity=5.4||mg')).toEqual(['mg']);
    expect(await found('Observation?value-quantity=120||mmHg')).toEqual(['sbp120']);
    expect(await found(`Observation?value-quantity=120|${UCUM}|mmHg`)).toEqual([]);
    expect(await found(`Observation?value-quantity=le140|${UCUM}|mm[Hg]`)).toEqual(['sbp120', 'sbp140']);
    expect(await found('Observation?value-quantity=ap119')).toEqual(['sbp120']);
  });
});

describe('reference, uri, composite', () => {
  it('reference by id, Type/id, :Type, :identifier and absolute URL', async () => {
    const m = ids.get('muller');
    expect(await found(`Observation?subject=Patient/${m}`)).toEqual(['sbp120']);
    expect(await found(`Observation?subject=${m}`)).toEqual(['sbp120']);
    expect(await found(`Observation?patient=${m}`)).toEqual(['sbp120']);
    expect(await found(`Observation?subject:Patient=${m}`)).toEqual(['sbp120']);
    expect(await found(`Observation?subject:Group=${m}`)).toEqual([]);
    expect(await found('Observation?subject:identifier=urn:mrn|1001')).toEqual(['sbp120']);
    expect(await found(`RiskAssessment?subject=Patient/${m}`)).toEqual(['p25', 'p50', 'p80']);
    expect(await found('Observation?subject=http://other.example.org/fhir/Patient/ext1')).toEqual(['mg']);
    expect(await found('Observation?subject=http://elsewhere.example.org/people/Patient/ext2')).toEqual([
      'noFhirBase',
    ]);
    expect(await found('QuestionnaireResponse?questionnaire=http://example.org/Questionnaire/phq9')).toEqual([
      'qr',
    ]);
  });
  it('uri exact, :below and :above', async () => {
    expect(await found('ValueSet?url=http://example.org/fhir/ValueSet/a')).toEqual(['vsA']);
    expect(await found('ValueSet?url:below=http://example.org/fhir')).toEqual(['vsA', 'vsAB']);
    expect(await found('ValueSet?url:above=http://example.org/fhir/ValueSet/a/b/c')).toEqual(['vsA', 'vsAB']);
  });
  it('composite code-value-quantity with $ and a prefix, on the resource and its components', async () => {
    expect(await found(`Observation?code-value-quantity=${LOINC}|8480-6$gt130`)).toEqual(['sbp140']);
    expect(await found('Observation?code-value-quantity=8480-6$120')).toEqual(['sbp120']);
    expect(await found(`Observation?code-value-quantity=${LOINC}|8480-6$lt200`)).toEqual([
      'sbp120',
      'sbp140',
    ]);
    expect(await found(`Observation?component-code-value-quantity=${LOINC}|8462-4$lt90`)).toEqual(['bp']);
    expect(await found(`Observation?component-code-value-quantity=${LOINC}|8462-4$gt90`)).toEqual([]);
    expect(
      await found(`Observation?code-value-concept=${LOINC}|72166-2$http://snomed.info/sct|449868002`),
    ).toEqual(['smoker']);
  });
});

describe('search errors name the parameter', () => {
  it('invalid modifiers, prefixes and values answer 400 with the parameter', async () => {
    const cases: [string, string][] = [
      ['Patient?family:below=x', 'family:below'],
      ['Patient?birthdate=xx1980', 'birthdate'],
      ['Patient?birthdate=1980-13-45', 'birthdate'],
      ['RiskAssessment?probability=lots', 'probability'],
      ['Observation?value-quantity=gt', 'value-quantity'],
      ['Observation?code-value-quantity=8480-6', 'code-value-quantity'],
      ['Patient?identifier:of-type=1001', 'identifier:of-type'],
      ['Patient?gender:missing=maybe', 'gender:missing'],
      ['Patient?_lastUpdated=soon', '_lastUpdated'],
    ];
    for (const [url, param] of cases) {
      const r = await api.get(url);
      expect(r.status, url).toBe(400);
      expect(outcomeText(r.body), url).toContain(param);
      expect(r.body.issue[0].expression, url).toEqual([param]);
    }
  });
});
