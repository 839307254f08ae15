import type {
  Address,
  CodeableConcept,
  Coding,
  ContactPoint,
  Extension,
  HealthcareService,
  HealthcareServiceAvailableTime,
  Identifier,
  Location,
  LocationHoursOfOperation,
  Organization,
  OrganizationContact,
  Reference,
} from '@medplum/fhirtypes';
import {
  BCP47,
  CS_ELIGIBILITY,
  EXT_AREA_EXTENT,
  EXT_DESCRIPTION,
  EXT_ELIGIBLE_AGE,
  HSDS_TAXONOMY_BASE,
  KITH,
  hsdsSystem,
} from '../extensions';
import { validPosition } from '../geo';
import { number, text, type HsdsRow, type HsdsTables } from './tables';
import { hsdsSaysElectronicReferrals, markAcceptsElectronicReferrals } from './electronic-referrals';

/** A resource mapped from HSDS, keyed by the HSDS id it is upserted by. */
export interface Planned<T = Organization | Location | HealthcareService> {
  key: { system: string; value: string };
  resource: T;
}

export interface MappedDirectory {
  organizations: Planned<Organization>[];
  locations: Planned<Location>[];
  services: Planned<HealthcareService>[];
  warnings: string[];
}

/** A reference to another HSDS object, resolved to a FHIR reference when the import writes. */
export const hsdsRef = (object: string, id: string): Reference => ({ reference: `hsds:${object}:${id}` });

const DAY: Record<
  string,
  HealthcareServiceAvailableTime['daysOfWeek'] extends (infer D)[] | undefined ? D : never
> = {
  MO: 'mon',
  TU: 'tue',
  WE: 'wed',
  TH: 'thu',
  FR: 'fri',
  SA: 'sat',
  SU: 'sun',
};

/** Turns HSDS tables into Organization, Location (places and service areas) and HealthcareService. */
export function mapDirectory(t: HsdsTables): MappedDirectory {
  const warnings: string[] = [];
  const by = <K extends string>(rows: HsdsRow[], field: K): Map<string, HsdsRow[]> => {
    const m = new Map<string, HsdsRow[]>();
    for (const r of rows) {
      const k = text(r, field);
      if (k) m.set(k, [...(m.get(k) ?? []), r]);
    }
    return m;
  };
  const phonesBy = (field: string): Map<string, HsdsRow[]> => by(t.rows('phones'), field);
  const phones = {
    organization: phonesBy('organization_id'),
    service: phonesBy('service_id'),
    location: phonesBy('location_id'),
    sal: phonesBy('service_at_location_id'),
  };
  const schedules = {
    service: by(t.rows('schedules'), 'service_id'),
    location: by(t.rows('schedules'), 'location_id'),
    sal: by(t.rows('schedules'), 'service_at_location_id'),
  };
  const salByService = by(t.rows('service_at_location'), 'service_id');
  const attributesByLink = by(t.rows('attributes'), 'link_id');

  const organizations = t.rows('organizations').map((o) => ({
    key: key('organization', o.id),
    resource: organization(t, o, phones.organization.get(o.id) ?? []),
  }));

  const locations: Planned<Location>[] = t.rows('locations').map((l) => {
    const loc = location(t, l, phones.location.get(l.id) ?? [], schedules.location.get(l.id) ?? []);
    const lat = number(l, 'latitude');
    const lon = number(l, 'longitude');
    if ((lat !== undefined || lon !== undefined) && !validPosition(lat, lon)) {
      warnings.push(
        `location ${l.id}: latitude ${lat} / longitude ${lon} is not a position on Earth; Location.position left out`,
      );
    }
    return { key: key('location', l.id), resource: loc };
  });
  for (const a of t.rows('service_areas'))
    locations.push({ key: key('service_area', a.id), resource: serviceArea(a) });

  const services = t.rows('services').map((s) => {
    const sals = salByService.get(s.id) ?? [];
    const salPhones = sals.flatMap((x) => phones.sal.get(x.id) ?? []);
    const salSchedules = sals.flatMap((x) => schedules.sal.get(x.id) ?? []);
    const terms = [s.id, ...sals.map((x) => x.id)]
      .flatMap((id) => attributesByLink.get(id) ?? [])
      .map((a) => t.get('taxonomy_terms', a.taxonomy_term_id))
      .filter((x): x is HsdsRow => !!x);
    const svc = service(
      t,
      s,
      sals,
      unique([...(phones.service.get(s.id) ?? []), ...salPhones]),
      unique([...(schedules.service.get(s.id) ?? []), ...salSchedules]),
      unique(terms),
    );
    for (const sal of sals) {
      if (text(sal, 'location_id') && !t.get('locations', sal.location_id))
        warnings.push(
          `service_at_location ${sal.id}: location ${sal.location_id} is not in this data; referenced by identifier`,
        );
    }
    const electronic = hsdsSaysElectronicReferrals(t, s, (id) => attributesByLink.get(id) ?? []);
    return { key: key('service', s.id), resource: electronic ? markAcceptsElectronicReferrals(svc) : svc };
  });
  for (const a of t.rows('attributes')) {
    if (
      !t.get('services', a.link_id) &&
      !t.get('service_at_location', a.link_id) &&
      !t.get('organizations', a.link_id) &&
      !t.get('locations', a.link_id)
    )
      warnings.push(
        `attribute ${a.id}: links to ${a.link_id}, which is not in this data; its taxonomy term is not applied`,
      );
  }
  return { organizations, locations, services, warnings };
}

function unique(rows: HsdsRow[]): HsdsRow[] {
  const seen = new Set<string>();
  return rows.filter((r) => (seen.has(r.id) ? false : (seen.add(r.id), true)));
}

function key(object: string, id: string): { system: string; value: string } {
  return { system: hsdsSystem(object), value: id };
}

function identifier(object: string, id: string): Identifier {
  return { use: 'secondary', system: hsdsSystem(object), value: id };
}

function description(row: HsdsRow): Extension[] {
  const d = text(row, 'description');
  return d ? [{ url: EXT_DESCRIPTION, valueMarkdown: d }] : [];
}

/** A phone number without the stray quotes some exports wrap it in, with its extension. */
function phoneNumber(p: HsdsRow): string | undefined {
  const n = text(p, 'number')
    ?.replace(/^["']+|["']+$/g, '')
    .trim();
  if (!n) return undefined;
  const ext = text(p, 'extension');
  return ext ? `${n} ext. ${ext}` : n;
}

function phoneSystem(type: string | undefined): ContactPoint['system'] {
  switch ((type ?? '').toLowerCase()) {
    case 'fax':
      return 'fax';
    case 'text':
    case 'sms':
      return 'sms';
    case 'pager':
      return 'pager';
    default:
      return 'phone';
  }
}

function telecom(phones: HsdsRow[], email?: string, url?: string): ContactPoint[] {
  const out: ContactPoint[] = [];
  for (const p of phones) {
    const value = phoneNumber(p);
    if (value) out.push({ system: phoneSystem(text(p, 'type')), value, use: 'work' });
  }
  if (email) out.push({ system: 'email', value: email, use: 'work' });
  if (url) out.push({ system: 'url', value: url, use: 'work' });
  return out;
}

function organization(t: HsdsTables, o: HsdsRow, phones: HsdsRow[]): Organization {
  const ids: Identifier[] = [identifier('organization', o.id)];
  for (const oi of t.rows('organization_identifiers').filter((x) => x.organization_id === o.id)) {
    const value = text(oi, 'identifier');
    const scheme = text(oi, 'identifier_scheme');
    if (value)
      ids.push({
        system: scheme ? `https://org-id.guide/list/${scheme}` : hsdsSystem('organization_identifier'),
        value,
        ...(text(oi, 'identifier_type') ? { type: { text: text(oi, 'identifier_type') } } : {}),
      });
  }
  const taxId = text(o, 'tax_id');
  if (taxId) ids.push({ system: hsdsSystem('tax_id'), value: taxId, type: { text: 'Tax id' } });
  const contacts: OrganizationContact[] = t
    .rows('contacts')
    .filter((c) => c.organization_id === o.id && !text(c, 'service_id') && !text(c, 'location_id'))
    .map((c): OrganizationContact => ({
      ...(text(c, 'name') ? { name: { text: text(c, 'name') } } : {}),
      ...(text(c, 'title') ? { purpose: { text: text(c, 'title') } } : {}),
      ...(text(c, 'email') ? { telecom: [{ system: 'email' as const, value: text(c, 'email') }] } : {}),
    }))
    .filter((c) => Object.keys(c).length > 0);
  const parent = text(o, 'parent_organization_id');
  return clean<Organization>({
    resourceType: 'Organization',
    identifier: ids,
    active: true,
    name: text(o, 'name'),
    alias: text(o, 'alternate_name') ? [text(o, 'alternate_name') as string] : undefined,
    telecom: telecom(phones, text(o, 'email'), text(o, 'website') ?? text(o, 'uri')),
    contact: contacts,
    partOf: parent && parent !== o.id ? hsdsRef('organization', parent) : undefined,
    extension: description(o),
  });
}

function address(a: HsdsRow): Address {
  const type = text(a, 'address_type');
  return clean<Address>({
    use: 'work',
    type: type === 'postal' ? 'postal' : type === 'physical' ? 'physical' : undefined,
    line: [text(a, 'address_1'), text(a, 'address_2')].filter((x): x is string => !!x),
    city: text(a, 'city'),
    district: text(a, 'region'),
    state: text(a, 'state_province'),
    postalCode: text(a, 'postal_code'),
    country: text(a, 'country'),
  });
}

function hours(rows: HsdsRow[]): LocationHoursOfOperation[] {
  return rows
    .map(availableTime)
    .filter((x): x is HealthcareServiceAvailableTime => !!x)
    .map((a) =>
      clean<LocationHoursOfOperation>({
        daysOfWeek: a.daysOfWeek,
        openingTime: a.availableStartTime,
        closingTime: a.availableEndTime,
      }),
    );
}

function location(t: HsdsTables, l: HsdsRow, phones: HsdsRow[], schedules: HsdsRow[]): Location {
  const addresses = t.rows('addresses').filter((a) => a.location_id === l.id);
  const main = addresses.find((a) => text(a, 'address_type') === 'physical') ?? addresses[0];
  const lat = number(l, 'latitude');
  const lon = number(l, 'longitude');
  const extId = text(l, 'external_identifier');
  const type = text(l, 'location_type');
  return clean<Location>({
    resourceType: 'Location',
    identifier: [
      identifier('location', l.id),
      ...(extId
        ? [
            {
              system: `${KITH}/hsds/external-identifier/${text(l, 'external_identifier_type') ?? 'unknown'}`,
              value: extId,
            },
          ]
        : []),
    ],
    status: 'active',
    mode: 'instance',
    name: text(l, 'name'),
    alias: text(l, 'alternate_name') ? [text(l, 'alternate_name') as string] : undefined,
    description: text(l, 'description'),
    type: type ? [{ coding: [{ system: hsdsSystem('location_type'), code: type }], text: type }] : undefined,
    telecom: telecom(phones, undefined, text(l, 'url')),
    address: main ? address(main) : undefined,
    position: validPosition(lat, lon) ? { latitude: lat as number, longitude: lon as number } : undefined,
    managingOrganization: text(l, 'organization_id')
      ? hsdsRef('organization', l.organization_id as string)
      : undefined,
    // Hours of the place itself; the hours of a service there belong to the service.
    hoursOfOperation: hours(
      schedules.filter((s) => !text(s, 'service_id') && !text(s, 'service_at_location_id')),
    ),
  });
}

function serviceArea(a: HsdsRow): Location {
  const extent = text(a, 'extent');
  return clean<Location>({
    resourceType: 'Location',
    identifier: [identifier('service_area', a.id)],
    status: 'active',
    mode: 'kind',
    name: text(a, 'name') ?? 'Service area',
    description: text(a, 'description'),
    physicalType: {
      coding: [
        {
          system: 'http://terminology.hl7.org/CodeSystem/location-physical-type',
          code: 'area',
          display: 'Area',
        },
      ],
    },
    extension: extent
      ? [{ url: EXT_AREA_EXTENT, valueString: `${text(a, 'extent_type') ?? 'text'}: ${extent}` }]
      : undefined,
  });
}

/** An HSDS schedule (RFC 5545 fields) as an availableTime: days from byday (or every day for DAILY), opening hours. */
export function availableTime(s: HsdsRow): HealthcareServiceAvailableTime | undefined {
  const freq = text(s, 'freq')?.toUpperCase();
  const days = (text(s, 'byday') ?? '')
    .split(',')
    .map(
      (d) =>
        DAY[
          d
            .trim()
            .replace(/^[+-]?\d+/, '')
            .toUpperCase()
        ],
    )
    .filter(Boolean);
  const opens = time(text(s, 'opens_at'));
  const closes = time(text(s, 'closes_at'));
  if (!days.length && freq !== 'DAILY') return undefined;
  if (!opens && !closes) return undefined;
  return clean<HealthcareServiceAvailableTime>({
    daysOfWeek: days.length ? days : ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
    availableStartTime: opens,
    availableEndTime: closes,
  });
}

function time(v: string | undefined): string | undefined {
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?/.exec(v ?? '');
  if (!m) return undefined;
  return `${m[1].padStart(2, '0')}:${m[2]}:${m[3] ?? '00'}`;
}

function termCoding(t: HsdsTables, term: HsdsRow): Coding {
  const taxonomy = t.get('taxonomies', term.taxonomy_id);
  const system =
    text(taxonomy, 'uri') ??
    `${HSDS_TAXONOMY_BASE}${encodeURIComponent(text(taxonomy, 'name') ?? text(term, 'taxonomy') ?? 'terms')}`;
  return clean<Coding>({ system, code: text(term, 'code') ?? term.id, display: text(term, 'name') });
}

/** The top of a term's hierarchy among the terms present (itself when its parent is unknown). */
function rootTerm(t: HsdsTables, term: HsdsRow): HsdsRow {
  let cur = term;
  const seen = new Set<string>();
  while (!seen.has(cur.id)) {
    seen.add(cur.id);
    const parent = t.get('taxonomy_terms', cur.parent_id);
    if (!parent) break;
    cur = parent;
  }
  return cur;
}

function service(
  t: HsdsTables,
  s: HsdsRow,
  sals: HsdsRow[],
  phones: HsdsRow[],
  schedules: HsdsRow[],
  terms: HsdsRow[],
): HealthcareService {
  const status = (text(s, 'status') ?? 'active').toLowerCase();
  const minAge = number(s, 'minimum_age');
  const maxAge = number(s, 'maximum_age');
  const program = t.get('programs', s.program_id);
  const languages = t.rows('languages').filter((l) => l.service_id === s.id);
  const areas = t.rows('service_areas').filter((a) => a.service_id === s.id);
  const times = schedules.map(availableTime).filter((x): x is HealthcareServiceAvailableTime => !!x);
  const notes = [
    ...new Set(schedules.flatMap((x) => [text(x, 'description'), text(x, 'notes')]).filter(Boolean)),
  ];
  const eligibilityText = text(s, 'eligibility_description');
  const ageText =
    minAge !== undefined || maxAge !== undefined
      ? `Ages ${minAge ?? 0}${maxAge !== undefined ? ` to ${maxAge}` : ' and over'}`
      : undefined;
  const categories = unique(terms.map((x) => rootTerm(t, x)));
  const details = [
    ['Application process', text(s, 'application_process')],
    ['Fees', text(s, 'fees_description')],
    ['Wait time', text(s, 'wait_time')],
    ['Interpretation', text(s, 'interpretation_services')],
    ['Accreditations', text(s, 'accreditations')],
    ['Licenses', text(s, 'licenses')],
    ['Alert', text(s, 'alert')],
    ...t
      .rows('cost_options')
      .filter((c) => c.service_id === s.id)
      .map((c) => [
        'Cost',
        [
          text(c, 'option'),
          text(c, 'amount') && `${text(c, 'amount')} ${text(c, 'currency') ?? ''}`.trim(),
          text(c, 'amount_description'),
        ]
          .filter(Boolean)
          .join(', '),
      ]),
    ...t
      .rows('required_documents')
      .filter((d) => d.service_id === s.id)
      .map((d) => ['Required document', text(d, 'document')]),
  ].filter((x): x is [string, string] => !!x[1]);
  return clean<HealthcareService>({
    resourceType: 'HealthcareService',
    identifier: [identifier('service', s.id), ...sals.map((x) => identifier('service_at_location', x.id))],
    active: status === 'active',
    providedBy: text(s, 'organization_id') ? hsdsRef('organization', s.organization_id as string) : undefined,
    category: categories.map((x) => ({ coding: [termCoding(t, x)], text: text(x, 'name') })),
    type: terms.map((x) => ({ coding: [termCoding(t, x)], text: text(x, 'name') })),
    location: sals
      .filter((x) => text(x, 'location_id'))
      .map((x) => hsdsRef('location', x.location_id as string)),
    name: text(s, 'name'),
    comment: text(s, 'description'),
    extraDetails: details.length ? details.map(([k, v]) => `**${k}:** ${v}`).join('\n\n') : undefined,
    telecom: telecom(phones, text(s, 'email'), text(s, 'url')),
    coverageArea: areas.map((a) => hsdsRef('service_area', a.id)),
    eligibility:
      eligibilityText || ageText
        ? [
            {
              code: {
                coding: [
                  {
                    system: CS_ELIGIBILITY,
                    code: ageText ? 'age' : 'described',
                    display: ageText ? 'Age' : 'Described',
                  },
                ],
                text: ageText ?? 'Eligibility',
              },
              comment: eligibilityText,
            },
          ]
        : undefined,
    program: program
      ? [
          {
            coding: [{ system: hsdsSystem('program'), code: program.id, display: text(program, 'name') }],
            text: text(program, 'name'),
          },
        ]
      : undefined,
    communication: languages.map((l) =>
      clean<CodeableConcept>({
        coding: text(l, 'code')
          ? [clean<Coding>({ system: BCP47, code: text(l, 'code'), display: text(l, 'name') })]
          : undefined,
        text: text(l, 'name') ?? text(l, 'code'),
      }),
    ),
    referralMethod: phones.length
      ? [
          {
            coding: [
              {
                system: 'http://terminology.hl7.org/CodeSystem/service-referral-method',
                code: 'phone',
                display: 'Phone',
              },
            ],
          },
        ]
      : undefined,
    availableTime: times,
    availabilityExceptions: notes.length ? notes.join(' ') : undefined,
    notAvailable: status === 'temporarily closed' ? [{ description: 'Temporarily closed' }] : undefined,
    extension:
      minAge !== undefined || maxAge !== undefined
        ? [
            {
              url: EXT_ELIGIBLE_AGE,
              valueRange: clean({
                low:
                  minAge !== undefined
                    ? { value: minAge, unit: 'years', system: 'http://unitsofmeasure.org', code: 'a' }
                    : undefined,
                high:
                  maxAge !== undefined
                    ? { value: maxAge, unit: 'years', system: 'http://unitsofmeasure.org', code: 'a' }
                    : undefined,
              }),
            },
          ]
        : undefined,
  });
}

/** Drops undefined values, empty strings and empty arrays, so no empty element reaches FHIR. */
export function clean<T>(o: Record<string, unknown>): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v) && v.length === 0) continue;
    out[k] = v;
  }
  return out as T;
}
