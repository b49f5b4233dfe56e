import { createHash, randomBytes } from 'node:crypto';
import { clock } from '../adapters/clock.js';
import { createTenant, type NewTenant, type Tenant } from '../domain/tenant.js';
import { findTenantIdByKeyHash, insertTenant } from '../store/tenant.store.js';
import { newId } from './ids.js';

export const hashApiKey = (apiKey: string): string => createHash('sha256').update(apiKey).digest('hex');

export const generateApiKey = (): string => `tly_${randomBytes(32).toString('base64url')}`;

/** Creates a tenant with an API key: the given one, or a new one. The key is returned once, never stored. */
export const registerTenant = async (
  input: NewTenant,
  apiKey: string = generateApiKey(),
): Promise<{ tenant: Tenant; apiKey: string }> => {
  const tenant = createTenant(input, newId('ten'), clock.now());
  await insertTenant(tenant, hashApiKey(apiKey));
  return { tenant, apiKey };
};

/** The tenant of an `Authorization: Bearer <key>` header, or undefined. */
export const tenantIdForAuthorization = async (authorization: string | undefined): Promise<string | undefined> => {
  const apiKey = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  return apiKey ? findTenantIdByKeyHash(hashApiKey(apiKey)) : undefined;
};
