import { isEmpty, isResource, type InternalSchemaElement, type TypedValue } from '@medplum/core';

export type Located = TypedValue & { path: string };

interface Candidates {
  /** JSON names the element may appear under, in the order of its types (`valueQuantity`, …). */
  names: string[];
  /** The same names with `_`, where a primitive's id and extensions sit. */
  extensionNames: string[];
  codes: string[];
  /** For a choice of many types: each name and `_` name to its type's position, to scan keys instead. */
  positions?: Map<string, number>;
}

// Past this many types a choice is found by scanning the object's few keys rather than probing
// every name (`value[x]` of Extension has fifty types; an extension has two or three keys).
const SCAN_ABOVE = 8;

const candidatesCache = new WeakMap<InternalSchemaElement, Candidates>();

function candidatesOf(element: InternalSchemaElement): Candidates {
  let c = candidatesCache.get(element);
  if (!c) {
    const last = element.path.slice(element.path.lastIndexOf('.') + 1);
    const codes = element.type.map((t) => t.code);
    const names = codes.map((code) => last.replace('[x]', code.charAt(0).toUpperCase() + code.slice(1)));
    c = { names, extensionNames: names.map((n) => `_${n}`), codes };
    if (names.length > SCAN_ABOVE)
      c.positions = new Map([
        ...names.map((n, i) => [n, i] as const),
        ...c.extensionNames.map((n, i) => [n, i] as const),
      ]);
    candidatesCache.set(element, c);
  }
  return c;
}

/**
 * The value(s) of one element of an object, typed and located, with a primitive's `_x` partner
 * merged in (a boxed String/Number/Boolean carrying `id`/`extension`, or the bare partner when the
 * value is absent). For a choice, the first of its types present wins, in definition order; empty
 * values count as absent. This is how Medplum's FHIRPath layer reads a property, which the checks
 * rely on; it is done here from names computed once per element, not rebuilt on every read.
 */
export function propertyValue(
  parent: Record<string, unknown>,
  element: InternalSchemaElement,
  path: string,
): Located | Located[] | undefined {
  if (!element.type?.length) return undefined;
  const { names, extensionNames, codes, positions } = candidatesOf(element);
  let value: unknown;
  let extension: unknown;
  let type = 'undefined';
  if (positions) {
    // The first type in definition order that has a value or a `_` partner, as the probe below finds.
    let first = -1;
    for (const key of Object.keys(parent)) {
      const i = positions.get(key);
      if (i !== undefined && (first < 0 || i < first) && parent[key] !== undefined) first = i;
    }
    if (first >= 0) {
      value = parent[names[first]];
      extension = parent[extensionNames[first]];
      type = codes[first];
    }
  } else {
    for (let i = 0; i < names.length; i++) {
      value = parent[names[i]];
      extension = parent[extensionNames[i]];
      if (value !== undefined || extension !== undefined) {
        type = codes[i];
        break;
      }
    }
  }
  if (extension) value = mergeExtension(value, extension);
  if (isEmpty(value)) return undefined;
  if (type === 'Element' || type === 'BackboneElement') type = codes[0];
  if (Array.isArray(value)) return value.map((v, i) => located(v, type, `${path}[${i}]`));
  return located(value, type, path);
}

function mergeExtension(value: unknown, extension: unknown): unknown {
  if (Array.isArray(value)) {
    const list = extension as unknown[];
    const out = value.slice();
    for (let i = 0; i < Math.max(out.length, list.length ?? 0); i++) out[i] = withExtension(out[i], list[i]);
    return out;
  }
  if (!value && Array.isArray(extension)) return extension.map((e) => withExtension(undefined, e));
  return withExtension(value, extension);
}

function withExtension(target: unknown, extension: unknown): unknown {
  if (!extension) return target;
  if (typeof extension !== 'object') throw new Error('Primitive extension must be an object');
  // A primitive is boxed by Object.assign; an object (a complex value wrongly given a `_` partner)
  // is copied first, so validating never changes the caller's resource.
  const base =
    target && typeof target === 'object'
      ? Array.isArray(target)
        ? [...target]
        : { ...target }
      : (target ?? {});
  return Object.assign(base as object, extension);
}

function located(value: unknown, type: string, path: string): Located {
  return { type: type === 'Resource' && isResource(value) ? value.resourceType : type, value, path };
}
