import { randomBytes } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { addCharge, type ChargeFields } from '../../functions/domain/charge.js';
import { createJob as newJob, type Job } from '../../functions/domain/job.js';
import { registerTenant } from '../../functions/services/tenant.service.js';
import { createCustomer } from '../../functions/services/customer.service.js';
import { db, tableName } from '../../functions/store/client.js';
import { claimIdempotencyKey, completeIdempotencyKey } from '../../functions/store/idempotency.store.js';
import { itemSize, MAX_ITEM_BYTES } from '../../functions/store/item-size.js';
import { deleteJob, getJob, listJobs, saveJob } from '../../functions/store/job.store.js';
import { keys } from '../../functions/store/keys.js';
import { write } from '../../functions/store/write.js';

type Item = Record<string, unknown>;

/** Every item stored under a partition key: an aggregate and its parts. */
const itemsOf = async (pk: string): Promise<Item[]> =>
  (
    await db().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ConsistentRead: true,
      }),
    )
  ).Items ?? [];

const T0 = new Date('2026-06-01T12:00:00.000Z');

// Four bytes a character in UTF-8: the most a maximum-length description can weigh.
const heavyText = (length: number): string =>
  Array.from({ length }, (_, i) => String.fromCodePoint(0x1f300 + (i % 700))).join('');

const charge = (i: number): ChargeFields => ({
  description: heavyText(500),
  group: heavyText(100),
  quantity: '1',
  unitPrice: `${i + 1}`,
  taxRate: '20',
});

const withTenant = async () => {
  const { tenant } = await registerTenant({ name: `Large items ${ulid()}` });
  const customer = await createCustomer(tenant.id, { name: 'Client' });
  return { tenantId: tenant.id, customerId: customer.id };
};

/** A job grown one charge at a time to `count` charges, each saved as the API saves it. */
const grownJob = async (tenantId: string, customerId: string, count: number): Promise<Job> => {
  let job = newJob({ customerId, name: 'Tower', billingType: 'fixed_price', currency: 'EUR' }, `job_${ulid()}`, T0);
  await saveJob(tenantId, job, null);
  // The whole list at once, then the last change as one save: the same writes as 500 saves, faster.
  for (let i = 0; i < count - 1; i++) job = addCharge(job, charge(i), `chg_${ulid()}`, T0);
  const stored = { ...job, version: 1 };
  await saveJob(tenantId, job, { ...stored, charges: [] });
  const last = addCharge(job, charge(count - 1), `chg_${ulid()}`, T0);
  await saveJob(tenantId, last, job);
  return last;
};

describe('aggregates larger than one item', () => {
  it('keeps a job of 500 maximum-length four-byte charges in items far below 400 KB, and reads it back whole', async () => {
    // Prepare
    const { tenantId, customerId } = await withTenant();
    // Act
    const job = await grownJob(tenantId, customerId, 500);
    // Assess
    expect(await getJob(tenantId, job.id)).toEqual(job);
    const stored = await itemsOf(keys.job(tenantId, job.id).PK);
    expect(stored.length).toBeGreaterThan(8);
    for (const item of stored) expect(itemSize(item)).toBeLessThan(200_000);
    const listed = await listJobs(tenantId, {}, 10);
    expect(listed.items).toEqual([job]);
  });

  it('moves a job back into one item when it shrinks, leaving no part behind, and deletes its parts with it', async () => {
    // Prepare
    const { tenantId, customerId } = await withTenant();
    const large = await grownJob(tenantId, customerId, 100);
    // Act
    const small = { ...large, charges: large.charges.slice(0, 2), version: large.version + 1 };
    await saveJob(tenantId, small, large);
    // Assess
    expect(await itemsOf(keys.job(tenantId, large.id).PK)).toHaveLength(1);
    expect(await getJob(tenantId, large.id)).toEqual(small);
    // Prepare / Act: grown again, then deleted
    const again = { ...large, version: small.version + 1 };
    await saveJob(tenantId, again, small);
    expect((await itemsOf(keys.job(tenantId, large.id).PK)).length).toBeGreaterThan(1);
    await deleteJob(tenantId, again);
    // Assess
    expect(await itemsOf(keys.job(tenantId, large.id).PK)).toEqual([]);
  });

  it('rewrites no part when only the header changes', async () => {
    // Prepare
    const { tenantId, customerId } = await withTenant();
    const job = await grownJob(tenantId, customerId, 100);
    const before = await itemsOf(keys.job(tenantId, job.id).PK);
    // Act
    const renamed = { ...job, name: 'Tower B', version: job.version + 1 };
    await saveJob(tenantId, renamed, job);
    // Assess: the parts are the very items they were
    const after = await itemsOf(keys.job(tenantId, job.id).PK);
    expect(after.filter((item) => item.SK !== 'JOB')).toEqual(before.filter((item) => item.SK !== 'JOB'));
    expect(await getJob(tenantId, job.id)).toEqual(renamed);
  });

  it('adds a charge to a job read back by writing its header and its last part alone', async () => {
    // Prepare: the job as a request reads it, its map attributes in DynamoDB's order
    const { tenantId, customerId } = await withTenant();
    const read = await getJob(tenantId, (await grownJob(tenantId, customerId, 200)).id);
    const before = await itemsOf(keys.job(tenantId, read.id).PK);
    // Act
    const next = addCharge(read, charge(200), `chg_${ulid()}`, T0);
    await saveJob(tenantId, next, read);
    // Assess
    expect(await getJob(tenantId, read.id)).toEqual(next);
    const after = await itemsOf(keys.job(tenantId, read.id).PK);
    const changed = after.filter((item) => !before.some((old) => JSON.stringify(old) === JSON.stringify(item)));
    expect(changed.map((item) => item.SK)).toEqual(['JOB', after.at(-1)!.SK]);
  });

  it('refuses an item that would not fit with 422 naming it, writing nothing', async () => {
    // Prepare
    const { tenantId } = await withTenant();
    const key = { PK: `${keys.tenantPrefix(tenantId)}CUS#cus_huge`, SK: 'CUSTOMER' };
    // Act
    const refused = await write({ Put: { TableName: tableName(), Item: { ...key, note: 'x'.repeat(MAX_ITEM_BYTES) } } }).catch(
      (e: unknown) => e,
    );
    const tooMany = await write(
      ...Array.from({ length: 101 }, (_, i) => ({
        Put: { TableName: tableName(), Item: { PK: `${key.PK}${i}`, SK: 'CUSTOMER' } },
      })),
    ).catch((e: unknown) => e);
    // Assess
    expect(refused).toMatchObject({ kind: 'rule', code: 'CUSTOMER_TOO_LARGE' });
    expect(tooMany).toMatchObject({ kind: 'rule', code: 'CUSTOMER_TOO_LARGE' });
    expect(await itemsOf(key.PK)).toEqual([]);
    expect(await itemsOf(`${key.PK}0`)).toEqual([]);
  });

  it('refuses an aggregate heavier than one answer may carry with 422 naming it, writing nothing', async () => {
    // Prepare: 1,500 of the heaviest charges, three times what a job may have (about 3.5 MB)
    const { tenantId, customerId } = await withTenant();
    const job = newJob({ customerId, name: 'Too much', billingType: 'fixed_price', currency: 'EUR' }, `job_${ulid()}`, T0);
    const charges = Array.from({ length: 1500 }, (_, i) => addCharge(job, charge(i), `chg_${i}`, T0).charges[0]!);
    // Act
    const refused = await saveJob(tenantId, { ...job, charges }, null).catch((e: unknown) => e);
    // Assess
    expect(refused).toMatchObject({ kind: 'rule', code: 'JOB_TOO_LARGE' });
    expect(await itemsOf(keys.job(tenantId, job.id).PK)).toEqual([]);
  });

  it('keeps and replays an idempotent response of any size whole, in items far below 400 KB', async () => {
    // Prepare: 3 MB of text that hardly compresses
    const tenantId = `ten_test_${ulid()}`;
    const large = {
      statusCode: 201,
      headers: { 'content-type': 'application/json' },
      body: randomBytes(1_500_000).toString('hex'),
    };
    await claimIdempotencyKey(tenantId, 'big', 'fp-a', T0);
    // Act
    await completeIdempotencyKey(tenantId, 'big', 'fp-a', large, T0);
    const replay = await claimIdempotencyKey(tenantId, 'big', 'fp-a', new Date(T0.getTime() + 5000));
    // Assess
    expect(replay).toEqual(large);
    const items = await itemsOf(keys.idempotency(tenantId, 'big').PK);
    expect(items.length).toBeGreaterThan(10);
    for (const item of items) expect(itemSize(item)).toBeLessThan(200_000);
  });
});
