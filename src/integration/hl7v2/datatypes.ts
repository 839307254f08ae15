import { CONCEPT_MAPS, SYSTEMS, translateCoding } from '../../terminology';
import type { Address, CodeableConcept, Coding, ContactPoint, HumanName, Identifier } from '../fhir/types';
import type { Hl7Context } from './context';
import type { Segment } from './segment';

/**
 * HL7 v2 composite data types (CX, XPN, XAD, XTN, CWE, EI, PL) to FHIR data types. Each reads one
 * repetition of one field; empty parts are left out rather than written as empty strings.
 */

/** CX (extended composite id) → Identifier, or undefined when CX.1 is empty. */
export function cxToIdentifier(
  ctx: Hl7Context,
  seg: Segment,
  field: number,
  rep: number,
  kind: string,
): Identifier | undefined {
  const value = seg.get(field, 1, rep).trim();
  if (!value) return undefined;
  const authority = {
    namespace: seg.get(field, 4, rep, 1).trim(),
    universalId: seg.get(field, 4, rep, 2).trim(),
    universalIdType: seg.get(field, 4, rep, 3).trim(),
  };
  const typeCode = seg.get(field, 5, rep).trim();
  const system =
    typeCode.toUpperCase() === 'SS' ? SYSTEMS.usSsn : ctx.identifierSystem(authority, kind, { seg, field });
  const identifier: Identifier = {
    system,
    value: system === SYSTEMS.usSsn ? (normalizeSsn(value) ?? value) : value,
  };
  if (typeCode) identifier.type = { coding: [{ system: SYSTEMS.identifierType, code: typeCode }] };
  return identifier;
}

/** EI (entity identifier: id ^ namespace ^ universal id ^ type) → Identifier. */
export function eiToIdentifier(
  ctx: Hl7Context,
  seg: Segment,
  field: number,
  kind: string,
  typeCode?: string,
): Identifier | undefined {
  const value = seg.get(field, 1).trim();
  if (!value) return undefined;
  const system = ctx.identifierSystem(
    {
      namespace: seg.get(field, 2).trim(),
      universalId: seg.get(field, 3).trim(),
      universalIdType: seg.get(field, 4).trim(),
    },
    kind,
    { seg, field },
  );
  const identifier: Identifier = { system, value };
  if (typeCode) identifier.type = { coding: [{ system: SYSTEMS.identifierType, code: typeCode }] };
  return identifier;
}

/** Nine digits, or undefined. Accepts the usual 123-45-6789 punctuation. */
export function normalizeSsn(value: string): string | undefined {
  const digits = value.replace(/[\s-]/g, '');
  return /^\d{9}$/.test(digits) ? digits : undefined;
}

// HL7 table 0200 (name type) → HumanName.use; types with no FHIR counterpart are left without a use.
const NAME_USE: Record<string, HumanName['use']> = {
  L: 'official',
  R: 'official',
  C: 'official',
  D: 'usual',
  K: 'usual',
  M: 'maiden',
  B: 'maiden',
  N: 'nickname',
  A: 'nickname',
  S: 'anonymous',
  T: 'temp',
  NB: 'temp',
  BAD: 'old',
};

/** XPN (person name) → HumanName. XPN.1 is a surname composite: only its first part is the family name. */
export function xpnToName(seg: Segment, field: number, rep: number): HumanName | undefined {
  const family = seg.get(field, 1, rep, 1).trim();
  const given = [seg.get(field, 2, rep), seg.get(field, 3, rep)].map((s) => s.trim()).filter(Boolean);
  const suffix = [seg.get(field, 4, rep), seg.get(field, 6, rep)].map((s) => s.trim()).filter(Boolean);
  const prefix = seg.get(field, 5, rep).trim();
  if (!family && given.length === 0) return undefined;
  const name: HumanName = {};
  const use = NAME_USE[seg.get(field, 7, rep).trim().toUpperCase()];
  if (use) name.use = use;
  if (family) name.family = family;
  if (given.length) name.given = given;
  if (prefix) name.prefix = [prefix];
  if (suffix.length) name.suffix = suffix;
  return name;
}

/** XAD (address) → Address; address type (table 0190) via the shipped ConceptMap. */
export function xadToAddress(ctx: Hl7Context, seg: Segment, field: number, rep: number): Address | undefined {
  // XAD.1 is SAD: street or mailing address & street name & dwelling number.
  const [street, streetName, dwelling] = seg.subcomponents(field, 1, rep).map((s) => s.trim());
  const line1 =
    streetName && !street?.includes(streetName)
      ? [street, streetName, dwelling].filter(Boolean).join(' ')
      : street;
  const lines = [line1, seg.get(field, 2, rep).trim()].filter((s): s is string => Boolean(s));
  const address: Address = {};
  if (lines.length) address.line = lines;
  const city = seg.get(field, 3, rep).trim();
  const state = seg.get(field, 4, rep).trim();
  const postalCode = seg.get(field, 5, rep).trim();
  const country = seg.get(field, 6, rep).trim();
  if (city) address.city = city;
  if (state) address.state = state;
  if (postalCode) address.postalCode = postalCode;
  if (country) address.country = country;
  if (Object.keys(address).length === 0) return undefined;
  const type = seg.get(field, 7, rep).trim();
  if (type) {
    const map = CONCEPT_MAPS.v2AddressType;
    const use = translateCoding(map, SYSTEMS.v2('0190'), type, SYSTEMS.addressUse, ctx.registry)?.code;
    const addressType = translateCoding(
      map,
      SYSTEMS.v2('0190'),
      type,
      SYSTEMS.addressType,
      ctx.registry,
    )?.code;
    if (use) address.use = use as Address['use'];
    if (addressType) address.type = addressType as Address['type'];
  }
  return address;
}

/**
 * XTN (telecom) → ContactPoints: a phone number and, when XTN.4 carries one, an email address.
 * `defaultUse` is the field's meaning (PID-13 home, PID-14 work) when XTN.2 says nothing.
 */
export function xtnToContactPoints(
  ctx: Hl7Context,
  seg: Segment,
  field: number,
  rep: number,
  defaultUse: ContactPoint['use'],
): ContactPoint[] {
  const out: ContactPoint[] = [];
  const useCode = seg.get(field, 2, rep).trim();
  const equipment = seg.get(field, 3, rep).trim();
  // XTN.4 is only trusted as an email address when it looks like one.
  const email = seg.get(field, 4, rep).includes('@') ? seg.get(field, 4, rep).trim() : '';
  const mappedUse = useCode
    ? (translateCoding(CONCEPT_MAPS.v2TelecomUse, SYSTEMS.v2('0201'), useCode, undefined, ctx.registry)
        ?.code as ContactPoint['use'])
    : undefined;
  const use = equipment === 'CP' ? 'mobile' : (mappedUse ?? (useCode === 'NET' ? undefined : defaultUse));
  const system = equipment
    ? (translateCoding(
        CONCEPT_MAPS.v2TelecomEquipment,
        SYSTEMS.v2('0202'),
        equipment,
        undefined,
        ctx.registry,
      )?.code as ContactPoint['system'])
    : undefined;

  const number = phoneNumber(seg, field, rep);
  const isEmailOnly = system === 'email' || useCode === 'NET';
  if (number && !(isEmailOnly && number.includes('@'))) {
    const cp: ContactPoint = { system: system && system !== 'email' ? system : 'phone', value: number };
    if (use) cp.use = use;
    out.push(cp);
  }
  const address = email || (isEmailOnly && number.includes('@') ? number : '');
  if (address) {
    const cp: ContactPoint = { system: 'email', value: address };
    if (use && use !== 'mobile') cp.use = use;
    out.push(cp);
  }
  return out;
}

function phoneNumber(seg: Segment, field: number, rep: number): string {
  const legacy = seg.get(field, 1, rep).trim(); // XTN.1, deprecated but still what most senders fill
  if (legacy) return legacy;
  const unformatted = seg.get(field, 12, rep).trim();
  if (unformatted) return unformatted;
  const [country, area, local, extension] = [5, 6, 7, 8].map((c) => seg.get(field, c, rep).trim());
  if (!local) return '';
  let n = area ? `(${area}) ${local}` : local;
  if (country) n = `+${country} ${n}`;
  if (extension) n += ` x${extension}`;
  return n;
}

/** CWE / CE (coded element, with its alternate coding) → CodeableConcept. */
export function cweToConcept(
  ctx: Hl7Context,
  seg: Segment,
  field: number,
  rep = 1,
): CodeableConcept | undefined {
  const coding: Coding[] = [];
  for (const [c, t, s] of [
    [1, 2, 3],
    [4, 5, 6],
  ]) {
    const code = seg.get(field, c, rep).trim();
    const display = seg.get(field, t, rep).trim();
    if (!code) continue;
    const entry: Coding = { system: ctx.codeSystem(seg.get(field, s, rep).trim()), code };
    if (display) entry.display = display;
    coding.push(entry);
  }
  const text =
    seg.get(field, 9, rep).trim() || seg.get(field, 2, rep).trim() || seg.get(field, 5, rep).trim();
  if (coding.length === 0 && !text) return undefined;
  const concept: CodeableConcept = {};
  if (coding.length) concept.coding = coding;
  if (text) concept.text = text;
  return concept;
}

/** PL (person location) → a display string: point of care / room / bed, facility (building, floor). */
export function plToDisplay(seg: Segment, field: number, rep = 1): string | undefined {
  const unit = [1, 2, 3].map((c) => seg.get(field, c, rep, 1).trim()).filter(Boolean);
  const facility = seg.get(field, 4, rep, 1).trim();
  const place = [seg.get(field, 7, rep).trim(), seg.get(field, 8, rep).trim()].filter(Boolean);
  const description = seg.get(field, 9, rep).trim();
  let display = unit.join(' / ');
  if (facility) display = display ? `${display}, ${facility}` : facility;
  if (place.length) display += ` (${place.join(', ')})`;
  if (!display && description) display = description;
  return display.trim() || undefined;
}
