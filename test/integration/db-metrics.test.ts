import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { afterEach, describe, expect, it } from 'vitest';
import { db, dbMetrics, resetDbMetrics, setCapacityMetering, tableName } from '../../functions/store/client.js';
import { getExecution, recordExecutionStart, runningExecutions } from '../../functions/store/execution.store.js';
import { keys, type Key } from '../../functions/store/keys.js';
import { readItem } from '../../functions/store/read.js';
import { deleteSchedule, getSchedule, saveSchedule } from '../../functions/store/schedule.store.js';

/** Keys only this file writes, in a tenant of its own. */
const testKey = (name: string): Key => ({ PK: `${keys.tenantPrefix(`ten_metrics_${ulid()}`)}TEST#${name}`, SK: 'TEST' });

const transactTwoPuts = (a: Key, b: Key) =>
  db().send(
    new TransactWriteCommand({
      TransactItems: [
        { Put: { TableName: tableName(), Item: { ...a, note: 'x'.repeat(1500) } } },
        { Put: { TableName: tableName(), Item: { ...b, note: 'y' } } },
      ],
    }),
  );

describe('DynamoDB metrics of the process client', () => {
  afterEach(() => {
    setCapacityMetering(false);
    resetDbMetrics();
  });

  it('counts commands by name, and failed ones, with capacity metering off', async () => {
    const [a, b] = [testKey('a'), testKey('b')];
    resetDbMetrics();

    await transactTwoPuts(a, b);
    const read = await db().send(new GetCommand({ TableName: tableName(), Key: a }));
    await expect(transactTwoPuts(a, a)).rejects.toThrow();

    expect(read.Item?.note).toHaveLength(1500);
    expect(dbMetrics()).toEqual({
      TransactWriteItems: { requests: 2, failed: 1, readUnits: 0, writeUnits: 0 },
      GetItem: { requests: 1, failed: 0, readUnits: 0, writeUnits: 0 },
    });
  });

  it('leaves requests unchanged while metering is off: no consumed capacity is asked for', async () => {
    const key = testKey('plain');
    await transactTwoPuts(key, testKey('other'));

    const output = await db().send(new GetCommand({ TableName: tableName(), Key: key }));

    expect(output.Item).toBeDefined();
    expect(output.ConsumedCapacity).toBeUndefined();
  });

  it('sums the read and write units DynamoDB reports while metering is on', async () => {
    const [a, b] = [testKey('a'), testKey('b')];
    setCapacityMetering(true);
    resetDbMetrics();

    await transactTwoPuts(a, b); // a 1.5 KB item and a small one, transactional: 2 x (2 + 1)
    await db().send(new GetCommand({ TableName: tableName(), Key: a, ConsistentRead: true })); // up to 4 KB: 1

    const metrics = dbMetrics();
    expect(metrics.TransactWriteItems).toEqual({
      requests: 1,
      failed: 0,
      readUnits: 0,
      writeUnits: 6,
      documentedWriteUnits: 6, // the same by DynamoDB's documented rules (documented-units.test.ts)
    });
    expect(metrics.GetItem).toEqual({ requests: 1, failed: 0, readUnits: 1, writeUnits: 0 });
  });

  it("leaves out the local stand-ins' own records (executions, schedules), even read in the same turn as Tally's", async () => {
    const [workflow, name] = [`metrics-${ulid()}`, `metrics-${ulid()}`];
    const key = testKey('counted');
    await transactTwoPuts(key, testKey('other'));
    setCapacityMetering(true);
    resetDbMetrics();

    await recordExecutionStart({ workflow, name, input: '{}', startedAt: new Date().toISOString() });
    await saveSchedule(
      {
        spec: { name, target: 'profile-snapshot', input: {}, timing: { at: new Date() } },
        version: 1,
        nextFireAt: '2999-01-01T00:00:00.000Z',
      },
      undefined,
    );
    const [execution, running, schedule, read] = await Promise.all([
      getExecution(workflow, name),
      runningExecutions(workflow),
      getSchedule(name),
      readItem(key),
    ]);
    await deleteSchedule(name);

    expect([execution?.status, running.map((e) => e.name), schedule?.version, read?.note]).toEqual([
      'running',
      [name],
      1,
      'x'.repeat(1500),
    ]);
    expect(dbMetrics()).toEqual({ GetItem: { requests: 1, failed: 0, readUnits: 1, writeUnits: 0 } });
  });

  it('starts again from nothing on reset', async () => {
    await db().send(new GetCommand({ TableName: tableName(), Key: testKey('none') }));
    resetDbMetrics();
    expect(dbMetrics()).toEqual({});
  });
});
