import { clock } from '../adapters/clock.js';
import {
  addCharge as withCharge,
  findCharge,
  removeCharge as withoutCharge,
  reorderCharges as inOrder,
  updateCharge as withChargeChanged,
  type ChargeFields,
} from '../domain/charge.js';
import { DomainError, expectVersion, unknownReference } from '../domain/errors.js';
import {
  closeJob as closed,
  createJob as newJob,
  masterJobIdOf,
  reopenJob as reopened,
  updateJob as changedJob,
  type Charge,
  type Job,
  type JobFields,
  type JobPatch,
} from '../domain/job.js';
import { assertMasterDeletable, assertMasterOpen, assertPhasesClosed, givePhaseBack } from '../domain/phases.js';
import { getCustomer } from '../store/customer.store.js';
import {
  deleteJob as removeJob,
  deletePhase,
  getJob,
  getPhases,
  listJobs,
  saveJob,
  saveMasterClosed,
  saveReopenedPhase,
} from '../store/job.store.js';
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
 * saves it on condition that nobody changed the job meanwhile. A lost race reads again and applies
 * the change to the new version: with If-Match that is a 412, without it the change is made
 * unless the new state refuses it.
 */
const changeJob = (
  tenantId: string,
  id: string,
  expectedVersion: number | undefined,
  change: (job: Job, now: Date) => Job,
): Promise<Job> =>
  retrying(async () => {
    const job = expectVersion(await getJob(tenantId, id), expectedVersion, 'job');
    const next = change(job, clock.now());
    // A change that changes nothing (the order the charges have already) writes nothing.
    if (next !== job) await saveJob(tenantId, next, job);
    return next;
  });

/** The charge `chargeId` of the job, and the job it is in (its version is the charge's ETag). */
export interface ChargeOfJob {
  job: Job;
  charge: Charge;
}

const chargeOf = (job: Job, chargeId: string): ChargeOfJob => ({ job, charge: findCharge(job, chargeId) });

export const updateJob = (tenantId: string, id: string, patch: JobPatch, expectedVersion?: number): Promise<Job> =>
  changeJob(tenantId, id, expectedVersion, (job, now) => changedJob(job, patch, now));

/** A master closes once its phases are closed, checked in the transaction that closes it. */
export const closeJob = (tenantId: string, id: string, expectedVersion?: number): Promise<Job> =>
  retrying(async () => {
    const job = expectVersion(await getJob(tenantId, id), expectedVersion, 'job');
    const next = closed(job, clock.now());
    const phases = await getPhases(tenantId, job);
    assertPhasesClosed(phases);
    await saveMasterClosed(tenantId, next, job, phases);
    return next;
  });

/** A phase reopens while its master is open, checked in the transaction that reopens it. */
export const reopenJob = (tenantId: string, id: string, expectedVersion?: number): Promise<Job> =>
  retrying(async () => {
    const job = expectVersion(await getJob(tenantId, id), expectedVersion, 'job');
    const next = reopened(job, clock.now());
    const masterId = masterJobIdOf(job);
    if (masterId === null) await saveJob(tenantId, next, job);
    else {
      assertMasterOpen(await getJob(tenantId, masterId));
      await saveReopenedPhase(tenantId, next, job);
    }
    return next;
  });

/** The charge id is drawn once, so that a retry after a lost race adds the same charge, not another. */
export const addCharge = async (
  tenantId: string,
  jobId: string,
  input: ChargeFields,
  expectedVersion?: number,
): Promise<ChargeOfJob> => {
  const id = newId('chg');
  const job = await changeJob(tenantId, jobId, expectedVersion, (current, now) => withCharge(current, input, id, now));
  return chargeOf(job, id);
};

export const getCharge = async (tenantId: string, jobId: string, chargeId: string): Promise<ChargeOfJob> =>
  chargeOf(await getJob(tenantId, jobId), chargeId);

export const updateCharge = async (
  tenantId: string,
  jobId: string,
  chargeId: string,
  patch: Partial<ChargeFields>,
  expectedVersion?: number,
): Promise<ChargeOfJob> =>
  chargeOf(
    await changeJob(tenantId, jobId, expectedVersion, (job, now) => withChargeChanged(job, chargeId, patch, now)),
    chargeId,
  );

/** The same charges, billed to date and all, in the order of `ids` (every charge of the job once). */
export const reorderCharges = (tenantId: string, jobId: string, ids: string[], expectedVersion?: number): Promise<Job> =>
  changeJob(tenantId, jobId, expectedVersion, (job, now) => inOrder(job, ids, now));

export const removeCharge = (tenantId: string, jobId: string, chargeId: string, expectedVersion?: number): Promise<Job> =>
  changeJob(tenantId, jobId, expectedVersion, (job, now) => withoutCharge(job, chargeId, now));

/**
 * Read again on every attempt: a job that got an invoice meanwhile is then refused for it. A master
 * goes with its phases; a phase gives its charges back to its master.
 */
export const deleteJob = (tenantId: string, id: string, expectedVersion?: number): Promise<void> =>
  retrying(async () => {
    const job = expectVersion(await getJob(tenantId, id), expectedVersion, 'job');
    const masterId = masterJobIdOf(job);
    if (masterId !== null) {
      const master = await getJob(tenantId, masterId);
      await deletePhase(tenantId, job, givePhaseBack(master, job, clock.now()), master);
      return;
    }
    const phases = await getPhases(tenantId, job);
    assertMasterDeletable(job, phases);
    await removeJob(tenantId, job, phases);
  });

export { getJob, listJobs };
