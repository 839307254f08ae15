import { describe, expect, it } from 'vitest';
import { SYSTEMS, kithIdentifierSystem } from '../../terminology';
import type { Encounter, Patient } from '../fhir/types';
import { toTransactionBundle } from '../bundle';
import { processHl7, type Hl7Outcome } from './process';

const NOW = new Date('2025-06-01T00:00:00Z');
const OPTIONS = {
  now: NOW,
  timeZone: 'America/Los_Angeles',
  identifierSystems: { GHH: 'urn:oid:2.16.840.1.113883.19.5' },
};
const msh = (event: string, control = 'C1'): string =>
  `MSH|^~\\&|ADT|GHH|KITH|COUNTY|20240105123000||ADT^${event}^ADT_A01|${control}|P|2.5.1`;
const PID =
  'PID|1||MRN1^^^GHH^MR~999-88-7777^^^USSSA^SS||DOE^JANE^Q^JR^DR^^L~DOE^JJ^^^^^N|SMITH|19800102|F|||12&Oak St^Apt 4^Oakland^CA^94612^USA^H||^PRN^PH^^1^510^5551234~^NET^Internet^jane@example.org|^WPN^PH^^^510^5559999||||ACCT7^^^GHH^AN|999887777';
const pv1 = (cls: string, extra: Partial<Record<number, string>> = {}): string => {
  const f: string[] = Array(46).fill('');
  f[1] = '1';
  f[2] = cls;
  f[3] = '4W^401^A^GHH';
  f[19] = 'V100^^^GHH^VN';
  f[44] = '20240105120000';
  for (const [k, v] of Object.entries(extra)) f[Number(k)] = v ?? '';
  return ['PV1', ...f.slice(1)].join('|');
};
const run = (...segments: string[]): Hl7Outcome => processHl7(segments.join('\r'), OPTIONS);
const resource = <T>(o: Hl7Outcome, type: string): T =>
  o.result.resources.find((r) => r.resourceType === type)?.resource as T;

describe('ADT → Patient', () => {
  const outcome = run(msh('A01'), 'EVN|A01|20240105123000', PID, pv1('I'));
  const patient = resource<Patient>(outcome, 'Patient');

  it('keys the Patient on the MRN, with the configured system for the assigning authority', () => {
    const mapped = outcome.result.resources.find((r) => r.resourceType === 'Patient')!;
    expect(mapped.identifier).toEqual({
      system: 'urn:oid:2.16.840.1.113883.19.5',
      value: 'MRN1',
      type: { coding: [{ system: SYSTEMS.identifierType, code: 'MR' }] },
    });
    expect(mapped.conditionalUrl).toBe('Patient?identifier=urn%3Aoid%3A2.16.840.1.113883.19.5|MRN1');
    expect(outcome.ackCode).toBe('AA');
  });

  it('maps PID-3 SSN and PID-19 to us-ssn (deduplicated), names, birth date, sex, address and telecom', () => {
    expect(patient.identifier?.filter((i) => i.system === SYSTEMS.usSsn).map((i) => i.value)).toEqual([
      '999887777',
    ]);
    expect(patient.name).toEqual([
      { use: 'official', family: 'DOE', given: ['JANE', 'Q'], prefix: ['DR'], suffix: ['JR'] },
      { use: 'nickname', family: 'DOE', given: ['JJ'] },
    ]);
    expect(patient.birthDate).toBe('1980-01-02');
    expect(patient.gender).toBe('female');
    expect(patient.address).toEqual([
      {
        line: ['12 Oak St', 'Apt 4'],
        city: 'Oakland',
        state: 'CA',
        postalCode: '94612',
        country: 'USA',
        use: 'home',
      },
    ]);
    expect(patient.telecom).toEqual([
      { system: 'phone', value: '+1 (510) 5551234', use: 'home' },
      { system: 'email', value: 'jane@example.org' },
      { system: 'phone', value: '(510) 5559999', use: 'work' },
    ]);
    expect(patient.extension).toEqual([
      { url: 'http://hl7.org/fhir/StructureDefinition/patient-mothersMaidenName', valueString: 'SMITH' },
    ]);
  });

  it('never keys a patient on an SSN alone', () => {
    const o = run(msh('A28'), 'EVN|A28', 'PID|1||123456789^^^USSSA^SS||DOE^J');
    expect(o.result.resources).toEqual([]);
    expect(o.ackCode).toBe('AE');
    expect(o.issues.find((i) => i.severity === 'error')?.message).toBe(
      'PID-3: PID-3 has no patient identifier other than an SSN; the patient cannot be keyed',
    );
  });

  it('puts ids without assigning authority in a namespace of the sending facility', () => {
    const o = run(msh('A28'), 'EVN|A28', 'PID|1||42||DOE^J');
    expect(o.result.resources[0].identifier).toEqual({
      system: kithIdentifierSystem('hl7v2', 'GHH', 'patient-id'),
      value: '42',
    });
  });
});

describe('ADT → Encounter by event', () => {
  const encounter = (o: Hl7Outcome): Encounter => resource<Encounter>(o, 'Encounter');

  it('A01 admits: in-progress inpatient, keyed on the visit number, period start with the sender offset', () => {
    const e = encounter(run(msh('A01'), 'EVN|A01', PID, pv1('I')));
    expect(e.status).toBe('in-progress');
    expect(e.class).toEqual({ system: SYSTEMS.v3ActCode, code: 'IMP', display: 'inpatient encounter' });
    expect(e.identifier?.[0]).toMatchObject({ system: 'urn:oid:2.16.840.1.113883.19.5', value: 'V100' });
    expect(e.period).toEqual({ start: '2024-01-05T12:00:00-08:00' });
    expect(e.location).toEqual([{ location: { display: '4W / 401 / A, GHH' }, status: 'active' }]);
  });

  it('A03 discharges: finished, end time and discharge disposition through the ConceptMap', () => {
    const e = encounter(run(msh('A03'), 'EVN|A03', PID, pv1('I', { 36: '01', 45: '20240107093000' })));
    expect(e.status).toBe('finished');
    expect(e.period).toEqual({ start: '2024-01-05T12:00:00-08:00', end: '2024-01-07T09:30:00-08:00' });
    expect(e.hospitalization?.dischargeDisposition?.coding).toEqual([
      { system: SYSTEMS.dischargeDisposition, code: 'home', display: 'Home' },
    ]);
    expect(e.location?.[0].status).toBe('completed');
  });

  it('A03 without PV1-45 takes the discharge time from EVN', () => {
    const o = run(msh('A03'), 'EVN|A03|20240107100000||||20240107094500', PID, pv1('I'));
    expect(encounter(o).period?.end).toBe('2024-01-07T09:45:00-08:00');
    expect(o.issues.some((i) => i.location === 'PV1-45' && i.severity === 'info')).toBe(true);
  });

  it('A02 transfers: the prior location (PV1-6) is completed, the new one active', () => {
    const e = encounter(run(msh('A02'), 'EVN|A02', PID, pv1('I', { 3: '5E^510^B^GHH', 6: '4W^401^A^GHH' })));
    expect(e.location).toEqual([
      { location: { display: '4W / 401 / A, GHH' }, status: 'completed' },
      { location: { display: '5E / 510 / B, GHH' }, status: 'active' },
    ]);
  });

  it('A04 registers an outpatient as arrived; A05 pre-admits as planned', () => {
    expect(encounter(run(msh('A04'), 'EVN|A04', PID, pv1('O')))).toMatchObject({
      status: 'arrived',
      class: { code: 'AMB' },
    });
    expect(encounter(run(msh('A05'), 'EVN|A05', PID, pv1('P')))).toMatchObject({
      status: 'planned',
      class: { code: 'PRENC' },
    });
  });

  it('A11 cancels the admit; A13 cancels the discharge and removes its end and disposition', () => {
    expect(encounter(run(msh('A11'), 'EVN|A11', PID, pv1('I'))).status).toBe('cancelled');
    const e = encounter(run(msh('A13'), 'EVN|A13', PID, pv1('I', { 36: '01', 45: '20240107093000' })));
    expect(e.status).toBe('in-progress');
    expect(e.period).toEqual({ start: '2024-01-05T12:00:00-08:00' });
    expect(e.hospitalization).toBeUndefined();
  });

  it('A08 derives the status from PV1', () => {
    expect(encounter(run(msh('A08'), 'EVN|A08', PID, pv1('I', { 45: '20240107093000' }))).status).toBe(
      'finished',
    );
    expect(encounter(run(msh('A08'), 'EVN|A08', PID, pv1('I'))).status).toBe('in-progress');
    expect(encounter(run(msh('A08'), 'EVN|A08', PID, pv1('P', { 44: '' }))).status).toBe('planned');
  });

  it('A28 / A31 are person-only: no Encounter even though PV1 is present', () => {
    for (const event of ['A28', 'A31']) {
      expect(
        run(msh(event), `EVN|${event}`, PID, pv1('N')).result.resources.map((r) => r.resourceType),
      ).toEqual(['Patient']);
    }
  });

  it('keeps an unmapped patient class as a v2-0004 coding (Encounter.class is extensible)', () => {
    expect(encounter(run(msh('A01'), 'EVN|A01', PID, pv1('R'))).class).toEqual({
      system: SYSTEMS.v2('0004'),
      code: 'R',
      display: 'Recurring patient',
    });
  });

  it('falls back to the account number, then to patient + admit time, and otherwise maps no encounter', () => {
    const account = encounter(run(msh('A01'), 'EVN|A01', PID, pv1('I', { 19: '' })));
    expect(account.identifier?.[0]).toMatchObject({ value: 'ACCT7', type: { coding: [{ code: 'AN' }] } });
    const noAccount = PID.replace('ACCT7^^^GHH^AN', '');
    const admit = encounter(run(msh('A01'), 'EVN|A01', noAccount, pv1('I', { 19: '' })));
    expect(admit.identifier?.[0].value).toBe('urn:oid:2.16.840.1.113883.19.5|MRN1|20240105120000');
    const none = run(msh('A01'), 'EVN|A01', noAccount, pv1('I', { 19: '', 44: '' }));
    expect(none.result.resources.map((r) => r.resourceType)).toEqual(['Patient']);
    expect(none.issues.find((i) => i.severity === 'warning')?.location).toBe('PV1-19');
  });

  it('links the Encounter to the Patient of the same message through the bundle fullUrl', () => {
    const o = run(msh('A01'), 'EVN|A01', PID, pv1('I'));
    const [patient, enc] = o.result.resources;
    expect((enc.resource as Encounter).subject?.reference).toBe(patient.fullUrl);
    expect(enc.dependsOn).toEqual([patient.key]);
  });
});

describe('idempotency', () => {
  it('the same message mapped twice gives identical keys, URLs and resources', () => {
    const a = run(msh('A01'), 'EVN|A01', PID, pv1('I'));
    const b = run(msh('A01'), 'EVN|A01', PID, pv1('I'));
    expect(b.result.resources).toEqual(a.result.resources);
    expect(toTransactionBundle(b.result)).toEqual(toTransactionBundle(a.result));
    expect(a.messageKey).toBe('GHH|C1');
  });

  it('a later event of the same visit updates the same Encounter (same conditional URL)', () => {
    const admit = run(msh('A01', 'C1'), 'EVN|A01', PID, pv1('I'));
    const discharge = run(msh('A03', 'C2'), 'EVN|A03', PID, pv1('I', { 45: '20240107093000' }));
    const url = (o: Hl7Outcome) =>
      o.result.resources.find((r) => r.resourceType === 'Encounter')?.conditionalUrl;
    expect(url(discharge)).toBe(url(admit));
  });
});

describe('ADT^A40 merge', () => {
  it('emits a merge instruction per PID/MRG pair plus the survivor', () => {
    const o = run(
      msh('A40'),
      'EVN|A40',
      'PID|1||MRN1^^^GHH^MR||DOE^JANE',
      'MRG|MRN9^^^GHH^MR~MRN8^^^GHH^MR',
      'PID|1||MRN2^^^GHH^MR||ROE^RICK',
      'MRG|OLD2',
    );
    expect(o.ackCode).toBe('AA');
    expect(o.result.merges).toHaveLength(2);
    expect(o.result.merges[0]).toMatchObject({
      survivor: { system: 'urn:oid:2.16.840.1.113883.19.5', value: 'MRN1' },
      retired: [
        { system: 'urn:oid:2.16.840.1.113883.19.5', value: 'MRN9' },
        { system: 'urn:oid:2.16.840.1.113883.19.5', value: 'MRN8' },
      ],
      origin: { kind: 'hl7', segment: 'MRG', sequence: 1 },
    });
    expect(o.result.merges[1].retired).toEqual([
      { system: kithIdentifierSystem('hl7v2', 'GHH', 'patient-id'), value: 'OLD2' },
    ]);
    expect(o.result.merges[0].survivorKey).toBe(o.result.resources[0].key);
  });

  it('refuses a merge of a record into itself', () => {
    const o = run(msh('A40'), 'EVN|A40', 'PID|1||MRN1^^^GHH^MR', 'MRG|MRN1^^^GHH^MR');
    expect(o.ackCode).toBe('AE');
    expect(o.result.merges).toEqual([]);
    expect(o.issues.find((i) => i.severity === 'error')?.location).toBe('MRG-1');
  });
});
