import { clock } from '../adapters/clock.js';
import { expectVersion } from '../domain/errors.js';
import { countersInUse, numberingScopes, numberingYears, type Numbering } from '../domain/number-formats.js';
import type { Settings } from '../domain/settings.js';
import { changesNumbering, updateSettings as changedSettings, type Tenant } from '../domain/tenant.js';
import { getCounters, getTenant, saveTenant, type CounterValue } from '../store/tenant.store.js';
import { retrying } from './retry.js';

export const getSettings = (tenantId: string): Promise<Tenant> => getTenant(tenantId);

/** The counters a number format change is checked against (GetItems, one per series and scope). */
const readNumbering = async (tenant: Tenant, now: Date): Promise<{ numbering: Numbering; read: CounterValue[] }> => {
  const years = numberingYears(tenant.createdAt, now);
  const read = await getCounters(tenant.id, numberingScopes(years));
  const counters: Numbering['counters'] = { invoice: {}, credit_note: {} };
  for (const { series, scope, last } of read) counters[series][scope] = last;
  return { numbering: { ...years, counters }, read };
};

/**
 * Changes the settings. `expectedVersion` (from If-Match): settings at another version are a 412;
 * without it a lost race (another settings change, or an issue that moved a counter a number
 * format change was checked against) reads again and applies the patch to what won.
 */
export const updateSettings = (tenantId: string, patch: Partial<Settings>, expectedVersion?: number): Promise<Tenant> =>
  retrying(async () => {
    const tenant = expectVersion(await getTenant(tenantId), expectedVersion, 'settings');
    const now = clock.now();
    const checked = changesNumbering(tenant, patch) ? await readNumbering(tenant, now) : undefined;
    const next = changedSettings(tenant, patch, now, checked?.numbering);
    // The decision holds while the counters that issues can move meanwhile stay as read.
    const inUse = countersInUse(tenant.settings, now);
    const held = checked?.read.filter((c) => inUse.some(({ series, scope }) => c.series === series && c.scope === scope)) ?? [];
    await saveTenant(next, tenant.version, held);
    return next;
  });
