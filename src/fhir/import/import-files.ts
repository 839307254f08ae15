import { createReadStream, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { FhirError } from '../errors';
import type { FhirService } from '../service';
import { processBundle } from '../transaction';

export interface ImportSummary {
  files: number;
  read: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
  errors: { file: string; where: string; message: string }[];
}

export type ImportProgress = (done: number, total: number, file: string) => void;

/** The files an import path names: one file, or every .json / .ndjson under a folder, sorted. */
export function listImportFiles(target: string): string[] {
  const st = statSync(target);
  if (st.isFile()) return [target];
  const out: string[] = [];
  for (const name of readdirSync(target).sort()) {
    const full = path.join(target, name);
    if (statSync(full).isDirectory()) out.push(...listImportFiles(full));
    else if (/\.(json|ndjson)$/i.test(name)) out.push(full);
  }
  return out;
}

/**
 * Imports FHIR JSON (a resource, or a Bundle: transactions stay atomic) and NDJSON files through
 * the FHIR service, so validation and every write hook apply as for the API.
 */
export async function importFiles(
  service: FhirService,
  files: string[],
  progress?: ImportProgress,
): Promise<ImportSummary> {
  const summary: ImportSummary = {
    files: files.length,
    read: 0,
    created: 0,
    updated: 0,
    unchanged: 0,
    failed: 0,
    errors: [],
  };
  for (const [i, file] of files.entries()) {
    if (file.toLowerCase().endsWith('.ndjson')) await importNdjson(service, file, summary);
    else await importJson(service, file, summary);
    progress?.(i + 1, files.length, file);
  }
  return summary;
}

async function importJson(service: FhirService, file: string, s: ImportSummary): Promise<void> {
  let body: unknown;
  try {
    body = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    s.read++;
    fail(s, file, 'file', `not valid JSON: ${(err as Error).message}`);
    return;
  }
  const resource = body as Resource;
  if (resource.resourceType === 'Bundle' && ['transaction', 'batch'].includes((resource as Bundle).type)) {
    const entries = (resource as Bundle).entry ?? [];
    s.read += entries.length;
    try {
      const response = await processBundle(service, resource, { base: '', returnRepresentation: false });
      for (const [k, e] of (response.entry ?? []).entries()) {
        const status = e.response?.status ?? '';
        if (status.startsWith('201')) s.created++;
        else if (status.startsWith('2')) s.updated++;
        else fail(s, file, `entry[${k}]`, e.response?.outcome?.issue?.[0]?.diagnostics ?? status);
      }
    } catch (err) {
      s.failed += entries.length;
      s.errors.push({ file, where: 'Bundle', message: describe(err) });
    }
    return;
  }
  const resources =
    resource.resourceType === 'Bundle'
      ? ((resource as Bundle).entry ?? []).map((e) => e.resource).filter((r): r is Resource => !!r)
      : [resource];
  for (const [k, r] of resources.entries())
    await importOne(service, r, s, file, resources.length > 1 ? `entry[${k}]` : 'resource');
}

async function importNdjson(service: FhirService, file: string, s: ImportSummary): Promise<void> {
  const lines = readline.createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (!line.trim()) continue;
    let r: Resource;
    try {
      r = JSON.parse(line);
    } catch (err) {
      s.read++;
      fail(s, file, `line ${n}`, `not valid JSON: ${(err as Error).message}`);
      continue;
    }
    await importOne(service, r, s, file, `line ${n}`);
  }
}

async function importOne(
  service: FhirService,
  r: Resource,
  s: ImportSummary,
  file: string,
  where: string,
): Promise<void> {
  s.read++;
  try {
    const type = String(r?.resourceType);
    const outcome = r.id ? await service.update(type, r.id, r) : await service.create(type, r);
    if (outcome.unchanged) s.unchanged++;
    else if (outcome.status === 201) s.created++;
    else s.updated++;
  } catch (err) {
    fail(s, file, where, describe(err));
  }
}

function fail(s: ImportSummary, file: string, where: string, message: string): void {
  s.failed++;
  if (s.errors.length < 1000) s.errors.push({ file, where, message });
}

function describe(err: unknown): string {
  return err instanceof FhirError ? err.message : err instanceof Error ? err.message : String(err);
}
