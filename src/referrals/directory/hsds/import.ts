import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type {
  CodeableConcept,
  Extension,
  HealthcareService,
  Identifier,
  Reference,
  Resource,
} from '@medplum/fhirtypes';
import { FhirError } from '../../../fhir/errors';
import { FhirService } from '../../../fhir/service';
import type { FhirStore } from '../../../store';
import { EXT_ACCEPTS_REFERRALS, hsdsSystem } from '../extensions';
import { isHsdsCsvFolder, readHsdsCsvFolder } from './read-csv';
import { readHsdsJson } from './read-json';
import { HsdsTables } from './tables';
import { mapDirectory, type Planned } from './to-fhir';
import {
  acceptsFlagSource,
  markAcceptsElectronicReferrals,
  unmarkAcceptsElectronicReferrals,
} from './electronic-referrals';

/** One thing imported: a JSON document, or a CSV package (a folder). */
export interface HsdsUnit {
  source: string;
  tables: HsdsTables;
  /** A paged list's items may be summaries: elements they do not carry are kept, not cleared. */
  partial: boolean;
}

export interface HsdsImportSummary {
  units: { source: string; kind: string; rows: Record<string, number> }[];
  skipped: { source: string; reason: string }[];
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
  resources: { Organization: number; Location: number; HealthcareService: number };
  errors: { source: string; where: string; message: string }[];
  warnings: string[];
}

export function emptySummary(): HsdsImportSummary {
  return {
    units: [],
    skipped: [],
    created: 0,
    updated: 0,
    unchanged: 0,
    failed: 0,
    resources: { Organization: 0, Location: 0, HealthcareService: 0 },
    errors: [],
    warnings: [],
  };
}

/**
 * The HSDS units under a path: a CSV package folder is one unit; every other `.json` file is one
 * (JSON schemas, the API root document and the package descriptor are reported as skipped).
 */
export function readHsdsPath(target: string, summary = emptySummary()): HsdsUnit[] {
  const units: HsdsUnit[] = [];
  const st = statSync(target);
  if (st.isDirectory()) {
    if (isHsdsCsvFolder(target)) {
      const { tables, files } = readHsdsCsvFolder(target);
      units.push({ source: target, tables, partial: false });
      summary.units.push({
        source: target,
        kind: `csv package (${files.length} files)`,
        rows: tables.counts(),
      });
    }
    for (const name of readdirSync(target).sort()) {
      const full = path.join(target, name);
      if (statSync(full).isDirectory()) units.push(...readHsdsPath(full, summary));
      else if (name.endsWith('.json') && !(name === 'datapackage.json' && isHsdsCsvFolder(target))) {
        const u = readJsonUnit(full, summary);
        if (u) units.push(u);
      }
    }
    return units;
  }
  if (target.endsWith('.csv')) {
    const u = readHsdsCsvFolder(path.dirname(target));
    units.push({ source: path.dirname(target), tables: u.tables, partial: false });
    summary.units.push({ source: path.dirname(target), kind: 'csv package', rows: u.tables.counts() });
    return units;
  }
  const u = readJsonUnit(target, summary);
  return u ? [u] : [];
}

function readJsonUnit(file: string, summary: HsdsImportSummary): HsdsUnit | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    summary.skipped.push({ source: file, reason: `not JSON: ${(err as Error).message}` });
    return undefined;
  }
  return jsonUnit(doc, file, summary);
}

/** A parsed JSON document (a file, or a page the API answered) as a unit. */
export function jsonUnit(doc: unknown, source: string, summary: HsdsImportSummary): HsdsUnit | undefined {
  if (doc && typeof doc === 'object' && 'resources' in doc) {
    summary.skipped.push({ source, reason: 'a datapackage descriptor without its CSV files beside it' });
    return undefined;
  }
  const { tables, kind, list } = readHsdsJson(doc, source);
  if (kind === 'schema' || kind === 'api-root' || kind === 'unknown' || kind === 'datapackage') {
    const reason =
      kind === 'schema'
        ? 'a JSON schema, not HSDS data'
        : kind === 'api-root'
          ? 'the HSDS API root document (version and profile only)'
          : 'not an HSDS object, list or tabular JSON';
    summary.skipped.push({ source, reason });
    return undefined;
  }
  summary.units.push({ source, kind: list ? `${kind} list` : kind, rows: tables.counts() });
  return { source, tables, partial: list };
}

const TYPE_OF: Record<string, string> = {
  organization: 'Organization',
  location: 'Location',
  service_area: 'Location',
  service: 'HealthcareService',
};

/** Imports units through the FHIR service: each unit in one transaction; upsert by HSDS identifier. */
export async function importHsdsUnits(
  store: FhirStore,
  units: HsdsUnit[],
  summary = emptySummary(),
): Promise<HsdsImportSummary> {
  for (const unit of units) {
    try {
      await store.inTransaction((tx) => importUnit(new FhirService(tx), unit, summary));
    } catch (err) {
      summary.failed++;
      summary.errors.push({ source: unit.source, where: 'unit', message: (err as Error).message });
    }
  }
  return summary;
}

export async function importHsdsPath(store: FhirStore, target: string): Promise<HsdsImportSummary> {
  const summary = emptySummary();
  return importHsdsUnits(store, readHsdsPath(target, summary), summary);
}

async function importUnit(svc: FhirService, unit: HsdsUnit, s: HsdsImportSummary): Promise<void> {
  const mapped = mapDirectory(unit.tables);
  s.warnings.push(...mapped.warnings.map((w) => `${path.basename(unit.source)}: ${w}`));
  const ids = new Map<string, string>(); // `system|value` -> `Type/id`
  const resolve = async (ref: Reference<any> | undefined): Promise<Reference<any> | undefined> => {
    const m = /^hsds:([a-z_]+):(.+)$/.exec(ref?.reference ?? '');
    if (!ref || !m) return ref;
    const [, object, hsdsId] = m;
    const system = hsdsSystem(object);
    const known = ids.get(`${system}|${hsdsId}`);
    if (known) return { reference: known };
    const type = TYPE_OF[object];
    const found = type ? await svc.conditionalMatches(type, `identifier=${system}|${hsdsId}`, 1) : [];
    if (found.length) return { reference: `${type}/${found[0].id}` };
    return { type: type as Reference['type'], identifier: { system, value: hsdsId } };
  };
  const write = async <T extends Resource>(p: Planned<T>, fix: (r: T) => Promise<T>): Promise<void> => {
    const type = p.resource.resourceType;
    const where = `${type} ${p.key.value}`;
    try {
      const resource = await fix(structuredClone(p.resource));
      const matches = await svc.conditionalMatches(type, `identifier=${p.key.system}|${p.key.value}`, 2);
      if (matches.length > 1)
        throw new FhirError('multiple_matches', `two ${type} carry ${p.key.system}|${p.key.value}`);
      let outcome;
      if (matches.length === 1) {
        const existing = JSON.parse(matches[0].json) as Resource;
        const merged = mergeExisting(existing, resource, unit.partial);
        outcome = await svc.update(type, existing.id as string, merged);
      } else {
        outcome = await svc.create(type, resource);
      }
      const id = outcome.version?.id as string;
      ids.set(`${p.key.system}|${p.key.value}`, `${type}/${id}`);
      if (outcome.unchanged) s.unchanged++;
      else if (outcome.status === 201) s.created++;
      else s.updated++;
      s.resources[type as keyof HsdsImportSummary['resources']]++;
    } catch (err) {
      if (
        !(err instanceof FhirError) ||
        !['invalid_resource', 'validation_failed', 'multiple_matches'].includes(err.code)
      )
        throw err;
      s.failed++;
      s.errors.push({ source: unit.source, where, message: err.message });
    }
  };
  for (const o of mapped.organizations)
    await write(o, async (r) => ({ ...r, partOf: await resolve(r.partOf) }));
  for (const l of mapped.locations)
    await write(l, async (r) => ({ ...r, managingOrganization: await resolve(r.managingOrganization) }));
  for (const h of mapped.services)
    await write(h, async (r) => {
      const providedBy = await resolve(r.providedBy);
      // Whether its organization works on Kith is not stored here: the directory works it out on
      // each search (src/referrals/directory/on-kith.ts), so it follows accounts, roles and endpoints.
      return {
        ...r,
        providedBy,
        location:
          r.location &&
          (await Promise.all(r.location.map((x) => resolve(x)))).filter((x): x is Reference<any> => !!x),
        coverageArea:
          r.coverageArea &&
          (await Promise.all(r.coverageArea.map((x) => resolve(x)))).filter((x): x is Reference<any> => !!x),
      };
    });
}

/**
 * The resource to store when a re-import finds an existing one: the new mapping, plus what Kith
 * itself manages (the electronic-referral flag, endpoints, organization type, identifiers added
 * by others). From a partial source (list summaries), elements the mapping lacks are kept too.
 */
export function mergeExisting<T extends Resource>(existing: T, mapped: T, partial: boolean): T {
  const e = existing as Record<string, any>;
  const out: Record<string, any> = partial ? { ...e, ...mapped } : { ...mapped };
  delete out.meta;
  out.id = existing.id;
  const idKey = (i: Identifier): string => `${i.system}|${i.value}`;
  const mine = new Set(((mapped as any).identifier ?? []).map(idKey));
  out.identifier = [
    ...((mapped as any).identifier ?? []),
    ...((e.identifier ?? []) as Identifier[]).filter((i) => !mine.has(idKey(i))),
  ];
  if (existing.resourceType === 'HealthcareService') {
    // The flag as the new data sets it (HSDS says so); else a flag Kith staff set is kept, and one an
    // earlier import set (source hsds) goes with the data that said so.
    const fromData = acceptsFlagSource(mapped as HealthcareService) === 'hsds';
    const before = acceptsFlagSource(existing as HealthcareService);
    let next = unmarkAcceptsElectronicReferrals(out as HealthcareService) as Record<string, any>;
    if (fromData) next = markAcceptsElectronicReferrals(next as HealthcareService);
    else if (before === 'kith')
      next.extension = [
        ...(next.extension ?? []),
        ...((e.extension ?? []) as Extension[]).filter((x) => x.url === EXT_ACCEPTS_REFERRALS),
      ];
    // An `elec` referral method Kith keeps, unless it came with an import flag the data took back.
    const isElec = (c: CodeableConcept) => !!c.coding?.some((x) => x.code === 'elec');
    const elec = ((e as HealthcareService).referralMethod ?? []).filter(isElec);
    const methods = (next.referralMethod ?? []) as CodeableConcept[];
    if (elec.length && !methods.some(isElec) && !(before === 'hsds' && !fromData))
      next.referralMethod = [...methods, ...elec];
    for (const k of Object.keys(out)) delete out[k];
    Object.assign(out, next);
    if (e.endpoint) out.endpoint = e.endpoint;
  }
  if (existing.resourceType === 'Organization') {
    if (e.type && !out.type) out.type = e.type;
    if (e.endpoint) out.endpoint = e.endpoint;
  }
  if (e.meta?.security || e.meta?.tag) out.meta = { security: e.meta.security, tag: e.meta.tag };
  return out as T;
}
