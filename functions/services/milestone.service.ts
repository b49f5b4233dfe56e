import { clock } from '../adapters/clock.js';
import { concurrentWrite, DomainError, expectVersion, notFound } from '../domain/errors.js';
import { milestonePlanOf, type Job } from '../domain/job.js';
import {
  createMilestone as newMilestone,
  matchesPlan,
  positionOf,
  removeMilestone,
  reorderMilestones as reordered,
  updateMilestone as changedMilestone,
  type Milestone,
  type MilestoneFields,
  type MilestonePatch,
  type MilestoneStatus,
} from '../domain/milestone.js';
import { openCursor, sealCursor } from '../store/cursor.js';
import { getJob, saveJob } from '../store/job.store.js';
import {
  deleteMilestone as dropMilestone,
  getMilestone as readMilestone,
  getMilestones,
  queryMilestones,
  saveMilestone,
} from '../store/milestone.store.js';
import { newId } from './ids.js';
import { retrying } from './retry.js';

/** A milestone with where it stands in its job's order (from 1). */
export type PositionedMilestone = Milestone & { position: number };

/** One line of a job's balance tracker. */
export interface MilestoneSummary {
  id: string;
  name: string;
  status: MilestoneStatus;
  amount: string;
  invoiceId: string | null;
  position: number;
}

/** A read that meets a write half-way (the job and a milestone of one transaction) reads again this often. */
const READ_ATTEMPTS = 3;

const positioned = (job: Job, m: Milestone): PositionedMilestone => ({ ...m, position: positionOf(job, m.id)! });

/**
 * The job's milestones of `ids` (in that order), read after the job: each must be as the job's plan
 * has it, else a write came in between the reads, and both are read again.
 */
const readConsistently = async (
  tenantId: string,
  job: Job,
  read: (job: Job) => Promise<Map<string, Milestone>>,
  ids: (job: Job) => string[],
): Promise<{ job: Job; milestones: PositionedMilestone[] }> => {
  for (let attempt = 1; ; attempt++) {
    const found = await read(job);
    const milestones = ids(job).map((id) => found.get(id));
    if (milestones.every((m): m is Milestone => m !== undefined && matchesPlan(job, m))) {
      return { job, milestones: milestones.map((m) => positioned(job, m)) };
    }
    if (attempt >= READ_ATTEMPTS) throw concurrentWrite('job');
    job = await getJob(tenantId, job.id);
  }
};

const planIds = (job: Job): string[] => milestonePlanOf(job).map((m) => m.id);

const everyMilestone = (tenantId: string) => async (job: Job) =>
  new Map((await queryMilestones(tenantId, job.id)).map((m) => [m.id, m]));

/**
 * The balance tracker's lines of the job, in order; no read at all for a job without milestones. The
 * job answered with is the one they were read with (the given one, or a newer one after a race).
 */
export const withMilestones = async (tenantId: string, job: Job): Promise<{ job: Job; milestones: MilestoneSummary[] }> => {
  if (!milestonePlanOf(job).length) return { job, milestones: [] };
  const read = await readConsistently(tenantId, job, everyMilestone(tenantId), planIds);
  const milestones = read.milestones.map(({ id, name, status, amount, invoiceId, position }) => ({
    id,
    name,
    status,
    amount,
    invoiceId,
    position,
  }));
  return { job: read.job, milestones };
};

/** The milestone and its job, read together; a milestone read half-way through a write is read again. */
export const milestoneAndJob = async (tenantId: string, jobId: string, id: string): Promise<{ job: Job; milestone: Milestone }> => {
  for (let attempt = 1; ; attempt++) {
    const job = await getJob(tenantId, jobId);
    if (positionOf(job, id) === undefined) throw notFound('milestone');
    const milestone = await readMilestone(tenantId, jobId, id).catch((error: unknown) => {
      // Deleted since the job was read: the job, read again, says so.
      if (error instanceof DomainError && error.kind === 'not_found') return undefined;
      throw error;
    });
    if (milestone && matchesPlan(job, milestone)) return { job, milestone };
    if (attempt >= READ_ATTEMPTS) throw concurrentWrite('milestone');
  }
};

export const getMilestone = async (tenantId: string, jobId: string, id: string): Promise<PositionedMilestone> => {
  const { job, milestone } = await milestoneAndJob(tenantId, jobId, id);
  return positioned(job, milestone);
};

/** The milestone id is drawn once, so that a retry after a lost race adds the same milestone, not another. */
export const createMilestone = async (tenantId: string, jobId: string, input: MilestoneFields): Promise<PositionedMilestone> => {
  const id = newId('mil');
  return retrying(async () => {
    const previousJob = await getJob(tenantId, jobId);
    const { job, milestone } = newMilestone(previousJob, input, id, clock.now());
    await saveMilestone(tenantId, { job, previousJob, milestone, previous: null });
    return positioned(job, milestone);
  });
};

/**
 * Changes a milestone at the version the caller expects (If-Match: the milestone's ETag). A lost race
 * reads again: with If-Match that is a 412 when the milestone moved, without it the change is made
 * unless the new state refuses it.
 */
export const updateMilestone = (
  tenantId: string,
  jobId: string,
  id: string,
  patch: MilestonePatch,
  expectedVersion?: number,
): Promise<PositionedMilestone> =>
  retrying(async () => {
    const read = await milestoneAndJob(tenantId, jobId, id);
    const previous = expectVersion(read.milestone, expectedVersion, 'milestone');
    const { job, milestone } = changedMilestone(read.job, previous, patch, clock.now());
    await saveMilestone(tenantId, { job, previousJob: read.job, milestone, previous });
    return positioned(job, milestone);
  });

export const deleteMilestone = (tenantId: string, jobId: string, id: string, expectedVersion?: number): Promise<void> =>
  retrying(async () => {
    const read = await milestoneAndJob(tenantId, jobId, id);
    const milestone = expectVersion(read.milestone, expectedVersion, 'milestone');
    await dropMilestone(tenantId, milestone, removeMilestone(read.job, milestone, clock.now()), read.job);
  });

/** Puts the job's milestones in the order of `ids` (If-Match: the job's ETag); the same order writes nothing. */
export const reorderMilestones = (tenantId: string, jobId: string, ids: string[], expectedVersion?: number): Promise<Job> =>
  retrying(async () => {
    const job = expectVersion(await getJob(tenantId, jobId), expectedVersion, 'job');
    const next = reordered(job, ids, clock.now());
    if (next !== job) await saveJob(tenantId, next, job);
    return next;
  });

export interface MilestonePage {
  job: Job;
  items: PositionedMilestone[];
  nextCursor: string | null;
}

// A page goes on after the last milestone of the one before; should that one be gone, at its position.
type Resume = [lastId: string, position: number];

const listing = (tenantId: string, jobId: string): string => JSON.stringify([tenantId, 'milestones', jobId]);

const invalidCursor = (): DomainError =>
  new DomainError('invalid', 'INVALID_CURSOR', 'The cursor is not one this listing returned', [
    { field: 'cursor', code: 'invalid_cursor', message: 'not a cursor of this listing' },
  ]);

const startOf = (job: Job, tenantId: string, cursor: string | undefined): number => {
  if (cursor === undefined) return 0;
  const resume = openCursor(cursor, listing(tenantId, job.id)) as Resume | undefined;
  if (!resume) throw invalidCursor();
  const [lastId, position] = resume;
  return positionOf(job, lastId) ?? position;
};

/**
 * A page of the job's milestones in their order. Pages follow the order as it is when each is read:
 * a reorder between pages may show a milestone twice or skip one (read the job for the whole tracker).
 */
export const listMilestones = async (tenantId: string, jobId: string, limit: number, cursor?: string): Promise<MilestonePage> => {
  const first = await getJob(tenantId, jobId);
  const start = startOf(first, tenantId, cursor);
  const pageIds = (job: Job): string[] => planIds(job).slice(start, start + limit);
  const read = await readConsistently(tenantId, first, (job) => getMilestones(tenantId, job.id, pageIds(job)), pageIds);
  const last = read.milestones.at(-1);
  const more = last !== undefined && last.position < planIds(read.job).length;
  return {
    job: read.job,
    items: read.milestones,
    nextCursor: more ? sealCursor([last.id, last.position] satisfies Resume, listing(tenantId, jobId)) : null,
  };
};
