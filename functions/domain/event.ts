import type { Invoice } from './invoice.js';

export type EventType = 'invoice.issued' | 'invoice.voided' | 'invoice.paid' | 'payment.recorded' | 'invoice.late_fee_added';

/**
 * A fact about billing, written in the same transaction as the change it records, so that a
 * client polling the event feed never misses one and never sees one that did not happen.
 */
export interface BillingEvent {
  id: string;
  type: EventType;
  invoiceId: string;
  /** The invoice's billing source: a job or an accumulating profile (the other is null). */
  jobId: string | null;
  profileId: string | null;
  customerId: string;
  number: string | null;
  currency: string;
  /** The amount the event is about: the invoice's gross, the payment's amount, or the late fee's. */
  amount: string;
  createdAt: string;
}

export const invoiceEvent = (
  type: EventType,
  invoice: Invoice,
  id: string,
  now: Date,
  amount = invoice.totals.gross,
): BillingEvent => ({
  id,
  type,
  invoiceId: invoice.id,
  jobId: invoice.jobId,
  profileId: invoice.profileId,
  customerId: invoice.customerId,
  number: invoice.number,
  currency: invoice.currency,
  amount,
  createdAt: now.toISOString(),
});
