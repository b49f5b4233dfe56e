import { BatchWriteCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { db, dbMetrics, resetDbMetrics, setCapacityMetering, tableName } from '../../functions/store/client.js';
import { itemSize } from '../../functions/store/item-size.js';
import { keys, type Key } from '../../functions/store/keys.js';

type Item = Record<string, unknown>;

/** Keys only this file writes, in a tenant of its own. */
const testKey = (name: string): Key => ({ PK: `${keys.tenantPrefix(`ten_units_${ulid()}`)}TEST#${name}`, SK: 'TEST' });

/** An item of `bytes` by DynamoDB's rules (item-size.ts), padded by its `note`. */
const sized = (key: Key, bytes: number, attributes: Item = {}): Item => {
  const item = { ...key, ...attributes, note: '' };
  return { ...item, note: 'x'.repeat(bytes - itemSize(item)) };
};

/** Puts items outside the metering, as the state a measured write starts from. */
const given = async (...items: Item[]): Promise<void> => {
  setCapacityMetering(false);
  for (const item of items) await db().send(new PutCommand({ TableName: tableName(), Item: item }));
  setCapacityMetering(true);
  resetDbMetrics();
};

const documented = (command: string): number | undefined => dbMetrics()[command]?.documentedWriteUnits;

describe("write units by DynamoDB's documented rules, counted for every write command while metering is on", () => {
  beforeEach(() => {
    setCapacityMetering(true);
    resetDbMetrics();
  });
  afterEach(() => {
    setCapacityMetering(false);
    resetDbMetrics();
  });

  it('prices a put at 1 unit per KB of the item, and a transactional put at 2', async () => {
    await db().send(new PutCommand({ TableName: tableName(), Item: sized(testKey('put'), 1400) }));
    await db().send(
      new TransactWriteCommand({ TransactItems: [{ Put: { TableName: tableName(), Item: sized(testKey('tx'), 1400) } }] }),
    );

    expect(documented('PutItem')).toBe(2);
    expect(documented('TransactWriteItems')).toBe(4);
    // DynamoDB Local agrees on these two.
    expect(dbMetrics().PutItem?.writeUnits).toBe(2);
    expect(dbMetrics().TransactWriteItems?.writeUnits).toBe(4);
  });

  it('prices an update by the larger of the item before and after it', async () => {
    const key = testKey('grow');
    await given(sized(key, 900));

    await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: key,
        UpdateExpression: 'SET note = :note',
        ExpressionAttributeValues: { ':note': 'x'.repeat(2500) },
      }),
    );
    await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: key,
        UpdateExpression: 'SET note = :note',
        ExpressionAttributeValues: { ':note': 'x' },
      }),
    );

    expect(documented('UpdateItem')).toBe(3 + 3); // 900 B -> 2.6 KB, then 2.6 KB -> 0.1 KB
  });

  it('writes an index entry again only when its keys move: a delete and a put, with 100 bytes each', async () => {
    const key = testKey('moves');
    const owner = `${key.PK}#OWNER`;
    await given(sized(key, 1400, { GSI1PK: owner, GSI1SK: 'a' }));
    const update = (expression: string, values?: Item) =>
      db().send(
        new UpdateCommand({ TableName: tableName(), Key: key, UpdateExpression: expression, ExpressionAttributeValues: values }),
      );

    await update('SET note = :note', { ':note': 'y'.repeat(1200) }); // keys stay: the item alone, 2
    const keysStay = documented('UpdateItem');
    await update('SET GSI1SK = :sk', { ':sk': 'b' }); // the item 2, the old entry deleted 1, the new one put 1
    await update('REMOVE GSI1PK'); // the item 2, the entry deleted 1

    expect(keysStay).toBe(2);
    expect(documented('UpdateItem')).toBe(2 + 4 + 3);
  });

  it('prices a transaction item by item at 2 per KB with its index entries, and a ConditionCheck at 0', async () => {
    const [put, checked, deleted] = [testKey('put'), testKey('checked'), testKey('deleted')];
    await given(sized(checked, 3000), sized(deleted, 500, { GSI2PK: `${deleted.PK}#ALL`, GSI2SK: 'x' }));

    await db().send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: tableName(), Item: sized(put, 1400, { GSI1PK: `${put.PK}#OWNER`, GSI1SK: 'a' }) } },
          { ConditionCheck: { TableName: tableName(), Key: checked, ConditionExpression: 'attribute_exists(PK)' } },
          { Delete: { TableName: tableName(), Key: deleted } },
        ],
      }),
    );

    // put: 2 x 2 KB + 2 x its new entry; check: 0; delete: 2 x 1 KB + 2 x its deleted entry
    expect(documented('TransactWriteItems')).toBe(4 + 2 + 0 + 2 + 2);
  });

  it('prices a batch write item by item at 1 per KB', async () => {
    const [large, indexed, deleted] = [testKey('large'), testKey('indexed'), testKey('deleted')];
    await given(sized(deleted, 2500));

    await db().send(
      new BatchWriteCommand({
        RequestItems: {
          [tableName()]: [
            { PutRequest: { Item: sized(large, 1400) } },
            { PutRequest: { Item: sized(indexed, 300, { GSI2PK: `${indexed.PK}#ALL`, GSI2SK: 'x' }) } },
            { DeleteRequest: { Key: deleted } },
          ],
        },
      }),
    );

    expect(documented('BatchWriteItem')).toBe(2 + (1 + 1) + 3);
  });

  it('counts nothing while metering is off', async () => {
    setCapacityMetering(false);
    await db().send(new PutCommand({ TableName: tableName(), Item: sized(testKey('off'), 1400) }));

    expect(dbMetrics().PutItem).toEqual({ requests: 1, failed: 0, readUnits: 0, writeUnits: 0 });
  });
});
