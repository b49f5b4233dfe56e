import * as z from '../shared/zod.js';
import { clock } from '../adapters/clock.js';
import { mailer } from '../adapters/mailer.js';
import { expire, isDeemedAccepted, remind, reminderSent, type ApprovalRequest } from '../domain/approval.js';
import { DomainError } from '../domain/errors.js';
import { isAsSent } from '../domain/estimate.js';
import { showApproval } from '../domain/milestone.js';
import { mailConfig } from '../shared/config.js';
import { logger } from '../shared/logger.js';
import { getApprovalRequest, saveApprovalRequest } from '../store/approval.store.js';
import { getCustomer } from '../store/customer.store.js';
import { getEstimate } from '../store/estimate.store.js';
import { getJob } from '../store/job.store.js';
import { getMilestone, putMilestone } from '../store/milestone.store.js';
import { getTenant } from '../store/tenant.store.js';
import { decideRequest } from './approval-decisions.js';
import { changeLines } from './change-order-approval.service.js';
import { getChangeOrder } from './change-order.service.js';
import { estimateEmailView } from './estimate-approval.service.js';
import { approvalEmail, type ApprovalEmailView } from './documents/approval-email.js';
import { approvalLink, newLink } from './portal-links.js';

// The targets of an approval request's schedules (approvalSchedules in approval-requests.ts). Each is
// safe to run twice for one scheduled time, and does nothing for a request decided, superseded or gone.

const timerInput = z.object({ tenantId: z.string().check(z.minLength(1)), requestId: z.string().check(z.minLength(1)) });

const isNotFound = (error: unknown): boolean => error instanceof DomainError && error.kind === 'not_found';

/**
 * A timer's work on its request, run only while there is something to do it on: nothing for a
 * request never written (its request lost a race) or gone, and nothing for one whose subject is gone
 * (its milestone, change order, job or estimate deleted since it was asked): such a fire would fail
 * on every retry, so it is logged and done, not retried into the dead-letter queue.
 */
const onRequest =
  (work: (tenantId: string, request: ApprovalRequest, scheduledTime: Date) => Promise<void>) =>
  async (input: Record<string, unknown>, scheduledTime: Date): Promise<void> => {
    const { tenantId, requestId } = timerInput.parse(input);
    const request = await getApprovalRequest(tenantId, requestId).catch((error: unknown) => {
      if (isNotFound(error)) return undefined;
      throw error;
    });
    if (!request) return;
    await work(tenantId, request, scheduledTime).catch((error: unknown) => {
      if (!isNotFound(error)) throw error;
      logger.info('approval timer: its subject is gone', { tenantId, requestId, code: (error as DomainError).code });
    });
  };

/** What the approval mail shows of the request's subject, as it is now. */
const emailView = async (tenantId: string, request: ApprovalRequest): Promise<Omit<ApprovalEmailView, 'link' | 'expiresAt'>> => {
  if (request.subject.kind === 'estimate')
    return estimateEmailView(tenantId, await getEstimate(tenantId, request.subject.estimateId));
  const job = await getJob(tenantId, request.subject.jobId);
  const [tenant, customer] = await Promise.all([getTenant(tenantId), getCustomer(tenantId, job.customerId)]);
  const common = { business: { name: tenant.name }, job: { name: job.name }, customer: { name: customer.name } };
  if (request.subject.kind === 'milestone') {
    const m = await getMilestone(tenantId, job.id, request.subject.milestoneId);
    return {
      ...common,
      subject: { kind: 'milestone', name: m.name, amount: m.amount, currency: job.currency },
      note: m.completionNote,
    };
  }
  const co = await getChangeOrder(tenantId, request.subject.changeOrderId);
  const { projectValueAfter } = await changeLines(tenantId, job, co);
  return {
    ...common,
    subject: { kind: 'change_order', name: co.description, amount: projectValueAfter, currency: job.currency },
  };
};

/**
 * Reminds an undecided request once, by email with a link of its own (the first one still works;
 * either decides the request). The link is recorded first, then mailed, then marked sent: a mail
 * that fails fails the fire, which Scheduler retries with a new link; one sent is never sent again.
 */
export const remindApproval = onRequest(async (tenantId, request) => {
  const { token, secretHash } = newLink(tenantId, request.id);
  const reminding = remind(request, secretHash, clock.now());
  if (reminding === request) return;
  // An estimate changed since it was sent: its link decides nothing (until sent again), so it is not recalled.
  if (request.subject.kind === 'estimate' && !isAsSent(await getEstimate(tenantId, request.subject.estimateId))) return;
  // The subject read first: one gone since records no reminder.
  const view = await emailView(tenantId, request);
  await saveApprovalRequest(tenantId, reminding, request);
  const { subject, text, html } = approvalEmail({
    ...view,
    link: approvalLink(token),
    expiresAt: reminding.expiresAt,
    reminder: true,
  });
  await mailer().send({ from: mailConfig().mailFrom, to: [reminding.recipient], subject, text, html, attachments: [] });
  await saveApprovalRequest(tenantId, reminderSent(reminding, clock.now()), reminding);
});

/** An undecided request past its expiry is expired: its links say so, and a milestone shows it. */
export const expireApproval = onRequest(async (tenantId, request, scheduledTime) => {
  const expired = expire(request, scheduledTime);
  if (expired === request) return;
  const { subject } = request;
  const milestone = subject.kind === 'milestone' ? await getMilestone(tenantId, subject.jobId, subject.milestoneId) : undefined;
  const shown = milestone && showApproval(milestone, expired, clock.now());
  await saveApprovalRequest(
    tenantId,
    expired,
    request,
    shown && shown !== milestone ? [putMilestone(tenantId, shown, milestone)] : [],
  );
});

/**
 * An undecided request counts as approved once the tenant's `deemedAcceptanceDays` have passed:
 * decided as the client's approval would be (billing starts), recorded as deemed at that time. A
 * decision made meanwhile stands. One the job's rules refuse (its milestone invoiced or gone, the job
 * billed) would be refused on every retry: it is logged and left undecided, to expire, as a client's
 * approval would be refused; only what may pass on a retry (a lost race, a throttled call) fails the fire.
 */
export const deemApproval = onRequest(async (tenantId, request, scheduledTime) => {
  if (!isDeemedAccepted(request, scheduledTime)) return;
  const evidence = { by: 'deemed' as const, at: request.deemedAcceptedAt!, ip: null, userAgent: null, comment: null };
  await decideRequest(tenantId, request, 'approve', evidence).catch((error: unknown) => {
    // A subject gone is onRequest's to log.
    if (!(error instanceof DomainError) || error.retryable || isNotFound(error)) throw error;
    if (error.code !== 'APPROVAL_DECIDED') {
      logger.warn('deemed acceptance refused', { tenantId, requestId: request.id, code: error.code, reason: error.message });
    }
  });
});
