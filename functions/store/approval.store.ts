import type { ApprovalRequest } from '../domain/approval.js';
import { getItem, putVersioned } from './aggregate.js';
import { keys } from './keys.js';
import { write, type WriteAction } from './write.js';

export const getApprovalRequest = (tenantId: string, id: string): Promise<ApprovalRequest> =>
  getItem<ApprovalRequest>(keys.approvalRequest(tenantId, id), 'approval_request');

/**
 * The request's next version (new when `previous` is null) as an action of the transaction that
 * changes its subject: a decision is one conditional write of the request and what it decides.
 */
export const putApprovalRequest = (tenantId: string, request: ApprovalRequest, previous: ApprovalRequest | null): WriteAction =>
  putVersioned('approval_request', { ...keys.approvalRequest(tenantId, request.id), ...request }, previous?.version ?? null);

/** Writes the request's next version, on condition of the one read, with `extra` in the same transaction. */
export const saveApprovalRequest = (
  tenantId: string,
  request: ApprovalRequest,
  previous: ApprovalRequest,
  extra: WriteAction[] = [],
): Promise<void> => write(putApprovalRequest(tenantId, request, previous), ...extra);
