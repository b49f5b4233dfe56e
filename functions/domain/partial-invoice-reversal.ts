import { DomainError } from './errors.js';
import { isIssued, touchedInvoice, withTotals, type Invoice } from './invoice.js';
import { applyCredits } from './invoice-credits.js';
import { amount, toAmountString } from './money.js';

// The elimination of a finalized time and material partial invoice (seed 002): a credit note for
// all of it, its expenditures made billable again. Voiding is refused in its place.

const conflict = (code: string, message: string): DomainError => new DomainError('conflict', code, message);

/**
 * A partial invoice and the credit note reversing it are never voided (409 REVERSAL_REQUIRED):
 * a void would leave the expenditures settled with nothing billed, or billable twice.
 */
export const assertMayVoid = (invoice: Invoice): void => {
  if (invoice.policy !== 'time_and_material') return;
  throw conflict(
    'REVERSAL_REQUIRED',
    invoice.reversal
      ? 'The credit note of a reversal stands: its expenditures may be billed again already'
      : 'A time and material partial invoice is reversed (POST /v1/invoices/{id}/reverse), not voided',
  );
};

/**
 * Only an issued partial invoice, not reversed yet (409 INVOICE_REVERSED the second time) and with
 * no payments (409 INVOICE_HAS_PAYMENTS), is reversed.
 */
export const assertReversible = (invoice: Invoice): void => {
  if (invoice.policy !== 'time_and_material' || !invoice.selection || !isIssued(invoice)) {
    throw conflict(
      'INVOICE_NOT_REVERSIBLE',
      `Only an issued time and material partial invoice is reversed; invoice ${invoice.id} is ${invoice.status} (policy ${invoice.policy})`,
    );
  }
  if (invoice.reversedBy) {
    throw conflict('INVOICE_REVERSED', `Invoice ${invoice.number} is reversed already, by credit note ${invoice.reversedBy}`);
  }
  // As a void (invoice-lifecycle.ts): the credit note takes back all it billed, and the money paid would be left on nothing due.
  if (!amount(invoice.amountPaid).isZero()) {
    throw conflict('INVOICE_HAS_PAYMENTS', `An invoice with payments cannot be reversed; ${invoice.amountPaid} is paid on it`);
  }
};

const negated = (value: string): string => (amount(value).isZero() ? value : amount(value).negated().toFixed());

/**
 * The credit note (draft) that eliminates a partial invoice: every line negated (its quantity
 * turned, at the same unit price), correcting the invoice, so its tax per rate is exactly the
 * invoice's negated and its gross negative (credit-note series at issue). It puts the invoice's
 * settled cost back into WIP. Issued with `reversedInvoice` in one transaction; then the store
 * makes the invoice's expenditures billable again (unsettleExpenditure, in chunks) and calls
 * `reversalRestored`.
 */
export const reversalOf = (invoice: Invoice, id: string, now: Date): Invoice => {
  assertReversible(invoice);
  const { currency } = invoice;
  const at = now.toISOString();
  return withTotals({
    id,
    jobId: invoice.jobId,
    profileId: null,
    customerId: invoice.customerId,
    currency,
    policy: 'time_and_material',
    type: invoice.type,
    milestoneId: null,
    status: 'draft',
    series: null,
    number: null,
    issueDate: null,
    dueDate: null,
    dueDays: null,
    notes: `Reversal of invoice ${invoice.number}`,
    allowOverbilling: false,
    ledgerBasis: null,
    lines: invoice.lines.map((line) => ({
      ...line,
      kind: 'correction',
      quantity: negated(line.quantity),
      amount: toAmountString(amount(line.amount).negated(), currency),
      allocations: line.allocations.map((a) => ({ ...a, amount: toAmountString(amount(a.amount).negated(), currency) })),
      correctsInvoiceId: invoice.id,
    })),
    payments: [],
    creditedNet: toAmountString(0, currency),
    correctedBy: 0,
    createdAt: at,
    updatedAt: at,
    issuedAt: null,
    version: 1,
    selection: null,
    settledCost: toAmountString(amount(invoice.settledCost ?? 0).negated(), currency),
    reversal: { invoiceId: invoice.id, state: 'restoring' },
    reversedBy: null,
  });
};

/**
 * The reversed invoice's next version, written in the credit note's issue transaction on condition
 * of its version (so two reversals cannot both issue): credited in full by it, and `reversedBy` it.
 */
export const reversedInvoice = (invoice: Invoice, creditNote: Invoice, now: Date): Invoice => {
  assertReversible(invoice);
  if (creditNote.reversal?.invoiceId !== invoice.id) {
    throw new Error(`Credit note ${creditNote.id} does not reverse invoice ${invoice.id}`);
  }
  const [credited] = applyCredits(creditNote, [invoice], 1, now);
  return { ...(credited?.next ?? touchedInvoice(invoice, now, {})), reversedBy: creditNote.id };
};

/** Every expenditure of the reversed invoice is billable again. Restored already: the same object. */
export const reversalRestored = (creditNote: Invoice, now: Date): Invoice => {
  if (!creditNote.reversal) throw conflict('NOT_A_REVERSAL', `Invoice ${creditNote.id} reverses no invoice`);
  if (creditNote.reversal.state === 'restored') return creditNote;
  return touchedInvoice(creditNote, now, { reversal: { ...creditNote.reversal, state: 'restored' } });
};
