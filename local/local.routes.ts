import { z } from 'zod';
import { route } from '../functions/api/route.js';
import { registerTenant } from '../functions/services/tenant.service.js';

const newTenant = z.object({
  name: z.string().trim().min(1).max(200),
  defaultCurrency: z.string().length(3).optional(),
});

/** Routes of the local stack only: never deployed. */
export const localRoutes = [
  route<Record<string, never>, Record<string, never>, z.infer<typeof newTenant>>({
    method: 'POST',
    path: '/local/tenants',
    operationId: 'createLocalTenant',
    summary: 'Creates a tenant and its API key (local stack only)',
    public: true,
    body: newTenant,
    responses: { 201: { description: 'The tenant and its API key, shown once' } },
    handle: async ({ body }) => {
      const { tenant, apiKey } = await registerTenant(body);
      return { status: 201, body: { tenantId: tenant.id, apiKey } };
    },
  }),
];
