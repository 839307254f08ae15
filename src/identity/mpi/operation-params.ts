import type { Parameters, ParametersParameter } from '@medplum/fhirtypes';
import { FhirError } from '../../fhir/errors';
import type { ActionResult } from './actions';

function params(body: unknown): ParametersParameter[] {
  const p = body as Parameters | undefined;
  if (p && p.resourceType !== 'Parameters')
    throw new FhirError('invalid_resource', 'Expected a Parameters resource');
  return p?.parameter ?? [];
}

/** Ids named by a parameter: valueReference `Type/id`, valueString or valueId; all occurrences. */
export function idParams(body: unknown, name: string, type: string): string[] {
  return params(body)
    .filter((p) => p.name === name)
    .map((p) => {
      const raw = p.valueReference?.reference ?? p.valueString ?? p.valueId ?? '';
      const id = raw.startsWith(`${type}/`) ? raw.slice(type.length + 1) : raw;
      if (!id || id.includes('/'))
        throw new FhirError('invalid_resource', `Parameter ${name} must name a ${type}`);
      return id;
    });
}

export function idParam(body: unknown, name: string, type: string): string {
  const ids = idParams(body, name, type);
  if (ids.length !== 1)
    throw new FhirError('invalid_resource', `Parameter ${name} (a ${type}) is required once`);
  return ids[0];
}

export function intParam(body: unknown, name: string): number {
  const v = params(body).find((p) => p.name === name)?.valueInteger;
  if (typeof v !== 'number')
    throw new FhirError('invalid_resource', `Parameter ${name} (an integer) is required`);
  return v;
}

export function codeParam(body: unknown, name: string): string | undefined {
  const p = params(body).find((x) => x.name === name);
  return p?.valueCode ?? p?.valueString;
}

export function requireId(id: string | undefined, type: string): string {
  if (!id) throw new FhirError('invalid_resource', `This operation runs on one ${type}: ${type}/[id]/$...`);
  return id;
}

/** The answer of every steward action: the journal entry (for undo) and the Persons it rewrote. */
export function actionResult(r: ActionResult): { status: number; resource: Parameters } {
  return {
    status: 200,
    resource: {
      resourceType: 'Parameters',
      parameter: [
        { name: 'action', valueInteger: r.actionId },
        ...r.persons.map((p) => ({ name: 'person', valueReference: { reference: `Person/${p}` } })),
      ],
    },
  };
}
