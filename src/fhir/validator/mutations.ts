import { tryGetDataType, type InternalSchemaElement } from '@medplum/core';

/**
 * Systematic breakages of a valid resource, for the diff test that holds Kith's validator to
 * Medplum's: each names what it breaks and changes a fresh copy in one place. Places are found by
 * walking the copy with the R4 type schemas, so every resource gets each breakage where it fits.
 */
export interface Mutation {
  name: string;
  resource: Record<string, unknown>;
}

interface Site {
  obj: Record<string, unknown>;
  key: string;
  code: string;
  element: InternalSchemaElement;
  /** The choice's base name (`value` for `value[x]`), when the key is a typed choice name. */
  choice?: string;
  depth: number;
}

const STRINGS = new Set([
  'string',
  'code',
  'id',
  'uri',
  'url',
  'canonical',
  'markdown',
  'oid',
  'uuid',
  'base64Binary',
]);
const DATES = new Set(['date', 'dateTime', 'instant', 'time']);
const NUMBERS = new Set(['integer', 'positiveInt', 'unsignedInt', 'decimal']);

function sitesOf(resource: Record<string, unknown>): Site[] {
  const sites: Site[] = [];
  collect(resource, String(resource.resourceType), 0, sites);
  return sites;
}

function collect(node: Record<string, unknown>, typeName: string, depth: number, sites: Site[]): void {
  const schema = tryGetDataType(typeName);
  if (!schema) return;
  for (const key of Object.keys(node)) {
    if (key === 'resourceType' || key.startsWith('_')) continue;
    let element = schema.elements[key];
    let code = element?.type?.[0]?.code;
    let choice: string | undefined;
    if (!element) {
      for (let cut = 1; cut < key.length && !element; cut++) {
        if (!/[A-Z]/.test(key[cut])) continue;
        const e = schema.elements[`${key.slice(0, cut)}[x]`];
        const t = e?.type.find((x) => x.code.toLowerCase() === key.slice(cut).toLowerCase());
        if (e && t) [element, code, choice] = [e, t.code, key.slice(0, cut)];
      }
    }
    if (!element || !code) continue;
    sites.push({ obj: node, key, code, element, choice, depth });
    const items = Array.isArray(node[key]) ? (node[key] as unknown[]) : [node[key]];
    for (const item of items) {
      if (!item || typeof item !== 'object') continue;
      const childType =
        code === 'Resource' ? String((item as { resourceType?: unknown }).resourceType) : code;
      collect(item as Record<string, unknown>, childType, depth + 1, sites);
    }
  }
}

const isPrimitive = (s: Site) => /^[a-z]/.test(s.code) || s.code.startsWith('http');

type Change = (s: Site) => void;

/** Each breakage: where it applies and what it does there. */
const BREAKAGES: [string, (s: Site) => boolean, Change][] = [
  [
    'drop a required element',
    (s) => s.element.min > 0,
    (s) => void (delete s.obj[s.key], delete s.obj[`_${s.key}`]),
  ],
  ['number for a string primitive', (s) => STRINGS.has(s.code) || DATES.has(s.code), (s) => setFirst(s, 42)],
  [
    'string for a number or boolean',
    (s) => NUMBERS.has(s.code) || s.code === 'boolean',
    (s) => setFirst(s, 'yes'),
  ],
  ['bad date format', (s) => DATES.has(s.code), (s) => setFirst(s, '2020-13-45T25:61')],
  ['date without its day zero-padded', (s) => DATES.has(s.code), (s) => setFirst(s, '2020-1-5')],
  ['code with inner double space', (s) => s.code === 'code', (s) => setFirst(s, 'a  b')],
  [
    'id with bad characters',
    (s) => s.code === 'id' || s.code === 'http://hl7.org/fhirpath/System.String',
    (s) => setFirst(s, 'bad id!'),
  ],
  ['uri with a space', (s) => s.code === 'uri' || s.code === 'canonical', (s) => setFirst(s, 'http://x y')],
  ['whitespace-only string', (s) => s.code === 'string', (s) => setFirst(s, '   ')],
  ['empty string', (s) => s.code === 'string' && s.element.min > 0, (s) => setFirst(s, '')],
  ['fractional integer', (s) => s.code === 'integer' || s.code === 'positiveInt', (s) => setFirst(s, 1.5)],
  ['zero positiveInt', (s) => s.code === 'positiveInt', (s) => setFirst(s, 0)],
  ['negative unsignedInt', (s) => s.code === 'unsignedInt', (s) => setFirst(s, -1)],
  [
    'unknown property',
    (s) => !isPrimitive(s) && s.code !== 'Resource',
    (s) => void (firstObject(s).kithUnknown = 'x'),
  ],
  [
    'unknown _property',
    (s) => !isPrimitive(s) && s.code !== 'Resource',
    (s) => void (firstObject(s)._kithUnknown = {}),
  ],
  ['array where single', (s) => !s.element.isArray, (s) => void (s.obj[s.key] = [s.obj[s.key]])],
  [
    'single where array',
    (s) => !!s.element.isArray,
    (s) => void (s.obj[s.key] = (s.obj[s.key] as unknown[])[0]),
  ],
  ['empty array', (s) => !!s.element.isArray, (s) => void (s.obj[s.key] = [])],
  ['null value', () => true, (s) => void (s.obj[s.key] = null)],
  ['null in an array', (s) => !!s.element.isArray, (s) => void (s.obj[s.key] as unknown[]).push(null)],
  ['empty object', (s) => !isPrimitive(s), (s) => setFirst(s, {})],
  [
    'empty object in an array',
    (s) => !isPrimitive(s) && !!s.element.isArray,
    (s) => void (s.obj[s.key] as unknown[]).push({}),
  ],
  ['two choice types', (s) => !!s.choice && s.element.type.length > 1, (s) => addOtherChoice(s)],
  ['typed choice name of no type', (s) => !!s.choice, (s) => void (s.obj[`${s.choice}Nonsense`] = 'x')],
  [
    '_x with an unknown property',
    (s) => isPrimitive(s) && !s.element.isArray,
    (s) => void (s.obj[`_${s.key}`] = { kithUnknown: 1 }),
  ],
  [
    '_x with an empty extension',
    (s) => isPrimitive(s) && !s.element.isArray,
    (s) => void (s.obj[`_${s.key}`] = { extension: [{ url: 'http://example.org/x' }] }),
  ],
  ['_x not an object', (s) => isPrimitive(s) && !s.element.isArray, (s) => void (s.obj[`_${s.key}`] = 'x')],
  [
    '_x as a single object for a list',
    (s) => isPrimitive(s) && !!s.element.isArray,
    (s) => void (s.obj[`_${s.key}`] = { id: 'a' }),
  ],
  [
    '_x alone, value dropped',
    (s) => isPrimitive(s) && !s.element.isArray,
    (s) => void ((s.obj[`_${s.key}`] = { id: 'a' }), delete s.obj[s.key]),
  ],
  ['null lined up with _x', (s) => isPrimitive(s) && !!s.element.isArray, (s) => lineUpNull(s)],
];

function setFirst(s: Site, value: unknown): void {
  const v = s.obj[s.key];
  if (Array.isArray(v)) v[0] = value;
  else s.obj[s.key] = value;
}

function firstObject(s: Site): Record<string, unknown> {
  const v = s.obj[s.key];
  return (Array.isArray(v) ? v[0] : v) as Record<string, unknown>;
}

function addOtherChoice(s: Site): void {
  const other = s.element.type.find((t) => t.code !== s.code)!.code;
  const name = `${s.choice}${other[0].toUpperCase()}${other.slice(1)}`;
  s.obj[name] = NUMBERS.has(other)
    ? 1
    : other === 'boolean'
      ? true
      : /^[a-z]/.test(other)
        ? 'x'
        : { id: 'x' };
}

function lineUpNull(s: Site): void {
  const list = s.obj[s.key] as unknown[];
  s.obj[s.key] = [...list, null];
  s.obj[`_${s.key}`] = [...list.map(() => null), { id: 'a' }];
}

/**
 * Every breakage at up to three places where it fits (first, middle and last in document order, so
 * both top-level and nested elements), each on its own copy of the resource.
 */
export function mutationsOf(resource: Record<string, unknown>): Mutation[] {
  const out: Mutation[] = [];
  const count = sitesOf(resource).length;
  for (const [name, fits, change] of BREAKAGES) {
    const fitting = sitesOf(resource)
      .map((s, i) => [s, i] as const)
      .filter(([s]) => fits(s));
    if (!fitting.length) continue;
    const picks = new Set([fitting[0][1], fitting[fitting.length >> 1][1], fitting[fitting.length - 1][1]]);
    for (const index of picks) {
      const copy = structuredClone(resource);
      const sites = sitesOf(copy);
      if (sites.length !== count) throw new Error('site walk is not deterministic');
      change(sites[index]);
      out.push({ name: `${name} at ${sites[index].key}`, resource: copy });
    }
  }
  return out;
}
