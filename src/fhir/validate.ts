import type { Resource } from '@medplum/fhirtypes';
import { FhirError, type IssueDetail } from './errors';
import { isSupportedResourceType } from './definitions';
import { checkRequiredBindings } from './required-bindings';
import { jsonShapeIssues } from './json-shape';
import { isValidId } from '../store/repository';
import { validateStructure, type StructureIssue } from './validator';

/** The structural validator behind `validationIssues`; the diff test swaps in Medplum's to compare. */
export type StructureValidator = (resource: Resource) => StructureIssue[];

/**
 * Validates a resource against the R4 StructureDefinitions (cardinality, types, formats, invariants:
 * Kith's walk in ./validator over Medplum's loaded schemas) plus required code bindings.
 */
export function validationIssues(
  resource: unknown,
  structure: StructureValidator = validateStructure,
): IssueDetail[] {
  if (!resource || typeof resource !== 'object' || Array.isArray(resource)) {
    return [{ diagnostics: 'The body is not a FHIR resource (a JSON object)', expression: 'Resource' }];
  }
  const type = (resource as { resourceType?: unknown }).resourceType;
  if (typeof type !== 'string' || !isSupportedResourceType(type)) {
    return [
      {
        diagnostics: `resourceType '${String(type)}' is not an R4 resource type`,
        expression: 'Resource.resourceType',
      },
    ];
  }
  // Values of the wrong JSON kind make the R4 validator's findings noise, or make it throw: name them alone.
  const shape = jsonShapeIssues(resource as Record<string, unknown>);
  if (shape.length) return shape;
  const issues: IssueDetail[] = [];
  try {
    for (const i of structure(resource as Resource)) issues.push(toIssue(i));
  } catch (err) {
    // A shape the checks above missed must still answer as a 400 naming the resource, never a 500.
    issues.push({
      diagnostics: `${type}: the resource could not be validated (${err instanceof Error ? err.message : String(err)})`,
      expression: type,
      type: 'structure',
    });
  }
  issues.push(...checkRequiredBindings(resource as Record<string, unknown>));
  const id = (resource as { id?: unknown }).id;
  if (id !== undefined && (typeof id !== 'string' || !isValidId(id))) {
    issues.push({
      diagnostics: `${type}.id: '${String(id)}' is not a FHIR id (1-64 of A-Z a-z 0-9 - .)`,
      expression: `${type}.id`,
      type: 'structure',
    });
  }
  return tidy(resource as Record<string, unknown>, issues);
}

/**
 * Names choice elements as they appear (`Observation.valueQuantity`, not `value[x]`) and drops the
 * follow-on noise of a value that should have been an array (one issue per character of a string).
 */
function tidy(resource: Record<string, unknown>, issues: IssueDetail[]): IssueDetail[] {
  const arrays = issues
    .filter((i) => i.expression && i.diagnostics.includes('Expected array'))
    .map((i) => `${i.expression}.`);
  return issues
    .filter((i) => !arrays.some((a) => i.expression?.startsWith(a)))
    .map((i) => {
      const concrete = i.expression ? concretePath(resource, i.expression) : undefined;
      if (!concrete || concrete === i.expression) return i;
      return { ...i, expression: concrete, diagnostics: i.diagnostics.split(i.expression!).join(concrete) };
    });
}

function concretePath(resource: Record<string, unknown>, expression: string): string {
  const [head, ...segments] = expression.split('.');
  let node: unknown = resource;
  const out = [head];
  for (const segment of segments) {
    const m = /^([A-Za-z0-9]+)(\[x\])?((?:\[\d+\])*)$/.exec(segment);
    const obj =
      node && typeof node === 'object' && !Array.isArray(node)
        ? (node as Record<string, unknown>)
        : undefined;
    if (!m || !obj) return [...out, ...segments.slice(out.length - 1)].join('.');
    let key = m[1];
    if (m[2])
      key =
        Object.keys(obj).find((k) => k.startsWith(m[1]) && /^[A-Z]/.test(k.slice(m[1].length))) ??
        `${m[1]}[x]`;
    out.push(`${key}${m[3]}`);
    node = obj[key];
    for (const index of m[3].match(/\d+/g) ?? [])
      node = Array.isArray(node) ? node[Number(index)] : undefined;
  }
  return out.join('.');
}

function toIssue(i: StructureIssue): IssueDetail {
  const where = i.expression || undefined;
  return { diagnostics: where ? `${where}: ${i.text}` : i.text, expression: where, type: i.code };
}

/** Throws a 400/422 OperationOutcome naming each element at fault. */
export function assertValid(resource: unknown): asserts resource is Resource {
  const issues = validationIssues(resource);
  if (issues.length) {
    const structural = issues.some((i) => i.type === 'structure');
    throw new FhirError(structural ? 'invalid_resource' : 'validation_failed', issues);
  }
}
