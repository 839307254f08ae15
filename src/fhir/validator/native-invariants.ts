import { isEmpty, isResource, tryGetDataType, type TypedValue } from '@medplum/core';
import { propertyValue } from './values';

/**
 * The few invariants met on nearly every write, decided without the FHIRPath engine: ext-1 on
 * every extension (a Synthea Patient carries a dozen; through FHIRPath each one costs about as much
 * as the rest of the Patient's walk, because `value` is looked up over all fifty types of
 * `value[x]`), dom-2/4/5 on every domain resource, obs-6/7 on every Observation.
 *
 * Each is keyed by its exact expression, so a changed definition falls back to FHIRPath. A decision
 * reads properties exactly as FHIRPath's property step does (`propertyValue` mirrors Medplum's
 * `getTypedPropertyValue`, throwing where it throws), and returns undefined where it cannot tell,
 * which sends the invariant to FHIRPath as before.
 */
const NATIVE: Record<string, (tv: TypedValue) => boolean | undefined> = {
  'extension.exists() != value.exists()': (tv) => {
    const extension = exists(tv, 'extension');
    const value = exists(tv, 'value');
    return extension === undefined || value === undefined ? undefined : extension !== value;
  },
  // Both sides are `x.empty()`, one boolean each, so `or` is plain.
  'dataAbsentReason.empty() or value.empty()': (tv) => {
    const reason = empty(tv, 'dataAbsentReason');
    const value = empty(tv, 'value');
    return reason === undefined || value === undefined ? undefined : reason || value;
  },
  // With no components the right side is true and reads nothing; the left side is still read, as
  // FHIRPath's `or` evaluates both.
  'value.empty() or component.code.where(coding.intersect(%resource.code.coding).exists()).empty()': (tv) =>
    absent(tv, 'component') && empty(tv, 'value') !== undefined ? true : undefined,
  // Without contained resources (most writes) every path below `contained` is empty; with them the
  // paths are followed. Both sides of `and` are one boolean each.
  'contained.contained.empty()': (tv) =>
    absent(tv, 'contained') ? true : isEmptyCollection(follow(tv, ['contained', 'contained'])),
  'contained.meta.versionId.empty() and contained.meta.lastUpdated.empty()': (tv) => {
    if (absent(tv, 'contained')) return true;
    const versionId = isEmptyCollection(follow(tv, ['contained', 'meta', 'versionId']));
    const lastUpdated = isEmptyCollection(follow(tv, ['contained', 'meta', 'lastUpdated']));
    return versionId === undefined || lastUpdated === undefined ? undefined : versionId && lastUpdated;
  },
  'contained.meta.security.empty()': (tv) =>
    absent(tv, 'contained') ? true : isEmptyCollection(follow(tv, ['contained', 'meta', 'security'])),
};

/** Whether an invariant holds, decided natively; undefined when only FHIRPath can tell. */
export function decideNatively(expression: string, tv: TypedValue): boolean | undefined {
  return NATIVE[expression]?.(tv);
}

/**
 * The collection FHIRPath's property step `name` yields on `tv` (undefined values dropped), or
 * undefined where that step would not read the type schema's element (a resource named like the
 * step, or a type or element the schema does not know).
 */
function step(tv: TypedValue, name: string): TypedValue[] | undefined {
  const value = tv.value as unknown;
  if (!value || typeof value !== 'object') return [];
  if (isResource(value, name as never)) return undefined;
  const elements = tryGetDataType(tv.type)?.elements;
  const element = elements && (elements[name] ?? elements[`${name}[x]`]);
  if (!element) return undefined;
  const found = propertyValue(value as Record<string, unknown>, element, '');
  if (found === undefined) return [];
  return (Array.isArray(found) ? found : [found]).filter((v) => v.value !== undefined);
}

/** A path of property steps (`contained.meta.security`), each applied to every value the last yielded. */
function follow(tv: TypedValue, names: string[]): TypedValue[] | undefined {
  let values: TypedValue[] = [tv];
  for (const name of names) {
    const next: TypedValue[] = [];
    for (const v of values) {
      const found = step(v, name);
      if (!found) return undefined;
      next.push(...found);
    }
    values = next;
  }
  return values;
}

function isEmptyCollection(values: TypedValue[] | undefined): boolean | undefined {
  return values && (values.length === 0 || values.every((v) => isEmpty(v.value)));
}

function exists(tv: TypedValue, name: string): boolean | undefined {
  const values = step(tv, name);
  return values && values.length > 0 && values.every((v) => !isEmpty(v.value));
}

function empty(tv: TypedValue, name: string): boolean | undefined {
  return isEmptyCollection(step(tv, name));
}

/** The step yields nothing: no key of the object is or begins with the name (`_name` included). */
function absent(tv: TypedValue, name: string): boolean {
  const value = tv.value as unknown;
  if (!value || typeof value !== 'object') return true;
  if (isResource(value, name as never)) return false;
  for (const key of Object.keys(value)) {
    if (key.startsWith(name) || key.startsWith(`_${name}`)) return false;
  }
  return true;
}
