import { z } from 'zod';
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
];
