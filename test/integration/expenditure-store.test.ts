import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  applyExpenditureChanges,
  createExpenditure as newExpenditure,
  expenditureSummary,
  selectExpenditure,
  type ExpenditureFields,
} from '../../functions/domain/expenditure.js';
import type { Job } from '../../functions/domain/job.js';
import { createCustomer } from '../../functions/services/customer.service.js';
import {
  batchIdOf,
  createExpenditure,
  createExpenditureBatch,
  getExpenditure,
  listExpenditures,
  transitionExpenditures,
} from '../../functions/services/expenditure.service.js';
import { createJob } from '../../functions/services/job.service.js';
import { registerTenant } from '../../functions/services/tenant.service.js';
import { db, tableName } from '../../functions/store/client.js';
import {
  commitBatch,
  getDoneBatch,
  openBatches,
  saveExpenditures,
  startBatch,
  writePendingExpenditures,
  type ExpenditureBatch,
} from '../../functions/store/expenditure.store.js';
import { getJob, saveJob } from '../../functions/store/job.store.js';
import { keys } from '../../functions/store/keys.js';
import { errorOf } from '../support/domain-errors.js';

const NOW = new Date();

const item = (i: number): ExpenditureFields => ({
  kind: (['hours', 'material', 'purchase'] as const)[i % 3]!,
  date: '2026-03-02',
  description: `Work ${i}`,
  quantity: '1.5',
  unitCost: `${10 + (i % 5)}`,
  unitPrice: `${20 + (i % 5)}`,
  booked: true,
});

const tmJob = async (): Promise<{ tenantId: string; job: Job }> => {
  const { tenant } = await registerTenant({ name: 'Expenditure store', defaultCurrency: 'EUR' });
  const customer = await createCustomer(tenant.id, { name: 'Client' });
  const job = await createJob(tenant.id, { customerId: customer.id, name: 'Refit', billingType: 'time_and_material' });
  return { tenantId: tenant.id, job };
};

/** Every expenditure item in the job's collection, visible or not: what a batch wrote. */
const storedIds = async (tenantId: string, jobId: string): Promise<string[]> => {
  const found: string[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)',
        ExpressionAttributeValues: { ':pk': keys.job(tenantId, jobId).PK, ':sk': 'EXPENDITURE#' },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    found.push(...(page.Items ?? []).map((i) => i.id as string));
    start = page.LastEvaluatedKey;
  } while (start);
  return found.sort();
};

const listAll = async (tenantId: string, jobId: string): Promise<string[]> => {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await listExpenditures(tenantId, jobId, {}, 100, cursor);
    ids.push(...page.items.map((e) => e.id));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return ids.sort();
};

/** A batch as a request cut off part-way leaves it: its marker open, `written` of its items written invisible. */
const cutOff = async (tenantId: string, job: Job, items: ExpenditureFields[], key: string, written: number, createdAt = NOW) => {
  const batch: ExpenditureBatch = {
    batchId: batchIdOf(items, key),
    jobId: job.id,
    ids: items.map((_, i) => `exd_${String(i).padStart(4, '0')}_${job.id}`),
    state: 'writing',
    createdAt: createdAt.toISOString(),
  };
  const expenditures = items.map((input, i) => newExpenditure(job, input, batch.ids[i]!, NOW));
  await startBatch(tenantId, batch);
  await writePendingExpenditures(tenantId, batch.batchId, expenditures.slice(0, written));
  return { batch, expenditures };
};

describe('expenditure store', () => {
  it('writes an expenditure and its job together, or neither when the job moved on', async () => {
    // Prepare
    const { tenantId, job } = await tmJob();
    await createExpenditure(tenantId, job.id, item(1));
    const e = newExpenditure(job, item(2), 'exd_stale', NOW);
    // Act: from the job as it was before the first one
    const error = await errorOf(
      saveExpenditures(tenantId, {
        job: applyExpenditureChanges(job, [{ previous: null, next: e }], NOW),
        previousJob: job,
        changes: [{ previous: null, next: e }],
      }),
    );
    // Assess
    expect(error.code).toBe('VERSION_CONFLICT');
    expect(await storedIds(tenantId, job.id)).toHaveLength(1);
    expect(expenditureSummary(await getJob(tenantId, job.id)).booked.hours.unbilled.count).toBe(0);
    expect(expenditureSummary(await getJob(tenantId, job.id)).booked.material.unbilled.count).toBe(1);
  });

  it('moves 250 expenditures in chunks under the 100-action limit, writes nothing on a rerun, and stops at a refusal', async () => {
    // Prepare
    const { tenantId, job } = await tmJob();
    const made = await createExpenditureBatch(
      tenantId,
      job.id,
      Array.from({ length: 260 }, (_, i) => item(i)),
    );
    const ids = made.map((e) => e.id);
    const chunks: number[] = [];
    // Act: select 250, then again
    const selected = await transitionExpenditures(
      tenantId,
      job.id,
      ids.slice(0, 250),
      (e, now) => selectExpenditure(e, 'inv_a', now),
      (chunk) => (chunks.push(chunk), []),
    );
    const version = (await getJob(tenantId, job.id)).version;
    const rerun = await transitionExpenditures(tenantId, job.id, ids.slice(0, 250), (e, now) =>
      selectExpenditure(e, 'inv_a', now),
    );
    // Assess
    expect(chunks).toEqual([0, 1, 2]);
    expect(selected.every((e) => e.status === 'selected' && e.selection === 'inv_a')).toBe(true);
    expect(rerun).toEqual(selected);
    const after = await getJob(tenantId, job.id);
    expect(after.version).toBe(version);
    const summary = expenditureSummary(after);
    const counts = (['hours', 'material', 'purchase'] as const).map((k) => summary.booked[k].selected.count);
    expect(counts.reduce((a, b) => a + b)).toBe(250);
    // Another invoice's selection is refused in the chunk that meets it; unknown ids are 422
    const taken = await errorOf(
      transitionExpenditures(tenantId, job.id, [...ids.slice(250), ids[0]!], (e, now) => selectExpenditure(e, 'inv_b', now)),
    );
    expect(taken.code).toBe('EXPENDITURE_NOT_SELECTABLE');
    expect((await getExpenditure(tenantId, job.id, ids[255]!)).status).toBe('unbilled');
    const unknown = await errorOf(
      transitionExpenditures(tenantId, job.id, ['exd_nope'], (e, now) => selectExpenditure(e, 'inv_b', now)),
    );
    expect(unknown.code).toBe('EXPENDITURE_NOT_FOUND');
  });

  it('resumes a batch cut off part-way when the request is retried: the same expenditures, none twice', async () => {
    // Prepare
    const { tenantId, job } = await tmJob();
    const items = Array.from({ length: 300 }, (_, i) => item(i));
    const { batch } = await cutOff(tenantId, job, items, 'key-1', 120);
    expect(await listAll(tenantId, job.id)).toEqual([]);
    // Act
    const made = await createExpenditureBatch(tenantId, job.id, items, 'key-1');
    // Assess
    expect(made.map((e) => e.id)).toEqual(batch.ids);
    expect(await storedIds(tenantId, job.id)).toEqual([...batch.ids].sort());
    expect(await listAll(tenantId, job.id)).toEqual([...batch.ids].sort());
    expect(await openBatches(tenantId, job.id)).toEqual([]);
    expect((await getDoneBatch(tenantId, job.id, batch.batchId))?.ids).toEqual(batch.ids);
    const { booked } = expenditureSummary(await getJob(tenantId, job.id));
    expect(booked.hours.unbilled.count + booked.material.unbilled.count + booked.purchase.unbilled.count).toBe(300);
    // A retry after it is done answers the same expenditures and writes nothing
    const version = (await getJob(tenantId, job.id)).version;
    expect((await createExpenditureBatch(tenantId, job.id, items, 'key-1')).map((e) => e.id)).toEqual(batch.ids);
    expect((await getJob(tenantId, job.id)).version).toBe(version);
  });

  it('finishes a committed batch at the next read, and undoes one a crash left uncommitted', async () => {
    // Prepare: one committed but not visible, one stale in writing on another job
    const { tenantId, job } = await tmJob();
    const items = Array.from({ length: 150 }, (_, i) => item(i));
    const { batch, expenditures } = await cutOff(tenantId, job, items, 'committed', 150);
    const counted = applyExpenditureChanges(
      job,
      expenditures.map((next) => ({ previous: null, next })),
      NOW,
    );
    await commitBatch(tenantId, batch, counted, job);
    const other = await createJob(tenantId, { customerId: job.customerId, name: 'Barn', billingType: 'time_and_material' });
    const longAgo = new Date(NOW.getTime() - 10 * 60_000);
    const { batch: stale } = await cutOff(tenantId, other, items.slice(0, 80), 'stale', 80, longAgo);
    const recent = await cutOff(tenantId, other, items.slice(0, 5), 'recent', 5);
    // Act: a read of one of its expenditures, and a listing of the other job
    const one = await getExpenditure(tenantId, job.id, batch.ids[42]!);
    const listed = await listAll(tenantId, other.id);
    // Assess
    expect(one.id).toBe(batch.ids[42]);
    expect(await listAll(tenantId, job.id)).toEqual([...batch.ids].sort());
    expect(await openBatches(tenantId, job.id)).toEqual([]);
    expect(listed).toEqual([]);
    expect(await storedIds(tenantId, other.id)).toEqual([...recent.batch.ids].sort());
    expect((await openBatches(tenantId, other.id)).map((b) => b.batchId)).toEqual([recent.batch.batchId]);
    expect(await getDoneBatch(tenantId, other.id, stale.batchId)).toBeUndefined();
    expect((await getJob(tenantId, other.id)).version).toBe(other.version);
    // Not committed, an invisible expenditure does not exist
    expect((await errorOf(getExpenditure(tenantId, other.id, recent.batch.ids[0]!))).code).toBe('EXPENDITURE_NOT_FOUND');
  });

  it('undoes a batch whose commit is refused (the job billed meanwhile), leaving nothing', async () => {
    // Prepare
    const { tenantId, job } = await tmJob();
    const items = Array.from({ length: 120 }, (_, i) => item(i));
    await cutOff(tenantId, job, items, 'billed', 10);
    await saveJob(tenantId, { ...job, status: 'billed', version: job.version + 1 }, job);
    // Act
    const error = await errorOf(createExpenditureBatch(tenantId, job.id, items, 'billed'));
    // Assess
    expect(error.code).toBe('JOB_BILLED');
    expect(await storedIds(tenantId, job.id)).toEqual([]);
    expect(await openBatches(tenantId, job.id)).toEqual([]);
  });
});
