import {
  evalFhirPathTyped,
  parseFhirPath,
  toTypedValue,
  UCUM,
  type InternalSchemaElement,
  type InternalTypeSchema,
  type TypedValue,
} from '@medplum/core';
import type { StructureIssue } from './issues';
import { decideNatively } from './native-invariants';

type FhirPathAtom = ReturnType<typeof parseFhirPath>;

/**
 * Invariants left unchecked, as the R4 validator Kith used before leaves them: ele-1 is implied by
 * the empty-value checks, dom-3 needs descendants() over the whole resource, org-1 is kept lenient
 * for old data, sdf-19 concerns specification-only models.
 */
const SKIPPED = new Set(['ele-1', 'dom-3', 'org-1', 'sdf-19']);

// Each invariant expression is parsed once; there are a few hundred in R4.
const parsed = new Map<string, FhirPathAtom>();
const ucum = toTypedValue(UCUM);

/** What an invariant may refer to besides %context: the resource it sits in and the root. */
export interface InvariantScope {
  resource?: TypedValue;
  rootResource?: TypedValue;
}

/** Evaluates the error-severity invariants of `owner` on one value; the first one broken is reported. */
export function checkInvariants(
  value: TypedValue,
  path: string,
  owner: InternalSchemaElement | InternalTypeSchema,
  scope: InvariantScope,
  issues: StructureIssue[],
): void {
  const constraints = owner.constraints;
  if (!constraints) return;
  for (const c of constraints) {
    if (c.severity !== 'error' || SKIPPED.has(c.key)) continue;
    if (!holds(c.expression, value, path, scope, issues)) {
      issues.push({
        expression: path,
        text: `Constraint ${c.key} not met: ${c.description}`,
        code: 'invariant',
      });
      return;
    }
  }
}

function holds(
  expression: string,
  value: TypedValue,
  path: string,
  scope: InvariantScope,
  issues: StructureIssue[],
): boolean {
  try {
    const native = decideNatively(expression, value);
    if (native !== undefined) return native;
  } catch {
    // Where the property read throws, FHIRPath's read of it throws too.
    issues.push({ expression: path, text: 'Error evaluating invariant expression', code: 'processing' });
    return false;
  }
  const variables: Record<string, TypedValue> = { '%context': value, '%ucum': ucum };
  if (scope.resource) variables['%resource'] = scope.resource;
  if (scope.rootResource) variables['%rootResource'] = scope.rootResource;
  try {
    let atom = parsed.get(expression);
    if (!atom) parsed.set(expression, (atom = parseFhirPath(expression)));
    const result = evalFhirPathTyped(atom, [value], variables);
    return result.length === 1 && result[0].value === true;
  } catch {
    issues.push({ expression: path, text: 'Error evaluating invariant expression', code: 'processing' });
    return false;
  }
}
