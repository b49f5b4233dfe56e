import { clock } from '../adapters/clock.js';
import type { DecisionEvidence } from '../domain/approval.js';
import {
  applyChangeOrder,
  assertDeletable,
  decideChangeOrder as decided,
  draftChangeOrder,
  namedMilestoneIds,
  sendChangeOrder,
  type ChangeOrder,
  type ChangeOrderApproval,
  type ChangeOrderInput,
  type ChangeOrderOutcome,
  type ScopeChange,
  type ScopeChangeInput,
} from '../domain/change-order.js';
import { concurrentWrite, DomainError, notFound } from '../domain/errors.js';
import type { Job } from '../domain/job.js';
import { matchesPlan, positionOf, type Milestone } from '../domain/milestone.js';
import type { Page } from '../store/aggregate.js';
import {
  deleteChangeOrder as dropChangeOrder,
  getChangeOrder as readChangeOrder,
  insertChangeOrder,
  listChangeOrders as queryChangeOrders,
  saveChangeOrder,
} from '../store/change-order.store.js';
import { getJob } from '../store/job.store.js';
import { getMilestones } from '../store/milestone.store.js';
import type { WriteAction } from '../store/write.js';
import { newId } from './ids.js';
import { retrying } from './retry.js';

export type { ChangeOrder };

/**
 * The job's milestones that the changes modify or remove, each as the job's plan has it. One read
 * after the job's may meet a write half-way (a milestone and its job are one transaction): that is a
 * lost race, and the use case reads both again. Ids that are not the job's are left to the domain.
 */
const milestonesNamed = async (
  tenantId: string,
  job: Job,
  changes: readonly (ScopeChangeInput | ScopeChange)[],
): Promise<Map<string, Milestone>> => {
  const ids = [...new Set(namedMilestoneIds(changes).filter((id) => positionOf(job, id) !== undefined))];
  if (!ids.length) return new Map();
  const found = await getMilestones(tenantId, job.id, ids);
  if (ids.some((id) => !found.has(id) || !matchesPlan(job, found.get(id)!))) throw concurrentWrite('milestone');
  return found;
};

/** The change order with its job; one whose job is gone (deleted) is gone too. */
const changeOrderAndJob = async (tenantId: string, id: string): Promise<{ changeOrder: ChangeOrder; job: Job }> => {
  const changeOrder = await readChangeOrder(tenantId, id);
  const job = await getJob(tenantId, changeOrder.jobId).catch((error: unknown) => {
    throw error instanceof DomainError && error.kind === 'not_found' ? notFound('change_order') : error;
  });
  return { changeOrder, job };
};

/** The change order id is drawn once, so that a retry after a lost race writes the same change order, not another. */
export const createChangeOrder = async (tenantId: string, jobId: string, input: ChangeOrderInput): Promise<ChangeOrder> => {
  const id = newId('co');
  return retrying(async () => {
    const job = await getJob(tenantId, jobId);
    const milestones = await milestonesNamed(tenantId, job, input.changes);
    const co = draftChangeOrder(job, milestones, input, id, () => newId('mil'), clock.now());
    await insertChangeOrder(tenantId, co, job);
    return co;
  });
};

export const getChangeOrder = async (tenantId: string, id: string): Promise<ChangeOrder> =>
  (await changeOrderAndJob(tenantId, id)).changeOrder;

/** A page of the job's change orders, newest first (404 for a job that does not exist). */
export const listChangeOrders = async (
  tenantId: string,
  jobId: string,
  limit: number,
  cursor?: string,
): Promise<Page<ChangeOrder>> => {
  await getJob(tenantId, jobId);
  return queryChangeOrders(tenantId, jobId, limit, cursor);
};

/** Deletes a draft (409 `CHANGE_ORDER_NOT_DRAFT` once sent or decided). */
export const deleteChangeOrder = (tenantId: string, id: string): Promise<void> =>
  retrying(async () => {
    const { changeOrder } = await changeOrderAndJob(tenantId, id);
    assertDeletable(changeOrder);
    await dropChangeOrder(tenantId, changeOrder);
  });

/**
 * Whether approving the change order now would apply it: the portal asks the client only then (a
 * milestone it changes may have been invoiced or deleted since it was sent, or the job billed).
 */
export const stillApplies = async (tenantId: string, co: ChangeOrder, job: Job): Promise<boolean> => {
  try {
    applyChangeOrder(co, job, await milestonesNamed(tenantId, job, co.changes), clock.now());
    return true;
  } catch (error) {
    if (error instanceof DomainError && !error.retryable) return false;
    throw error;
  }
};

export { staffEvidence } from './approval-requests.js';

/**
 * Sends the change order for the client's approval (`draft -> sent`; a sent one gets the new `approval`
 * in place of the old), after checking that it still applies, so that no client is asked to approve
 * what approving would refuse. `extra` are the caller's actions written in the same transaction (the
 * portal's approval request); they are used as given on every attempt after a lost race.
 */
export const markSent = (
  tenantId: string,
  id: string,
  approval: ChangeOrderApproval,
  extra: WriteAction[] = [],
): Promise<ChangeOrder> =>
  retrying(async () => {
    const { changeOrder: previous, job } = await changeOrderAndJob(tenantId, id);
    const now = clock.now();
    const changeOrder = sendChangeOrder(previous, approval, now);
    applyChangeOrder(previous, job, await milestonesNamed(tenantId, job, previous.changes), now);
    await saveChangeOrder(tenantId, changeOrder, previous, null, extra);
    return changeOrder;
  });

/**
 * Decides a draft or sent change order, once (409 `APPROVAL_DECIDED`), with the decision's evidence.
 * A rejection writes the change order alone. An approval applies every change in the same transaction
 * as the decision: the job's next version (its milestone plan, hence its price), each added milestone,
 * each modified one and each removed one at the version read, or none of it. It is checked against the
 * job and milestones as they are: a milestone invoiced since (409 `MILESTONE_INVOICED`) or a billed job
 * (409 `JOB_BILLED`) refuses it and nothing changes. `alsoWritten` gives the caller's actions written
 * in the same transaction (its approval request decided), made again on every attempt from the change
 * order as read in it, so that a race lost to any of them is run again on fresh reads.
 */
export const decideChangeOrder = (
  tenantId: string,
  id: string,
  outcome: ChangeOrderOutcome,
  evidence: DecisionEvidence,
  alsoWritten: (previous: ChangeOrder, now: Date) => Promise<WriteAction[]> = async () => [],
): Promise<ChangeOrder> =>
  retrying(async () => {
    const { changeOrder: previous, job } = await changeOrderAndJob(tenantId, id);
    const now = clock.now();
    const changeOrder = decided(previous, outcome, evidence, now);
    const extra = await alsoWritten(previous, now);
    const applied =
      outcome === 'approve'
        ? { ...applyChangeOrder(previous, job, await milestonesNamed(tenantId, job, previous.changes), now), previousJob: job }
        : null;
    await saveChangeOrder(tenantId, changeOrder, previous, applied, extra);
    return changeOrder;
  });
