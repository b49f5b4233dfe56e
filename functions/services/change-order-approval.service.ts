import { clock } from '../adapters/clock.js';
import { supersede } from '../domain/approval.js';
import type { ChangeOrder } from '../domain/change-order.js';
import { projectValue, type Job } from '../domain/job.js';
import { toAmountString } from '../domain/money.js';
import { getApprovalRequest, putApprovalRequest } from '../store/approval.store.js';
import { getCustomer } from '../store/customer.store.js';
import { getJob } from '../store/job.store.js';
import { getMilestones } from '../store/milestone.store.js';
import { getTenant } from '../store/tenant.store.js';
import { emailApprovalLink, newApprovalRequest, recipientOf, scheduleApprovalTimers } from './approval-requests.js';
import { getChangeOrder, markSent } from './change-order.service.js';
import { newId } from './ids.js';

/** One change as the client reads it: the milestone before and after, by name and amount. */
export interface ChangeLine {
  op: 'add' | 'modify' | 'remove';
  milestoneName: string;
  before: { name: string; amount: string } | null;
  after: { name: string; amount: string } | null;
}

/** What a change order changes, as the client reads it, and the job's project value before and after it. */
export const changeLines = async (
  tenantId: string,
  job: Job,
  co: ChangeOrder,
): Promise<{ changes: ChangeLine[]; currency: string; projectValueBefore: string; projectValueAfter: string }> => {
  const named = co.changes.flatMap((c) => (c.op === 'add' ? [] : [c.milestoneId]));
  const current = await getMilestones(tenantId, job.id, named);
  const money = (value: string) => toAmountString(value, job.currency);
  let after = projectValue(job);
  const changes = co.changes.map((change): ChangeLine => {
    if (change.op === 'add') {
      after = after.plus(change.milestone.amount);
      const added = { name: change.milestone.name, amount: money(change.milestone.amount) };
      return { op: change.op, milestoneName: added.name, before: null, after: added };
    }
    const m = current.get(change.milestoneId);
    const before = m ? { name: m.name, amount: m.amount } : null;
    if (change.op === 'remove') {
      if (m) after = after.minus(m.amount);
      return { op: change.op, milestoneName: m?.name ?? change.milestoneId, before, after: null };
    }
    const name = change.fields.name ?? m?.name ?? change.milestoneId;
    const amount = change.fields.amount ?? m?.amount ?? '0';
    if (m) after = after.minus(m.amount).plus(amount);
    return { op: change.op, milestoneName: m?.name ?? name, before, after: { name, amount: money(amount) } };
  });
  return {
    changes,
    currency: job.currency,
    projectValueBefore: money(projectValue(job).toFixed()),
    projectValueAfter: money(after.toFixed()),
  };
};

/**
 * Emails the client a portal link to approve or reject the change order (`to`, else the job's
 * customer: 422 `NO_RECIPIENT` without one). The request and the change order's `sent` are one
 * write; a link sent before and still pending is superseded by it, so it decides nothing any more.
 */
export const sendChangeOrder = async (tenantId: string, id: string, to?: string): Promise<ChangeOrder> => {
  const requestId = newId('apr');
  const co = await getChangeOrder(tenantId, id);
  const [tenant, job] = await Promise.all([getTenant(tenantId), getJob(tenantId, co.jobId)]);
  const customer = await getCustomer(tenantId, job.customerId);
  const { request, token } = newApprovalRequest(
    tenantId,
    requestId,
    { kind: 'change_order', jobId: job.id, changeOrderId: id },
    recipientOf(to ?? null, customer.email),
    tenant.settings,
    clock.now(),
  );
  await scheduleApprovalTimers(tenantId, request);
  const previous = co.approval ? await getApprovalRequest(tenantId, co.approval.requestId) : undefined;
  const sent = await markSent(tenantId, id, { requestId, recipient: request.recipient, expiresAt: request.expiresAt }, [
    putApprovalRequest(tenantId, request, null),
    ...(previous ? [putApprovalRequest(tenantId, supersede(previous), previous)] : []),
  ]);
  const { projectValueAfter } = await changeLines(tenantId, job, sent);
  await emailApprovalLink(request, token, {
    business: { name: tenant.name },
    job: { name: job.name },
    customer: { name: customer.name },
    subject: { kind: 'change_order', name: sent.description, amount: projectValueAfter, currency: job.currency },
  });
  return sent;
};
