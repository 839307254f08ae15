import type { Extension, Person, PersonLink } from '@medplum/fhirtypes';
import type { MatchRecord } from '../types';
import { SSN_SYSTEM } from './patient-record';

export const GOLDEN_SOURCE_URL = 'https://kith.dev/fhir/StructureDefinition/golden-record-source';

/** One linked record as survivorship sees it. */
export interface SourceRecord {
  record: MatchRecord;
  /** Patient.meta.source (the sending system), if any. */
  source?: string;
  /** When this record was last written (ISO). */
  updatedAt: string;
}

/**
 * Survivorship rules, per field group (name, birthDate, gender, ssn, phone, address):
 * 1. most trusted source first: `trust[source]` (higher wins; unknown sources 0);
 * 2. then the most complete value (the most non-empty parts of the group, then the longest text);
 * 3. then the most recent record.
 * The winning value's Patient and the rule that decided it are recorded in an extension on the Person.
 */
export interface SurvivorshipOptions {
  trust?: Record<string, number>;
}

type Group = 'name' | 'birthDate' | 'gender' | 'ssn' | 'phone' | 'address';
const GROUPS: Record<Group, (keyof MatchRecord)[]> = {
  name: ['given', 'middle', 'family', 'suffix'],
  birthDate: ['birthDate'],
  gender: ['gender'],
  ssn: ['ssn'],
  phone: ['phone'],
  address: ['line', 'city', 'state', 'postalCode'],
};

function completeness(r: MatchRecord, fields: (keyof MatchRecord)[]): [number, number] {
  let parts = 0;
  let len = 0;
  for (const f of fields) {
    const v = r[f];
    if (typeof v === 'string' && v.trim()) {
      parts++;
      len += v.trim().length;
    }
  }
  return [parts, len];
}

/** Chooses each group's surviving record; ties broken as documented above, then by id for stability. */
export function survive(
  records: SourceRecord[],
  options: SurvivorshipOptions = {},
): Map<Group, { from: SourceRecord; rule: 'trusted' | 'complete' | 'recent' | 'only' }> {
  const trust = (s: SourceRecord): number => (s.source ? (options.trust?.[s.source] ?? 0) : 0);
  const out = new Map<Group, { from: SourceRecord; rule: 'trusted' | 'complete' | 'recent' | 'only' }>();
  for (const [group, fields] of Object.entries(GROUPS) as [Group, (keyof MatchRecord)[]][]) {
    const having = records.filter((s) => completeness(s.record, fields)[0] > 0);
    if (having.length === 0) continue;
    if (having.length === 1) {
      out.set(group, { from: having[0], rule: 'only' });
      continue;
    }
    const sorted = [...having].sort((a, b) => {
      const t = trust(b) - trust(a);
      if (t) return t;
      const [pa, la] = completeness(a.record, fields);
      const [pb, lb] = completeness(b.record, fields);
      if (pb !== pa) return pb - pa;
      if (lb !== la) return lb - la;
      if (a.updatedAt !== b.updatedAt) return a.updatedAt < b.updatedAt ? 1 : -1;
      return a.record.id < b.record.id ? -1 : 1;
    });
    const [first, second] = sorted;
    const rule =
      trust(first) !== trust(second)
        ? 'trusted'
        : completeness(first.record, fields).join() !== completeness(second.record, fields).join()
          ? 'complete'
          : 'recent';
    out.set(group, { from: first, rule });
  }
  return out;
}

/** The Person resource for these linked records: golden record fields, sources, and links. */
export function buildPerson(
  id: string,
  records: SourceRecord[],
  links: PersonLink[],
  options: SurvivorshipOptions = {},
): Person {
  const chosen = survive(records, options);
  const person: Person = { resourceType: 'Person', id, active: links.length > 0, link: links };
  const ext: Extension[] = [];
  for (const [group, { from, rule }] of chosen) {
    const r = from.record;
    if (group === 'name') {
      const given = [r.given, r.middle].filter((x): x is string => !!x);
      person.name = [
        {
          use: 'official',
          ...(r.family ? { family: r.family } : {}),
          ...(given.length ? { given } : {}),
          ...(r.suffix ? { suffix: [r.suffix] } : {}),
        },
      ];
    } else if (group === 'birthDate') person.birthDate = r.birthDate;
    else if (group === 'gender') {
      const g = r.gender?.toLowerCase();
      const code = g?.startsWith('f')
        ? 'female'
        : g?.startsWith('m')
          ? 'male'
          : g === 'other'
            ? 'other'
            : 'unknown';
      person.gender = code;
    } else if (group === 'ssn') person.identifier = [{ system: SSN_SYSTEM, value: r.ssn }];
    else if (group === 'phone') person.telecom = [{ system: 'phone', value: r.phone }];
    else if (group === 'address')
      person.address = [
        {
          ...(r.line ? { line: [r.line] } : {}),
          ...(r.city ? { city: r.city } : {}),
          ...(r.state ? { state: r.state } : {}),
          ...(r.postalCode ? { postalCode: r.postalCode } : {}),
        },
      ];
    ext.push({
      url: GOLDEN_SOURCE_URL,
      extension: [
        { url: 'element', valueString: group },
        { url: 'record', valueReference: { reference: `Patient/${r.id}` } },
        ...(from.source ? [{ url: 'source', valueUri: from.source }] : []),
        { url: 'rule', valueCode: rule },
      ],
    });
  }
  if (ext.length) person.extension = ext;
  return person;
}
