import { memoByName } from '../key-memo';
import type { InternalTypeSchema } from '@medplum/core';
import { structureIssue, type StructureIssue } from './issues';

/**
 * The element a JSON key belongs to: `given` and `_given` to `given`, `valueQuantity` and
 * `_valueString` to `value[x]`. Undefined for a key the type does not have.
 */
export function elementKeyFor(elements: InternalTypeSchema['elements'], key: string): string | undefined {
  const name = key.startsWith('_') ? key.slice(1) : key;
  if (name in elements) return name;
  return choiceKeyFor(elements, name);
}

const choiceKeyFor = memoByName(resolveChoiceKey);

function resolveChoiceKey(elements: InternalTypeSchema['elements'], name: string): string | undefined {
  // A choice's typed name is its base name plus a capitalised type code; try each capital as the cut
  // (and the whole name: a bare `value` beside `valueString` is taken as that choice, too).
  for (let cut = 1; cut <= name.length; cut++) {
    const c = name.charCodeAt(cut);
    if (cut < name.length && (c < 65 || c > 90)) continue;
    const choice = `${name.slice(0, cut)}[x]`;
    if (choice in elements) return choice;
  }
  return undefined;
}

const requiredCache = new WeakMap<InternalTypeSchema, string[]>();

/** The elements every instance of the type must carry (min >= 1), computed once per type. */
export function requiredElementKeys(schema: InternalTypeSchema): string[] {
  let keys = requiredCache.get(schema);
  if (!keys) {
    keys = Object.keys(schema.elements).filter((k) => schema.elements[k].min > 0);
    requiredCache.set(schema, keys);
  }
  return keys;
}

/**
 * Names keys the type does not define. A typed choice name (`valueFoo`) is accepted when the object
 * holds a value for that choice under one of its real types, as the R4 validator Kith used before
 * accepted it; a second value for the same choice is only a warning there, so not reported here.
 */
export function unknownPropertyIssues(
  value: Record<string, unknown> | undefined,
  schema: InternalTypeSchema,
  path: string,
  choiceHasValue: (choice: string) => boolean,
  issues: StructureIssue[],
): void {
  if (!value) return;
  const elements = schema.elements;
  for (const key of Object.keys(value)) {
    if (key === 'resourceType') continue;
    const name = key.startsWith('_') ? key.slice(1) : key;
    const choice = choiceKeyFor(elements, name);
    if (choice && choiceHasValue(choice)) continue;
    if (!(key in elements) && !(key.startsWith('_') && name in elements))
      issues.push(structureIssue(`${path}.${key}`, `Invalid additional property "${key}"`));
  }
}
