import { addDays } from './dates.js';
import { isIssued, touchedInvoice, withTotals, type Invoice, type InvoiceLine } from './invoice.js';
import { amount, assertPayable, percentOf, roundMoney, toAmountString } from './money.js';
import type { LateFee } from './profile.js';

/** Why no late fee is added: each is final for the fire that found it, so a target logs it and is done. */
export type LateFeeSkip = 'not_issued' | 'reversed' | 'fee_added' | 'not_overdue' | 'paid' | 'no_fee';

export type LateFeeOutcome = { invoice: Invoice; line: InvoiceLine } | { skip: LateFeeSkip; why: string };

/** The day a late fee falls on: the day after the due date (design §5; in the tenant's zone, as the due date is). */
export const lateFeeDate = (dueDate: string): string => addDays(dueDate, 1);

/**
 * Late payment is compensation, not the price of a supply, and is outside the scope of VAT (so it
 * is not taxed): its line is untaxed, which also leaves the tax the invoice was issued with as it was.
 */
const UNTAXED = '0';

const skip = (reason: LateFeeSkip, why: string): LateFeeOutcome => ({ skip: reason, why });

/**
 * The invoice with its late fee: one `late_fee` line, dated the day the fee fell due, of the fee's
 * amount or its percent of the balance due now (rounded to the currency), untaxed; totals and
 * balance derived again. The lines it was issued with never change. Nothing is added to an invoice
 * that is not issued (a draft, a voided one), is reversed, has its late fee already, is not past its
 * due date on `today`, or has nothing left to pay (a payment meanwhile makes the fee not apply).
 */
export const withLateFee = (invoice: Invoice, fee: LateFee, now: Date, today: string): LateFeeOutcome => {
  if (!isIssued(invoice)) return skip('not_issued', `the invoice is ${invoice.status}`);
  if (invoice.reversedBy) return skip('reversed', `the invoice is reversed by ${invoice.reversedBy}`);
  const added = invoice.lines.find((line) => line.kind === 'late_fee');
  if (added) return skip('fee_added', `its late fee was added on ${added.date}`);
  if (!invoice.dueDate || today <= invoice.dueDate) {
    return skip('not_overdue', invoice.dueDate ? `it is due on ${invoice.dueDate}, today is ${today}` : 'it has no due date');
  }
  const { currency } = invoice;
  const balance = amount(invoice.balanceDue);
  if (!balance.gt(0)) return skip('paid', `its balance due is ${invoice.balanceDue}`);
  const charged = fee.percent !== undefined ? percentOf(balance, fee.percent, currency) : roundMoney(fee.amount ?? 0, currency);
  if (!charged.gt(0)) return skip('no_fee', `the fee comes to ${toAmountString(charged, currency)}`);
  const money = toAmountString(charged, currency);
  const line: InvoiceLine = {
    id: `L${invoice.lines.length + 1}`,
    kind: 'late_fee',
    description: fee.percent !== undefined ? `Late fee, ${fee.percent}% of ${invoice.balanceDue} due` : 'Late fee',
    quantity: '1',
    unitPrice: money,
    amount: money,
    taxRate: UNTAXED,
    group: null,
    allocations: [],
    correctsInvoiceId: null,
    date: lateFeeDate(invoice.dueDate),
  };
  const lines = [...invoice.lines, line];
  // A fee that would take the invoice past what one payment can carry is refused (AMOUNT_TOO_LARGE).
  assertPayable(
    lines.map((l) => ({ net: l.amount, taxRate: l.taxRate })),
    currency,
    'The invoice with its late fee',
    [],
  );
  return { invoice: withTotals(touchedInvoice(invoice, now, { lines })), line };
};
