import type {
  Address,
  Age,
  CodeableConcept,
  Coding,
  ContactPoint,
  HumanName,
  Identifier,
  Period,
  Quantity,
  Range,
  Reference,
} from '@medplum/fhirtypes';

/** Readable text for FHIR data types. Pure functions; dates are shown as written, never shifted. */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DATE_RE = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2}))?)?)?/;

/** "Mar 12, 1984", "Mar 1984", "1984", or "Jan 2, 2024, 10:05" for a dateTime with a time. */
export function formatDate(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const m = DATE_RE.exec(value);
  if (!m) return value;
  const [, year, month, day, hour, minute] = m;
  if (!month) return year;
  const mon = MONTHS[Number(month) - 1] ?? month;
  if (!day) return `${mon} ${year}`;
  const date = `${mon} ${Number(day)}, ${year}`;
  if (!hour) return date;
  // Times are shown in the zone they were written in; say so when that is UTC.
  const utc = /(Z|[+-]00:00)$/.test(value) ? ' UTC' : '';
  return `${date}, ${hour}:${minute}${utc}`;
}

/** "Jan 2, 2024 – Jan 5, 2024", "since Jan 2, 2024", "until ...", or one date when start and end agree. */
export function formatPeriod(period: Period | undefined): string | undefined {
  if (!period) return undefined;
  const start = formatDate(period.start);
  const end = formatDate(period.end);
  if (start && end) {
    if (start === end) return start;
    const sameDay =
      period.start?.slice(0, 10) === period.end?.slice(0, 10) && /T\d\d:\d\d/.test(period.end ?? '');
    if (!sameDay) return `${start} – ${end}`;
    const utc = start.endsWith(' UTC') ? ' UTC' : '';
    return `${start.slice(0, start.length - utc.length)}–${period.end?.slice(11, 16)}${utc}`;
  }
  if (start) return `since ${start}`;
  if (end) return `until ${end}`;
  return undefined;
}

/** Whole years between a birth date and `today` (both YYYY-MM-DD or longer). */
export function ageInYears(birthDate: string | undefined, today: Date = new Date()): number | undefined {
  const m = birthDate ? /^(\d{4})-(\d{2})-(\d{2})/.exec(birthDate) : null;
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  let age = today.getFullYear() - y;
  if (today.getMonth() + 1 < mo || (today.getMonth() + 1 === mo && today.getDate() < d)) age--;
  return age >= 0 ? age : undefined;
}

export function formatCoding(coding: Coding | undefined): string | undefined {
  if (!coding) return undefined;
  return coding.display ?? coding.code;
}

/** A code shown for want of a display: word-like codes ("vital-signs") read as words, others as sent. */
export function readableCode(code: string | undefined): string | undefined {
  return code && /^[a-z]+(-[a-z]+)*$/.test(code) ? humanize(code) : code;
}

/** The concept's text, else its first coding with a display, else its first code. */
export function formatConcept(concept: CodeableConcept | undefined): string | undefined {
  if (!concept) return undefined;
  if (concept.text) return concept.text;
  const withDisplay = concept.coding?.find((c) => c.display);
  // Some sources copy the code into the display ("vital-signs"): read that as a code.
  if (withDisplay?.display && withDisplay.display !== withDisplay.code) return withDisplay.display;
  return readableCode(withDisplay?.display ?? concept.coding?.find((c) => c.code)?.code);
}

/** Up to two decimals (three significant digits below 1), without trailing zeros: for reading, not for records. */
export function formatNumber(n: number): string {
  if (Number.isInteger(n)) return String(n);
  const rounded = Math.abs(n) >= 1 ? Math.round(n * 100) / 100 : Number(n.toPrecision(3));
  return String(rounded);
}

export function formatConcepts(concepts: CodeableConcept[] | undefined): string | undefined {
  return joinText((concepts ?? []).map(formatConcept));
}

export function formatQuantity(q: Quantity | Age | undefined): string | undefined {
  if (!q || q.value === undefined) return undefined;
  const unit = q.unit ?? q.code;
  const value = `${q.comparator ?? ''}${formatNumber(q.value)}`;
  if (!unit) return value;
  // UCUM "%" and curly-brace annotations read better glued or dropped.
  if (unit === '%') return `${value}%`;
  if (/^\{.*\}$/.test(unit)) return value;
  return `${value} ${unit}`;
}

export function formatRange(r: Range | undefined): string | undefined {
  if (!r) return undefined;
  const low = formatQuantity(r.low);
  const high = formatQuantity(r.high);
  if (low && high) return `${low} – ${high}`;
  if (low) return `≥ ${low}`;
  if (high) return `≤ ${high}`;
  return undefined;
}

/** "Maria Elena Lopez": the official (or first usable) name, text when no parts. */
export function formatName(names: HumanName[] | undefined): string | undefined {
  const list = (names ?? []).filter((n) => n.text || n.family || n.given?.length);
  const name = list.find((n) => n.use === 'official') ?? list.find((n) => n.use !== 'old') ?? list[0];
  if (!name) return undefined;
  const parts = [...(name.prefix ?? []), ...(name.given ?? []), name.family, ...(name.suffix ?? [])];
  const built = joinText(parts, ' ');
  return built ?? name.text;
}

export function formatAddress(address: Address | undefined): string | undefined {
  if (!address) return undefined;
  const cityLine = joinText([address.city, joinText([address.state, address.postalCode], ' ')], ', ');
  return joinText([...(address.line ?? []), cityLine], ', ') ?? address.text;
}

/** The home (or first current) address. */
export function primaryAddress(addresses: Address[] | undefined): Address | undefined {
  const list = (addresses ?? []).filter((a) => !a.period?.end);
  return list.find((a) => a.use === 'home') ?? list[0] ?? addresses?.[0];
}

export function formatTelecom(points: ContactPoint[] | undefined): string | undefined {
  return joinText(
    (points ?? []).map((p) => (p.value ? (p.use ? `${p.value} (${p.use})` : p.value) : undefined)),
    ', ',
  );
}

const KNOWN_SYSTEMS: Record<string, string> = {
  'http://hl7.org/fhir/sid/us-ssn': 'SSN',
  'http://hl7.org/fhir/sid/us-mbi': 'Medicare MBI',
  'http://hl7.org/fhir/sid/us-npi': 'NPI',
  'http://hl7.org/fhir/sid/us-medicare': 'Medicare',
  'https://github.com/synthetichealth/synthea': 'Synthea',
};

/** HL7 v2 table 0203 identifier types that sources send without a display. */
const V2_ID_TYPES: Record<string, string> = {
  MR: 'Medical record number',
  SS: 'SSN',
  MA: 'Medicaid number',
  MC: 'Medicare number',
  DL: "Driver's license",
  PPN: 'Passport',
  MB: 'Member number',
  PI: 'Patient internal identifier',
  AN: 'Account number',
  SB: 'Social beneficiary identifier',
};

function identifierType(id: Identifier): string | undefined {
  if (!id.type) return undefined;
  if (id.type.text) return id.type.text;
  const withDisplay = id.type.coding?.find((c) => c.display)?.display;
  const code = id.type.coding?.find((c) => c.code)?.code;
  return withDisplay ?? (code ? (V2_ID_TYPES[code] ?? code) : undefined);
}

/** Where an identifier comes from, as a short label: its type, a known system, or the system's last part. */
export function identifierSource(id: Identifier): string {
  const known = id.system ? KNOWN_SYSTEMS[id.system] : undefined;
  if (known) return known;
  const type = identifierType(id);
  const system = id.system ? shortSystem(id.system) : undefined;
  if (type && system && type.toLowerCase() !== system.toLowerCase()) return `${type} · ${system}`;
  return type ?? system ?? 'no source system';
}

function shortSystem(system: string): string {
  if (system.startsWith('urn:oid:')) return system;
  const trimmed = system.replace(/\/+$/, '');
  const last = trimmed.split(/[/#:]/).pop();
  return last && last !== trimmed ? last : trimmed;
}

/** The identifier's value, with all but the last four digits of an SSN hidden. */
export function identifierValue(id: Identifier): string {
  const value = id.value ?? '';
  const isSsn =
    id.system === 'http://hl7.org/fhir/sid/us-ssn' || id.type?.coding?.some((c) => c.code === 'SS');
  if (!isSsn) return value;
  const digits = value.replace(/\D/g, '');
  return digits.length >= 4 ? `•••-••-${digits.slice(-4)}` : '•••';
}

/** A name for a reference: its display, a name the caller knows, else the reference itself. */
export function formatReference(
  ref: Reference | undefined,
  nameOf?: (reference: string) => string | undefined,
): string | undefined {
  if (!ref) return undefined;
  if (ref.display) return ref.display;
  const key = ref.reference ? referenceKey(ref.reference) : undefined;
  const known = key ? nameOf?.(key) : undefined;
  return known ?? ref.reference ?? (ref.identifier ? identifierValue(ref.identifier) : undefined);
}

export function formatReferences(
  refs: (Reference | undefined)[] | undefined,
  nameOf?: (reference: string) => string | undefined,
): string | undefined {
  return joinText((refs ?? []).map((r) => formatReference(r, nameOf)));
}

/** "Type/id" from a relative, absolute or versioned reference; undefined for contained or urn refs. */
export function referenceKey(reference: string): string | undefined {
  const m = /(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(reference);
  return m ? `${m[1]}/${m[2]}` : undefined;
}

/** "in-progress" → "In progress". */
export function humanize(code: string | undefined): string | undefined {
  if (!code) return undefined;
  const words = code
    .replace(/[-_]+/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function joinText(parts: (string | undefined | null)[], separator = ', '): string | undefined {
  const kept = parts.filter((p): p is string => typeof p === 'string' && p.trim() !== '');
  return kept.length ? kept.join(separator) : undefined;
}
