import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { MappingResult } from '../result';
import { HmisContext, type ExportInfo, type HmisFiles, type HmisOptions } from './context';
import { mapClients } from './map-client';
import { mapCurrentLivingSituations } from './map-current-living';
import { mapDisabilities } from './map-disabilities';
import { mapEnrollments } from './map-enrollment';
import { readExportInfo } from './map-export';
import { mapHealthAndDv } from './map-health-dv';
import { mapIncomeBenefits } from './map-income-benefits';
import { mapOrganizations, mapProjects } from './map-organization';
import { mapServices } from './map-services';
import { HMIS_FILES } from './spec';
import { isZipFile, readHmisZip } from './zip';

export interface HmisResult extends MappingResult {
  /** What Export.csv said (undefined when the export could not be keyed at all). */
  export?: ExportInfo;
}

/**
 * Maps one HUD HMIS CSV export (FY2024 or FY2026) to FHIR. Files are read in dependency order
 * (organizations and projects, clients, enrollments and exits, then everything that hangs off an
 * enrollment), so labels and links are known when each row is mapped. A bad row costs that row
 * only; every problem names its file, row and column.
 */
export function mapHmisExport(files: HmisFiles, options: HmisOptions = {}): HmisResult {
  const { info, issues } = readExportInfo(files, options);
  if (!info) return { resources: [], merges: [], issues };
  const ctx = new HmisContext(files, info, options);
  ctx.builder.issue(...issues);
  mapOrganizations(ctx);
  mapProjects(ctx);
  mapClients(ctx);
  mapEnrollments(ctx);
  mapServices(ctx);
  mapHealthAndDv(ctx);
  mapIncomeBenefits(ctx);
  mapDisabilities(ctx);
  mapCurrentLivingSituations(ctx);
  return { ...ctx.builder.finish(), export: info };
}

/** Reads the HMIS files of an export folder (file names matched case-insensitively). */
export async function readHmisFolder(dir: string): Promise<HmisFiles> {
  const wanted = new Map(HMIS_FILES.map((f) => [f.toLowerCase(), f]));
  const files: HmisFiles = {};
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const name = wanted.get(entry.name.toLowerCase());
    if (entry.isFile() && name) files[name] = await readFile(join(dir, entry.name));
  }
  return files;
}

/** Reads an HMIS export given as a folder or as a zip file (see readHmisZip). */
export async function readHmisExport(target: string): Promise<HmisFiles> {
  if ((await stat(target)).isDirectory()) return readHmisFolder(target);
  if (await isZipFile(target)) return readHmisZip(await readFile(target), basename(target));
  throw new Error(`${target}: neither a folder nor a zip file`);
}

export { readHmisZip, isZipFile, HmisZipError } from './zip';
export { HMIS_FILES, type HmisFileName, type HmisVersion } from './spec';
export type { ExportInfo, HmisFiles, HmisOptions } from './context';
