import { DomainError } from './errors.js';
import type { JobStanding } from './job.js';
import type { Reversal, Selection } from './selection.js';
import { amount, roundMoney, sumAmounts, taxesByRate, toAmountString } from './money.js';

export type InvoicePolicy =
  | 'deposit'
  | 'progress_summary'
  | 'progress_itemized'
  | 'progress_itemized_grouped'
  | 'final'
  | 'final_grouped'
  | 'correction'
  | 'correction_grouped'
  | 'retainage_release'
  | 'milestone'
  | 'time_and_material'
  | 'accumulating';
/** The policies that draw an invoice from a job; an accumulating profile's invoices are drawn from its tab. */
export type JobPolicy = Exclude<InvoicePolicy, 'accumulating'>;
export type InvoiceType = 'partial' | 'complete' | 'correction';
export type InvoiceStatus = 'draft' | 'invoiced' | 'approved' | 'exported' | 'posted' | 'voided';
export type Series = 'invoice' | 'credit_note';
export type PaymentStatus = 'unpaid' | 'partially_paid' | 'paid';

/**
 * What a line is for: work billed against charges, deposits, retainage, a correction, a discount of
 * a tab, or a late fee added after the due date.
 */
export type LineKind =
  'work' | 'deposit' | 'deposit_applied' | 'retainage_withheld' | 'retainage_release' | 'correction' | 'discount' | 'late_fee';

export interface Allocation {
  chargeId: string;
  amount: string;
}

export interface InvoiceLine {
  id: string;
  kind: LineKind;
  description: string;
  quantity: string;
  unitPrice: string;
  amount: string;
  taxRate: string;
  group: string | null;
  allocations: Allocation[];
  correctsInvoiceId: string | null;
  /**
   * The day an adjustment added after issue (a late fee) took effect, posted on that day; absent on
   * the lines an invoice is issued with, which take its issue date.
   */
  date?: string;
  /** On such an adjustment: the accounting export that took its entry (absent until one has). */
  exportId?: string;
}

export interface Payment {
  id: string;
  amount: string;
  date: string;
  method: string;
  reference: string | null;
  note: string | null;
  /** The Idempotency-Key it was recorded with: a retry that outlived its key's record finds it here. */
  idempotencyKey: string | null;
  recordedAt: string;
}

export interface Totals {
  net: string;
  tax: string;
  gross: string;
}

export interface TaxLine {
  rate: string;
  base: string;
  amount: string;
}

export interface Invoice {
  id: string;
  /** Its billing source (design §2): a job, or an accumulating profile (exactly one is set). */
  jobId: string | null;
  profileId: string | null;
  customerId: string;
  currency: string;
  policy: InvoicePolicy;
  type: InvoiceType;
  /** The milestone it bills (policy `milestone`): issuing, voiding and paying it move the milestone too. */
  milestoneId: string | null;
  status: InvoiceStatus;
  /** Invoices and credit notes are numbered in separate series; null while draft. */
  series: Series | null;
  number: string | null;
  issueDate: string | null;
  dueDate: string | null;
  dueDays: number | null;
  notes: string | null;
  allowOverbilling: boolean;
  /** The job's ledger version the lines were computed from; null when they do not depend on it. */
  ledgerBasis: number | null;
  lines: InvoiceLine[];
  totals: Totals;
  taxes: TaxLine[];
  depositApplied: string;
  retainageWithheld: string;
  payments: Payment[];
  amountPaid: string;
  balanceDue: string;
  paymentStatus: PaymentStatus;
  /** The net that issued corrections naming this invoice take back from it (their lines negated); "0.00" when none. */
  creditedNet: string;
  /** How many issued corrections name this invoice: while any does, it cannot be voided (even at zero credited). */
  correctedBy: number;
  createdAt: string;
  updatedAt: string;
  issuedAt: string | null;
  /**
   * Where the job stood once this invoice was issued, kept so that its document never changes;
   * absent on drafts (and on invoices issued before it was kept).
   */
  jobStanding?: JobStanding;
  /**
   * A time and material partial invoice's selection of expenditures and its way to finalization
   * (partial-invoice.ts); absent or null on every other invoice.
   */
  selection?: Selection | null;
  /**
   * The Work in Process it moves, at cost: what its selection settles (negated on the credit note
   * that reverses it); absent or null when it moves none.
   */
  settledCost?: string | null;
  /** On the credit note that reverses a time and material partial invoice: which, and how far its expenditures are given back. */
  reversal?: Reversal | null;
  /** The credit note that reversed it; absent or null while it is not reversed. */
  reversedBy?: string | null;
  version: number;
}

/** The job an invoice bills: what only a job's invoice does is refused on an invoice of a profile. */
export const jobOf = (invoice: Invoice): string => {
  if (invoice.jobId === null) {
    throw new DomainError(
      'conflict',
      'INVOICE_NOT_OF_JOB',
      `Invoice ${invoice.id} bills the accumulating profile ${invoice.profileId}, not a job`,
    );
  }
  return invoice.jobId;
};

export const typeOfPolicy = (policy: InvoicePolicy): InvoiceType =>
  policy.startsWith('final') || policy === 'accumulating' ? 'complete' : policy.startsWith('correction') ? 'correction' : 'partial';

/** Net, tax per rate (EN 16931) and gross of lines, as an invoice of them totals them. */
export const lineTotals = (
  lines: Pick<InvoiceLine, 'amount' | 'taxRate'>[],
  currency: string,
): { totals: Totals; taxes: TaxLine[] } => {
  const money = (value: Parameters<typeof toAmountString>[0]): string => toAmountString(value, currency);
  const net = sumAmounts(lines.map((l) => l.amount));
  const taxes = taxesByRate(
    lines.map((l) => ({ net: l.amount, taxRate: l.taxRate })),
    currency,
  );
  const tax = sumAmounts(taxes.map((t) => t.amount));
  return {
    totals: { net: money(net), tax: money(tax), gross: money(net.plus(tax)) },
    taxes: taxes.map((t) => ({ rate: t.rate, base: money(t.base), amount: money(t.amount) })),
  };
};

/** The invoice's totals, tax per rate (EN 16931) and payment position, derived from its lines and payments. */
export const withTotals = (
  invoice: Omit<
    Invoice,
    'totals' | 'taxes' | 'depositApplied' | 'retainageWithheld' | 'amountPaid' | 'balanceDue' | 'paymentStatus'
  >,
): Invoice => {
  const { currency } = invoice;
  const money = (value: Parameters<typeof toAmountString>[0]): string => toAmountString(value, currency);
  const { totals, taxes } = lineTotals(invoice.lines, currency);
  // Lines are whole minor units and each rate's tax is rounded: the rounded gross is exact.
  const gross = amount(totals.gross);
  const sumOf = (kind: LineKind) => sumAmounts(invoice.lines.filter((l) => l.kind === kind).map((l) => l.amount)).negated();
  const paid = sumAmounts(invoice.payments.map((p) => p.amount));
  const balance = gross.minus(paid);
  return {
    ...invoice,
    totals,
    taxes,
    depositApplied: money(sumOf('deposit_applied')),
    retainageWithheld: money(sumOf('retainage_withheld')),
    amountPaid: money(paid),
    balanceDue: money(balance),
    // Nothing due (paid in full, a zero invoice, a credit note) is paid.
    paymentStatus: balance.lte(0) ? 'paid' : paid.isZero() ? 'unpaid' : 'partially_paid',
  };
};

/** The net share of what was paid: payments are gross, the job's ledger is net. Exact once fully paid. */
export const paidNet = (invoice: Invoice) => {
  const gross = amount(invoice.totals.gross);
  return gross.isZero()
    ? amount(0)
    : roundMoney(amount(invoice.amountPaid).times(invoice.totals.net).div(gross), invoice.currency);
};

const ISSUED: InvoiceStatus[] = ['invoiced', 'approved', 'exported', 'posted'];

export const isIssued = (invoice: Invoice): boolean => ISSUED.includes(invoice.status);

export const assertDraft = (invoice: Invoice): void => {
  if (invoice.status !== 'draft') {
    throw new DomainError('conflict', 'INVOICE_NOT_DRAFT', `Only a draft can be changed; this invoice is ${invoice.status}`);
  }
};

export const touchedInvoice = (invoice: Invoice, now: Date, change: Partial<Invoice>): Invoice => ({
  ...invoice,
  ...change,
  updatedAt: now.toISOString(),
  version: invoice.version + 1,
});

/** A due date the draft names may not come before the issue date it names. */
export const assertDueAfterIssue = (invoice: Pick<Invoice, 'issueDate' | 'dueDate'>): void => {
  if (invoice.issueDate && invoice.dueDate && invoice.dueDate < invoice.issueDate) {
    throw new DomainError(
      'invalid',
      'VALIDATION_FAILED',
      `The due date ${invoice.dueDate} is before the issue date ${invoice.issueDate}`,
      [{ field: 'dueDate', code: 'before_issue_date', message: 'must not be before the issue date' }],
    );
  }
};
