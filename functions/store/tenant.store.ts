import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DomainError, notFound } from '../domain/errors.js';
import { DEFAULT_CURRENCY, type Tenant } from '../domain/tenant.js';
import { defaultSettings } from '../domain/settings.js';
import { db, tableName } from './client.js';
import { putVersioned } from './aggregate.js';
import { keys } from './keys.js';
import { write } from './write.js';

/** Tenants made before settings existed read with the defaults. */
const toTenant = ({ PK: _pk, SK: _sk, ...item }: Record<string, unknown>): Tenant => {
  const tenant = item as unknown as Tenant & { defaultCurrency?: string };
  const { defaultCurrency, ...rest } = tenant;
  return {
    ...rest,
    updatedAt: tenant.updatedAt ?? tenant.createdAt,
    settings: { ...defaultSettings(defaultCurrency ?? DEFAULT_CURRENCY), ...tenant.settings },
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
  const { Item } = await db().send(new GetCommand({ TableName: tableName(), Key: keys.tenant(tenantId), ConsistentRead: true }));
  if (!Item) throw notFound('tenant');
  return toTenant(Item);
};

/** The tenant that owns an API key hash, if any. */
export const findTenantIdByKeyHash = async (apiKeyHash: string): Promise<string | undefined> => {
  const { Item } = await db().send(new GetCommand({ TableName: tableName(), Key: keys.apiKey(apiKeyHash) }));
  return Item?.tenantId as string | undefined;
};

export const saveTenant = async (tenant: Tenant, previousVersion: number): Promise<void> =>
  write(putVersioned('tenant', { ...keys.tenant(tenant.id), ...tenant }, previousVersion));
