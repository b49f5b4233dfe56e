import { z } from 'zod';
import { route } from '../route.js';
import { pingTable } from '../../store/health.store.js';
import { openApiDocument } from '../openapi.js';

export const metaRoutes = [
  route({
    method: 'GET',
    path: '/health',
    operationId: 'getHealth',
    summary: 'Answers once the table is reachable',
    public: true,
    responses: { 200: { description: 'Healthy', schema: z.object({ status: z.literal('ok') }) } },
    handle: async () => {
      await pingTable();
      return { status: 200, body: { status: 'ok' } };
    },
  }),
  route({
    method: 'GET',
    path: '/v1/openapi.json',
    operationId: 'getOpenApi',
    summary: 'This API as an OpenAPI 3.1 document',
    public: true,
    responses: { 200: { description: 'The OpenAPI document' } },
    handle: async () => ({ status: 200, body: openApiDocument() }),
  }),
];
