import { concurrentWrite, DomainError, notFound } from '../domain/errors.js';
import type { Job } from '../domain/job.js';
import type { Milestone } from '../domain/milestone.js';
import { fromItem, getItem, putVersioned, queryAll } from './aggregate.js';
import { tableName } from './client.js';
import { keys, MILESTONE_PREFIX } from './keys.js';
import { readItems } from './read.js';
import { putJob } from './job.store.js';
import { write, type WriteAction } from './write.js';

/**
 * Milestones are items of their own in their job's item collection (keys.ts): a change of status,
 * approval or invoice writes the milestone alone, so that milestones never conflict with each other
 * nor with the job's charges. What makes the job's price (order, amount, tax rate) is also
 * in the job (`milestonePlan`), and every write that changes it writes both in one transaction.
 */
const milestoneItem = (tenantId: string, m: Milestone) => ({ ...keys.milestone(tenantId, m.jobId, m.id), ...m });

export const getMilestone = (tenantId: string, jobId: string, id: string): Promise<Milestone> =>
  getItem<Milestone>(keys.milestone(tenantId, jobId, id), 'milestone');

/** Every milestone of the job, consistently, in no particular order (one Query, paged by DynamoDB's 1 MB). */
export const queryMilestones = async (tenantId: string, jobId: string): Promise<Milestone[]> =>
  (
    await queryAll({
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.job(tenantId, jobId).PK, ':prefix': MILESTONE_PREFIX },
      ConsistentRead: true,
    })
  ).map((item) => fromItem<Milestone>(item));

/** BatchGetItem takes at most this many keys. */
const BATCH_KEYS = 100;

/** The milestones of `ids` that exist (at most 100), consistently, by id. */
export const getMilestones = async (tenantId: string, jobId: string, ids: string[]): Promise<Map<string, Milestone>> => {
  const found = await readItems(ids.slice(0, BATCH_KEYS).map((id) => keys.milestone(tenantId, jobId, id)));
  return new Map(found.map((item) => fromItem<Milestone>(item)).map((m) => [m.id, m]));
};

/**
 * The milestone's next version as an action of a larger transaction, on condition of the version it
 * came from (none when new): a status change of the workflow (invoiced with its invoice and the job's
 * ledger, paid with its payment) writes it beside its own items, without the edit's check of the job.
 */
export const putMilestone = (tenantId: string, m: Milestone, previous: Milestone | null): WriteAction =>
  putVersioned('milestone', milestoneItem(tenantId, m), previous ? previous.version : null);

/** The job is still there and not billed; a check, not a write, so that the job keeps its version. */
const jobStillModifiable = (tenantId: string, jobId: string): WriteAction => ({
  ConditionCheck: {
    TableName: tableName(),
    Key: keys.job(tenantId, jobId),
    ConditionExpression: 'attribute_exists(PK) AND #status <> :billed',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':billed': 'billed' },
  },
  onConditionFailed: (old) =>
    old ? new DomainError('conflict', 'JOB_BILLED', 'The job is billed and cannot be modified') : notFound('job'),
});

export interface MilestoneChange {
  job: Job;
  /** The job as it was read; the job is written only when it is another object than this. */
  previousJob: Job;
  milestone: Milestone;
  previous: Milestone | null;
}

/**
 * Writes a milestone's next version (new when `previous` is null), conditioned on the version read;
 * with the job's next version in the same transaction when the job changed (its price or order),
 * else with a check that the job is still modifiable; with `extra`, what the change decides beside it
 * (an approval request, a workflow start owed), in the same transaction.
 */
export const saveMilestone = (
  tenantId: string,
  { job, previousJob, milestone, previous }: MilestoneChange,
  extra: WriteAction[] = [],
): Promise<void> =>
  write(
    putMilestone(tenantId, milestone, previous),
    ...(job === previousJob ? [jobStillModifiable(tenantId, job.id)] : putJob(tenantId, job, previousJob)),
    ...extra,
  );

/** Deletes the milestone if it is still the version read, with the job's next version (without it). */
export const deleteMilestone = (tenantId: string, milestone: Milestone, job: Job, previousJob: Job): Promise<void> =>
  write(
    {
      Delete: {
        TableName: tableName(),
        Key: keys.milestone(tenantId, milestone.jobId, milestone.id),
        ConditionExpression: 'version = :version',
        ExpressionAttributeValues: { ':version': milestone.version },
      },
      onConditionFailed: (old) => (old ? concurrentWrite('milestone') : notFound('milestone')),
    },
    ...putJob(tenantId, job, previousJob),
  );
