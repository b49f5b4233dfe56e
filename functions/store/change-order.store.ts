import type { AppliedChangeOrder, ChangeOrder } from '../domain/change-order.js';
import { concurrentWrite, notFound } from '../domain/errors.js';
import type { Job } from '../domain/job.js';
import { getItem, putVersioned, queryPage, type Page } from './aggregate.js';
import { tableName } from './client.js';
import { putJob } from './job.store.js';
import { keys, type Key } from './keys.js';
import { putMilestone } from './milestone.store.js';
import { write, type WriteAction } from './write.js';

/**
 * A change order is an item of its own (keys.ts), listed under its job. Until it is approved it is
 * the only item that holds its changes: nothing of it is in the job or its milestones.
 */
const changeOrderItem = (tenantId: string, co: ChangeOrder) => ({
  ...keys.changeOrder(tenantId, co.id),
  GSI1PK: keys.jobChangeOrders(tenantId, co.jobId),
  GSI1SK: co.id,
  ...co,
});

export const getChangeOrder = (tenantId: string, id: string): Promise<ChangeOrder> =>
  getItem<ChangeOrder>(keys.changeOrder(tenantId, id), 'change_order');

/** A page of the job's change orders, newest first. */
export const listChangeOrders = (tenantId: string, jobId: string, limit: number, cursor?: string): Promise<Page<ChangeOrder>> =>
  queryPage<ChangeOrder>({ tenantId, index: 'byOwner', partition: keys.jobChangeOrders(tenantId, jobId), limit, cursor });

/** The change order's next version (new when `previous` is null), on condition of the version read. */
const putChangeOrder = (tenantId: string, co: ChangeOrder, previous: ChangeOrder | null): WriteAction =>
  putVersioned('change_order', changeOrderItem(tenantId, co), previous ? previous.version : null);

/** The job is still the version a decision was taken on; a check, not a write, so that the job keeps its version. */
const jobUnchanged = (tenantId: string, job: Job): WriteAction => ({
  ConditionCheck: {
    TableName: tableName(),
    Key: keys.job(tenantId, job.id),
    ConditionExpression: 'version = :version',
    ExpressionAttributeValues: { ':version': job.version },
  },
  onConditionFailed: (old) => (old ? concurrentWrite('job') : notFound('job')),
});

/** Deletes the item under `key` if it is still the version read. */
const deleteAt = (entity: string, key: Key, version: number): WriteAction => ({
  Delete: {
    TableName: tableName(),
    Key: key,
    ConditionExpression: 'version = :version',
    ExpressionAttributeValues: { ':version': version },
  },
  onConditionFailed: (old) => (old ? concurrentWrite(entity) : notFound(entity)),
});

/** A new change order, checked against `job`: it is written only while the job is still that version. */
export const insertChangeOrder = (tenantId: string, co: ChangeOrder, job: Job): Promise<void> =>
  write(putChangeOrder(tenantId, co, null), jobUnchanged(tenantId, job));

/** What approving a change order writes besides it: the job as read (`previousJob`) and what it becomes. */
export type ApprovedChanges = AppliedChangeOrder & { previousJob: Job };

/**
 * The change order's next version, conditioned on the version read; with `applied` (an approval) in
 * the same transaction: the job's next version (or a check that it is still the one read), each new
 * milestone, each modified one and each removed one at the version read. `extra` are actions of the
 * caller's own that must land with it or not at all (the portal's approval request).
 */
export const saveChangeOrder = (
  tenantId: string,
  co: ChangeOrder,
  previous: ChangeOrder,
  applied: ApprovedChanges | null,
  extra: WriteAction[] = [],
): Promise<void> =>
  write(
    putChangeOrder(tenantId, co, previous),
    ...(applied
      ? [
          ...(applied.job === applied.previousJob
            ? [jobUnchanged(tenantId, applied.previousJob)]
            : putJob(tenantId, applied.job, applied.previousJob)),
          ...applied.added.map((m) => putMilestone(tenantId, m, null)),
          ...applied.modified.map(({ milestone, previous }) => putMilestone(tenantId, milestone, previous)),
          ...applied.removed.map((m) => deleteAt('milestone', keys.milestone(tenantId, m.jobId, m.id), m.version)),
        ]
      : []),
    ...extra,
  );

/** Deletes the change order if it is still the version read. */
export const deleteChangeOrder = (tenantId: string, co: ChangeOrder): Promise<void> =>
  write(deleteAt('change_order', keys.changeOrder(tenantId, co.id), co.version));
