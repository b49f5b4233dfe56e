import { clock } from '../adapters/clock.js';
import { decide, type ApprovalOutcome, type ApprovalRequest, type DecisionEvidence } from '../domain/approval.js';
import { putApprovalRequest } from '../store/approval.store.js';
import { decideChangeOrder } from './change-order.service.js';
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
