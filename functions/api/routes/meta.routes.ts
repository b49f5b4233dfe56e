import * as z from '../../shared/zod.js';
import { servedDocument } from '../openapi-document.js';
import { route } from '../route.js';
import { checkHealth } from '../../services/health.service.js';

export const metaRoutes = [
  route({
    method: 'GET',
    path: '/health',
    operationId: 'getHealth',
    summary: 'Answers once the table is reachable',
    description: 'For load balancers and start-up checks; no API key needed.',
    public: true,
    responses: { 200: { description: 'Healthy', schema: z.object({ status: z.literal('ok') }) } },
    handle: async () => {
      await checkHealth();
      return { status: 200, body: { status: 'ok' } };
    },
  }),
  // The document describes every group's routes (itself among them); it is built with them (bin/openapi.ts) and served as built.
  route({
    method: 'GET',
    path: '/v1/openapi.json',
    operationId: 'getOpenApi',
    summary: 'This API as an OpenAPI 3.1 document',
    description: 'Generated from the route table and the zod schemas that validate every request, so it cannot drift from them.',
    public: true,
    responses: { 200: { description: 'The OpenAPI document', schema: z.looseObject({ openapi: z.string() }) } },
    handle: async () => ({ status: 200, body: servedDocument() }),
  }),
];
