import { FhirError } from '../errors';
import { isSupportedResourceType, searchParam, searchParamsFor } from '../definitions';
import type { IncludeSpec, ParamType, SearchFilter, SearchRequest, SortKey } from '../../store/search/model';

export const DEFAULT_COUNT = 20;
export const MAX_COUNT = 1000;

/** Result-shaping parameters that are not filters. */
const CONTROL = new Set([
  '_count',
  '_offset',
  '_sort',
  '_total',
  '_summary',
  '_elements',
  '_include',
  '_revinclude',
  '_format',
  '_pretty',
]);

const MODIFIERS: Record<string, Set<string>> = {
  string: new Set(['exact', 'contains', 'missing', 'text']),
  token: new Set(['not', 'text', 'missing', 'of-type', 'above', 'below', 'code-text']),
  date: new Set(['missing']),
  number: new Set(['missing']),
  quantity: new Set(['missing']),
  reference: new Set(['missing', 'identifier', 'above', 'below']),
  uri: new Set(['missing', 'above', 'below', 'exact', 'contains']),
  composite: new Set(['missing']),
};

export type Query = Record<string, string | string[] | undefined>;

/** Parses FHIR search parameters (from a query string or a `_search` form body). */
export function parseSearch(resourceType: string, query: Query): SearchRequest {
  const req: SearchRequest = {
    resourceType,
    filters: [],
    sort: [],
    count: DEFAULT_COUNT,
    offset: 0,
    total: 'accurate',
    include: [],
    revinclude: [],
    unknown: [],
  };
  for (const [key, raw] of Object.entries(query)) {
    if (raw === undefined) continue;
    const values = Array.isArray(raw) ? raw : [raw];
    for (const value of values) applyParam(req, key, value);
  }
  return req;
}

function applyParam(req: SearchRequest, key: string, value: string): void {
  const [name, ...modParts] = key.split(':');
  if (CONTROL.has(name)) return applyControl(req, name, modParts.join(':'), value);
  // A parameter without a value (`name=`, `code=,`) constrains nothing: it is ignored.
  if (splitValues(value).length === 0) return;
  const filter = parseFilter(req.resourceType, key, value);
  if (filter) req.filters.push(filter);
  else req.unknown.push(key);
}

function applyControl(req: SearchRequest, name: string, modifier: string, value: string): void {
  switch (name) {
    case '_count':
      req.count = Math.min(MAX_COUNT, nonNegative(name, value));
      return;
    case '_offset':
      req.offset = nonNegative(name, value);
      return;
    case '_total':
      if (!['none', 'estimate', 'accurate'].includes(value)) {
        throw new FhirError(
          'invalid_search',
          `_total must be none, estimate or accurate, not '${value}'`,
          '_total',
        );
      }
      req.total = value as SearchRequest['total'];
      return;
    case '_summary':
      if (!['true', 'text', 'data', 'count', 'false'].includes(value)) {
        throw new FhirError(
          'invalid_search',
          `_summary must be true, text, data, count or false`,
          '_summary',
        );
      }
      req.summary = value as SearchRequest['summary'];
      return;
    case '_elements':
      req.elements = [
        ...(req.elements ?? []),
        ...value
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      ];
      return;
    case '_sort':
      for (const part of value.split(',')) req.sort.push(parseSort(req.resourceType, part.trim()));
      return;
    case '_include':
    case '_revinclude':
      (name === '_include' ? req.include : req.revinclude).push(parseInclude(name, modifier, value));
      return;
    default:
      return;
  }
}

function nonNegative(name: string, value: string): number {
  if (!/^\d+$/.test(value))
    throw new FhirError('invalid_search', `${name} must be a whole number, not '${value}'`, name);
  return Number(value);
}

function parseSort(resourceType: string, part: string): SortKey {
  const descending = part.startsWith('-');
  const code = descending ? part.slice(1) : part;
  if (code === '_id' || code === '_lastUpdated') return { code, type: 'special', descending };
  const info = searchParam(resourceType, code);
  if (!info)
    throw new FhirError(
      'unknown_search_param',
      `Cannot sort ${resourceType} by unknown parameter '${code}'`,
      '_sort',
    );
  return { code, type: info.param.type as ParamType, descending };
}

function parseInclude(name: string, modifier: string, value: string): IncludeSpec {
  const iterate = modifier === 'iterate' || modifier === 'recurse';
  if (value === '*') return { sourceType: '*', code: '*', iterate, wildcard: true };
  const [sourceType, code, targetType] = value.split(':');
  if (!sourceType || !code || !isSupportedResourceType(sourceType)) {
    throw new FhirError('invalid_search', `${name}=${value} must be SourceType:param[:TargetType]`, name);
  }
  if (code === '*') return { sourceType, code, iterate, wildcard: true, targetType };
  const info = searchParam(sourceType, code);
  if (!info || info.param.type !== 'reference') {
    throw new FhirError(
      'unknown_search_param',
      `${name}: ${sourceType} has no reference parameter '${code}'`,
      name,
    );
  }
  return { sourceType, code, targetType, iterate, wildcard: false };
}

/** Parses one `name[:modifier][.chain]=value` pair, or undefined for an unknown parameter. */
export function parseFilter(resourceType: string, key: string, value: string): SearchFilter | undefined {
  if (key.startsWith('_has:')) return parseHas(resourceType, key, value);
  const dot = key.indexOf('.');
  if (dot > 0) return parseChain(resourceType, key.slice(0, dot), key.slice(dot + 1), value);
  const [code, modifier] = splitModifier(key);
  if (code === '_id' || code === '_lastUpdated') return parseColumnParam(code, modifier, key, value);
  const info = searchParam(resourceType, code);
  if (!info) return undefined;
  const type = info.param.type as ParamType;
  if (
    modifier &&
    !(MODIFIERS[type]?.has(modifier) || (type === 'reference' && isSupportedResourceType(modifier)))
  ) {
    throw new FhirError(
      'invalid_search',
      `Modifier ':${modifier}' is not valid on ${type} parameter '${code}'`,
      key,
    );
  }
  if (modifier === 'missing' && value !== 'true' && value !== 'false') {
    throw new FhirError('invalid_search', `${key} must be true or false`, key);
  }
  if (type === 'reference' && modifier && isSupportedResourceType(modifier)) {
    return {
      kind: 'param',
      code,
      type,
      modifier: 'type',
      values: splitValues(value).map((v) => qualify(modifier, v)),
    };
  }
  return { kind: 'param', code, type, modifier, values: splitValues(value) };
}

/** `_id` and `_lastUpdated` live on every resource: `:missing=true` matches nothing, `false` everything. */
function parseColumnParam(
  code: string,
  modifier: string | undefined,
  key: string,
  value: string,
): SearchFilter {
  const allowed = code === '_id' ? ['not', 'missing'] : ['missing'];
  if (modifier && !allowed.includes(modifier)) {
    throw new FhirError('invalid_search', `Modifier ':${modifier}' is not valid on '${code}'`, key);
  }
  if (modifier === 'missing') {
    if (value !== 'true' && value !== 'false')
      throw new FhirError('invalid_search', `${key} must be true or false`, key);
    return { kind: 'id', values: [], not: value === 'false' };
  }
  if (code === '_id') return { kind: 'id', values: splitValues(value), not: modifier === 'not' };
  return { kind: 'lastUpdated', values: [value] };
}

function qualify(type: string, value: string): string {
  return value.includes('/') ? value : `${type}/${value}`;
}

function splitModifier(key: string): [string, string | undefined] {
  const i = key.indexOf(':');
  return i < 0 ? [key, undefined] : [key.slice(0, i), key.slice(i + 1)];
}

/** Splits on commas that are not escaped with a backslash, then unescapes. */
export function splitValues(value: string): string[] {
  return value
    .split(/(?<!\\),/)
    .map((v) => v.replace(/\\([,$|\\])/g, '$1'))
    .filter((v) => v.length > 0);
}

function parseChain(resourceType: string, head: string, rest: string, value: string): SearchFilter {
  const [code, typeModifier] = splitModifier(head);
  const info = searchParam(resourceType, code);
  if (!info || info.param.type !== 'reference') {
    throw new FhirError(
      'invalid_search',
      `Cannot chain through '${code}': not a reference parameter of ${resourceType}`,
      head,
    );
  }
  const targets = typeModifier ? [typeModifier] : (info.param.target ?? []).map(String);
  const nextTypes = targets.filter((t) => {
    const [nextCode] = splitModifier(rest.split('.')[0]);
    return (
      nextCode === '_id' ||
      nextCode === '_lastUpdated' ||
      searchParamsFor(t).has(nextCode) ||
      rest.startsWith('_has:')
    );
  });
  if (nextTypes.length === 0) {
    throw new FhirError(
      'invalid_search',
      `No target of ${resourceType}.${code} has a parameter '${rest}'`,
      `${head}.${rest}`,
    );
  }
  // The chained part must mean the same on every target type; parse it against the first.
  const next = parseFilter(nextTypes[0], rest, value);
  if (!next)
    throw new FhirError('unknown_search_param', `Unknown chained parameter '${rest}'`, `${head}.${rest}`);
  return { kind: 'chain', code, targetTypes: nextTypes, next };
}

function parseHas(resourceType: string, key: string, value: string): SearchFilter {
  const parts = key.split(':');
  const [, type, referenceCode, ...restParts] = parts;
  const rest = restParts.join(':');
  if (!type || !referenceCode || !rest || !isSupportedResourceType(type)) {
    throw new FhirError('invalid_search', `'${key}' must be _has:Type:reference:parameter`, key);
  }
  const ref = searchParam(type, referenceCode);
  if (!ref || ref.param.type !== 'reference') {
    throw new FhirError('invalid_search', `${type} has no reference parameter '${referenceCode}'`, key);
  }
  if (ref.param.target && !ref.param.target.map(String).includes(resourceType)) {
    throw new FhirError('invalid_search', `${type}.${referenceCode} cannot point to ${resourceType}`, key);
  }
  const next = parseFilter(type, rest, value);
  if (!next) throw new FhirError('unknown_search_param', `${type} has no search parameter '${rest}'`, key);
  return { kind: 'has', type, referenceCode, next };
}
