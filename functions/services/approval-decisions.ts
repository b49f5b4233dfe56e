import { clock } from '../adapters/clock.js';
import { decide, type ApprovalOutcome, type ApprovalRequest, type DecisionEvidence } from '../domain/approval.js';
import type { ChangeOrder, ChangeOrderOutcome } from '../domain/change-order.js';
import { getApprovalRequest, putApprovalRequest } from '../store/approval.store.js';
import { decideChangeOrder, getChangeOrder } from './change-order.service.js';
import { decideEstimate } from './estimate-approval.service.js';
import { decideMilestoneRequest } from './milestone-billing.service.js';

/**
 * Decides the request and its subject in one conditional write, whoever decides (the client through
 * the portal, or its deemed acceptance): a milestone's approval starts its billing, a change order's
 * applies it, an estimate's makes its job. A decision made meanwhile refuses this one (409 `APPROVAL_DECIDED`).
 */
export const decideRequest = async (
  tenantId: string,
  request: ApprovalRequest,
  outcome: ApprovalOutcome,
  evidence: DecisionEvidence,
): Promise<void> => {
  if (request.subject.kind === 'milestone') {
    await decideMilestoneRequest(tenantId, request.subject, request.id, outcome, evidence);
    return;
  }
  if (request.subject.kind === 'estimate') {
    await decideEstimate(tenantId, request.subject.estimateId, outcome as 'approve' | 'reject', evidence, request.id);
    return;
  }
  // The request is checked and written with the change order: one conditional write decides both.
  const next = decide(request, outcome, evidence, clock.now());
  await decideChangeOrder(tenantId, request.subject.changeOrderId, outcome as 'approve' | 'reject', evidence, [
    putApprovalRequest(tenantId, next, request),
  ]);
};

/**
 * Staff decide a change order for the client: a sent one's approval request with it, in one write
 * (its links and timers then know it is decided: no reminder asks the client after staff decided),
 * a draft one, never sent, by itself.
 */
export const decideChangeOrderForClient = async (
  tenantId: string,
  id: string,
  outcome: ChangeOrderOutcome,
  evidence: DecisionEvidence,
): Promise<ChangeOrder> => {
  const { approval } = await getChangeOrder(tenantId, id);
  if (!approval) return decideChangeOrder(tenantId, id, outcome, evidence);
  await decideRequest(tenantId, await getApprovalRequest(tenantId, approval.requestId), outcome, evidence);
  return getChangeOrder(tenantId, id);
};
