import {
  CONCEPT_MAPS,
  SYSTEMS,
  defaultRegistry,
  kithIdentifierSystem,
  sourceDisplay,
  translate,
  type ConceptMapRegistry,
} from '../../terminology';
import { readCsv, type CsvTable } from '../csv/read';
import { RowReader } from '../csv/row';
import type { CodeableConcept, Coding, Identifier } from '../fhir/types';
import { rowIssue } from '../issues';
import { ResultBuilder, type Origin } from '../result';
import { DEFAULT_TIME_ZONE } from '../time';
import { hmisSpec, type HmisFileName, type HmisVersion } from './spec';

export interface HmisOptions {
  /**
   * Stable name of the exporting HMIS implementation, used in every identifier namespace.
   * Defaults to Export.csv SourceID, then SourceName. (ExportID changes with every export, so it
   * can never be the namespace.)
   */
  source?: string;
  /** IANA zone of DateCreated/DateUpdated style timestamps. */
  timeZone?: string;
  registry?: ConceptMapRegistry;
  /** 'Today', for deciding whether a project is still operating; tests pin it. */
  now?: Date;
}

/** The files of one export, by file name (case-insensitive): text or bytes. */
export type HmisFiles = Record<string, string | Uint8Array>;

export interface ExportInfo {
  exportId?: string;
  source: string;
  version: HmisVersion;
  /** HUD HashStatus: 1 unhashed; 2, 3, 4 names and SSN are hashed. */
  hashStatus: number;
  csvVersion?: string;
}

/** What later files need to know about an enrollment (its person, project and labels). */
export interface EnrollmentInfo {
  personalId: string;
  projectId: string;
  labels?: Coding[];
}

export interface ProjectInfo {
  organizationId: string;
  /** Victim service provider organisation or DV target population: everything about it is SDV. */
  domesticViolence: boolean;
  projectType?: string;
  name?: string;
}

/** Shared state of one HMIS export mapping: identifier namespaces, cross-file lookups, the result. */
export class HmisContext {
  readonly builder = new ResultBuilder();
  readonly timeZone: string;
  readonly registry: ConceptMapRegistry;
  readonly today: string;
  readonly projects = new Map<string, ProjectInfo>();
  readonly enrollments = new Map<string, EnrollmentInfo>();
  readonly clients = new Set<string>();
  readonly victimServiceOrgs = new Set<string>();
  /** Enrollment ids whose Enrollment.csv row was unreadable: later rows for them stay unmapped quietly. */
  readonly failedEnrollments = new Set<string>();

  constructor(
    private readonly files: HmisFiles,
    readonly info: ExportInfo,
    options: HmisOptions,
  ) {
    this.timeZone = options.timeZone ?? DEFAULT_TIME_ZONE;
    this.registry = options.registry ?? defaultRegistry;
    this.today = (options.now ?? new Date()).toISOString().slice(0, 10);
  }

  private readonly systems = new Map<string, string>();
  private readonly concepts = new Map<string, { value?: CodeableConcept; absent?: CodeableConcept }>();

  /** The Identifier.system for one kind of HMIS id, e.g. system('personal-id'). */
  system(kind: string): string {
    let system = this.systems.get(kind);
    if (!system) {
      system = kithIdentifierSystem('hmis', this.info.source, kind);
      this.systems.set(kind, system);
    }
    return system;
  }

  id(kind: string, value: string): Identifier {
    return { system: this.system(kind), value };
  }

  /** Reads one file of the export; undefined when the export does not include it. */
  table(file: HmisFileName): CsvTable | undefined {
    const content = findFile(this.files, file);
    if (content === undefined) return undefined;
    const table = readCsv(file, content, hmisSpec(file, this.info.version));
    this.builder.issue(...table.issues);
    return table;
  }

  /** Rows of a file as RowReaders; none when a required column is missing (already reported). */
  *rows(file: HmisFileName): Generator<RowReader> {
    const table = this.table(file);
    if (!table) return;
    const required = hmisSpec(file, this.info.version).required ?? [];
    if (required.some((c) => table.missingColumns.includes(c))) return;
    for (const row of table.rows)
      yield new RowReader(file, row, this.builder.issues, { timeZone: this.timeZone });
  }

  origin(r: RowReader): Origin {
    return { kind: 'row', file: r.file, row: r.rowNumber };
  }

  /** Reports a referential problem (a row pointing at an id the export does not contain). */
  dangling(r: RowReader, column: string, problem: string): void {
    this.builder.issue(rowIssue('warning', r.file, r.rowNumber, column, problem));
  }

  /**
   * A coded HMIS value as a CodeableConcept: the HMIS coding (with HUD's display) plus its standard
   * translation, or — for 8/9/99 — the data-absent reason. `kind` says where the value goes.
   */
  concept(map: string, system: string, code: string): { value?: CodeableConcept; absent?: CodeableConcept } {
    // The same few codes recur on thousands of rows: translate each once, hand out copies.
    const memo = `${map}|${system}|${code}`;
    const cached = this.concepts.get(memo);
    if (cached) return copyCoded(cached);
    const computed = this.translateConcept(map, system, code);
    this.concepts.set(memo, computed);
    return copyCoded(computed);
  }

  private translateConcept(
    map: string,
    system: string,
    code: string,
  ): { value?: CodeableConcept; absent?: CodeableConcept } {
    const display = sourceDisplay(map, code, this.registry);
    const hmis: Coding = display ? { system, code, display } : { system, code };
    const result = translate(map, system, code, { registry: this.registry });
    const absent = result.match.find((m) => m.concept?.system === SYSTEMS.dataAbsentReason)?.concept;
    if (absent) return { absent: { coding: [hmis, absent] } };
    const translated = result.match
      .filter((m) => m.concept && m.equivalence !== 'unmatched' && m.equivalence !== 'disjoint')
      .map((m) => m.concept as Coding);
    return { value: { coding: [hmis, ...translated] } };
  }

  /** HMIS list 1.8 (0 No, 1 Yes, 8, 9, 99) as a value or a data-absent reason. */
  noYes(code: string): { value?: CodeableConcept; absent?: CodeableConcept } {
    return this.concept(CONCEPT_MAPS.hmisNoYes, SYSTEMS.hmisNoYes, code);
  }
}

function copyCoded(c: { value?: CodeableConcept; absent?: CodeableConcept }): {
  value?: CodeableConcept;
  absent?: CodeableConcept;
} {
  const copy = (cc: CodeableConcept): CodeableConcept => ({
    ...cc,
    ...(cc.coding ? { coding: cc.coding.map((x) => ({ ...x })) } : {}),
  });
  return c.value ? { value: copy(c.value) } : c.absent ? { absent: copy(c.absent) } : {};
}

function findFile(files: HmisFiles, name: string): string | Uint8Array | undefined {
  if (name in files) return files[name];
  const lower = name.toLowerCase();
  const key = Object.keys(files).find(
    (k) => k.toLowerCase() === lower || k.toLowerCase().endsWith(`/${lower}`),
  );
  return key === undefined ? undefined : files[key];
}

export { findFile };
