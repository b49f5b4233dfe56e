import type { Customer } from './customer.js';
import { addDays, daysBetween, localDate } from './dates.js';
import { DomainError, invalidField, unknownReference } from './errors.js';
import {
  assertDraft,
  assertDueAfterIssue,
  isIssued,
  jobOf,
  touchedInvoice,
  withTotals,
  type Invoice,
  type InvoiceStatus,
  type Payment,
  type Series,
} from './invoice.js';
import { amount, assertMinorUnits, toAmountString } from './money.js';
import type { Settings } from './settings.js';

/** Invoices whose gross is negative are credit notes, numbered in their own series. */
export const seriesOf = (invoice: Invoice): Series => (amount(invoice.totals.gross).isNegative() ? 'credit_note' : 'invoice');

/** A date that breaks a rule: 422 naming the field. */
const refuseDate = (field: string, code: string, message: string): never => {
  throw new DomainError('rule', code, message, [{ field, code: code.toLowerCase(), message }]);
};

export interface IssueContext {
  settings: Settings;
  /** The issue date of the series' last issued invoice: number order must be date order. */
  lastIssueDate: string | null;
  now: Date;
}

/**
 * The date an invoice is issued on: today, or a date in the past within the tenant's backdating
 * window and not before the last issued invoice of the series.
 */
export const issueDateFor = (invoice: Invoice, { settings, lastIssueDate, now }: IssueContext): string => {
  const today = localDate(now, settings.timeZone);
  const date = invoice.issueDate ?? today;
  const refuse = (code: string, message: string): never => refuseDate('issueDate', code, message);
  if (date > today) refuse('ISSUE_DATE_IN_FUTURE', `An invoice cannot be issued with a future date (${date})`);
  if (daysBetween(date, today) > settings.backdatingDays) {
    refuse('BACKDATING_WINDOW_EXCEEDED', `${date} is more than ${settings.backdatingDays} days in the past`);
  }
  if (lastIssueDate && date < lastIssueDate) {
    refuse('ISSUE_DATE_BEFORE_LAST', `The last invoice of this series was issued on ${lastIssueDate}; numbers must follow dates`);
  }
  return date;
};

/** The due date an issue on `issueDate` gives the draft: its own, or its days (the tenant's default) after; never before the issue date (422). */
export const dueDateFor = (invoice: Invoice, issueDate: string, settings: Settings): string => {
  const dueDate = invoice.dueDate ?? addDays(issueDate, invoice.dueDays ?? settings.defaultDueDays);
  if (dueDate < issueDate) {
    throw new DomainError(
      'rule',
      'DUE_DATE_BEFORE_ISSUE_DATE',
      `The due date ${dueDate} is before the issue date ${issueDate}; change the draft's dates`,
    );
  }
  return dueDate;
};

/** The issued invoice: numbered, dated, due, and immutable in its amounts from now on. */
export const issue = (invoice: Invoice, number: string, issueDate: string, settings: Settings, now: Date): Invoice => {
  assertDraft(invoice);
  const dueDate = dueDateFor(invoice, issueDate, settings);
  return touchedInvoice(invoice, now, {
    status: 'invoiced',
    series: seriesOf(invoice),
    number,
    issueDate,
    dueDate,
    issuedAt: now.toISOString(),
  });
};

type Action = 'approve' | 'export' | 'post' | 'void';

/** The invoice state machine (seed 001): with accounting integration, invoiced -> approved -> exported -> posted. */
const TRANSITIONS: Record<'on' | 'off', Record<Action, { from: InvoiceStatus[]; to: InvoiceStatus }>> = {
  on: {
    approve: { from: ['invoiced'], to: 'approved' },
    export: { from: ['approved'], to: 'exported' },
    post: { from: ['exported'], to: 'posted' },
    void: { from: ['invoiced', 'approved'], to: 'voided' },
  },
  off: {
    approve: { from: [], to: 'approved' },
    export: { from: [], to: 'exported' },
    // Invoices approved or exported while the integration was on can still be posted or voided.
    post: { from: ['invoiced', 'approved', 'exported'], to: 'posted' },
    void: { from: ['invoiced', 'approved'], to: 'voided' },
  },
};

const WORDS: Record<Action, { adjective: string; participle: string }> = {
  approve: { adjective: 'APPROVABLE', participle: 'approved' },
  export: { adjective: 'EXPORTABLE', participle: 'exported' },
  post: { adjective: 'POSTABLE', participle: 'posted' },
  void: { adjective: 'VOIDABLE', participle: 'voided' },
};

export const transition = (invoice: Invoice, action: Action, settings: Settings, now: Date): Invoice => {
  const mode = settings.accountingIntegration ? 'on' : 'off';
  const { from, to } = TRANSITIONS[mode][action];
  if (from.length === 0) {
    throw new DomainError(
      'conflict',
      'ACCOUNTING_INTEGRATION_OFF',
      `Invoices are ${WORDS[action].participle} only with the accounting integration on`,
    );
  }
  if (!from.includes(invoice.status)) {
    const { adjective, participle } = WORDS[action];
    throw new DomainError('conflict', `INVOICE_NOT_${adjective}`, `An invoice that is ${invoice.status} cannot be ${participle}`);
  }
  if (action === 'void' && !amount(invoice.amountPaid).isZero()) {
    throw new DomainError(
      'conflict',
      'INVOICE_HAS_PAYMENTS',
      'An invoice with payments cannot be voided; once the job is billed, credit it with a correction',
    );
  }
  if (action === 'void' && (invoice.correctedBy > 0 || !amount(invoice.creditedNet).isZero())) {
    throw new DomainError(
      'conflict',
      'INVOICE_HAS_CREDITS',
      `Corrections are issued against this invoice (${invoice.creditedNet} credited): void them first`,
    );
  }
  return touchedInvoice(invoice, now, { status: to });
};

export type NewPayment = Omit<Payment, 'id' | 'recordedAt' | 'idempotencyKey'> & { idempotencyKey?: string | null };

/**
 * Records a payment against an issued invoice, dated from its issue date to today (`now` in the
 * tenant's `timeZone`); more than
 * the balance due is refused. A payment recorded with the same Idempotency-Key before is not
 * recorded again: the invoice comes back as it is.
 */
export const recordPayment = (invoice: Invoice, payment: NewPayment, id: string, now: Date, timeZone: string): Invoice => {
  if (payment.idempotencyKey && invoice.payments.some((p) => p.idempotencyKey === payment.idempotencyKey)) return invoice;
  if (!isIssued(invoice)) {
    throw new DomainError('conflict', 'INVOICE_NOT_PAYABLE', `An invoice that is ${invoice.status} takes no payments`);
  }
  // Reversed, the invoice is credited in full by its credit note: nothing is due on it any more.
  if (invoice.reversedBy) {
    throw new DomainError(
      'conflict',
      'INVOICE_REVERSED',
      `Invoice ${invoice.id} is reversed by credit note ${invoice.reversedBy}: nothing is due on it`,
    );
  }
  const paid = assertMinorUnits(payment.amount, invoice.currency, 'amount');
  if (!paid.gt(0)) throw invalidField('amount', 'too_small', 'must be more than zero');
  if (invoice.issueDate && payment.date < invoice.issueDate) {
    refuseDate(
      'date',
      'PAYMENT_BEFORE_ISSUE_DATE',
      `The invoice was issued on ${invoice.issueDate}; it cannot be paid on ${payment.date}`,
    );
  }
  if (payment.date > localDate(now, timeZone))
    refuseDate('date', 'PAYMENT_DATE_IN_FUTURE', `A payment cannot be dated in the future (${payment.date})`);
  if (paid.gt(invoice.balanceDue)) {
    throw new DomainError(
      'rule',
      'OVERPAYMENT',
      `The balance due is ${invoice.balanceDue} ${invoice.currency}; ${payment.amount} is more than that`,
      [{ field: 'amount', code: 'overpayment', message: `more than the balance due ${invoice.balanceDue}` }],
    );
  }
  const recorded: Payment = {
    ...payment,
    amount: toAmountString(paid, invoice.currency),
    idempotencyKey: payment.idempotencyKey ?? null,
    id,
    recordedAt: now.toISOString(),
  };
  return withTotals(touchedInvoice(invoice, now, { payments: [...invoice.payments, recorded] }));
};

export interface DraftPatch {
  customerId?: string;
  issueDate?: string | null;
  dueDate?: string | null;
  dueDays?: number | null;
  notes?: string | null;
  lines?: { id: string; description: string }[];
}

/** Whether the patch moves the draft to another customer than the one it bills. */
export const changesCustomer = (invoice: Invoice, patch: DraftPatch): patch is DraftPatch & { customerId: string } =>
  patch.customerId !== undefined && patch.customerId !== invoice.customerId;

/** What another customer for a draft is checked against. */
export interface CustomerChange {
  /** The customer `patch.customerId` names; null when there is none. */
  customer: Pick<Customer, 'currency'> | null;
  /** The customer of the draft's job, who is billed in the job's currency (a job may name its own). */
  jobCustomerId: string | null;
}

/**
 * Any customer but the job's own is billed in its currency, which the draft's amounts (`currency`)
 * must be in: at the draft's creation (another customer than the job's) and at its change.
 */
export const assertBillsInCurrency = (
  currency: string,
  customerId: string,
  { customer, jobCustomerId }: CustomerChange,
): void => {
  if (!customer) throw unknownReference('customer', 'customerId');
  if (customerId === jobCustomerId || customer.currency === currency) return;
  const message = `The customer bills in ${customer.currency}; the invoice is in ${currency}`;
  throw new DomainError('rule', 'CURRENCY_MISMATCH', message, [{ field: 'customerId', code: 'currency_mismatch', message }]);
};

/**
 * What a draft lets change without being computed anew: who, when, notes and line texts. Another
 * customer is checked against `change` when it is given (the caller reads it).
 */
export const editDraft = (invoice: Invoice, patch: DraftPatch, now: Date, change?: CustomerChange): Invoice => {
  assertDraft(invoice);
  if (changesCustomer(invoice, patch)) {
    // A profile's draft bills its tab, which is its customer's: only a job's draft changes customer.
    jobOf(invoice);
    if (change) assertBillsInCurrency(invoice.currency, patch.customerId, change);
  }
  const texts = new Map((patch.lines ?? []).map((l) => [l.id, l.description]));
  const unknown = [...texts.keys()].find((id) => !invoice.lines.some((l) => l.id === id));
  if (unknown) throw invalidField('lines', 'unknown_line', `The invoice has no line ${unknown}`);
  const { lines: _, ...fields } = patch;
  const given = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
  assertDueAfterIssue({ ...invoice, ...given });
  return touchedInvoice(invoice, now, {
    ...given,
    lines: invoice.lines.map((l) => ({ ...l, description: texts.get(l.id) ?? l.description })),
  });
};
