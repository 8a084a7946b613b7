// The CapabilityStatement at /fhir/metadata, built from the handlers Kith registers, so it lists
// exactly what is supported.

import type { CapabilityStatement, CapabilityStatementRestResource } from '@medplum/fhirtypes'
import type { ResourceHandler } from './handler.ts'

const PARAM_TYPES = { patient: 'reference', status: 'token', identifier: 'token' } as const

export function capabilityStatement(
  base: string,
  handlers: readonly ResourceHandler[],
  operations: { name: string; definition: string }[],
): CapabilityStatement {
  const resource: CapabilityStatementRestResource[] = handlers.map((handler) => ({
    type: handler.type,
    ...(handler.profile ? { profile: handler.profile } : {}),
    interaction: [{ code: 'read' }, { code: 'search-type' }],
    versioning: 'versioned',
    readHistory: false,
    searchParam: [
      { name: '_count', type: 'number', documentation: 'Page size, 1 to 100 (20 if not given).' },
      { name: '_lastUpdated', type: 'date' },
      ...handler.searchParams.map((name) => ({ name, type: PARAM_TYPES[name] })),
    ],
    ...(handler.includes ? { searchInclude: Object.keys(handler.includes) } : {}),
  }))
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: '2026-12-06',
    publisher: 'Kith',
    kind: 'instance',
    software: { name: 'Kith' },
    implementation: { description: 'Kith social prescribing FHIR R4 API', url: base },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json'],
    rest: [
      {
        mode: 'server',
        security: {
          description:
            'Send an API token as on /api/v1: Authorization: Bearer <token>. A token sees exactly the records its user sees in the pages.',
        },
        resource,
        ...(operations.length > 0 ? { operation: operations } : {}),
      },
    ],
  }
}
