import { clock } from '../adapters/clock.js';
import { decide, supersede, type ApprovalRequest, type DecisionEvidence } from '../domain/approval.js';
import { addDays, localDate, startOfDay } from '../domain/dates.js';
import { DomainError } from '../domain/errors.js';
import {
  assertAsSent,
  decideEstimate as decided,
  estimateTotals,
  jobOfAcceptance,
  sendEstimate as sent,
  type Estimate,
  type EstimateOutcome,
} from '../domain/estimate.js';
import { getApprovalRequest, putApprovalRequest } from '../store/approval.store.js';
import { getCustomer } from '../store/customer.store.js';
import { getEstimate, saveEstimate } from '../store/estimate.store.js';
import { putJob } from '../store/job.store.js';
import { getTenant } from '../store/tenant.store.js';
import type { ApprovalEmailView } from './documents/approval-email.js';
import {
  emailApprovalLink,
  newApprovalRequest,
  recipientOf,
  scheduleApprovalTimers,
  staffEvidence,
} from './approval-requests.js';
import { newId } from './ids.js';
import { retrying } from './retry.js';

/** The tenant's calendar day now: what `validUntil` is compared with. */
const todayOf = async (tenantId: string, now: Date): Promise<string> =>
  localDate(now, (await getTenant(tenantId)).settings.timeZone);

/** What the approval mail shows of the estimate: its name and its total with tax. */
export const estimateEmailView = async (
  tenantId: string,
  estimate: Estimate,
): Promise<Omit<ApprovalEmailView, 'link' | 'expiresAt'>> => {
  const [tenant, customer] = await Promise.all([getTenant(tenantId), getCustomer(tenantId, estimate.customerId)]);
  return {
    business: { name: tenant.name },
    customer: { name: customer.name },
    subject: {
      kind: 'estimate',
      name: estimate.name,
      amount: estimateTotals(estimate).totals.gross,
      currency: estimate.currency,
    },
  };
};

const requestOf = async (tenantId: string, estimate: Estimate): Promise<ApprovalRequest | undefined> =>
  estimate.approval
    ? getApprovalRequest(tenantId, estimate.approval.requestId).catch((error: unknown) => {
        if (error instanceof DomainError && error.kind === 'not_found') return undefined;
        throw error;
      })
    : undefined;

/**
 * Emails the client a portal link to accept or decline the estimate (`to`, else the customer: 422
 * `NO_RECIPIENT` naming `to` without one). It must offer something (422 `ESTIMATE_EMPTY`), be valid
 * (409 `ESTIMATE_EXPIRED`) and undecided (409 `ESTIMATE_NOT_EDITABLE`), all checked before anything is
 * written. The link lives to the end of `validUntil` in the tenant's calendar, else the tenant's
 * approval expiry. The request and the estimate's `sent` are one write; a link sent before and still
 * pending is superseded by it.
 */
export const sendEstimate = async (tenantId: string, id: string, to?: string): Promise<Estimate> => {
  const requestId = newId('apr');
  const estimate = await getEstimate(tenantId, id);
  const [tenant, customer] = await Promise.all([getTenant(tenantId), getCustomer(tenantId, estimate.customerId)]);
  const now = clock.now();
  const { timeZone } = tenant.settings;
  const validEnd = estimate.validUntil === null ? undefined : startOfDay(addDays(estimate.validUntil, 1), timeZone);
  const { request, token } = newApprovalRequest(
    tenantId,
    requestId,
    { kind: 'estimate', estimateId: id },
    recipientOf(to ?? null, customer.email, 'to'),
    tenant.settings,
    now,
    validEnd,
  );
  const approval = { requestId, recipient: request.recipient, expiresAt: request.expiresAt };
  // Refused before the timers are put: a refused sending leaves nothing behind.
  sent(estimate, approval, localDate(now, timeZone), now);
  await scheduleApprovalTimers(tenantId, request);
  const result = await retrying(async () => {
    const previous = await getEstimate(tenantId, id);
    const before = await requestOf(tenantId, previous);
    const next = sent(previous, approval, await todayOf(tenantId, clock.now()), clock.now());
    await saveEstimate(tenantId, next, previous, [
      putApprovalRequest(tenantId, request, null),
      ...(before && before.status === 'pending' ? [putApprovalRequest(tenantId, supersede(before), before)] : []),
    ]);
    return next;
  });
  await emailApprovalLink(request, token, await estimateEmailView(tenantId, result));
  return result;
};

/**
 * Accepts or declines the estimate, once, with the decision's evidence, in one transaction: the
 * estimate (on condition of its version), the pending approval request decided with it, and for an
 * acceptance the job it makes (a new item whose id is drawn from the estimate's). Of two accepts at
 * once the loser reads again: staff's then answers the accepted estimate (the one job), a client's
 * link is used (409 `APPROVAL_DECIDED`). `viaRequestId` is the portal request the client decides
 * through: it must be the estimate's current one and pending, and the estimate as it was sent (409
 * `ESTIMATE_CHANGED` once edited since: the client decides only what was emailed).
 */
export const decideEstimate = (
  tenantId: string,
  id: string,
  outcome: EstimateOutcome,
  evidence: DecisionEvidence,
  viaRequestId?: string,
): Promise<Estimate> =>
  retrying(async () => {
    const previous = await getEstimate(tenantId, id);
    if (viaRequestId === undefined && outcome === 'approve' && previous.status === 'accepted') return previous;
    const request = await requestOf(tenantId, previous);
    if (viaRequestId !== undefined && request?.id !== viaRequestId) {
      throw new DomainError('conflict', 'APPROVAL_DECIDED', 'The link was replaced by a newer one');
    }
    const now = clock.now();
    const estimate = decided(previous, outcome, evidence, await todayOf(tenantId, now), now);
    if (viaRequestId !== undefined) assertAsSent(previous);
    // Staff decide a request that is still open, or expired (its link then says it is decided, not expired).
    const undecided = request && (request.status === 'pending' || request.status === 'expired');
    const answered = request && (viaRequestId !== undefined || undecided) ? decide(request, outcome, evidence, now) : null;
    await saveEstimate(tenantId, estimate, previous, [
      ...(estimate.status === 'accepted' ? putJob(tenantId, jobOfAcceptance(estimate, now), null) : []),
      ...(answered && request ? [putApprovalRequest(tenantId, answered, request)] : []),
    ]);
    return estimate;
  });

/** Staff accept for the client: the estimate with the job it made (accepting it again answers the same). */
export const acceptEstimate = (tenantId: string, id: string): Promise<Estimate> =>
  decideEstimate(tenantId, id, 'approve', staffEvidence(null));

/** Staff decline for the client, saying why (400 `REASON_REQUIRED` naming `reason`). */
export const declineEstimate = (tenantId: string, id: string, reason: string | null): Promise<Estimate> =>
  decideEstimate(tenantId, id, 'reject', staffEvidence(reason));
