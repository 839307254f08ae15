import { FhirError } from '../../fhir/errors';
import { dateRange, escapeLike, normalizeString, numberRange } from '../normalize';
import { splitReference } from '../index-rows';
import type { VisibilityFilter } from './execute';
import type { Prefix, SearchFilter } from './model';
import type { SqlParams } from './params';
import { specialSearchBuilder } from './special';

const PREFIXES: Prefix[] = ['eq', 'ne', 'lt', 'gt', 'le', 'ge', 'sa', 'eb', 'ap'];

/**
 * SQL that selects the ids of `type` resources matching one filter, from the index tables only
 * (never by scanning JSON). Returns `{ sql, negate }`: a negated filter selects the ids to exclude.
 * With `visible`, the resources a chain or `_has` looks through must be visible to the caller, so a
 * hidden resource neither matches nor excludes anything.
 */
export function filterIds(
  type: string,
  filter: SearchFilter,
  p: SqlParams,
  visible?: VisibilityFilter,
): { sql: string; negate: boolean } {
  // A `special` parameter (Location near) is served by the index its owner registered.
  const special =
    filter.kind === 'param' && filter.type === 'special' && specialSearchBuilder(type, filter.code);
  if (special && filter.kind === 'param') return special(type, filter, p);
  const t = p.add(type);
  switch (filter.kind) {
    case 'id':
      return {
        sql: `select id from fhir_resources where resource_type = ${t} and not deleted and id = any(${p.add(filter.values)}::text[])`,
        negate: !!filter.not,
      };
    case 'lastUpdated': {
      const conds = named('_lastUpdated', () =>
        filter.values.map((v) => dateCondition('last_updated', 'last_updated', v, p)),
      );
      return {
        sql: `select id from fhir_resources where resource_type = ${t} and not deleted and (${conds.join(' or ')})`,
        negate: false,
      };
    }
    case 'chain': {
      const parts = filter.targetTypes.map((target) => {
        const inner = filterIds(target, filter.next, p, visible);
        const ids = visibleIds(target, inner, p, visible);
        return `(target_type = ${p.add(target)} and target_id ${ids.negate ? 'not in' : 'in'} (${ids.sql}))`;
      });
      return {
        sql: `select id from sp_reference where resource_type = ${t} and code = ${p.add(filter.code)} and (${parts.join(' or ')})`,
        negate: false,
      };
    }
    case 'has': {
      const inner = visibleIds(filter.type, filterIds(filter.type, filter.next, p, visible), p, visible);
      const source = p.add(filter.type);
      const idCond = inner.negate ? `id not in (${inner.sql})` : `id in (${inner.sql})`;
      return {
        sql: `select target_id from sp_reference where resource_type = ${source} and code = ${p.add(filter.referenceCode)}
              and target_type = ${t} and target_id is not null and ${idCond}`,
        negate: false,
      };
    }
    case 'param': {
      const key =
        filter.modifier && filter.modifier !== 'type' ? `${filter.code}:${filter.modifier}` : filter.code;
      return named(key, () => paramIds(t, filter, p));
    }
  }
}

/**
 * An inner id set of a chain or `_has`, narrowed to the `type` resources the caller may see (never
 * only redacted: the chain may read what the redaction removes). Negated sets become "visible and
 * not excluded", so a hidden resource cannot be matched by exclusion either.
 */
function visibleIds(
  type: string,
  inner: { sql: string; negate: boolean },
  p: SqlParams,
  visible?: VisibilityFilter,
): { sql: string; negate: boolean } {
  if (!visible) return inner;
  const v = visible(type, p, { alias: 'v', allowRedacted: false });
  if (!v) return inner;
  return {
    sql: `select v.id from fhir_resources v where v.resource_type = ${p.add(type)} and not v.deleted
      and v.id ${inner.negate ? 'not in' : 'in'} (${inner.sql}) and (${v})`,
    negate: false,
  };
}

/** Runs fn, naming the search parameter in any error it raises about a value. */
function named<T>(key: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof FhirError && err.code === 'invalid_search') {
      throw new FhirError(
        'invalid_search',
        err.issues.map((i) => ({
          ...i,
          diagnostics: `Parameter '${key}': ${i.diagnostics}`,
          expression: key,
        })),
      );
    }
    throw err;
  }
}

function paramIds(
  t: string,
  f: Extract<SearchFilter, { kind: 'param' }>,
  p: SqlParams,
): { sql: string; negate: boolean } {
  const table = f.type === 'special' ? 'token' : f.type;
  if (f.modifier === 'missing') {
    // missing=true: ids that have no row for the code. Expressed as a negated "has a row".
    const sql = `select id from sp_${table} where resource_type = ${t} and code = ${p.add(f.code)}`;
    return { sql, negate: f.values[0] === 'true' };
  }
  let code = f.code;
  let tableName = table;
  let modifier = f.modifier;
  if (f.type === 'token' && f.modifier === 'of-type') code = `${f.code}:of-type`;
  if (f.type === 'reference' && f.modifier === 'identifier') {
    code = `${f.code}:identifier`;
    tableName = 'token';
    modifier = undefined;
  }
  const conds = f.values.map((v) => valueCondition(tableName, modifier, v, p));
  const sql = `select id from sp_${tableName} where resource_type = ${t} and code = ${p.add(code)} and (${conds.join(' or ')})`;
  return { sql, negate: f.type === 'token' && f.modifier === 'not' };
}

function valueCondition(table: string, modifier: string | undefined, value: string, p: SqlParams): string {
  switch (table) {
    case 'string':
      return stringCondition(modifier, value, p);
    case 'token':
      return tokenCondition(modifier, value, p);
    case 'date':
      return dateCondition('low', 'high', value, p);
    case 'number':
      return numberCondition('value', value, p);
    case 'quantity':
      return quantityCondition(value, p);
    case 'reference':
      return referenceCondition(modifier, value, p);
    case 'uri':
      return uriCondition(modifier, value, p);
    case 'composite':
      return compositeCondition(value, p);
    default:
      throw new FhirError('invalid_search', `Unsupported parameter type ${table}`);
  }
}

function stringCondition(modifier: string | undefined, value: string, p: SqlParams): string {
  if (modifier === 'exact') return `exact = ${p.add(value)}`;
  const norm = escapeLike(normalizeString(value));
  if (modifier === 'contains' || modifier === 'text') return `value like ${p.add(`%${norm}%`)}`;
  const like = `value like ${p.add(`${norm}%`)}`;
  const upper = prefixUpperBound(normalizeString(value));
  // Statements are prepared, and a generic plan cannot take index bounds from `like $n`: it would
  // read every value of the parameter. The range gives them; the like keeps the match exact.
  return upper === undefined
    ? like
    : `value >= ${p.add(normalizeString(value))} and value < ${p.add(upper)} and ${like}`;
}

/**
 * The least string above every string that starts with `prefix`, in the index's "C" (UTF-8 byte)
 * order: the prefix with its last character incremented. Undefined when there is no simple one.
 */
export function prefixUpperBound(prefix: string): string | undefined {
  if (!prefix) return undefined;
  const last = prefix.charCodeAt(prefix.length - 1);
  if (last >= 0xd7ff) return undefined; // surrogates and above: leave it to like
  return prefix.slice(0, -1) + String.fromCharCode(last + 1);
}

function tokenCondition(modifier: string | undefined, value: string, p: SqlParams): string {
  if (modifier === 'text' || modifier === 'code-text') {
    return `text like ${p.add(`${escapeLike(normalizeString(value))}%`)}`;
  }
  if (modifier === 'of-type') {
    const parts = value.split('|');
    if (parts.length !== 3)
      throw new FhirError('invalid_search', `:of-type needs system|code|value, not '${value}'`);
    return `(system = ${p.add(parts[0])} and value = ${p.add(`${parts[1]}|${parts[2]}`)})`;
  }
  const bar = value.indexOf('|');
  if (bar < 0) return `value = ${p.add(value)}`;
  const system = value.slice(0, bar);
  const code = value.slice(bar + 1);
  if (system === '') return `(system is null and value = ${p.add(code)})`;
  if (code === '') return `system = ${p.add(system)}`;
  if (modifier === 'below' || modifier === 'above') {
    // Without a terminology hierarchy loaded, a code subsumes only itself.
    return `(system = ${p.add(system)} and value = ${p.add(code)})`;
  }
  return `(system = ${p.add(system)} and value = ${p.add(code)})`;
}

export function splitPrefix(value: string): { prefix: Prefix; rest: string } {
  const head = value.slice(0, 2) as Prefix;
  if (PREFIXES.includes(head) && /^[0-9+-.]/.test(value.slice(2)))
    return { prefix: head, rest: value.slice(2) };
  return { prefix: 'eq', rest: value };
}

/** FHIR date search on ranges: the stored value covers [lo, hi), the search value [qlo, qhi). */
export function dateCondition(lo: string, hi: string, value: string, p: SqlParams): string {
  const { prefix, rest } = splitPrefix(value);
  const range = dateRange(rest);
  if (!range) throw new FhirError('invalid_search', `'${rest}' is not a FHIR date, dateTime or instant`);
  // Bound lazily: a parameter the SQL does not use would have no type, which PostgreSQL refuses.
  let loRef: string | undefined;
  let hiRef: string | undefined;
  const lazy = {
    get lo() {
      return (loRef ??= `${p.add(range.low)}::timestamptz`);
    },
    get hi() {
      return (hiRef ??= `${p.add(range.high)}::timestamptz`);
    },
  };
  switch (prefix) {
    case 'eq':
      // `lo <= qhi` and `hi >= qlo` follow from qlo <= lo <= hi <= qhi; said out loud they bound the
      // range read on either index (low's or high's) to the searched span, where otherwise every row
      // after (or before) it is read and filtered: a fresh table has no statistics to choose by.
      return `(${lo} >= ${lazy.lo} and ${lo} <= ${lazy.hi} and ${hi} >= ${lazy.lo} and ${hi} <= ${lazy.hi})`;
    case 'ne':
      return `not (${lo} >= ${lazy.lo} and ${hi} <= ${lazy.hi})`;
    case 'gt':
      return `${hi} > ${lazy.hi}`;
    case 'lt':
      return `${lo} < ${lazy.lo}`;
    case 'ge':
      return `${hi} > ${lazy.lo}`;
    case 'le':
      return `${lo} < ${lazy.hi}`;
    case 'sa':
      return `${lo} >= ${lazy.hi}`;
    case 'eb':
      return `${hi} <= ${lazy.lo}`;
    case 'ap': {
      // Approximately: within 10% of the distance between the value and now, on either side.
      const now = Date.now();
      const gap = Math.max(Math.abs(now - Date.parse(range.low)) * 0.1, 86_400_000);
      const alo = new Date(Date.parse(range.low) - gap).toISOString();
      const ahi = new Date(Date.parse(range.high) + gap).toISOString();
      return `(${hi} > ${p.add(alo)}::timestamptz and ${lo} < ${p.add(ahi)}::timestamptz)`;
    }
  }
}

function numberCondition(column: string, value: string, p: SqlParams): string {
  const { prefix, rest } = splitPrefix(value);
  const range = numberRange(rest);
  if (!range) throw new FhirError('invalid_search', `'${rest}' is not a number`);
  let nRef: string | undefined;
  const num = (): string => (nRef ??= p.add(Number(rest)));
  switch (prefix) {
    case 'eq':
      return `(${column} >= ${p.add(range.low)} and ${column} < ${p.add(range.high)})`;
    case 'ne':
      return `not (${column} >= ${p.add(range.low)} and ${column} < ${p.add(range.high)})`;
    case 'gt':
    case 'sa':
      return `${column} > ${num()}`;
    case 'lt':
    case 'eb':
      return `${column} < ${num()}`;
    case 'ge':
      return `${column} >= ${num()}`;
    case 'le':
      return `${column} <= ${num()}`;
    case 'ap': {
      const v = Number(rest);
      const d = Math.abs(v) * 0.1;
      return `(${column} >= ${p.add(v - d)} and ${column} <= ${p.add(v + d)})`;
    }
  }
}

function quantityCondition(value: string, p: SqlParams): string {
  const [num, system, code] = value.split('|');
  const conds = [numberCondition('value', num, p)];
  if (system) conds.push(`system = ${p.add(system)}`);
  if (code) conds.push(`unit = ${p.add(code)}`);
  return `(${conds.join(' and ')})`;
}

function referenceCondition(modifier: string | undefined, value: string, p: SqlParams): string {
  if (modifier === 'above' || modifier === 'below') return uriCondition(modifier, value, p);
  const { type, id } = splitReference(value);
  if (type && id && (modifier === 'type' || !/^https?:/.test(value) || value.includes('/fhir/'))) {
    return `(target_id = ${p.add(id)} and target_type = ${p.add(type)})`;
  }
  if (/^[a-z]+:/.test(value)) {
    // An absolute or canonical URL: match it as written, with or without a |version.
    return `(ref = ${p.add(value)} or ref like ${p.add(`${escapeLike(value)}|%`)})`;
  }
  return `target_id = ${p.add(value)}`;
}

function uriCondition(modifier: string | undefined, value: string, p: SqlParams): string {
  const column = 'value';
  if (modifier === 'below') return `${column} like ${p.add(`${escapeLike(value)}%`)}`;
  if (modifier === 'above')
    return `${p.add(value)} like (replace(replace(${column}, '%', '\\%'), '_', '\\_') || '%')`;
  if (modifier === 'contains') return `${column} like ${p.add(`%${escapeLike(value)}%`)}`;
  return `${column} = ${p.add(value)}`;
}

function compositeCondition(value: string, p: SqlParams): string {
  const parts = value.split(/(?<!\\)\$/);
  if (parts.length !== 2)
    throw new FhirError('invalid_search', `A composite value needs two parts joined by $: '${value}'`);
  const [first, second] = parts;
  const key = first.includes('|') ? first : `|${first}`;
  const { prefix, rest } = splitPrefix(second);
  if (numberRange(rest.split('|')[0])) {
    return `(key = ${p.add(key)} and ${numberCondition('num', `${prefix}${rest.split('|')[0]}`, p)})`;
  }
  if (dateRange(rest)) return `(key = ${p.add(key)} and ${dateCondition('low', 'high', second, p)})`;
  const token = second.includes('|') ? second : null;
  if (token) return `key = ${p.add(`${key}$${token}`)}`;
  return `(key like ${p.add(`${escapeLike(key)}$%`)} and (key like ${p.add(`${escapeLike(key)}$%|${escapeLike(second)}`)} or key like ${p.add(`${escapeLike(key)}$${escapeLike(normalizeString(second))}%`)}))`;
}
