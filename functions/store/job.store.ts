import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { masterJobIdOf, phaseJobIdsOf, type Job, type JobStatus } from '../domain/job.js';
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
  ...(masterJobIdOf(job) === null ? {} : { GSI3PK: keys.masterPhases(tenantId, job.masterJobId!), GSI3SK: job.id }),
  ...job,
});

/** The list that grows with the job: past 64 KB its entries move to part items (store/parts.ts). */
const JOB_LISTS = ['charges'] as const;

export const getJob = (tenantId: string, id: string): Promise<Job> => getAggregate<Job>(keys.job(tenantId, id), 'job', JOB_LISTS);

/** A master's phase jobs in its order (none for any other job): one BatchGetItem, their reads asked together (read.ts). */
export const getPhases = (tenantId: string, master: Job): Promise<Job[]> =>
  Promise.all(phaseJobIdsOf(master).map((id) => getJob(tenantId, id)));

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

/** The job's delete if it is still the version that was checked and has no invoices (else a retryable conflict). */
const removal = (tenantId: string, job: Job): WriteAction[] => [
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
];

/**
 * Deletes the job and its phases (a master goes with them) in one transaction, then their
 * milestones. Nothing reads a milestone without its job (every milestone route reads the job first),
 * so a crash between the two leaves only items that no request reaches.
 */
export const deleteJob = async (tenantId: string, job: Job, phases: Job[] = []): Promise<void> => {
  await write(...[job, ...phases].flatMap((j) => removal(tenantId, j)));
  for (const j of [job, ...phases]) await deleteMilestonesOf(tenantId, j);
};

/** Deletes a phase and writes its master's next version (the phase's charges given back) in one transaction. */
export const deletePhase = async (tenantId: string, phase: Job, master: Job, previousMaster: Job): Promise<void> => {
  await write(...removal(tenantId, phase), ...putJob(tenantId, master, previousMaster));
  await deleteMilestonesOf(tenantId, phase);
};

/** Writes a new phase with its master's next version (what the phase took gone from it) in one transaction. */
export const savePhase = (tenantId: string, phase: Job, master: Job, previousMaster: Job): Promise<void> =>
  write(...putJob(tenantId, master, previousMaster), ...putJob(tenantId, phase, null));

const statusCheck = (tenantId: string, jobId: string, condition: '<>' | '='): WriteAction => ({
  ConditionCheck: {
    TableName: tableName(),
    Key: keys.job(tenantId, jobId),
    ConditionExpression: `#status ${condition} :open`,
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':open': 'open' },
  },
  onConditionFailed: () => concurrentWrite('job'),
});

/** Writes a phase reopened on condition that its master is open (closed meanwhile: a conflict, read again). */
export const saveReopenedPhase = (tenantId: string, phase: Job, previous: Job): Promise<void> =>
  write(...putJob(tenantId, phase, previous), statusCheck(tenantId, phase.masterJobId!, '='));

/**
 * Writes the master's next version on condition that none of its phases is open (checked in the
 * same transaction: a phase reopened meanwhile fails it as a conflict, which a retry reads again).
 */
export const saveMasterClosed = (tenantId: string, master: Job, previous: Job, phases: Job[]): Promise<void> =>
  write(...putJob(tenantId, master, previous), ...phases.map((phase) => statusCheck(tenantId, phase.id, '<>')));

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
  masterJobId?: string;
}

/** A master's phases are a partition of their own (keys.ts); the customer is then a filter like the status. */
const jobListing = (tenantId: string, { customerId, masterJobId }: JobFilter) => {
  if (masterJobId) return { index: 'byCustomer' as const, partition: keys.masterPhases(tenantId, masterJobId), customerId };
  if (customerId) return { index: 'byOwner' as const, partition: keys.customerJobs(tenantId, customerId) };
  return { index: 'byTenant' as const, partition: keys.jobs(tenantId) };
};

export const listJobs = async (tenantId: string, filter: JobFilter, limit: number, cursor?: string): Promise<Page<Job>> => {
  const { customerId, ...listing } = jobListing(tenantId, filter);
  const page = await queryPage<Job>({
    tenantId,
    ...listing,
    where: { status: filter.status, ...(customerId ? { customerId } : {}) },
    limit,
    cursor,
  });
  return { ...page, items: await withLists(page.items, (job) => keys.job(tenantId, job.id), JOB_LISTS, 'job') };
};
