import { clock } from '../adapters/clock.js';
import { expectVersion, notFound } from '../domain/errors.js';
import { invoiceEvent } from '../domain/event.js';
import type { Invoice, Payment } from '../domain/invoice.js';
import { applyCredits } from '../domain/invoice-credits.js';
import { recordPayment as withPayment, transition, type NewPayment } from '../domain/invoice-lifecycle.js';
import { applyInvoice } from '../domain/job-ledger.js';
import { paidNet } from '../domain/invoice.js';
import { touched } from '../domain/job.js';
import { assertMayVoid } from '../domain/partial-invoice-reversal.js';
import { amount, toAmountString } from '../domain/money.js';
import { getInvoice, saveInvoice } from '../store/invoice.store.js';
import { getTenant } from '../store/tenant.store.js';
import { ledgerJob, sourceActions } from './billing-source.js';
import { correctedInvoices } from './corrected-invoices.js';
import { newId } from './ids.js';
import { retrying } from './retry.js';

/** Approve (accounting integration) or post: the invoice alone changes. */
export const moveInvoice = (
  tenantId: string,
  id: string,
  action: 'approve' | 'post',
  expectedVersion?: number,
): Promise<Invoice> =>
  retrying(async () => {
    const [invoice, { settings }] = await Promise.all([getInvoice(tenantId, id), getTenant(tenantId)]);
    const next = transition(expectVersion(invoice, expectedVersion, 'invoice'), action, settings, clock.now());
    await saveInvoice(tenantId, { next, previous: invoice });
    return next;
  });

/**
 * Voids an invoice that is not exported: it keeps its number, its job's ledger forgets it, and a
 * correction gives back what it credited against the invoices it names.
 */
export const voidInvoice = (tenantId: string, id: string, expectedVersion?: number): Promise<Invoice> =>
  retrying(async () => {
    const [invoice, { settings }] = await Promise.all([getInvoice(tenantId, id), getTenant(tenantId)]);
    assertMayVoid(invoice);
    const now = clock.now();
    const voided = transition(expectVersion(invoice, expectedVersion, 'invoice'), 'void', settings, now);
    const [job, corrected, source] = await Promise.all([
      ledgerJob(tenantId, invoice),
      correctedInvoices(tenantId, invoice.lines),
      sourceActions(tenantId, invoice, 'void', now),
    ]);
    await saveInvoice(
      tenantId,
      { next: voided, previous: invoice },
      job ? { next: applyInvoice(job, invoice, -1, now), previous: job } : undefined,
      [invoiceEvent('invoice.voided', voided, newId('evt'), now)],
      applyCredits(invoice, corrected, -1, now),
      source,
    );
    return voided;
  });

/** The payment recorded (or, for a retry of one, the payment recorded first) and the invoice it leaves. */
export interface RecordedPayment {
  payment: Payment;
  invoice: Invoice;
}

/**
 * Records a payment; the job's paid to date moves by the payment's net share, and a milestone billed
 * by an invoice now paid in full becomes paid, in the same transaction.
 */
export const recordPayment = (tenantId: string, id: string, payment: NewPayment): Promise<RecordedPayment> =>
  retrying(async () => {
    const [invoice, { settings }] = await Promise.all([getInvoice(tenantId, id), getTenant(tenantId)]);
    const now = clock.now();
    const paid = withPayment(invoice, payment, newId('pay'), now, settings.timeZone);
    if (paid === invoice) {
      const first = invoice.payments.find((p) => p.idempotencyKey === payment.idempotencyKey)!;
      return { payment: first, invoice };
    }
    // The amount as recorded (in the currency's minor units), not as the request wrote it.
    const recorded = paid.payments.at(-1)!;
    const events = [invoiceEvent('payment.recorded', paid, newId('evt'), now, recorded.amount)];
    const paidInFull = paid.paymentStatus === 'paid' && invoice.paymentStatus !== 'paid';
    if (paid.paymentStatus === 'paid') events.push(invoiceEvent('invoice.paid', paid, newId('evt'), now));
    const [job, source] = await Promise.all([
      ledgerJob(tenantId, invoice),
      paidInFull ? sourceActions(tenantId, paid, 'pay', now) : [],
    ]);
    const paidToDate = job && amount(job.paidToDate).plus(paidNet(paid)).minus(paidNet(invoice));
    const nextJob = job &&
      paidToDate && { next: touched(job, now, { paidToDate: toAmountString(paidToDate, job.currency) }), previous: job };
    await saveInvoice(tenantId, { next: paid, previous: invoice }, nextJob ?? undefined, events, [], source);
    return { payment: recorded, invoice: paid };
  });

/** One payment of an invoice, and the invoice. */
export const getPayment = async (tenantId: string, invoiceId: string, paymentId: string): Promise<RecordedPayment> => {
  const invoice = await getInvoice(tenantId, invoiceId);
  const payment = invoice.payments.find((p) => p.id === paymentId);
  if (!payment) throw notFound('payment');
  return { payment, invoice };
};
