import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Job, JobStatus } from '../domain/job.js';
import { mustExist, queryPage, type Page } from './aggregate.js';
import { db, tableName } from './client.js';
import { keys } from './keys.js';
import { deleteParts, getAggregate, putAggregate, withLists } from './parts.js';
import { write, type WriteAction } from './write.js';
import { concurrentWrite, notFound } from '../domain/errors.js';

const jobItem = (tenantId: string, job: Job) => ({
  ...keys.job(tenantId, job.id),
  GSI1PK: keys.customerJobs(tenantId, job.customerId),
  GSI1SK: job.id,
  GSI2PK: keys.jobs(tenantId),
  GSI2SK: job.id,
  ...job,
});

/** The list that grows with the job: past 64 KB its entries move to part items (store/parts.ts). */
const JOB_LISTS = ['charges'] as const;

export const getJob = (tenantId: string, id: string): Promise<Job> => getAggregate<Job>(keys.job(tenantId, id), 'job', JOB_LISTS);

/**
 * Writes the job's next version (`previous` is the one it came from, null for a new job). A new
 * customer is checked in the same transaction; an unchanged one is not: customers are never deleted,
 * and checking it would make the jobs of one customer conflict with each other.
 */
export const saveJob = async (tenantId: string, job: Job, previous: Job | null): Promise<void> =>
  write(
    ...putJob(tenantId, job, previous),
    ...(job.customerId === previous?.customerId
      ? []
      : [mustExist(keys.customer(tenantId, job.customerId), 'customer', 'customerId')]),
  );

/** The job's next version (from `previous`, null when new) as actions of a larger transaction. */
export const putJob = (tenantId: string, job: Job, previous: Job | null): WriteAction[] =>
  putAggregate('job', jobItem(tenantId, job), previous && jobItem(tenantId, previous), JOB_LISTS);

/**
 * Deletes the job if it is still the version that was checked and has no invoices (else a retryable
 * conflict), then its milestones. Nothing reads a milestone without its job (every milestone route
 * reads the job first), so a crash between the two leaves only items that no request reaches.
 */
export const deleteJob = async (tenantId: string, job: Job): Promise<void> => {
  await write(
    {
      Delete: {
        TableName: tableName(),
        Key: keys.job(tenantId, job.id),
        ConditionExpression: 'version = :version AND invoiceCount = :none',
        ExpressionAttributeValues: { ':version': job.version, ':none': 0 },
      },
      onConditionFailed: (old) => (old ? concurrentWrite('job') : notFound('job')),
    },
    ...deleteParts(jobItem(tenantId, job), JOB_LISTS),
  );
  await deleteMilestonesOf(tenantId, job);
};

/** BatchWriteItem takes at most this many writes. */
const BATCH_WRITES = 25;

const deleteMilestonesOf = async (tenantId: string, job: Job): Promise<void> => {
  let pending = (job.milestonePlan ?? []).map((m) => ({ DeleteRequest: { Key: keys.milestone(tenantId, job.id, m.id) } }));
  while (pending.length) {
    const batch = pending.slice(0, BATCH_WRITES);
    const { UnprocessedItems } = await db().send(new BatchWriteCommand({ RequestItems: { [tableName()]: batch } }));
    pending = [...((UnprocessedItems?.[tableName()] ?? []) as typeof batch), ...pending.slice(BATCH_WRITES)];
  }
};

export interface JobFilter {
  customerId?: string;
  status?: JobStatus;
}

export const listJobs = async (tenantId: string, filter: JobFilter, limit: number, cursor?: string): Promise<Page<Job>> => {
  const page = await queryPage<Job>({
    tenantId,
    ...(filter.customerId
      ? { index: 'byOwner', partition: keys.customerJobs(tenantId, filter.customerId) }
      : { index: 'byTenant', partition: keys.jobs(tenantId) }),
    where: { status: filter.status },
    limit,
    cursor,
  });
  return { ...page, items: await withLists(page.items, (job) => keys.job(tenantId, job.id), JOB_LISTS, 'job') };
};
