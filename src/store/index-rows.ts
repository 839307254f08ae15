import { parseFhirPath, toTypedValue, type TypedValue } from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';
import { searchParamsFor, type SearchParamInfo } from '../fhir/definitions';
import { dateRange, normalizeString } from './normalize';
import { compilePath, type PathEvaluator } from './search/compiled-path';

/** Search index rows for one resource, one array per index table, written with the resource. */
export interface IndexRows {
  string: { c: string; v: string; e: string }[];
  token: { c: string; s: string | null; v: string | null; t: string | null }[];
  date: { c: string; lo: string; hi: string }[];
  number: { c: string; v: number }[];
  quantity: { c: string; v: number; s: string | null; u: string | null }[];
  reference: { c: string; tt: string | null; ti: string | null; r: string }[];
  uri: { c: string; v: string }[];
  composite: { c: string; k: string; n: number | null; lo: string | null; hi: string | null }[];
}

export type IndexTable = keyof IndexRows;
export const INDEX_TABLES: IndexTable[] = [
  'string',
  'token',
  'date',
  'number',
  'quantity',
  'reference',
  'uri',
  'composite',
];

const NEG_INF = '-infinity';
const POS_INF = 'infinity';

/** Parameters served from columns of the resources table, not from index rows. */
const COLUMN_PARAMS = new Set(['_id', '_lastUpdated', '_compartment']);

export function emptyRows(): IndexRows {
  return { string: [], token: [], date: [], number: [], quantity: [], reference: [], uri: [], composite: [] };
}

/** Evaluates every R4 search parameter of the resource's type and turns the values into index rows. */
export function extractIndexRows(resource: Resource): IndexRows {
  const rows = emptyRows();
  const input = [toTypedValue(resource)];
  for (const info of searchParamsFor(resource.resourceType).values()) {
    if (COLUMN_PARAMS.has(info.code)) continue;
    if (info.param.type === 'composite') {
      addComposite(rows, info, input);
      continue;
    }
    let values: TypedValue[];
    try {
      values = info.evaluate(input);
    } catch {
      continue; // An expression the engine cannot evaluate on this shape indexes nothing.
    }
    for (const tv of values) addValue(rows, info.param.type as string, info.code, tv);
  }
  return rows;
}

function addValue(rows: IndexRows, paramType: string, code: string, tv: TypedValue): void {
  const v = tv.value;
  if (v === undefined || v === null) return;
  switch (paramType) {
    case 'string':
      for (const s of stringsOf(tv)) rows.string.push({ c: code, v: normalizeString(s), e: s });
      return;
    case 'token':
      addToken(rows, code, tv);
      return;
    case 'date': {
      const range = dateOf(tv);
      if (range) rows.date.push({ c: code, lo: range.low, hi: range.high });
      return;
    }
    case 'number':
      if (typeof v === 'number') rows.number.push({ c: code, v });
      else if (typeof v?.value === 'number') rows.number.push({ c: code, v: v.value });
      return;
    case 'quantity':
      addQuantity(rows, code, tv);
      return;
    case 'reference':
      addReference(rows, code, tv);
      return;
    case 'uri':
      if (typeof v === 'string') rows.uri.push({ c: code, v });
      return;
    default:
      return;
  }
}

function stringsOf(tv: TypedValue): string[] {
  const v = tv.value;
  if (typeof v === 'string') return [v];
  if (typeof v !== 'object') return [String(v)];
  switch (tv.type) {
    case 'HumanName':
      return [v.text, v.family, ...(v.given ?? []), ...(v.prefix ?? []), ...(v.suffix ?? [])].filter(isText);
    case 'Address':
      return [v.text, ...(v.line ?? []), v.city, v.district, v.state, v.postalCode, v.country].filter(isText);
    default:
      return Object.values(v).filter(isText) as string[];
  }
}

function isText(x: unknown): x is string {
  return typeof x === 'string' && x.length > 0;
}

function addToken(rows: IndexRows, code: string, tv: TypedValue): void {
  const v = tv.value;
  const push = (s: string | undefined | null, val: string | undefined | null, t?: string | null): void => {
    if (!val && !t) return;
    rows.token.push({ c: code, s: s ?? null, v: val ?? null, t: t ? normalizeString(t) : null });
  };
  switch (tv.type) {
    case 'CodeableConcept':
      for (const coding of v.coding ?? []) push(coding.system, coding.code, coding.display ?? v.text);
      // :text searches CodeableConcept.text too: index it on its own unless every coding already carried it.
      if (v.text && (v.coding ?? []).some((c: any) => c.display)) push(null, null, v.text);
      if (v.text && !(v.coding ?? []).length) push(null, null, v.text);
      return;
    case 'Coding':
      push(v.system, v.code, v.display);
      return;
    case 'Identifier':
      push(v.system, v.value, v.type?.text ?? v.type?.coding?.[0]?.display);
      for (const coding of v.type?.coding ?? []) {
        rows.token.push({
          c: `${code}:of-type`,
          s: coding.system ?? null,
          v: `${coding.code}|${v.value}`,
          t: null,
        });
      }
      return;
    case 'ContactPoint':
      push(v.system, v.value);
      return;
    case 'boolean':
      push(null, String(v));
      return;
    default:
      if (typeof v === 'string' || typeof v === 'number') push(null, String(v));
      else if (v && typeof v === 'object' && typeof v.code === 'string') push(v.system, v.code, v.display);
  }
}

function dateOf(tv: TypedValue): { low: string; high: string } | undefined {
  const v = tv.value;
  if (typeof v === 'string') return dateRange(v);
  if (tv.type === 'Period') {
    const start = v.start ? dateRange(v.start)?.low : NEG_INF;
    const end = v.end ? dateRange(v.end)?.high : POS_INF;
    if (!start || !end) return undefined;
    return { low: start, high: end };
  }
  if (tv.type === 'Timing') {
    const events: string[] = v.event ?? [];
    const ranges = events.map((e) => dateRange(e)).filter((r) => !!r);
    if (ranges.length) {
      return {
        low: ranges.map((r) => r.low).sort()[0],
        high: ranges
          .map((r) => r.high)
          .sort()
          .reverse()[0],
      };
    }
    const bounds = v.repeat?.boundsPeriod;
    if (bounds) return dateOf({ type: 'Period', value: bounds });
  }
  return undefined;
}

function addQuantity(rows: IndexRows, code: string, tv: TypedValue): void {
  const v = tv.value;
  if (tv.type === 'Range') {
    for (const q of [v.low, v.high]) if (q && typeof q.value === 'number') pushQuantity(rows, code, q);
    return;
  }
  if (v && typeof v.value === 'number') pushQuantity(rows, code, v);
}

function pushQuantity(rows: IndexRows, code: string, q: any): void {
  rows.quantity.push({ c: code, v: q.value, s: q.system ?? null, u: q.code ?? q.unit ?? null });
  // `value||mmHg` matches the human unit as well as the code; a system-less row keeps
  // `value|system|code` matching codes only.
  if (q.code && q.unit && q.unit !== q.code) rows.quantity.push({ c: code, v: q.value, s: null, u: q.unit });
}

function addReference(rows: IndexRows, code: string, tv: TypedValue): void {
  const v = tv.value;
  if (typeof v === 'string') {
    // canonical / uri used as a reference target
    rows.reference.push({ c: code, tt: null, ti: null, r: v });
    return;
  }
  if (tv.type === 'Reference' || (v && typeof v === 'object')) {
    if (typeof v.reference === 'string') {
      const { type, id } = splitReference(v.reference);
      rows.reference.push({ c: code, tt: type, ti: id, r: v.reference });
    }
    if (v.identifier?.value) {
      rows.token.push({
        c: `${code}:identifier`,
        s: v.identifier.system ?? null,
        v: v.identifier.value,
        t: null,
      });
    }
  }
}

/** Splits `Patient/123`, `http://x/fhir/Patient/123/_history/2` into type and id. */
export function splitReference(ref: string): { type: string | null; id: string | null } {
  const m = /(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(ref);
  return m ? { type: m[1], id: m[2] } : { type: null, id: null };
}

function addComposite(rows: IndexRows, info: SearchParamInfo, input: TypedValue[]): void {
  const components = info.param.component ?? [];
  if (components.length !== 2) return;
  let bases: TypedValue[];
  try {
    bases = info.evaluate(input);
  } catch {
    return;
  }
  for (const base of bases) {
    const first = evalComponent(components[0].expression, base);
    const second = evalComponent(components[1].expression, base);
    const keys: string[] = [];
    for (const tv of first) {
      const tmp = emptyRows();
      addToken(tmp, 'x', tv);
      for (const t of tmp.token) if (t.v) keys.push(`${t.s ?? ''}|${t.v}`, `|${t.v}`);
    }
    const kind = /-(quantity|concept|date|string)$/.exec(info.code)?.[1];
    for (const tv of second) {
      for (const k of keys) {
        if (kind === 'quantity') {
          const tmp = emptyRows();
          addQuantity(tmp, 'x', tv);
          for (const q of tmp.quantity) rows.composite.push({ c: info.code, k, n: q.v, lo: null, hi: null });
        } else if (kind === 'concept' && /^(CodeableConcept|Coding|code)$/.test(tv.type)) {
          const tmp = emptyRows();
          addToken(tmp, 'x', tv);
          for (const t of tmp.token) {
            if (t.v)
              rows.composite.push({
                c: info.code,
                k: `${k}$${t.s ?? ''}|${t.v}`,
                n: null,
                lo: null,
                hi: null,
              });
          }
        } else if (kind === 'date') {
          const range = dateOf(tv);
          if (range) rows.composite.push({ c: info.code, k, n: null, lo: range.low, hi: range.high });
        } else if (kind === 'string' && typeof tv.value === 'string') {
          rows.composite.push({
            c: info.code,
            k: `${k}$${normalizeString(tv.value)}`,
            n: null,
            lo: null,
            hi: null,
          });
        }
      }
    }
  }
}

const componentPaths = new Map<string, PathEvaluator>();

function evalComponent(expression: string, base: TypedValue): TypedValue[] {
  try {
    let evaluate = componentPaths.get(expression);
    if (!evaluate) {
      evaluate = compilePath(parseFhirPath(expression));
      componentPaths.set(expression, evaluate);
    }
    return evaluate([base]);
  } catch {
    return [];
  }
}
