import { clock } from '../adapters/clock.js';
import { decide, supersede, type ApprovalOutcome, type ApprovalRequest, type DecisionEvidence } from '../domain/approval.js';
import { DomainError, expectVersion } from '../domain/errors.js';
import type { Job } from '../domain/job.js';
import {
  applyDecision,
  askApproval,
  completeMilestone as completed,
  nextStatus,
  positionOf,
  startBilling,
  type Milestone,
} from '../domain/milestone.js';
import { getApprovalRequest, putApprovalRequest } from '../store/approval.store.js';
import { getCustomer } from '../store/customer.store.js';
import { saveMilestone } from '../store/milestone.store.js';
import { getTenant } from '../store/tenant.store.js';
import { oweStart, type OwedStart } from '../store/workflow-start.store.js';
import type { WriteAction } from '../store/write.js';
import { emailApprovalLink, newApprovalRequest, recipientOf, scheduleApprovalTimers } from './approval-requests.js';
import { newId } from './ids.js';
import { milestoneAndJob, type PositionedMilestone } from './milestone.service.js';
import { retrying } from './retry.js';
import { owedStart, startOwed } from './workflow-starts.js';

/** What a step of the milestone-billing workflow is given: the milestone's billing round (workflows/milestone-billing.asl.json). */
export interface BillingRound {
  tenantId: string;
  jobId: string;
  milestoneId: string;
  round: number;
  invoiceId: string;
}

/** The round the milestone's billing is at, as the workflow's input. */
export const roundOf = (tenantId: string, m: Milestone): BillingRound => ({
  tenantId,
  jobId: m.jobId,
  milestoneId: m.id,
  round: m.billing!.round,
  invoiceId: m.billing!.invoiceId,
});

/** The execution of a round is named by the milestone and the round: a second start of it is a no-op. */
const billingStart = (tenantId: string, m: Milestone, now: Date): OwedStart =>
  owedStart(tenantId, 'milestone-billing', `milestone-${m.id}-${m.billing!.round}`, roundOf(tenantId, m), now);

const positioned = (job: Job, m: Milestone): PositionedMilestone => ({ ...m, position: positionOf(job, m.id)! });

interface Decided {
  job: Job;
  milestone: Milestone;
  start?: OwedStart;
  /** A link to email, after the write. */
  link?: { request: ApprovalRequest; token: string };
}

/**
 * One write of the milestone's next version and what it decides beside it, on condition of the
 * milestone read and of the job not being billed; then the workflow start it owes is made and
 * the approval link it asks for is emailed.
 */
const commit = async (
  tenantId: string,
  job: Job,
  previous: Milestone,
  decided: Omit<Decided, 'job'>,
  extra: WriteAction[] = [],
): Promise<Decided> => {
  const { milestone, start, link } = decided;
  await saveMilestone(tenantId, { job, previousJob: job, milestone, previous }, [
    ...extra,
    ...(start ? [oweStart(start)] : []),
    ...(link ? [putApprovalRequest(tenantId, link.request, null)] : []),
  ]);
  return { job, ...decided };
};

/** After the write: the start made, the link emailed. Neither can undo the decision; each is made good later if it fails. */
const follow = async (tenantId: string, { job, milestone, start, link }: Decided): Promise<PositionedMilestone> => {
  if (start) await startOwed(start);
  if (link) {
    const [tenant, customer] = await Promise.all([getTenant(tenantId), getCustomer(tenantId, job.customerId)]);
    await emailApprovalLink(link.request, link.token, {
      business: { name: tenant.name },
      job: { name: job.name },
      customer: { name: customer.name },
      subject: { kind: 'milestone', name: milestone.name, amount: milestone.amount, currency: job.currency },
      note: milestone.completionNote,
    });
  }
  return positioned(job, milestone);
};

/** The approval request the milestone asks for now, with a link to email to its approver or the job's customer. */
const askFor = async (tenantId: string, job: Job, m: Milestone, requestId: string, now: Date) => {
  const [tenant, customer] = await Promise.all([getTenant(tenantId), getCustomer(tenantId, job.customerId)]);
  const link = newApprovalRequest(
    tenantId,
    requestId,
    { kind: 'milestone', jobId: job.id, milestoneId: m.id },
    recipientOf(m.approverEmail, customer.email),
    tenant.settings,
    now,
  );
  await scheduleApprovalTimers(tenantId, link.request);
  return link;
};

/**
 * The work is done (`note` says what was done). A milestone that needs no approval starts its
 * billing at once; one that does asks its approver by email (the link is made here, the approver's
 * address must be known: 422 `NO_RECIPIENT`). The ids are drawn once, so that a retry after a lost
 * race makes the same round and request.
 */
export const completeMilestone = async (
  tenantId: string,
  jobId: string,
  id: string,
  note: string | null,
  expectedVersion?: number,
): Promise<PositionedMilestone> => {
  const invoiceId = newId('inv');
  const requestId = newId('apr');
  const decided = await retrying(async () => {
    const { job, milestone } = await milestoneAndJob(tenantId, jobId, id);
    const previous = expectVersion(milestone, expectedVersion, 'milestone');
    const now = clock.now();
    const done = completed(previous, note, now);
    if (!done.requiresClientApproval) {
      const billing = startBilling(done, invoiceId, now);
      return commit(tenantId, job, previous, { milestone: billing, start: billingStart(tenantId, billing, now) });
    }
    const link = await askFor(tenantId, job, done, requestId, now);
    return commit(tenantId, job, previous, { milestone: askApproval(done, link.request, now), link });
  });
  return follow(tenantId, decided);
};

/**
 * A new link for a milestone awaiting approval (the first mail went astray, or it expired): the
 * request still pending is superseded, so its link no longer decides anything.
 */
export const resendApproval = async (tenantId: string, jobId: string, id: string): Promise<PositionedMilestone> => {
  const requestId = newId('apr');
  const decided = await retrying(async () => {
    const { job, milestone } = await milestoneAndJob(tenantId, jobId, id);
    if (milestone.status !== 'awaiting_approval' || !milestone.approval) {
      throw new DomainError(
        'conflict',
        'MILESTONE_NOT_AWAITING_APPROVAL',
        `The milestone is ${milestone.status}, not awaiting approval`,
      );
    }
    const now = clock.now();
    const old = await getApprovalRequest(tenantId, milestone.approval.requestId);
    const link = await askFor(tenantId, job, milestone, requestId, now);
    return commit(tenantId, job, milestone, { milestone: askApproval(milestone, link.request, now), link }, [
      putApprovalRequest(tenantId, supersede(old), old),
    ]);
  });
  return follow(tenantId, decided);
};

/**
 * Decides the milestone's approval request for the client: approving starts its billing, a revision
 * sends it back to work. The request, the milestone and the start owed are one conditional write,
 * so of two decisions at once (the portal's and staff's) exactly one is made; the other is refused
 * (409 `APPROVAL_DECIDED`) when it reads again.
 */
export const decideMilestoneRequest = async (
  tenantId: string,
  { jobId, milestoneId }: { jobId: string; milestoneId: string },
  requestId: string,
  outcome: ApprovalOutcome,
  evidence: DecisionEvidence,
): Promise<PositionedMilestone> => {
  const invoiceId = newId('inv');
  const decided = await retrying(async () => {
    // The milestone before the request: a decision that lands between the reads then shows on the
    // request (409 APPROVAL_DECIDED), and one after them fails the write, which reads again.
    const { job, milestone } = await milestoneAndJob(tenantId, jobId, milestoneId);
    const request = await getApprovalRequest(tenantId, requestId);
    if (request.subject.kind !== 'milestone' || request.subject.milestoneId !== milestoneId) {
      throw new DomainError('conflict', 'APPROVAL_DECIDED', "The approval request is not the milestone's open request");
    }
    const now = clock.now();
    const next = decide(request, outcome, evidence, now);
    const applied = applyDecision(milestone, next, now);
    const billing = outcome === 'approve' ? startBilling(applied, invoiceId, now) : applied;
    return commit(
      tenantId,
      job,
      milestone,
      { milestone: billing, ...(billing === applied ? {} : { start: billingStart(tenantId, billing, now) }) },
      [putApprovalRequest(tenantId, next, request)],
    );
  });
  return follow(tenantId, decided);
};

/** Staff decide for the client (the milestone's open request), recorded as staff's decision. */
export const decideForClient = async (
  tenantId: string,
  jobId: string,
  id: string,
  outcome: Extract<ApprovalOutcome, 'approve' | 'request_revision'>,
  comment: string | null,
): Promise<PositionedMilestone> => {
  const { milestone } = await milestoneAndJob(tenantId, jobId, id);
  // From any other status the state machine says why not (a milestone that is pending cannot approve).
  if (milestone.status !== 'awaiting_approval' || !milestone.approval)
    nextStatus(milestone, outcome === 'approve' ? 'approve' : 'request_revision');
  return decideMilestoneRequest(tenantId, { jobId, milestoneId: id }, milestone.approval!.requestId, outcome, {
    by: 'staff',
    at: clock.now().toISOString(),
    ip: null,
    userAgent: null,
    comment,
  });
};

/**
 * Starts billing again after a round failed (its `billingError` says why): a new round of the same
 * invoice, run from the start; its steps find what the failed round did and go on from there.
 */
export const retryBilling = async (tenantId: string, jobId: string, id: string): Promise<PositionedMilestone> => {
  const invoiceId = newId('inv');
  const decided = await retrying(async () => {
    const { job, milestone } = await milestoneAndJob(tenantId, jobId, id);
    if (milestone.billing?.state === 'done') {
      throw new DomainError('conflict', 'MILESTONE_BILLED', 'The milestone is billed: its invoice was issued and sent');
    }
    const now = clock.now();
    const billing = startBilling(milestone, invoiceId, now);
    return commit(tenantId, job, milestone, { milestone: billing, start: billingStart(tenantId, billing, now) });
  });
  return follow(tenantId, decided);
};
