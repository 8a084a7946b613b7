// The OpenAPI document of /api/v1, built from the same zod schemas that validate requests.

import { z } from 'zod'

export interface ApiOperation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete'
  /** OpenAPI path, with `{id}` parameters. */
  path: string
  summary: string
  tags: string[]
  requestBody?: z.ZodType
  response?: z.ZodType
  parameters?: { name: string; in: 'path' | 'query' | 'header'; required?: boolean; description: string }[]
}

export class ApiDescription {
  readonly #operations: ApiOperation[] = []

  add(operation: ApiOperation): void {
    this.#operations.push(operation)
  }

  document(): Record<string, unknown> {
    const paths: Record<string, Record<string, unknown>> = {}
    const problem = {
      description: 'A problem document (RFC 9457)',
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
    }
    for (const operation of this.#operations) {
      const path = paths[operation.path] ?? {}
      paths[operation.path] = path
      path[operation.method] = {
        summary: operation.summary,
        tags: operation.tags,
        security: [{ bearer: [] }],
        ...(operation.parameters
          ? {
              parameters: operation.parameters.map((p) => ({
                name: p.name,
                in: p.in,
                required: p.in === 'path' ? true : (p.required ?? false),
                description: p.description,
                schema: { type: 'string' },
              })),
            }
          : {}),
        ...(operation.requestBody
          ? {
              requestBody: {
                required: true,
                content: {
                  'application/json': { schema: z.toJSONSchema(operation.requestBody, { io: 'input' }) },
                },
              },
            }
          : {}),
        responses: {
          '200': {
            description: 'Success',
            ...(operation.response
              ? {
                  content: {
                    'application/json': { schema: z.toJSONSchema(operation.response, { io: 'output' }) },
                  },
                }
              : {}),
          },
          '400': problem,
          '401': problem,
          '403': problem,
          '404': problem,
        },
      }
    }
    return {
      openapi: '3.1.0',
      info: {
        title: 'Kith API',
        version: '1',
        description:
          'The JSON API of Kith, the open-source social prescribing platform. Authenticate with `Authorization: Bearer <token>`; `kith token create --email E` makes a token.',
      },
      servers: [{ url: '/api/v1' }],
      externalDocs: {
        description:
          'Kith also speaks HL7 FHIR R4 at /fhir, with the same tokens and the same record-level access: its CapabilityStatement lists what it supports.',
        url: '/fhir/metadata',
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
        schemas: {
          Problem: {
            type: 'object',
            properties: {
              type: { type: 'string' },
              title: { type: 'string' },
              status: { type: 'integer' },
              detail: { type: 'string' },
              errors: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: { pointer: { type: 'string' }, detail: { type: 'string' } },
                },
              },
            },
          },
        },
      },
      paths: Object.fromEntries(
        Object.entries(paths).map(([path, value]) => [path.replace(/^\/api\/v1/, ''), value]),
      ),
    }
  }
}
