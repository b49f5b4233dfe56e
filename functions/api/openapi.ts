import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject } from 'zod-openapi';
import { z } from 'zod';
import { representations } from './representations.js';
import { route, type ResponseSpec, type Route } from './route.js';
import { idempotencyKey } from './schemas.js';
import { problemSchema } from '../shared/problems.js';

const PROBLEM = 'application/problem+json';

const contentOf = (spec: ResponseSpec) => {
  const content = Object.entries(representations(spec));
  return content.length ? { content: Object.fromEntries(content.map(([type, schema]) => [type, { schema }])) } : {};
};

// The HTTP layer makes every POST idempotent, so every POST declares the header.
const postHeaders = z.object({
  'Idempotency-Key': idempotencyKey.optional().meta({
    description: 'Runs the request once: a retry with the same key and body gets the first response (kept 72 hours)',
  }),
});

const operation = (r: Route): ZodOpenApiOperationObject => ({
  operationId: r.operationId,
  summary: r.summary,
  security: r.public ? [] : [{ apiKey: [] }],
  requestParams: {
    ...(r.params ? { path: r.params as z.ZodObject } : {}),
    ...(r.query ? { query: r.query as z.ZodObject } : {}),
    ...(r.method === 'POST' ? { header: postHeaders } : {}),
  },
  ...(r.body ? { requestBody: { content: { 'application/json': { schema: r.body } } } } : {}),
  responses: Object.fromEntries([
    ...Object.entries(r.responses).map(([status, spec]) => [
      status,
      {
        description: spec.description,
        ...contentOf(spec),
      },
    ]),
    ['default', { description: 'A problem (RFC 9457)', content: { [PROBLEM]: { schema: problemSchema } } }],
  ]),
});

let document: ReturnType<typeof createDocument> | undefined;

/** The OpenAPI 3.1 document of the routes, generated once from the same zod schemas that validate requests. */
const openApiDocument = (routes: Route[]): ReturnType<typeof createDocument> => {
  if (!document) {
    const paths: ZodOpenApiPathsObject = {};
    for (const r of routes) {
      paths[r.path] = { ...paths[r.path], [r.method.toLowerCase()]: operation(r) };
    }
    document = createDocument({
      openapi: '3.1.0',
      info: { title: 'Tally', version: '1', description: 'Billing for work in progress' },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } } },
      paths,
    });
  }
  return document;
};

/** `GET /v1/openapi.json`, describing the routes that `routes()` returns (itself among them). */
export const openApiRoute = (routes: () => Route[]): Route =>
  route({
    method: 'GET',
    path: '/v1/openapi.json',
    operationId: 'getOpenApi',
    summary: 'This API as an OpenAPI 3.1 document',
    public: true,
    responses: { 200: { description: 'The OpenAPI document', schema: z.looseObject({ openapi: z.string() }) } },
    handle: async () => ({ status: 200, body: openApiDocument(routes()) }),
  });
