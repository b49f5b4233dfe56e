import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { afterEach, describe, expect, it } from 'vitest';
import { DomainError } from '../../functions/domain/errors.js';
import { createJob as newJob, type Job } from '../../functions/domain/job.js';
import { createCustomer } from '../../functions/services/customer.service.js';
import { createJob } from '../../functions/services/job.service.js';
import { registerTenant } from '../../functions/services/tenant.service.js';
import { putVersioned, queryPage, type PageRequest } from '../../functions/store/aggregate.js';
import { db, dbMetrics, resetDbMetrics, setCapacityMetering, tableName } from '../../functions/store/client.js';
import { getCustomer, saveCustomer } from '../../functions/store/customer.store.js';
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  releaseIdempotencyKey,
  type StoredResponse,
} from '../../functions/store/idempotency.store.js';
import { getJob, listJobs, saveJob } from '../../functions/store/job.store.js';
import { indexes, keys, TTL_ATTRIBUTE, type Key } from '../../functions/store/keys.js';
import { write, type WriteAction } from '../../functions/store/write.js';

type Item = Record<string, unknown>;

const testTenantId = (): string => `ten_test_${ulid()}`;

/** A key in the tenant's key space for items only these tests write. */
const testKey = (tenantId: string, name: string): Key => ({ PK: `${keys.tenantPrefix(tenantId)}TEST#${name}`, SK: 'TEST' });

const read = async (key: Key): Promise<Item | undefined> => (await db().send(new GetCommand({ TableName: tableName(), Key: key }))).Item;

const put = (key: Key, attributes: Item = {}, extra: Partial<WriteAction> = {}): WriteAction => ({
  Put: { TableName: tableName(), Item: { ...key, ...attributes } },
  ...extra,
});

/** A put that fails when the item exists, with an error that records the old item it was given. */
const putIfAbsent = (key: Key, attributes: Item, code: string, seen: (Item | undefined)[] = []): WriteAction => ({
  Put: { TableName: tableName(), Item: { ...key, ...attributes }, ConditionExpression: 'attribute_not_exists(PK)' },
  onConditionFailed: (old) => {
    seen.push(old);
    return new DomainError('conflict', code, `${code}: the item exists`);
  },
});

const rejection = async (promise: Promise<unknown>): Promise<unknown> => {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection, but the promise resolved');
};

const domainRejection = async (promise: Promise<unknown>): Promise<DomainError> => {
  const error = await rejection(promise);
  if (!(error instanceof DomainError)) throw error;
  return error;
};

const withCustomer = async (currency = 'EUR'): Promise<{ tenantId: string; customerId: string }> => {
  const { tenant } = await registerTenant({ name: 'Store test', defaultCurrency: currency });
  const customer = await createCustomer(tenant.id, { name: 'Client' });
  return { tenantId: tenant.id, customerId: customer.id };
};

describe('write', () => {
  it('writes nothing of a transaction whose second condition fails, and throws that action\'s error given the old item', async () => {
    // Prepare
    const tenantId = testTenantId();
    const first = testKey(tenantId, 'first');
    const second = testKey(tenantId, 'second');
    await write(put(second, { marker: 'old', version: 7 }));
    const seen: (Item | undefined)[] = [];
    // Act
    const error = await domainRejection(
      write(putIfAbsent(first, { marker: 'new' }, 'FIRST_EXISTS'), putIfAbsent(second, { marker: 'new' }, 'SECOND_EXISTS', seen)),
    );
    // Assess
    expect(error.code).toBe('SECOND_EXISTS');
    expect(seen).toEqual([{ ...second, marker: 'old', version: 7 }]);
    expect(await read(first)).toBeUndefined();
    expect(await read(second)).toEqual({ ...second, marker: 'old', version: 7 });
  });

  it('throws the error of the action that failed when it is the first one', async () => {
    const tenantId = testTenantId();
    const first = testKey(tenantId, 'first');
    const second = testKey(tenantId, 'second');
    await write(put(first, { marker: 'old' }));
    const error = await domainRejection(
      write(putIfAbsent(first, { marker: 'new' }, 'FIRST_EXISTS'), putIfAbsent(second, { marker: 'new' }, 'SECOND_EXISTS')),
    );
    expect(error.code).toBe('FIRST_EXISTS');
    expect(await read(second)).toBeUndefined();
    expect(await read(first)).toMatchObject({ marker: 'old' });
  });

  it('writes every action of a transaction whose conditions hold', async () => {
    const tenantId = testTenantId();
    const [a, b] = [testKey(tenantId, 'a'), testKey(tenantId, 'b')];
    await write(putIfAbsent(a, { n: 1 }, 'A_EXISTS'), putIfAbsent(b, { n: 2 }, 'B_EXISTS'));
    expect([await read(a), await read(b)]).toEqual([{ ...a, n: 1 }, { ...b, n: 2 }]);
  });

  it('maps a failed single conditional write to the domain error, given the old item', async () => {
    // Prepare
    const key = testKey(testTenantId(), 'single');
    await write(put(key, { marker: 'old' }));
    const seen: (Item | undefined)[] = [];
    // Act
    const error = await domainRejection(write(putIfAbsent(key, { marker: 'new' }, 'SINGLE_EXISTS', seen)));
    // Assess
    expect(error.code).toBe('SINGLE_EXISTS');
    expect(seen).toEqual([{ ...key, marker: 'old' }]);
    expect(await read(key)).toEqual({ ...key, marker: 'old' });
  });

  it('gives onConditionFailed no old item when the item did not exist', async () => {
    const key = testKey(testTenantId(), 'missing');
    const seen: (Item | undefined)[] = [];
    const error = await domainRejection(
      write({
        Update: {
          TableName: tableName(),
          Key: key,
          UpdateExpression: 'SET n = :n',
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeValues: { ':n': 1 },
        },
        onConditionFailed: (old) => {
          seen.push(old);
          return new DomainError('not_found', 'GONE', 'gone');
        },
      }),
    );
    expect(error.code).toBe('GONE');
    expect(seen).toEqual([undefined]);
    expect(await read(key)).toBeUndefined();
  });

  it('rethrows the SDK error of a failed condition that has no domain error', async () => {
    const key = testKey(testTenantId(), 'unmapped');
    await write(put(key));
    const error = await rejection(write(put(key, {}, { Put: { TableName: tableName(), Item: key, ConditionExpression: 'attribute_not_exists(PK)' } })));
    expect(error).toBeInstanceOf(ConditionalCheckFailedException);
  });
});

describe('getItem', () => {
  afterEach(() => setCapacityMetering(false));

  it('reads an aggregate consistently: a whole read unit for a small item, not half of one', async () => {
    // Prepare
    const { tenantId, customerId } = await withCustomer();
    setCapacityMetering(true);
    resetDbMetrics();
    // Act
    const customer = await getCustomer(tenantId, customerId);
    // Assess
    expect(customer.id).toBe(customerId);
    expect(dbMetrics().GetItem).toEqual({ requests: 1, failed: 0, readUnits: 1, writeUnits: 0 });
  });
});

describe('putVersioned', () => {
  it('writes the next version over the one it came from', async () => {
    // Prepare
    const { tenantId, customerId } = await withCustomer();
    const customer = await getCustomer(tenantId, customerId);
    // Act
    await saveCustomer(tenantId, { ...customer, name: 'Renamed', version: 2 }, 1);
    // Assess
    expect(await getCustomer(tenantId, customerId)).toMatchObject({ name: 'Renamed', version: 2 });
  });

  it('refuses a stale version with VERSION_CONFLICT and keeps the stored one', async () => {
    // Prepare
    const { tenantId, customerId } = await withCustomer();
    const customer = await getCustomer(tenantId, customerId);
    await saveCustomer(tenantId, { ...customer, name: 'First writer', version: 2 }, 1);
    // Act: a second writer that read version 1 too
    const error = await domainRejection(saveCustomer(tenantId, { ...customer, name: 'Second writer', version: 2 }, 1));
    // Assess
    expect({ kind: error.kind, code: error.code }).toEqual({ kind: 'conflict', code: 'VERSION_CONFLICT' });
    expect(await getCustomer(tenantId, customerId)).toMatchObject({ name: 'First writer', version: 2 });
  });

  it('refuses a new item whose key is taken with VERSION_CONFLICT', async () => {
    const { tenantId, customerId } = await withCustomer();
    const customer = await getCustomer(tenantId, customerId);
    const error = await domainRejection(saveCustomer(tenantId, { ...customer, name: 'Duplicate' }, null));
    expect(error.code).toBe('VERSION_CONFLICT');
    expect((await getCustomer(tenantId, customerId)).name).toBe('Client');
  });

  it('refuses to update a missing item with <ENTITY>_NOT_FOUND and does not create it', async () => {
    // Prepare
    const key = testKey(testTenantId(), 'widget');
    // Act
    const error = await domainRejection(write(putVersioned('widget', { ...key, version: 2 }, 1)));
    // Assess
    expect({ kind: error.kind, code: error.code }).toEqual({ kind: 'not_found', code: 'WIDGET_NOT_FOUND' });
    expect(await read(key)).toBeUndefined();
  });
});

describe('saveJob', () => {
  it('refuses a job whose customer does not exist (CUSTOMER_NOT_FOUND on customerId) and writes nothing', async () => {
    // Prepare
    const { tenantId } = await withCustomer();
    const job = newJob({ customerId: 'cus_nope', name: 'Orphan', billingType: 'fixed_price', currency: 'EUR' }, `job_${ulid()}`, new Date());
    // Act
    const error = await domainRejection(saveJob(tenantId, job, null));
    // Assess
    expect({ kind: error.kind, code: error.code }).toEqual({ kind: 'rule', code: 'CUSTOMER_NOT_FOUND' });
    expect(error.errors).toEqual([expect.objectContaining({ field: 'customerId' })]);
    expect(await read(keys.job(tenantId, job.id))).toBeUndefined();
  });

  it('refuses a customer of another tenant', async () => {
    const mine = await withCustomer();
    const theirs = await withCustomer();
    const job = newJob({ customerId: theirs.customerId, name: 'Cross', billingType: 'fixed_price', currency: 'EUR' }, `job_${ulid()}`, new Date());
    const error = await domainRejection(saveJob(mine.tenantId, job, null));
    expect(error.code).toBe('CUSTOMER_NOT_FOUND');
    expect(await read(keys.job(mine.tenantId, job.id))).toBeUndefined();
  });

  it('writes a job that keeps its customer as one put, without checking the customer again', async () => {
    // Prepare
    const { tenantId, customerId } = await withCustomer();
    const job = await createJob(tenantId, { customerId, name: 'Kitchen', billingType: 'fixed_price' });
    resetDbMetrics();
    // Act
    await saveJob(tenantId, { ...job, name: 'Renamed', version: 2 }, job);
    // Assess: a transaction with the customer would make the jobs of one customer conflict
    expect(dbMetrics()).toEqual({ PutItem: { requests: 1, failed: 0, readUnits: 0, writeUnits: 0 } });
    expect(await getJob(tenantId, job.id)).toMatchObject({ name: 'Renamed', version: 2 });
  });

  it('checks the customer a job moves to, and keeps the job when there is none', async () => {
    const { tenantId, customerId } = await withCustomer();
    const job = await createJob(tenantId, { customerId, name: 'Kitchen', billingType: 'fixed_price' });
    const error = await domainRejection(saveJob(tenantId, { ...job, customerId: 'cus_nope', version: 2 }, job));
    expect(error.code).toBe('CUSTOMER_NOT_FOUND');
    expect(await getJob(tenantId, job.id)).toMatchObject({ customerId, version: 1 });
  });

  it('refuses a stale job with VERSION_CONFLICT although its customer exists', async () => {
    const { tenantId, customerId } = await withCustomer();
    const job = await createJob(tenantId, { customerId, name: 'Kitchen', billingType: 'fixed_price' });
    await saveJob(tenantId, { ...job, name: 'First', version: 2 }, job);
    const error = await domainRejection(saveJob(tenantId, { ...job, name: 'Second', version: 2 }, job));
    expect(error.code).toBe('VERSION_CONFLICT');
    expect(await getJob(tenantId, job.id)).toMatchObject({ name: 'First', version: 2 });
  });
});

describe('queryPage', () => {
  /** `count` items in one byTenant partition of the tenant, ids 01..count, statuses alternating open/closed from 01. */
  const seedPartition = async (tenantId: string, name: string, count: number): Promise<string> => {
    const partition = `${keys.tenantPrefix(tenantId)}${name}`;
    for (let i = 1; i <= count; i++) {
      const id = String(i).padStart(2, '0');
      await write(
        put(testKey(tenantId, `${name}#${id}`), {
          [indexes.byTenant.pk]: partition,
          [indexes.byTenant.sk]: id,
          id,
          status: i % 2 === 1 ? 'open' : 'closed',
        }),
      );
    }
    return partition;
  };

  const allPages = async (request: PageRequest): Promise<{ id: string }[][]> => {
    const pages: { id: string }[][] = [];
    let cursor: string | undefined;
    do {
      const page = await queryPage<{ id: string }>({ ...request, ...(cursor ? { cursor } : {}) });
      pages.push(page.items);
      cursor = page.nextCursor ?? undefined;
      if (pages.length > 20) throw new Error('the listing does not end');
    } while (cursor);
    return pages;
  };

  const ids = (pages: { id: string }[][]): string[][] => pages.map((page) => page.map((item) => item.id));

  it('pages through a partition newest first with a cursor, without the key attributes', async () => {
    // Prepare
    const tenantId = testTenantId();
    const partition = await seedPartition(tenantId, 'THINGS', 7);
    // Act
    const pages = await allPages({ tenantId, index: 'byTenant', partition, limit: 3 });
    // Assess
    expect(ids(pages)).toEqual([['07', '06', '05'], ['04', '03', '02'], ['01']]);
    expect(pages[0]?.[0]).toEqual({ id: '07', status: 'open' });
  });

  it('applies where filters and still fills every page but the last', async () => {
    // Prepare: 11 items, the odd ones open
    const tenantId = testTenantId();
    const partition = await seedPartition(tenantId, 'THINGS', 11);
    // Act
    const open = await allPages({ tenantId, index: 'byTenant', partition, limit: 2, where: { status: 'open' } });
    const all = await allPages({ tenantId, index: 'byTenant', partition, limit: 4, where: { status: undefined } });
    // Assess
    expect(ids(open)).toEqual([['11', '09'], ['07', '05'], ['03', '01']]);
    expect(ids(all).flat()).toEqual(['11', '10', '09', '08', '07', '06', '05', '04', '03', '02', '01']);
  });

  it('gives an exactly full last page no cursor, filtered or not', async () => {
    // Prepare: 12 items, 6 of them open
    const tenantId = testTenantId();
    const partition = await seedPartition(tenantId, 'THINGS', 12);
    // Act
    const page = (options: Partial<PageRequest>) =>
      queryPage<{ id: string }>({ tenantId, index: 'byTenant', partition, limit: 6, ...options });
    const first = await page({});
    const last = await page({ cursor: first.nextCursor! });
    const open = await page({ where: { status: 'open' } });
    const whole = await page({ limit: 12 });
    // Assess
    expect(first.nextCursor).toEqual(expect.any(String));
    expect(last.items.map((item) => item.id)).toEqual(['06', '05', '04', '03', '02', '01']);
    expect(last.nextCursor).toBeNull();
    expect(open.items.map((item) => item.id)).toEqual(['11', '09', '07', '05', '03', '01']);
    expect(open.nextCursor).toBeNull();
    expect([whole.items.length, whole.nextCursor]).toEqual([12, null]);
  });

  it('fills a filtered page across reads when matches are sparse', async () => {
    const tenantId = testTenantId();
    const partition = await seedPartition(tenantId, 'THINGS', 9);
    const page = await queryPage<{ id: string }>({ tenantId, index: 'byTenant', partition, limit: 3, where: { status: 'closed' } });
    expect(page.items.map((item) => item.id)).toEqual(['08', '06', '04']);
    expect(page.nextCursor).not.toBeNull();
    const rest = await queryPage<{ id: string }>({ tenantId, index: 'byTenant', partition, limit: 3, where: { status: 'closed' }, cursor: page.nextCursor! });
    expect(rest).toEqual({ items: [{ id: '02', status: 'closed' }], nextCursor: null });
  });

  it('lists a customer\'s jobs through the owner index, newest first, filtered by status', async () => {
    // Prepare
    const { tenantId, customerId } = await withCustomer();
    const other = await createCustomer(tenantId, { name: 'Other' });
    const created: Job[] = [];
    for (const name of ['J1', 'J2', 'J3']) created.push(await createJob(tenantId, { customerId, name, billingType: 'fixed_price' }));
    await createJob(tenantId, { customerId: other.id, name: 'Not listed', billingType: 'fixed_price' });
    await saveJob(tenantId, { ...created[1]!, status: 'closed', version: 2 }, created[1]!);
    // Act
    const first = await listJobs(tenantId, { customerId }, 2);
    const second = await listJobs(tenantId, { customerId }, 2, first.nextCursor ?? undefined);
    const closed = await listJobs(tenantId, { customerId, status: 'closed' }, 10);
    // Assess
    const newestFirst = created.map((job) => job.id).sort().reverse();
    expect([...first.items, ...second.items].map((job) => job.id)).toEqual(newestFirst);
    expect(first.items).toHaveLength(2);
    expect(closed.items.map((job) => job.name)).toEqual(['J2']);
  });

  it('refuses a cursor from another tenant, another partition or of no listing (INVALID_CURSOR)', async () => {
    // Prepare
    const tenantId = testTenantId();
    const otherTenantId = testTenantId();
    const partition = await seedPartition(tenantId, 'THINGS', 3);
    const otherPartition = await seedPartition(tenantId, 'OTHERS', 3);
    const theirPartition = await seedPartition(otherTenantId, 'THINGS', 3);
    const cursorOf = async (request: PageRequest): Promise<string> => {
      const { nextCursor } = await queryPage(request);
      if (!nextCursor) throw new Error('expected a cursor');
      return nextCursor;
    };
    const ownCursor = await cursorOf({ tenantId, index: 'byTenant', partition, limit: 1 });
    const theirCursor = await cursorOf({ tenantId: otherTenantId, index: 'byTenant', partition: theirPartition, limit: 1 });
    const otherPartitionCursor = await cursorOf({ tenantId, index: 'byTenant', partition: otherPartition, limit: 1 });
    // Our own cursor with one bit flipped, and start keys spelled as cursors were before they were sealed.
    const sealed = Buffer.from(ownCursor, 'base64url');
    sealed[sealed.length >> 1]! ^= 1;
    const forged = sealed.toString('base64url');
    const encoded = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
    const plainKey = encoded({
      PK: `${keys.tenantPrefix(tenantId)}TEST#THINGS#02`,
      SK: 'TEST',
      [indexes.byTenant.pk]: partition,
      [indexes.byTenant.sk]: '02',
    });
    // Act / Assess
    expect((await queryPage<{ id: string }>({ tenantId, index: 'byTenant', partition, limit: 1, cursor: ownCursor })).items).toEqual([
      { id: '02', status: 'closed' },
    ]);
    const refused = [theirCursor, forged, plainKey, otherPartitionCursor, 'not-a-cursor', encoded(null), encoded({})];
    for (const cursor of refused) {
      const error = await domainRejection(queryPage({ tenantId, index: 'byTenant', partition, limit: 1, cursor }));
      expect({ cursor, kind: error.kind, code: error.code, fields: error.errors.map((e) => e.field) }).toEqual({
        cursor,
        kind: 'invalid',
        code: 'INVALID_CURSOR',
        fields: ['cursor'],
      });
    }
    // the same cursor on the other index of the same partition name is not ours either
    const error = await domainRejection(queryPage({ tenantId, index: 'byOwner', partition, limit: 1, cursor: ownCursor }));
    expect(error.code).toBe('INVALID_CURSOR');
  });
});

describe('idempotency store', () => {
  const T0 = new Date('2025-06-01T12:00:00.000Z');
  const secondsLater = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);
  const response: StoredResponse = { statusCode: 201, headers: { 'content-type': 'application/json' }, body: '{"id":"cus_1"}' };

  it('lets the first claim run, and keeps the key at least 72 hours', async () => {
    // Prepare
    const tenantId = testTenantId();
    // Act
    const claimed = await claimIdempotencyKey(tenantId, 'k1', 'fp-a', T0);
    // Assess
    expect(claimed).toBeUndefined();
    const item = await read(keys.idempotency(tenantId, 'k1'));
    expect(item).toMatchObject({ fingerprint: 'fp-a', state: 'in_progress' });
    expect(Number(item?.[TTL_ATTRIBUTE]) * 1000).toBeGreaterThanOrEqual(T0.getTime() + 72 * 3600 * 1000);
  });

  it('refuses a second claim while the first is in progress: same request IN_PROGRESS, another KEY_REUSED', async () => {
    const tenantId = testTenantId();
    await claimIdempotencyKey(tenantId, 'k', 'fp-a', T0);
    const same = await domainRejection(claimIdempotencyKey(tenantId, 'k', 'fp-a', secondsLater(1)));
    const other = await domainRejection(claimIdempotencyKey(tenantId, 'k', 'fp-b', secondsLater(1)));
    expect({ kind: same.kind, code: same.code }).toEqual({ kind: 'conflict', code: 'IDEMPOTENCY_REQUEST_IN_PROGRESS' });
    expect({ kind: other.kind, code: other.code }).toEqual({ kind: 'rule', code: 'IDEMPOTENCY_KEY_REUSED' });
  });

  it('replays the stored response once complete, and still refuses another request', async () => {
    // Prepare
    const tenantId = testTenantId();
    await claimIdempotencyKey(tenantId, 'k', 'fp-a', T0);
    // Act
    await completeIdempotencyKey(tenantId, 'k', 'fp-a', response, T0);
    const replay = await claimIdempotencyKey(tenantId, 'k', 'fp-a', secondsLater(3600));
    const other = await domainRejection(claimIdempotencyKey(tenantId, 'k', 'fp-b', secondsLater(3600)));
    // Assess
    expect(replay).toEqual(response);
    expect(other.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await read(keys.idempotency(tenantId, 'k'))).toMatchObject({ state: 'completed', statusCode: 201 });
  });

  it('makes a released key claimable again, by any request', async () => {
    const tenantId = testTenantId();
    await claimIdempotencyKey(tenantId, 'k', 'fp-a', T0);
    await releaseIdempotencyKey(tenantId, 'k', 'fp-a');
    expect(await read(keys.idempotency(tenantId, 'k'))).toBeUndefined();
    expect(await claimIdempotencyKey(tenantId, 'k', 'fp-b', secondsLater(1))).toBeUndefined();
    expect(await read(keys.idempotency(tenantId, 'k'))).toMatchObject({ fingerprint: 'fp-b', state: 'in_progress' });
  });

  it('lets the same request take over a claim whose lock expired, but not another request', async () => {
    // Prepare
    const tenantId = testTenantId();
    await claimIdempotencyKey(tenantId, 'k', 'fp-a', T0);
    // Act / Assess
    await expect(claimIdempotencyKey(tenantId, 'k', 'fp-a', secondsLater(60))).rejects.toMatchObject({ code: 'IDEMPOTENCY_REQUEST_IN_PROGRESS' });
    await expect(claimIdempotencyKey(tenantId, 'k', 'fp-b', secondsLater(61))).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(await claimIdempotencyKey(tenantId, 'k', 'fp-a', secondsLater(61))).toBeUndefined();
    // the takeover holds a fresh lock
    await expect(claimIdempotencyKey(tenantId, 'k', 'fp-a', secondsLater(62))).rejects.toMatchObject({ code: 'IDEMPOTENCY_REQUEST_IN_PROGRESS' });
  });

  it('frees a key whose 72 hours are over for any request', async () => {
    const tenantId = testTenantId();
    await claimIdempotencyKey(tenantId, 'k', 'fp-a', T0);
    await completeIdempotencyKey(tenantId, 'k', 'fp-a', response, T0);
    expect(await claimIdempotencyKey(tenantId, 'k', 'fp-b', secondsLater(72 * 3600 + 1))).toBeUndefined();
  });

  it('lets a late first try neither complete nor release a key that a retry took over', async () => {
    // Prepare: the first try outlives its lock, the retry takes the key over
    const tenantId = testTenantId();
    await claimIdempotencyKey(tenantId, 'k', 'fp-a', T0);
    await claimIdempotencyKey(tenantId, 'k', 'fp-a', secondsLater(61));
    await releaseIdempotencyKey(tenantId, 'k', 'fp-a');
    // Act: the late first try completes a key it no longer holds
    await completeIdempotencyKey(tenantId, 'k', 'fp-a', response, T0);
    // Assess: nothing was written, and the key is claimable
    expect(await read(keys.idempotency(tenantId, 'k'))).toBeUndefined();
    expect(await claimIdempotencyKey(tenantId, 'k', 'fp-a', secondsLater(62))).toBeUndefined();
  });

  it('refuses a cursor naming our partition but lacking the rest of the key', async () => {
    const tenantId = testTenantId();
    const partition = keys.jobs(tenantId);
    const cursor = Buffer.from(JSON.stringify({ PK: `${keys.tenantPrefix(tenantId)}JOB#x`, GSI2PK: partition })).toString('base64url');
    await expect(queryPage({ tenantId, index: 'byTenant', partition, limit: 1, cursor })).rejects.toMatchObject({ code: 'INVALID_CURSOR' });
  });

  it('keeps keys apart per tenant', async () => {
    const [a, b] = [testTenantId(), testTenantId()];
    await claimIdempotencyKey(a, 'shared', 'fp-a', T0);
    expect(await claimIdempotencyKey(b, 'shared', 'fp-b', T0)).toBeUndefined();
  });
});
