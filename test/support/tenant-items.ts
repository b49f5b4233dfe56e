import { createHash } from 'node:crypto';
import { DynamoDBClient, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { keys } from '../../functions/store/keys.js';

/** A tenant's items: `PK SK` to a hash of the whole item. */
export type TenantItems = Map<string, string>;

export interface ItemChange {
  key: string;
  change: 'added' | 'removed' | 'changed';
}

// Attribute maps with their names sorted at every depth and binaries as base64, so equal items hash alike.
const canonical = (value: unknown): unknown => {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((name) => [name, canonical((value as Record<string, unknown>)[name])]),
    );
  }
  return value;
};

const hashOf = (item: Record<string, AttributeValue>): string =>
  createHash('sha256')
    .update(JSON.stringify(canonical(item)))
    .digest('hex');

/**
 * Reads tenants' items straight from DynamoDB Local, for tests only: a Scan filtered on the tenant
 * item and the `T#<tenantId>#` prefix that every other key of a tenant starts with. A Scan reads the
 * whole table however few items pass the filter, so reads asked for while one is running are
 * answered together by the next one.
 */
export const tenantItemReader = (endpoint: string, tableName: string) => {
  const client = new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  let waiting = new Map<string, ((items: TenantItems | Error) => void)[]>();
  let running = false;

  const scan = async (tenantIds: string[]): Promise<Map<string, TenantItems>> => {
    const byTenant = new Map(tenantIds.map((id) => [id, new Map<string, string>()]));
    const values: Record<string, AttributeValue> = {};
    const terms = tenantIds.map((id, i) => {
      values[`:t${i}`] = { S: keys.tenant(id).PK };
      values[`:p${i}`] = { S: keys.tenantPrefix(id) };
      return `PK = :t${i} OR begins_with(PK, :p${i})`;
    });
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await client.send(
        new ScanCommand({
          TableName: tableName,
          FilterExpression: terms.join(' OR '),
          ExpressionAttributeValues: values,
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) {
        const pk = item.PK!.S!;
        const owner = tenantIds.find((id) => pk === keys.tenant(id).PK || pk.startsWith(keys.tenantPrefix(id)))!;
        byTenant.get(owner)!.set(`${pk} ${item.SK?.S}`, hashOf(item));
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return byTenant;
  };

  const drain = async (): Promise<void> => {
    running = true;
    while (waiting.size > 0) {
      const batch = waiting;
      waiting = new Map();
      const found = await scan([...batch.keys()]).catch((error: Error) => error);
      for (const [tenantId, callbacks] of batch) {
        for (const callback of callbacks) callback(found instanceof Error ? found : found.get(tenantId)!);
      }
    }
    running = false;
  };

  const read = (tenantId: string): Promise<TenantItems> =>
    new Promise((resolve, reject) => {
      const callbacks = waiting.get(tenantId) ?? [];
      callbacks.push((items) => (items instanceof Error ? reject(items) : resolve(items)));
      waiting.set(tenantId, callbacks);
      if (!running) void drain();
    });

  return { read, close: () => client.destroy() };
};

/** What changed between two reads of a tenant's items. */
export const changesBetween = (before: TenantItems, after: TenantItems): ItemChange[] => [
  ...[...after].filter(([key]) => !before.has(key)).map(([key]): ItemChange => ({ key, change: 'added' })),
  ...[...before].filter(([key]) => !after.has(key)).map(([key]): ItemChange => ({ key, change: 'removed' })),
  ...[...after]
    .filter(([key, hash]) => before.has(key) && before.get(key) !== hash)
    .map(([key]): ItemChange => ({ key, change: 'changed' })),
];
