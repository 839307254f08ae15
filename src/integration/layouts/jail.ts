import { SYSTEMS, kithExtension, kithIdentifierSystem } from '../../terminology';
import type { Encounter, Identifier } from '../fhir/types';
import { refTo, type MappingResult } from '../result';
import { startExtract, type ExtractOptions } from './extract';
import { PERSON_COLUMNS, personFromRow } from './person';

/** Release reasons of the jail layout (README.md); codes outside the list are reported and kept as text. */
export const RELEASE_REASONS: Record<string, string> = {
  BAIL: 'Released on bail or bond',
  OR: 'Released on own recognizance',
  SERVED: 'Sentence served',
  COURT: 'Released by court order',
  DISMISSED: 'Charges dismissed or not filed',
  TRANSFER: 'Transferred to another agency or facility',
  PROBATION: 'Released to probation or parole supervision',
  MEDICAL: 'Released to a medical or mental health facility',
  DECEASED: 'Died in custody',
  OTHER: 'Other',
};

export const JAIL_SPEC = {
  required: ['BookingNumber', 'PersonID', 'BookingDateTime'],
  optional: ['CII', ...PERSON_COLUMNS, 'ReleaseDateTime', 'ReleaseReason', 'Facility'],
};

/** California DOJ Criminal Identification and Information numbers are statewide: not scoped to a source. */
export const CA_CII = kithIdentifierSystem('ca-doj', 'cii');

/**
 * Kith's jail booking/release extract (layouts/README.md) → Patient and an Encounter per booking:
 * a booking without release is `arrived` (in custody), a release makes it `finished`, so the
 * release itself is visible as a change to the same Encounter (what a release alert listens for).
 * Custody records are labelled restricted (R): who may see them is the consent layer's decision.
 */
export function mapJailExtract(input: string | Uint8Array, options: ExtractOptions = {}): MappingResult {
  const run = startExtract(input, JAIL_SPEC, { file: 'jail-bookings.csv', source: 'county-jail' }, options);
  const { builder } = run;
  for (const r of run.rows) {
    const booking = r.require('BookingNumber');
    const personId = r.require('PersonID');
    const booked = r.dateTime('BookingDateTime', true);
    // A release time that cannot be read must not leave the person shown as in custody: the row waits for a fix.
    const released = r.str('ReleaseDateTime') ? r.dateTime('ReleaseDateTime', true) : undefined;
    if (r.failed || !booking || !personId || !booked) continue;
    if (released && Date.parse(released) < Date.parse(booked)) {
      r.report(
        'error',
        'ReleaseDateTime',
        `'${r.str('ReleaseDateTime')}' is before the booking time`,
        r.str('ReleaseDateTime'),
      );
      continue;
    }
    const origin = { kind: 'row' as const, file: r.file, row: r.rowNumber };
    const personKey: Identifier = { system: kithIdentifierSystem(run.source, 'person-id'), value: personId };
    const extra: Identifier[] = [];
    const cii = r.str('CII');
    if (cii) extra.push({ system: CA_CII, value: cii });
    builder.add(personFromRow(r, personKey, extra, builder, run.today), personKey, origin);

    const key: Identifier = { system: kithIdentifierSystem(run.source, 'booking-number'), value: booking };
    const encounter: Encounter = {
      resourceType: 'Encounter',
      meta: { security: [{ system: SYSTEMS.v3Confidentiality, code: 'R', display: 'restricted' }] },
      identifier: [key],
      status: released ? 'finished' : 'arrived',
      // v3 ActCode FLD: outside both a healthcare setting and the person's home.
      class: { system: SYSTEMS.v3ActCode, code: 'FLD', display: 'field' },
      type: [
        {
          coding: [
            { system: SYSTEMS.encounterType, code: 'jail-booking', display: 'Jail booking (custody)' },
          ],
        },
      ],
      subject: refTo('Patient', personKey),
      period: { start: booked, ...(released ? { end: released } : {}) },
    };
    const facility = r.str('Facility');
    if (facility)
      encounter.location = [{ location: { display: facility }, status: released ? 'completed' : 'active' }];
    const reason = r.str('ReleaseReason');
    if (reason) {
      const code = reason.toUpperCase();
      if (!released)
        r.report(
          'warning',
          'ReleaseReason',
          'a release reason without ReleaseDateTime; the person is still treated as in custody',
          reason,
        );
      const display = RELEASE_REASONS[code];
      if (!display)
        r.report(
          'warning',
          'ReleaseReason',
          `'${reason}' is not a release reason code of the layout; kept as text`,
          reason,
        );
      const valueCodeableConcept = display
        ? { coding: [{ system: SYSTEMS.jailReleaseReason, code, display }] }
        : { text: reason };
      encounter.extension = [{ url: kithExtension('jail-release-reason'), valueCodeableConcept }];
    }
    builder.add(encounter, key, origin);
  }
  return builder.finish();
}
