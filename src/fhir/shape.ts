import { tryGetDataType } from '@medplum/core';

const SUBSETTED = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED' };

/** Applies `_summary` / `_elements` to one resource's JSON; returns the JSON unchanged when neither is set. */
export function shapeResource(json: string, summary?: string, elements?: string[]): string {
  if ((!summary || summary === 'false') && !elements?.length) return json;
  const resource = JSON.parse(json) as Record<string, any>;
  let keep: Set<string> | undefined;
  if (elements?.length) {
    keep = new Set(['resourceType', 'id', 'meta', ...elements.map((e) => e.split('.').pop() as string)]);
  } else if (summary === 'true') {
    const schema = tryGetDataType(resource.resourceType);
    keep = new Set([
      'resourceType',
      ...(schema?.summaryProperties ?? []),
      ...(schema?.mandatoryProperties ?? []),
    ]);
  } else if (summary === 'text') {
    const schema = tryGetDataType(resource.resourceType);
    keep = new Set(['resourceType', 'id', 'meta', 'text', ...(schema?.mandatoryProperties ?? [])]);
  } else if (summary === 'data') {
    delete resource.text;
  }
  const out: Record<string, any> = {};
  for (const [k, v] of Object.entries(resource)) {
    const base = k.replace(/^_/, '');
    if (
      !keep ||
      keep.has(base) ||
      [...keep].some((p) => base.startsWith(p) && /^[A-Z]/.test(base.slice(p.length)))
    ) {
      out[k] = v;
    }
  }
  out.meta = { ...(out.meta ?? {}), tag: [...(out.meta?.tag ?? []), SUBSETTED] };
  return JSON.stringify(out);
}
