/**
 * One Patient per person per source system, written the way that system writes people: its own
 * record number and identifier system, its habits (upper case, no accents, nicknames, SSN or not)
 * and its errors (typos, swapped dates, stale addresses, maiden names).
 */
import type { Random } from './random';
import type { IdFactory } from './ids';
import { SHARED_ID, SOURCES, type SourceKey } from './kith';
import { coding, concept, SYSTEM, type Resource } from './fhir';
import { orgRef } from './organizations';
import { LANGUAGE_NAMES } from './names';
import { streetLine, type StreetAddress } from './geography';
import {
  birthDateError,
  compoundSurname,
  formatSsn,
  nickname,
  partialDate,
  ssnTypo,
  stripAccents,
  typo,
} from './variations';
import type { Person } from './population';
import { HABITS, type Habits } from './source-habits';

const SHELTER_ADDRESS = { line: ['221 Canal Street'], city: 'Alderton', postalCode: '95990' };

function address(
  a: StreetAddress,
  style: Habits['addressStyle'],
  use: 'home' | 'old',
  period?: { start?: string; end?: string },
) {
  const city = style === 'upper' ? a.town.name.toUpperCase() : a.town.name;
  return {
    use,
    type: 'physical',
    line: [streetLine(a, style)],
    city,
    state: 'CA',
    postalCode: a.zip,
    ...(period ? { period } : {}),
  };
}

export interface SourceRecordOptions {
  ids: IdFactory;
  rng: Random;
  person: Person;
  source: SourceKey;
  /** Medi-Cal client index number, when the person has Medi-Cal. */
  cin?: string;
  mother?: Person;
  father?: Person;
}

export function sourcePatient(o: SourceRecordOptions): Resource {
  const { rng, person: p, source } = o;
  const h = HABITS[source];
  const src = SOURCES[source];
  const strip = rng.chance(h.stripAccents);
  const style = h.compound === 'any' ? rng.pick(['space', 'hyphen', 'first'] as const) : h.compound;
  const textOf = (s: string) => {
    const t = strip ? stripAccents(s) : s;
    return h.upper ? t.toUpperCase() : t;
  };

  let family = compoundSurname(p.family, p.secondFamily, style);
  if (p.maidenFamily && rng.chance(h.maiden)) family = p.maidenFamily;
  let given = p.given;
  const nick = rng.chance(h.nickname) ? nickname(rng, p.given) : undefined;
  const nickInPlace = nick && (source === 'hmis' || source === 'foodbank' || source === 'jail');
  if (nick && nickInPlace) given = nick;
  if (rng.chance(h.typo)) {
    if (rng.chance(0.6)) family = typo(rng, family);
    else given = typo(rng, given);
  }
  const middle =
    !p.middle || h.middle === 'none' ? undefined : h.middle === 'initial' ? p.middle[0] : p.middle;
  const swap =
    p.group !== 'white' && p.group !== 'black' && p.group !== 'hispanic' && rng.chance(h.swapNames);
  const officialGiven = [swap ? family : given, ...(middle ? [middle] : [])].map(textOf);
  const names: Record<string, unknown>[] = [
    {
      use: 'official',
      family: textOf(swap ? given : family),
      given: officialGiven,
      ...(p.suffix && rng.chance(h.suffix) ? { suffix: [textOf(p.suffix)] } : {}),
    },
  ];
  if (nick && !nickInPlace) names.push({ use: 'usual', given: [textOf(nick)] });
  if (source === 'calsaws' && p.maidenFamily && family !== p.maidenFamily && rng.chance(0.5)) {
    names.push({ use: 'maiden', family: textOf(p.maidenFamily), given: [textOf(p.given)] });
  }
  if (source === 'jail' && rng.chance(0.15)) {
    const alias = nickname(rng, p.given) ?? typo(rng, p.given);
    names.push({ use: 'nickname', given: [textOf(alias)], family: textOf(p.family) });
  }

  const identifier: Record<string, unknown>[] = [
    {
      use: 'usual',
      type: concept(
        SYSTEM.v2IdType,
        src.idType,
        src.idType === 'MR' ? 'Medical record number' : 'Patient internal identifier',
      ),
      system: src.identifierSystem,
      value: o.ids.number(...h.record),
      assigner: orgRef(src.org),
    },
  ];
  if (p.ssn && rng.chance(h.ssn)) {
    const value = rng.chance(0.03) ? ssnTypo(rng, p.ssn) : p.ssn;
    identifier.push({
      type: concept(SYSTEM.v2IdType, 'SS', 'Social Security number'),
      system: SYSTEM.ssn,
      value: formatSsn(value, h.ssnDashes),
    });
  }
  if (o.cin && (source === 'calsaws' || (source === 'clinic' && rng.chance(0.3)))) {
    identifier.push({
      type: concept(SYSTEM.v2IdType, 'MA', 'Patient Medicaid number'),
      system: SHARED_ID.mediCalCin,
      value: o.cin,
    });
  }
  if (source === 'jail') identifier.push({ system: SHARED_ID.cii, value: o.ids.number('A', 8) });

  const telecom: Record<string, unknown>[] = [];
  if (rng.chance(h.phone)) telecom.push({ system: 'phone', value: p.phone, use: 'home' });
  if (p.cell && rng.chance(h.phone)) telecom.push({ system: 'phone', value: p.cell, use: 'mobile' });
  if (p.email && rng.chance(h.email)) telecom.push({ system: 'email', value: p.email, use: 'home' });

  const addresses: Record<string, unknown>[] = [];
  const stale = p.previousAddress && rng.chance(h.staleAddress);
  if (source === 'hmis' && p.traits.homeless === 'sheltered') {
    addresses.push({ use: 'temp', type: 'physical', ...SHELTER_ADDRESS, state: 'CA' });
  } else if (source === 'hmis' && p.traits.homeless) {
    addresses.push({
      use: 'temp',
      text: 'No fixed address',
      city: p.previousAddress?.town.name ?? 'Alderton',
      state: 'CA',
    });
  } else if (p.address && !stale) {
    addresses.push(
      address(
        p.address,
        h.addressStyle,
        'home',
        source === 'calsaws' && p.movedOn ? { start: p.movedOn } : undefined,
      ),
    );
    if (source === 'calsaws' && p.previousAddress && p.movedOn && rng.chance(0.5)) {
      addresses.push(address(p.previousAddress, h.addressStyle, 'old', { end: p.movedOn }));
    }
  } else if (p.previousAddress && (p.address || rng.chance(0.5))) {
    addresses.push(address(p.previousAddress, h.addressStyle, 'home'));
  }
  if (addresses.length && rng.chance(h.zipOnly)) {
    const first = addresses[0] as { city?: string; postalCode?: string };
    addresses.splice(0, addresses.length, {
      use: 'home',
      city: first.city,
      state: 'CA',
      postalCode: first.postalCode,
    });
  }

  let birthDate: string | undefined = p.birthDate;
  if (rng.chance(h.missingDob) && p.age >= 18) birthDate = undefined;
  else if (rng.chance(h.partialDob)) birthDate = partialDate(rng, p.birthDate);
  else if (rng.chance(h.dobError)) birthDate = birthDateError(rng, p.birthDate);

  // Sparse as a record may be, it keeps enough to be linked: two of birth date, phone, street, SSN.
  const strong = () =>
    [
      birthDate?.length === 10,
      telecom.some((t) => t.system === 'phone'),
      addresses.some((a) => 'line' in a),
      identifier.some((i) => i.system === SYSTEM.ssn),
    ].filter(Boolean).length;
  if (strong() < 2) birthDate = p.birthDate;
  if (strong() < 2)
    telecom.unshift({ system: 'phone', value: p.cell ?? p.phone, use: p.cell ? 'mobile' : 'home' });

  const patient: Resource = {
    resourceType: 'Patient',
    id: o.ids.next(source),
    meta: { source: src.metaSource },
    identifier,
    active: true,
    name: names,
    ...(telecom.length ? { telecom } : {}),
    gender: rng.chance(h.genderKnown) ? p.gender : 'unknown',
    ...(birthDate ? { birthDate } : {}),
    ...(addresses.length ? { address: addresses } : {}),
    ...(p.birthOrder && (source === 'clinic' || source === 'wic' || source === 'hospital')
      ? { multipleBirthInteger: p.birthOrder }
      : {}),
    communication: [
      {
        language: { coding: [coding('urn:ietf:bcp:47', p.language, LANGUAGE_NAMES[p.language])] },
        preferred: true,
      },
    ],
    managingOrganization: orgRef(src.org),
  };
  const parent = o.mother ?? o.father;
  if (p.age < 18 && parent && (source === 'clinic' || source === 'wic' || source === 'calsaws')) {
    const mother = parent === o.mother;
    patient.contact = [
      {
        relationship: [
          concept(
            'http://terminology.hl7.org/CodeSystem/v3-RoleCode',
            mother ? 'MTH' : 'FTH',
            mother ? 'mother' : 'father',
          ),
        ],
        name: { family: textOf(parent.family), given: [textOf(parent.given)] },
        telecom: [{ system: 'phone', value: parent.cell ?? parent.phone }],
      },
    ];
  }
  return patient;
}
