import {
  defaultRegistry,
  kithCodeSystem,
  kithIdentifierSystem,
  slug,
  SYSTEMS,
  type ConceptMapRegistry,
} from '../../terminology';
import { hl7Issue, HL7_ERROR, type Hl7ErrorCode, type Severity } from '../issues';
import { ResultBuilder, type Origin } from '../result';
import { DEFAULT_TIME_ZONE, parseHl7DateTime } from '../time';
import type { Hl7Header, ParsedHl7 } from './parse';
import type { Segment } from './segment';

export interface Hl7MappingOptions {
  /**
   * Names the sending system in Kith's identifier namespaces for ids that carry no assigning
   * authority. Defaults to MSH-4.1 (sending facility), then MSH-3.1 (sending application).
   */
  source?: string;
  /**
   * Assigning authority (CX.4.1 namespace id or CX.4.2 universal id) → Identifier.system.
   * e.g. { 'GOOD HEALTH HOSPITAL': 'urn:oid:2.16.840.1.113883.19.5' }. Unlisted authorities get
   * urn:oid: for ISO OIDs, or a Kith namespace scoped to the source.
   */
  identifierSystems?: Record<string, string>;
  /** IANA zone of the sender's wall-clock times when they carry no offset. */
  timeZone?: string;
  registry?: ConceptMapRegistry;
  /** 'Now', for the future-birth-date check; tests pin it. */
  now?: Date;
}

/** Everything a segment mapper needs about the message being mapped. */
export class Hl7Context {
  readonly header: Hl7Header;
  readonly source: string;
  readonly timeZone: string;
  readonly registry: ConceptMapRegistry;
  readonly now: Date;
  readonly builder = new ResultBuilder();
  private readonly systems: Record<string, string>;
  private readonly unconfigured = new Set<string>();

  constructor(
    readonly parsed: ParsedHl7,
    options: Hl7MappingOptions = {},
  ) {
    if (!parsed.header) throw new Error('cannot map a message whose MSH could not be read');
    this.header = parsed.header;
    this.source =
      options.source ??
      (parsed.header.sendingFacility[0] || parsed.header.sendingApplication[0] || 'unknown');
    this.timeZone = options.timeZone ?? DEFAULT_TIME_ZONE;
    this.registry = options.registry ?? defaultRegistry;
    this.now = options.now ?? new Date();
    this.systems = options.identifierSystems ?? {};
  }

  get segments(): Segment[] {
    return this.parsed.segments;
  }

  first(name: string): Segment | undefined {
    return this.parsed.segments.find((s) => s.name === name);
  }

  all(name: string): Segment[] {
    return this.parsed.segments.filter((s) => s.name === name);
  }

  origin(seg: Segment): Origin {
    return { kind: 'hl7', controlId: this.header.controlId, segment: seg.name, sequence: seg.sequence };
  }

  issue(
    severity: Severity,
    code: Hl7ErrorCode,
    seg: Segment,
    field: number | undefined,
    problem: string,
    value?: string,
  ): void {
    this.builder.issue(
      hl7Issue(severity, code, { segment: seg.name, sequence: seg.sequence, field }, problem, value),
    );
  }

  /** A DT/DTM field as a FHIR date/dateTime, or undefined if empty or invalid (validateHl7 reports those). */
  dateTime(seg: Segment, field: number): string | undefined {
    const raw = seg.get(field);
    if (!raw) return undefined;
    const parsed = parseHl7DateTime(raw, this.timeZone);
    return parsed.ok ? parsed.value : undefined;
  }

  date(seg: Segment, field: number): string | undefined {
    const raw = seg.get(field);
    if (!raw) return undefined;
    const parsed = parseHl7DateTime(raw, this.timeZone);
    return parsed.ok ? parsed.date : undefined;
  }

  /**
   * Identifier.system for an assigning authority. `kind` names the fallback namespace for ids
   * without one (e.g. 'patient-id', 'visit-number'), always scoped to the source so two senders'
   * local numbers can never collide.
   */
  identifierSystem(
    authority: { namespace: string; universalId: string; universalIdType: string },
    kind: string,
    where?: { seg: Segment; field: number },
  ): string {
    const { namespace, universalId, universalIdType } = authority;
    const configured = (namespace && this.systems[namespace]) || (universalId && this.systems[universalId]);
    if (configured) return configured;
    if (isSsnAuthority(namespace, universalId)) return SYSTEMS.usSsn;
    if (universalId && /^ISO$/i.test(universalIdType) && /^[0-2](\.\d+)+$/.test(universalId))
      return `urn:oid:${universalId}`;
    if (universalId && /^(UUID|GUID)$/i.test(universalIdType)) return `urn:uuid:${universalId.toLowerCase()}`;
    if (universalId && /^URI$/i.test(universalIdType)) return universalId;
    const name = namespace || kind;
    if (namespace && !this.unconfigured.has(namespace)) {
      this.unconfigured.add(namespace);
      const seg = where?.seg ?? this.first('MSH');
      if (seg) {
        this.issue(
          'info',
          HL7_ERROR.unknownKey,
          seg,
          where?.field,
          `assigning authority '${namespace}' has no configured Identifier.system; using ${kithIdentifierSystem('hl7v2', this.source, name)}`,
        );
      }
    }
    return kithIdentifierSystem('hl7v2', this.source, name);
  }

  /** CodeSystem URI for a coding-system name of HL7 table 0396 (LN, SCT, HL70078, 99XYZ ...). */
  codeSystem(name: string): string {
    const known = CODING_SYSTEMS[name.toUpperCase()];
    if (known) return known;
    const table = /^HL7(\d{4})$/i.exec(name);
    if (table) return SYSTEMS.v2(table[1]);
    return kithCodeSystem(`local/${slug(this.source)}/${slug(name || 'unspecified')}`);
  }
}

export function isSsnAuthority(namespace: string, universalId: string): boolean {
  return ['USSSA', 'SSA', 'SSN'].includes(namespace.toUpperCase()) || universalId === '2.16.840.1.113883.4.1';
}

const CODING_SYSTEMS: Record<string, string> = {
  LN: SYSTEMS.loinc,
  LOINC: SYSTEMS.loinc,
  SCT: SYSTEMS.snomed,
  SNM: SYSTEMS.snomed,
  SNOMED: SYSTEMS.snomed,
  I10: 'http://hl7.org/fhir/sid/icd-10',
  I10C: 'http://hl7.org/fhir/sid/icd-10-cm',
  ICD10CM: 'http://hl7.org/fhir/sid/icd-10-cm',
  I9: 'http://hl7.org/fhir/sid/icd-9-cm',
  I9C: 'http://hl7.org/fhir/sid/icd-9-cm',
  I9CDX: 'http://hl7.org/fhir/sid/icd-9-cm',
  C4: 'http://www.ama-assn.org/go/cpt',
  CPT: 'http://www.ama-assn.org/go/cpt',
  UCUM: SYSTEMS.ucum,
  RXNORM: 'http://www.nlm.nih.gov/research/umls/rxnorm',
  RXN: 'http://www.nlm.nih.gov/research/umls/rxnorm',
  CVX: 'http://hl7.org/fhir/sid/cvx',
  NDC: 'http://hl7.org/fhir/sid/ndc',
  CDCREC: 'urn:oid:2.16.840.1.113883.6.238',
};
