import { memoByName } from './key-memo';
import { tryGetDataType, type InternalSchemaElement } from '@medplum/core';
import type { IssueDetail } from './errors';
import { isSupportedResourceType } from './definitions';

/**
 * Finds values of the wrong JSON kind for their element: a string or number where a complex type
 * (an object) belongs, an object or array where a primitive belongs, and a primitive's extension
 * (`_birthDate`) that is not an object. The R4 validator accepts some of these silently (a number in
 * `meta.security`, an object as `birthDate`) and throws a bare error on others, so they are caught
 * here first and named by element.
 */
export function jsonShapeIssues(resource: Record<string, unknown>): IssueDetail[] {
  const issues: IssueDetail[] = [];
  walk(resource, String(resource.resourceType), String(resource.resourceType), issues);
  return issues;
}

function walk(node: Record<string, unknown>, typeName: string, path: string, issues: IssueDetail[]): void {
  const schema = tryGetDataType(typeName);
  if (!schema) return;
  for (const key of Object.keys(node)) {
    if (key === 'resourceType') continue;
    const value = node[key];
    if (key.startsWith('_')) {
      checkPrimitiveExtension(node, key, value, `${path}.${key}`, issues);
      continue;
    }
    const found = elementFor(schema.elements, key);
    // Unknown names, nulls and array/single mismatches are the R4 validator's to report.
    if (!found || value === null || value === undefined) continue;
    if (!found.element.isArray) {
      checkValue(value, found.code, `${path}.${key}`, issues);
      continue;
    }
    if (!Array.isArray(value)) continue;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (item !== null && item !== undefined) checkValue(item, found.code, `${path}.${key}[${i}]`, issues);
    }
  }
}

function checkValue(item: unknown, code: string, at: string, issues: IssueDetail[]): void {
  const isObject = typeof item === 'object' && !Array.isArray(item);
  if (isPrimitiveType(code)) {
    if (typeof item === 'object')
      issues.push(shapeIssue(at, `expected a ${primitiveName(code)} value, got ${kindOf(item)}`));
    return;
  }
  if (!isObject) {
    issues.push(shapeIssue(at, `expected an object (${code}), got ${kindOf(item)}`));
    return;
  }
  const obj = item as Record<string, unknown>;
  if (code === 'Resource') {
    const type = obj.resourceType;
    if (typeof type === 'string' && isSupportedResourceType(type)) walk(obj, type, at, issues);
    return;
  }
  walk(obj, code, at, issues);
}

/** A primitive's extension sits beside it: an object for a single value, objects or nulls for a list. */
function checkPrimitiveExtension(
  node: Record<string, unknown>,
  key: string,
  value: unknown,
  at: string,
  issues: IssueDetail[],
): void {
  if (value === null || value === undefined) return;
  const single = typeof value === 'object' && !Array.isArray(value);
  if (Array.isArray(node[key.slice(1)])) {
    if (!Array.isArray(value)) {
      issues.push(
        shapeIssue(
          at,
          `expected an array of objects or nulls lined up with ${key.slice(1)}, got ${kindOf(value)}`,
        ),
      );
      return;
    }
    value.forEach((v, i) => {
      if (v !== null && (typeof v !== 'object' || Array.isArray(v)))
        issues.push(shapeIssue(`${at}[${i}]`, `expected an object (Element) or null, got ${kindOf(v)}`));
    });
    return;
  }
  if (!single) issues.push(shapeIssue(at, `expected an object (Element), got ${kindOf(value)}`));
}

interface FoundElement {
  element: InternalSchemaElement;
  code: string;
}

const elementFor = memoByName(resolveElement);

function resolveElement(
  elements: Record<string, InternalSchemaElement>,
  key: string,
): FoundElement | undefined {
  const direct = elements[key];
  if (direct) return direct.type?.length ? { element: direct, code: direct.type[0].code } : undefined;
  // A choice element appears under its typed name: `valueQuantity` for `value[x]` of type Quantity.
  for (let cut = key.length - 1; cut > 0; cut--) {
    if (!/[A-Z]/.test(key[cut])) continue;
    const choice = elements[`${key.slice(0, cut)}[x]`];
    if (!choice) continue;
    const suffix = key.slice(cut);
    const type = choice.type?.find((t) => t.code.toLowerCase() === suffix.toLowerCase());
    return type ? { element: choice, code: type.code } : undefined;
  }
  return undefined;
}

function isPrimitiveType(code: string): boolean {
  const first = code.charCodeAt(0);
  return (first >= 97 && first <= 122) || code.startsWith('http');
}

function primitiveName(code: string): string {
  // FHIRPath system types name the JSON string behind `id`, `Extension.url` and the like.
  return code.startsWith('http') ? (code.split('.').pop() ?? code).toLowerCase() : code;
}

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value} (${JSON.stringify(value).slice(0, 40)})`;
}

function shapeIssue(expression: string, problem: string): IssueDetail {
  return { diagnostics: `${expression}: ${problem}`, expression, type: 'structure' };
}
