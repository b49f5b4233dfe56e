import { clock } from '../adapters/clock.js';
import {
  addCharge as withCharge,
  removeCharge as withoutCharge,
  updateCharge as withChargeChanged,
  type ChargeFields,
} from '../domain/charge.js';
import { DomainError, expectVersion, unknownReference } from '../domain/errors.js';
import {
  assertDeletable,
  closeJob as closed,
  createJob as newJob,
  reopenJob as reopened,
  updateJob as changedJob,
  type Job,
  type JobFields,
  type JobPatch,
} from '../domain/job.js';
import { getCustomer } from '../store/customer.store.js';
import { deleteJob as removeJob, getJob, listJobs, saveJob } from '../store/job.store.js';
import { newId } from './ids.js';
import { retrying } from './retry.js';

export type NewJob = Omit<JobFields, 'currency'> & { currency?: string };

/** The job bills in its customer's currency unless it names one. */
export const createJob = async (tenantId: string, input: NewJob): Promise<Job> => {
  const customer = await getCustomer(tenantId, input.customerId).catch((error: unknown) => {
    throw error instanceof DomainError && error.kind === 'not_found' ? unknownReference('customer', 'customerId') : error;
  });
  const job = newJob({ ...input, currency: input.currency ?? customer.currency }, newId('job'), clock.now());
  await saveJob(tenantId, job, null);
  return job;
};

/**
 * Loads the job, checks the caller's expected version (If-Match), applies one domain change and
 * saves it on condition that nobody changed the job meanwhile.
 */
const changeJob = async (
  tenantId: string,
  id: string,
  expectedVersion: number | undefined,
  change: (job: Job, now: Date) => Job,
): Promise<Job> => {
  const job = expectVersion(await getJob(tenantId, id), expectedVersion, 'job');
  const next = change(job, clock.now());
  await saveJob(tenantId, next, job);
  return next;
};

export const updateJob = (tenantId: string, id: string, patch: JobPatch, expectedVersion?: number): Promise<Job> =>
  changeJob(tenantId, id, expectedVersion, (job, now) => changedJob(job, patch, now));

export const closeJob = (tenantId: string, id: string, expectedVersion?: number): Promise<Job> =>
  changeJob(tenantId, id, expectedVersion, closed);

export const reopenJob = (tenantId: string, id: string, expectedVersion?: number): Promise<Job> =>
  changeJob(tenantId, id, expectedVersion, reopened);

export const addCharge = (tenantId: string, jobId: string, input: ChargeFields, expectedVersion?: number): Promise<Job> =>
  changeJob(tenantId, jobId, expectedVersion, (job, now) => withCharge(job, input, newId('chg'), now));

export const updateCharge = (
  tenantId: string,
  jobId: string,
  chargeId: string,
  patch: Partial<ChargeFields>,
  expectedVersion?: number,
): Promise<Job> => changeJob(tenantId, jobId, expectedVersion, (job, now) => withChargeChanged(job, chargeId, patch, now));

export const removeCharge = (tenantId: string, jobId: string, chargeId: string, expectedVersion?: number): Promise<Job> =>
  changeJob(tenantId, jobId, expectedVersion, (job, now) => withoutCharge(job, chargeId, now));

/** Read again on every attempt: a job that got an invoice meanwhile is then refused for it. */
export const deleteJob = (tenantId: string, id: string, expectedVersion?: number): Promise<void> =>
  retrying(async () => {
    const job = expectVersion(await getJob(tenantId, id), expectedVersion, 'job');
    assertDeletable(job);
    await removeJob(tenantId, job);
  });

export { getJob, listJobs };
