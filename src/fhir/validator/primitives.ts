import { fhirTypeToJsType, validationRegexes, type TypedValue } from '@medplum/core';
import { structureIssue, type StructureIssue } from './issues';

const MAX_STRING = 1024 * 1024;

/**
 * Checks a primitive's JSON type and lexical form. A primitive that carries a `_x` extension arrives
 * boxed (a String/Number/Boolean with `id`/`extension` assigned): the value and the extension part
 * are split apart, and the extension part is returned for the caller to walk as an Element.
 */
export function checkPrimitive(
  tv: TypedValue,
  path: string,
  issues: StructureIssue[],
): Record<string, unknown> | undefined {
  const raw: unknown = tv.value;
  let value: unknown = raw;
  let extension: Record<string, unknown> | undefined;
  if (raw && typeof raw === 'object') {
    const unboxed: unknown = (raw as { valueOf(): unknown }).valueOf();
    if (unboxed === raw) return raw as Record<string, unknown>; // only `_x`, no value
    value = unboxed;
    extension = extensionPart(raw as Record<string, unknown>, unboxed);
  }
  checkValue(tv.type, value, path, issues);
  return extension;
}

function extensionPart(
  boxed: Record<string, unknown>,
  unboxed: unknown,
): Record<string, unknown> | undefined {
  // A boxed string lists its characters as keys ('0', '1', …): those belong to the value, not the extension.
  const own = new Set(Object.keys(unboxed as object));
  let out: Record<string, unknown> | undefined;
  for (const key of Object.keys(boxed)) {
    if (own.has(key)) continue;
    (out ??= {})[key] = boxed[key];
  }
  return out;
}

function checkValue(type: string, value: unknown, path: string, issues: StructureIssue[]): void {
  if (!(type in fhirTypeToJsType)) {
    issues.push(structureIssue(path, `Invalid JSON type: ${type} is not a valid FHIR type`));
    return;
  }
  const expected = fhirTypeToJsType[type as keyof typeof fhirTypeToJsType];
  if (typeof value !== expected) {
    // A null slot is the null check's to judge (it may be lined up with an extension).
    if (value !== null)
      issues.push(structureIssue(path, `Invalid JSON type: expected ${expected}, but got ${typeof value}`));
    return;
  }
  if (expected === 'string') checkString(value as string, type, path, issues);
  else if (expected === 'number') checkNumber(value as number, type, path, issues);
}

function checkString(s: string, type: string, path: string, issues: StructureIssue[]): void {
  if (!s.trim()) issues.push(structureIssue(path, 'String must contain non-whitespace content'));
  else if (s.length > MAX_STRING) issues.push(structureIssue(path, 'String cannot be larger than 1 MB'));
  else if (validationRegexes[type] && !validationRegexes[type].test(s))
    issues.push(structureIssue(path, `Invalid ${type} format`));
}

const INTEGER_TYPES = new Set(['integer', 'positiveInt', 'unsignedInt']);

function checkNumber(n: number, type: string, path: string, issues: StructureIssue[]): void {
  if (!Number.isFinite(n)) issues.push(structureIssue(path, 'Invalid numeric value'));
  else if (INTEGER_TYPES.has(type) && !Number.isInteger(n))
    issues.push(structureIssue(path, 'Expected number to be an integer'));
  else if (type === 'positiveInt' && n <= 0)
    issues.push(structureIssue(path, 'Expected number to be positive'));
  else if (type === 'unsignedInt' && n < 0)
    issues.push(structureIssue(path, 'Expected number to be non-negative'));
}
