import { describe, expect, it } from 'vitest';
import { toTransactionBundle } from './bundle';
import type { EpisodeOfCare, Patient } from './fhir/types';
import { conditionalUrl, fullUrlFor, naturalKey, uuidV5 } from './keys';
import { ResultBuilder, refTo } from './result';
import { parseCsvDateTime, parseHl7DateTime, zoneOffset } from './time';

describe('natural keys', () => {
  it('uuidV5 follows RFC 4122 (the DNS-namespace vector for www.example.com)', () => {
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe(
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    );
    expect(fullUrlFor('Patient|s|1')).toBe(fullUrlFor('Patient|s|1'));
    expect(fullUrlFor('Patient|s|1')).not.toBe(fullUrlFor('Patient|s|2'));
  });

  it('conditional URLs escape FHIR search characters and URL-encode', () => {
    expect(conditionalUrl('Patient', { system: 'urn:oid:1.2.3', value: 'A|B,C$D\\E' })).toBe(
      'Patient?identifier=urn%3Aoid%3A1.2.3|A%5C|B%5C%2CC%5C%24D%5C%5CE',
    );
    expect(naturalKey('Encounter', { system: 's', value: 'v' })).toBe('Encounter|s|v');
  });
});

describe('ResultBuilder and transaction bundles', () => {
  const patientId = { system: 'urn:s:p', value: '1' };
  const episodeId = { system: 'urn:s:e', value: '9' };

  it('rewrites references to resources of the same result to their fullUrl, whatever the order of adding', () => {
    const b = new ResultBuilder();
    const episode: EpisodeOfCare = {
      resourceType: 'EpisodeOfCare',
      identifier: [episodeId],
      status: 'active',
      patient: refTo('Patient', patientId),
    };
    b.add(episode, episodeId, { kind: 'row', file: 'Enrollment.csv', row: 2 });
    b.add({ resourceType: 'Patient', identifier: [patientId] } satisfies Patient, patientId, {
      kind: 'row',
      file: 'Client.csv',
      row: 2,
    });
    const result = b.finish();
    const [e, p] = result.resources;
    expect((e.resource as EpisodeOfCare).patient.reference).toBe(p.fullUrl);
    expect(e.dependsOn).toEqual([p.key]);
    const bundle = toTransactionBundle(result);
    expect(bundle.entry.map((x) => x.request)).toEqual([
      { method: 'PUT', url: 'Patient?identifier=urn%3As%3Ap|1' },
      { method: 'PUT', url: 'EpisodeOfCare?identifier=urn%3As%3Ae|9' },
    ]);
  });

  it('keeps a reference to a resource outside the result conditional (resolved by the server)', () => {
    const b = new ResultBuilder();
    b.add(
      {
        resourceType: 'EpisodeOfCare',
        identifier: [episodeId],
        status: 'active',
        patient: refTo('Patient', patientId),
      } satisfies EpisodeOfCare,
      episodeId,
      {
        kind: 'row',
        file: 'Enrollment.csv',
        row: 2,
      },
    );
    const [e] = b.finish().resources;
    expect((e.resource as EpisodeOfCare).patient.reference).toBe('Patient?identifier=urn%3As%3Ap|1');
    expect(e.dependsOn).toEqual([]);
  });

  it('the same record twice in one input becomes one resource with both origins', () => {
    const b = new ResultBuilder();
    b.add({ resourceType: 'Patient', identifier: [patientId], gender: 'male' } satisfies Patient, patientId, {
      kind: 'row',
      file: 'a.csv',
      row: 2,
    });
    b.add(
      { resourceType: 'Patient', identifier: [patientId], gender: 'female' } satisfies Patient,
      patientId,
      { kind: 'row', file: 'a.csv', row: 5 },
    );
    const result = b.finish();
    expect(result.resources).toHaveLength(1);
    expect((result.resources[0].resource as Patient).gender).toBe('female');
    expect(result.resources[0].origin).toHaveLength(2);
  });
});

describe('time zones', () => {
  it('gives the same offsets from its cache as the zone rules, minute by minute across DST changes', () => {
    const reference = (zone: string, wall: number): number => {
      const fmt = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
      const at = (ms: number): number => {
        const name = fmt.formatToParts(new Date(ms)).find((p) => p.type === 'timeZoneName')!.value;
        const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
        return m ? (m[1] === '-' ? -1 : 1) * (+m[2] * 60 + +m[3]) : 0;
      };
      const first = at(wall);
      return at(wall - first * 60_000);
    };
    const fmt = (minutes: number): string =>
      `${minutes < 0 ? '-' : '+'}${String(Math.floor(Math.abs(minutes) / 60)).padStart(2, '0')}:${String(Math.abs(minutes) % 60).padStart(2, '0')}`;
    const cases: [string, number, number, number][] = [
      ['America/Los_Angeles', 2024, 3, 10],
      ['America/Los_Angeles', 2024, 11, 3],
      ['Australia/Lord_Howe', 2024, 4, 7],
    ];
    for (const [zone, y, mo, d] of cases) {
      for (let pass = 0; pass < 2; pass++) {
        for (let minute = 0; minute < 4 * 60; minute += 7) {
          const [h, mi] = [Math.floor(minute / 60), minute % 60];
          expect(zoneOffset(zone, y, mo, d, h, mi, 0), `${zone} ${y}-${mo}-${d} ${h}:${mi}`).toBe(
            fmt(reference(zone, Date.UTC(y, mo - 1, d, h, mi, 0))),
          );
        }
      }
    }
  });

  it('uses the offset the zone had at that wall-clock time (DST-aware)', () => {
    expect(parseHl7DateTime('20240310013000', 'America/Los_Angeles')).toMatchObject({
      value: '2024-03-10T01:30:00-08:00',
    });
    expect(parseHl7DateTime('20240310033000', 'America/Los_Angeles')).toMatchObject({
      value: '2024-03-10T03:30:00-07:00',
    });
    expect(parseCsvDateTime('2024-11-03 12:00', 'America/New_York')).toMatchObject({
      value: '2024-11-03T12:00:00-05:00',
    });
    expect(parseCsvDateTime('2024-07-01T10:00:00Z')).toMatchObject({ value: '2024-07-01T10:00:00Z' });
    expect(parseHl7DateTime('20240101', 'Not/AZone')).toMatchObject({ ok: true, value: '2024-01-01' });
    expect(parseHl7DateTime('202401011200', 'Not/AZone')).toEqual({
      ok: false,
      problem: 'unknown time zone Not/AZone',
    });
  });
});
