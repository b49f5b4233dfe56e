import { clock } from '../adapters/clock.js';
import type { Invoice } from '../domain/invoice.js';
import { recordPayment as withPayment, transition, type NewPayment } from '../domain/invoice-lifecycle.js';
import { applyInvoice } from '../domain/job-ledger.js';
import { paidNet } from '../domain/invoice.js';
import { touched } from '../domain/job.js';
import { amount, toAmountString } from '../domain/money.js';
import { getInvoice, saveInvoice } from '../store/invoice.store.js';
import { getJob } from '../store/job.store.js';
import { getTenant } from '../store/tenant.store.js';
import { newId } from './ids.js';
import { pinned } from './invoice.service.js';
import { retrying } from './retry.js';

/** Approve (accounting integration) or post: the invoice alone changes. */
export const moveInvoice = (
  tenantId: string,
  id: string,
  action: 'approve' | 'post',
  expectedVersion?: number,
): Promise<Invoice> =>
  retrying(async () => {
    const [invoice, { settings }] = await Promise.all([getInvoice(tenantId, id, true), getTenant(tenantId)]);
    const next = transition(pinned(invoice, expectedVersion), action, settings, clock.now());
    await saveInvoice(tenantId, { next, previousVersion: invoice.version });
    return next;
  });

/** Voids an invoice that is not exported: it keeps its number, and the job's ledger forgets it. */
export const voidInvoice = (tenantId: string, id: string, expectedVersion?: number): Promise<Invoice> =>
  retrying(async () => {
    const [invoice, { settings }] = await Promise.all([getInvoice(tenantId, id, true), getTenant(tenantId)]);
    const now = clock.now();
    const voided = transition(pinned(invoice, expectedVersion), 'void', settings, now);
    const job = await getJob(tenantId, invoice.jobId, true);
    await saveInvoice(
      tenantId,
      { next: voided, previousVersion: invoice.version },
      { next: applyInvoice(job, invoice, -1, now), previousVersion: job.version },
    );
    return voided;
  });

/** Records a payment; the job's paid to date moves by the payment's net share, in the same transaction. */
export const recordPayment = (tenantId: string, id: string, payment: NewPayment): Promise<Invoice> =>
  retrying(async () => {
    const invoice = await getInvoice(tenantId, id, true);
    const now = clock.now();
    const paid = withPayment(invoice, payment, newId('pay'), now);
    const job = await getJob(tenantId, invoice.jobId, true);
    const paidToDate = amount(job.paidToDate).plus(paidNet(paid)).minus(paidNet(invoice));
    const nextJob = touched(job, now, { paidToDate: toAmountString(paidToDate, job.currency) });
    await saveInvoice(
      tenantId,
      { next: paid, previousVersion: invoice.version },
      { next: nextJob, previousVersion: job.version },
    );
    return paid;
  });
