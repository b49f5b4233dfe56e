import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { concurrentWrite, DomainError, notFound } from '../domain/errors.js';
import type { Series } from '../domain/invoice.js';
import { noRetiredFormats } from '../domain/number-formats.js';
import { DEFAULT_CURRENCY, type Tenant } from '../domain/tenant.js';
import { defaultSettings } from '../domain/settings.js';
import { db, tableName } from './client.js';
import { putVersioned } from './aggregate.js';
import { keys } from './keys.js';
import { readItem, readItems } from './read.js';
import { write, type WriteAction } from './write.js';

/** Tenants made before settings (or the record of retired number formats) existed read with the defaults. */
const toTenant = ({ PK: _pk, SK: _sk, ...item }: Record<string, unknown>): Tenant => {
  const tenant = item as unknown as Tenant & { defaultCurrency?: string };
  const { defaultCurrency, ...rest } = tenant;
  return {
    ...rest,
    updatedAt: tenant.updatedAt ?? tenant.createdAt,
    settings: { ...defaultSettings(defaultCurrency ?? DEFAULT_CURRENCY), ...tenant.settings },
    retiredNumberFormats: { ...noRetiredFormats(), ...tenant.retiredNumberFormats },
  };
};

/** Creates the tenant and its first API key (stored as a hash) in one transaction. */
export const insertTenant = async (tenant: Tenant, apiKeyHash: string): Promise<void> => {
  await write(
    {
      Put: {
        TableName: tableName(),
        Item: { ...keys.tenant(tenant.id), ...tenant },
        ConditionExpression: 'attribute_not_exists(PK)',
      },
      onConditionFailed: () => new DomainError('conflict', 'TENANT_EXISTS', 'The tenant exists already'),
    },
    {
      Put: {
        TableName: tableName(),
        Item: { ...keys.apiKey(apiKeyHash), tenantId: tenant.id, createdAt: tenant.createdAt },
        ConditionExpression: 'attribute_not_exists(PK)',
      },
      onConditionFailed: () => new DomainError('conflict', 'API_KEY_EXISTS', 'The API key is in use already'),
    },
  );
};

/** Always a consistent read: the settings decide numbering, dates and the lifecycle right after a change. */
export const getTenant = async (tenantId: string): Promise<Tenant> => {
  const item = await readItem(keys.tenant(tenantId));
  if (!item) throw notFound('tenant');
  return toTenant(item);
};

/** The tenant that owns an API key hash, if any. */
export const findTenantIdByKeyHash = async (apiKeyHash: string): Promise<string | undefined> => {
  const { Item } = await db().send(new GetCommand({ TableName: tableName(), Key: keys.apiKey(apiKeyHash) }));
  return Item?.tenantId as string | undefined;
};

/** The last value of a series' counter in one scope, as `saveTenant` can hold it to. */
export interface CounterValue {
  series: Series;
  scope: string;
  last: number;
}

/**
 * The last value of each series' counter in the scopes given, 0 for one not started (consistent:
 * issuing races for them).
 */
export const getCounters = async (tenantId: string, scopes: string[]): Promise<CounterValue[]> => {
  const wanted = (['invoice', 'credit_note'] as const).flatMap((series) => scopes.map((scope) => ({ series, scope })));
  const stored = await readItems(wanted.map((c) => keys.counter(tenantId, c.series, c.scope)));
  const found = new Map(stored.map((item) => [item.PK as string, item.last as number]));
  return wanted.map((c) => ({ ...c, last: found.get(keys.counter(tenantId, c.series, c.scope).PK) ?? 0 }));
};

/** Fails the write as a lost race (retryable) unless the counter is still at the value read. */
const counterStill = (tenantId: string, { series, scope, last }: CounterValue): WriteAction => ({
  ConditionCheck: {
    TableName: tableName(),
    Key: keys.counter(tenantId, series, scope),
    ConditionExpression: last === 0 ? 'attribute_not_exists(PK)' : '#last = :last',
    ...(last === 0 ? {} : { ExpressionAttributeNames: { '#last': 'last' }, ExpressionAttributeValues: { ':last': last } }),
  },
  onConditionFailed: () => concurrentWrite('counter'),
});

/**
 * Saves the tenant at its next version; a settings change decided on counters (a number format
 * checked against what was numbered) holds only if none of them moved meanwhile.
 */
export const saveTenant = async (tenant: Tenant, previousVersion: number, counters: CounterValue[] = []): Promise<void> =>
  write(
    putVersioned('tenant', { ...keys.tenant(tenant.id), ...tenant }, previousVersion),
    ...counters.map((counter) => counterStill(tenant.id, counter)),
  );
