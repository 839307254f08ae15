import type { Resource } from '@medplum/fhirtypes';
import type { FhirService } from '../service';
import { everythingOperation } from './everything';
import { exportOperations } from '../export/kickoff';
import { validateOperation } from './validate';

export interface OperationRequest {
  service: FhirService;
  resourceType?: string;
  id?: string;
  /** The POSTed body (often a Parameters resource) or undefined for GET. */
  body?: unknown;
  query: Record<string, string | string[] | undefined>;
  base: string;
  /** The request's headers (lower-case names), for operations that read one such as `Prefer`. */
  headers?: Record<string, string | string[] | undefined>;
}

export interface OperationResult {
  status: number;
  resource: Resource;
  /** Response headers the operation sets, e.g. `Content-Location` of an async job. */
  headers?: Record<string, string>;
}

export interface OperationDefinitionEntry {
  name: string;
  definition: string;
  /** system: /fhir/$op; type: /fhir/Type/$op; instance: /fhir/Type/id/$op. */
  level: 'system' | 'type' | 'instance' | 'type-or-instance';
  /** Resource types it applies to; all when absent. */
  types?: string[];
  handler: (req: OperationRequest) => Promise<OperationResult>;
}

/** One table of every operation the server can run; each lives in its own file. */
const registry: OperationDefinitionEntry[] = [validateOperation, everythingOperation, ...exportOperations];

export function registerOperation(op: OperationDefinitionEntry): void {
  if (!registry.some((o) => o.name === op.name && o.level === op.level)) registry.push(op);
}

export function operationDefinitions(): OperationDefinitionEntry[] {
  return registry;
}

export function findOperation(
  name: string,
  level: 'system' | 'type' | 'instance',
  type?: string,
): OperationDefinitionEntry | undefined {
  return registry.find(
    (o) =>
      o.name === name &&
      (o.level === level || (o.level === 'type-or-instance' && level !== 'system')) &&
      (!o.types || (type && o.types.includes(type))),
  );
}
