import { clock } from '../adapters/clock.js';
import type { Settings } from '../domain/settings.js';
import { updateSettings as changedSettings } from '../domain/tenant.js';
import { getTenant, saveTenant } from '../store/tenant.store.js';

export const getSettings = async (tenantId: string): Promise<Settings> => (await getTenant(tenantId)).settings;

export const updateSettings = async (tenantId: string, patch: Partial<Settings>): Promise<Settings> => {
  const tenant = await getTenant(tenantId);
  const next = changedSettings(tenant, patch, clock.now());
  await saveTenant(next, tenant.version);
  return next.settings;
};
