import type { CapabilityStatement } from '@medplum/fhirtypes';
import { searchParamsFor, supportedResourceTypes } from './definitions';
import { operationDefinitions } from './operations';

let cached: CapabilityStatement | undefined;

/** What the server really supports, generated from the same tables the code runs on. */
export function capabilityStatement(base: string): CapabilityStatement {
  cached ??= build();
  return { ...cached, implementation: { description: 'Kith FHIR R4 server', url: base } };
}

function build(): CapabilityStatement {
  const interactions = [
    'read',
    'vread',
    'update',
    'patch',
    'delete',
    'history-instance',
    'history-type',
    'create',
    'search-type',
  ];
  const ops = operationDefinitions();
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: new Date().toISOString().slice(0, 10),
    kind: 'instance',
    software: { name: 'Kith', version: '0.1.0' },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    patchFormat: ['application/json-patch+json'],
    rest: [
      {
        mode: 'server',
        interaction: [
          { code: 'transaction' },
          { code: 'batch' },
          { code: 'search-system' },
          { code: 'history-system' },
        ],
        searchParam: [
          { name: '_id', type: 'token' },
          { name: '_lastUpdated', type: 'date' },
          { name: '_tag', type: 'token' },
          { name: '_security', type: 'token' },
          { name: '_profile', type: 'uri' },
          { name: '_type', type: 'token', documentation: 'The types to search (default: every type stored)' },
          { name: '_count', type: 'number' },
          { name: '_sort', type: 'string', documentation: '_lastUpdated or _id (either direction)' },
          { name: '_summary', type: 'token' },
          { name: '_elements', type: 'string' },
          { name: '_total', type: 'token' },
        ],
        operation: ops
          .filter((o) => o.level === 'system')
          .map((o) => ({ name: o.name, definition: o.definition })),
        resource: supportedResourceTypes().map((type) => ({
          type: type as any,

          interaction: interactions.map((code) => ({ code: code as 'read' })),
          versioning: 'versioned-update' as const,
          readHistory: true,
          updateCreate: true,
          conditionalCreate: true,
          conditionalUpdate: true,
          conditionalDelete: 'single' as const,
          conditionalRead: 'not-supported' as const,
          referencePolicy: ['literal' as const, 'logical' as const],
          searchInclude: [`${type}:*`],
          searchRevInclude: ['*'],
          searchParam: [...searchParamsFor(type).values()]
            .filter((i) => i.code !== '_compartment')
            .map((i) => ({ name: i.code, definition: i.param.url, type: i.param.type })),
          operation: ops
            .filter((o) => o.level !== 'system' && (!o.types || o.types.includes(type)))
            .map((o) => ({ name: o.name, definition: o.definition })),
        })),
      },
    ],
  };
}
