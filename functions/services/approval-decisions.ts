import { decide, type ApprovalOutcome, type ApprovalRequest, type DecisionEvidence } from '../domain/approval.js';
import type { ChangeOrder, ChangeOrderOutcome } from '../domain/change-order.js';
import { getApprovalRequest, putApprovalRequest } from '../store/approval.store.js';
import { decideChangeOrder } from './change-order.service.js';
import { decideEstimate } from './estimate-approval.service.js';
import { decideMilestoneRequest } from './milestone-billing.service.js';

/**
 * The change order decided with its approval request (`requestId`, of its link; or, for staff, the
 * change order's own request as read), both read again on every attempt: one conditional write
 * decides both, and a lost race runs on fresh reads of either. A change order never sent has no request.
 */
const decideChangeOrderWithRequest = (
  tenantId: string,
  id: string,
  outcome: ChangeOrderOutcome,
  evidence: DecisionEvidence,
  requestId: (co: ChangeOrder) => string | undefined,
): Promise<ChangeOrder> =>
  decideChangeOrder(tenantId, id, outcome, evidence, async (co, now) => {
    const ofRequest = requestId(co);
    if (ofRequest === undefined) return [];
    const request = await getApprovalRequest(tenantId, ofRequest);
    return [putApprovalRequest(tenantId, decide(request, outcome, evidence, now), request)];
  });

/**
 * Decides the request and its subject in one conditional write, whoever decides through it (the
 * client through the portal, or its deemed acceptance): a milestone's approval starts its billing, a
 * change order's applies it, an estimate's makes its job. A decision made meanwhile refuses this one
 * (409 `APPROVAL_DECIDED`). Staff decide a subject by its own route (`decideForClient` and below),
 * not through a request, whose checks (the estimate as sent) are the client's.
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
  await decideChangeOrderWithRequest(
    tenantId,
    request.subject.changeOrderId,
    outcome as 'approve' | 'reject',
    evidence,
    () => request.id,
  );
};

/**
 * Staff decide a change order for the client: a sent one's approval request with it, in one write
 * (its links and timers then know it is decided: no reminder asks the client after staff decided);
 * a draft one, never sent, by itself.
 */
export const decideChangeOrderForClient = (
  tenantId: string,
  id: string,
  outcome: ChangeOrderOutcome,
  evidence: DecisionEvidence,
): Promise<ChangeOrder> => decideChangeOrderWithRequest(tenantId, id, outcome, evidence, (co) => co.approval?.requestId);
