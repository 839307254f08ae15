import {
  deepEquals,
  deepIncludes,
  getDataType,
  isEmpty,
  isPrimitiveType,
  isResource,
  toTypedValue,
  type InternalSchemaElement,
  type InternalTypeSchema,
  type TypedValue,
} from '@medplum/core';
import { checkInvariants, type InvariantScope } from './invariants';
import { structureIssue, type StructureIssue } from './issues';
import { checkPrimitive } from './primitives';
import { elementKeyFor, requiredElementKeys, unknownPropertyIssues } from './properties';
import { propertyValue, type Located } from './values';

/**
 * Walks one object against its type, visiting only the elements it carries plus the ones its type
 * requires: an absent optional element can raise nothing, so the elements never present (and the
 * dozens of types of each absent choice) are never looked at.
 *
 * Two paths travel down: `schemaPath` without list indexes (`Patient.name.given`), which names
 * array/single mismatches, and the indexed `valuePath` (`Patient.name[0].given[1]`) for the rest, as
 * the validator Kith used before names them, so messages and Kith's `tidy` stay the same.
 */
export interface WalkState {
  issues: StructureIssue[];
  scope: InvariantScope;
}

export function walkObject(
  state: WalkState,
  obj: TypedValue,
  schema: InternalTypeSchema,
  schemaPath: string,
  valuePath: string,
): void {
  const value = obj.value as Record<string, unknown> | undefined;
  const outer = state.scope.resource;
  if (isResource(value)) state.scope.resource = toTypedValue(value);
  const visit = new Set<string>();
  if (value) {
    for (const key of Object.keys(value)) {
      const k = elementKeyFor(schema.elements, key);
      if (k) visit.add(k);
    }
  }
  for (const k of requiredElementKeys(schema)) visit.add(k);
  const found = new Map<string, Located | Located[] | undefined>();
  for (const key of visit) {
    const v = value ? propertyValue(value, schema.elements[key], `${valuePath}.${key}`) : undefined;
    found.set(key, v);
    visitElement(state, v, key, schema.elements[key], `${schemaPath}.${key}`, valuePath);
  }
  // A typed choice name counts as known when its choice holds a value (every present key's element
  // was read above).
  unknownPropertyIssues(value, schema, valuePath, (choice) => found.get(choice) !== undefined, state.issues);
  state.scope.resource = outer;
}

function visitElement(
  state: WalkState,
  located: Located | Located[] | undefined,
  key: string,
  element: InternalSchemaElement,
  schemaPath: string,
  parentPath: string,
): void {
  if (located === undefined) {
    if (element.min > 0)
      state.issues.push(structureIssue(`${parentPath}.${key}`, 'Missing required property'));
    return;
  }
  checkElement(state, located, element, schemaPath);
  // Children are walked even when the element itself was at fault, as before.
  for (const v of Array.isArray(located) ? located : [located]) {
    if (!isPrimitiveType(v.type)) walkObject(state, v, getDataType(v.type), schemaPath, v.path);
  }
}

function checkElement(
  state: WalkState,
  located: Located | Located[],
  element: InternalSchemaElement,
  schemaPath: string,
): void {
  const { issues } = state;
  if (Array.isArray(located) && located.length === 0) {
    issues.push(structureIssue(schemaPath, 'Invalid empty value'));
    return;
  }
  if (element.isArray !== Array.isArray(located)) {
    const text = element.isArray
      ? 'Expected array of values for property'
      : 'Expected single value for property';
    issues.push(structureIssue(schemaPath, text));
    return;
  }
  const values = Array.isArray(located) ? located : [located];
  if (values.length < element.min || values.length > element.max) {
    const max = Number.isFinite(element.max) ? element.max : '*';
    issues.push(
      structureIssue(
        element.path,
        `Invalid number of values: expected ${element.min}..${max}, but found ${values.length}`,
      ),
    );
  }
  if (!matchesFixedOrPattern(located, element))
    issues.push(structureIssue(schemaPath, 'Value did not match expected pattern'));
  for (const v of values) {
    checkInvariants(v, v.path, element, state.scope, issues);
    if (isPrimitiveType(v.type)) {
      const extension = checkPrimitive(v, v.path, issues);
      if (extension)
        walkObject(state, { type: 'Element', value: extension }, getDataType('Element'), v.path, v.path);
    } else if (isEmpty(v.value)) {
      issues.push(structureIssue(v.path, 'Invalid empty non-primitive value'));
    }
  }
}

function matchesFixedOrPattern(located: Located | Located[], element: InternalSchemaElement): boolean {
  if (!element.pattern && !element.fixed) return true;
  const bare = Array.isArray(located)
    ? located.map((v) => ({ type: v.type, value: v.value }))
    : { type: located.type, value: located.value };
  if (element.pattern && !deepIncludes(bare, element.pattern)) return false;
  if (element.fixed && !deepEquals(bare, element.fixed)) return false;
  return true;
}
