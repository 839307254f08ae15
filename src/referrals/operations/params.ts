import type { Parameters } from '@medplum/fhirtypes';

type Q = Record<string, string | string[] | undefined>;

/** Query parameters merged with a POSTed Parameters body (primitive values as strings). */
export function operationInputs(query: Q, body: unknown): Q {
  const out: Q = { ...query };
  const params = body as Parameters | undefined;
  if (params?.resourceType !== 'Parameters') return out;
  for (const p of params.parameter ?? []) {
    const entry = Object.entries(p).find(([k]) => k.startsWith('value'));
    if (!p.name || !entry) continue;
    const v = entry[1];
    const text =
      typeof v === 'object' && v !== null
        ? ((v as { reference?: string; code?: string }).reference ??
          (v as { code?: string }).code ??
          JSON.stringify(v))
        : String(v);
    const prev = out[p.name];
    out[p.name] = prev === undefined ? text : [...(Array.isArray(prev) ? prev : [prev]), text];
  }
  return out;
}

export function firstValue(q: Q, name: string): string | undefined {
  const v = q[name];
  return Array.isArray(v) ? v[0] : v;
}
