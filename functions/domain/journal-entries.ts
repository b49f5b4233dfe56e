import { DomainError } from './errors.js';
import { lineTotals, touchedInvoice, type Invoice, type InvoiceLine, type LineKind } from './invoice.js';
import { transition } from './invoice-lifecycle.js';
import { byDateThenNumber, isNumbered, totalsByCurrency, type Numbered, type TotalsByCurrency } from './journal.js';
import { amount, sumAmounts, toAmountString, type Amount } from './money.js';
import { defaultSettings, type Settings } from './settings.js';

export type Account =
  | 'accounts_receivable'
  | 'revenue'
  | 'tax_payable'
  | 'deposit_liability'
  | 'retainage_receivable'
  | 'work_in_process'
  | 'cost_of_sales'
  | 'late_fee_income';

/** The tenant's codes of the accounts that settling expenditures moves. */
export type WipAccounts = Pick<Settings, 'wipAccount' | 'costOfSalesAccount'>;

/** One line of double entry: one of debit and credit is zero. */
export interface JournalEntry {
  date: string;
  invoiceNumber: string;
  currency: string;
  account: Account;
  /** The tenant's code of the account, where the tenant sets one (Work in Process, cost of sales). */
  accountCode?: string;
  debit: string;
  credit: string;
  description: string;
}

/** A batch of invoices handed to accounting: their entries in issue order, and totals per currency. */
export interface AccountingExport {
  id: string;
  invoiceIds: string[];
  createdAt: string;
  entries: JournalEntry[];
  totals: TotalsByCurrency<'debit' | 'credit'>[];
}

/**
 * Where the lines of each kind are posted. A line's amount is posted as a credit, so a deposit line
 * credits the liability and a (negative) deposit_applied line debits it; a credit note, whose signs
 * are all turned, posts the mirror image.
 */
const LINE_POSTINGS: { kinds: LineKind[]; account: Account; description: string }[] = [
  { kinds: ['work', 'correction', 'discount'], account: 'revenue', description: 'Work and corrections' },
  { kinds: ['deposit'], account: 'deposit_liability', description: 'Deposit billed' },
  { kinds: ['deposit_applied'], account: 'deposit_liability', description: 'Deposit applied' },
  { kinds: ['retainage_withheld'], account: 'retainage_receivable', description: 'Retainage withheld' },
  { kinds: ['retainage_release'], account: 'retainage_receivable', description: 'Retainage released' },
  // Income, not revenue from the work: compensation for paying late.
  { kinds: ['late_fee'], account: 'late_fee_income', description: 'Late fee' },
];

type Posting = { account: Account; accountCode?: string; description: string; credit: Amount };

/** The receivable (their gross) against the accounts of their kinds and their tax, for some lines of the invoice. */
const linePostings = (invoice: Numbered, lines: InvoiceLine[]): Posting[] => {
  const { totals } = lineTotals(lines, invoice.currency);
  return [
    { account: 'accounts_receivable', description: `Customer ${invoice.customerId}`, credit: amount(totals.gross).negated() },
    ...LINE_POSTINGS.map(({ kinds, account, description }) => ({
      account,
      description,
      credit: sumAmounts(lines.filter((l) => kinds.includes(l.kind)).map((l) => l.amount)),
    })),
    { account: 'tax_payable', description: 'Tax', credit: amount(totals.tax) },
  ];
};

/** What an invoice that settles expenditures moves out of Work in Process into cost of sales (back, when negative). */
const settledPostings = (invoice: Numbered, accounts: WipAccounts): Posting[] => {
  const settled = amount(invoice.settledCost ?? 0);
  return [
    {
      account: 'cost_of_sales',
      accountCode: accounts.costOfSalesAccount,
      description: 'Cost of expenditures settled',
      credit: settled.negated(),
    },
    { account: 'work_in_process', accountCode: accounts.wipAccount, description: 'Work in Process settled', credit: settled },
  ];
};

/**
 * The double entry of an issued invoice: the receivable (gross) against revenue, deposits,
 * retainage and tax. Debits equal credits exactly, because gross = net + tax and the net is the sum
 * of the lines; accounts that the invoice does not move get no entry. An invoice that settles
 * expenditures also moves their cost out of Work in Process into cost of sales (its revenue goes to
 * P/L as any other), on the tenant's account codes (`accounts`, from its settings); the credit note
 * reversing it, whose settled cost is negative, puts it back. A line added after issue with a date
 * of its own (a late fee) is an entry of its own on that date, so the invoice as issued posts as it
 * was, and the receivables of all entries add up to the invoice's gross.
 */
export const journalEntries = (invoice: Numbered, accounts: WipAccounts = defaultSettings(invoice.currency)): JournalEntry[] =>
  entriesOf(invoice, accounts, invoice.lines, true);

/**
 * The entries of `dated` lines of the invoice (each on its date), with the invoice as issued on its
 * issue date when `asIssued` (then `dated` are all its lines, and the receivables add up to its gross).
 */
const entriesOf = (invoice: Numbered, accounts: WipAccounts, dated: InvoiceLine[], asIssued: boolean): JournalEntry[] => {
  const { currency } = invoice;
  const issuedLines = invoice.lines.filter((l) => !l.date);
  const days = [
    ...(asIssued
      ? [{ date: invoice.issueDate, postings: [...linePostings(invoice, issuedLines), ...settledPostings(invoice, accounts)] }]
      : []),
    ...dated.flatMap((line) => (line.date ? [{ date: line.date, postings: linePostings(invoice, [line]) }] : [])),
  ];
  const sum = (postings: Posting[]) => sumAmounts(postings.map((p) => p.credit));
  for (const { postings } of days) {
    const imbalance = sum(postings);
    if (!imbalance.isZero()) throw new Error(`The entries of ${invoice.number} are off by ${imbalance.toFixed()}`);
  }
  // Taxed apart, dated lines must not tax differently from the invoice's lines taxed together.
  const receivable = sum(days.flatMap((d) => d.postings.filter((p) => p.account === 'accounts_receivable'))).negated();
  if (asIssued && !receivable.eq(invoice.totals.gross)) {
    throw new Error(
      `The receivables of ${invoice.number} add up to ${receivable.toFixed()}, not its gross ${invoice.totals.gross}`,
    );
  }
  return days.flatMap(({ date, postings }) =>
    postings
      .filter((p) => !p.credit.isZero())
      .map(({ account, accountCode, description, credit }) => ({
        date,
        invoiceNumber: invoice.number,
        currency,
        account,
        ...(accountCode === undefined ? {} : { accountCode }),
        debit: toAmountString(credit.isNegative() ? credit.negated() : 0, currency),
        credit: toAmountString(credit.isNegative() ? 0 : credit, currency),
        description,
      })),
  );
};

/** A batch is exported only with the accounting integration on, whatever its invoices. */
export const assertExportsOn = (settings: Settings): void => {
  if (!settings.accountingIntegration) {
    throw new DomainError(
      'conflict',
      'ACCOUNTING_INTEGRATION_OFF',
      'Invoices are exported only with the accounting integration on',
    );
  }
};

const numbered = (invoice: Invoice): Numbered => {
  if (!isNumbered(invoice)) throw new Error(`Invoice ${invoice.id} has no number`);
  return invoice;
};

/** The lines added to an invoice after its issue (a late fee) that no export has taken yet. */
export const unexportedAdjustments = (invoice: Invoice): InvoiceLine[] => invoice.lines.filter((l) => l.date && !l.exportId);

/** An invoice exported or posted before is exported again for the adjustments added to it since. */
const isAdjusting = (invoice: Invoice): boolean =>
  (invoice.status === 'exported' || invoice.status === 'posted') && unexportedAdjustments(invoice).length > 0;

/** What an export takes of an invoice: its next version and its entries. */
export interface ExportedInvoice {
  next: Invoice;
  previous: Invoice;
  entries: JournalEntry[];
}

/**
 * An invoice as the export `exportId` takes it: an approved one moves to exported with all its
 * entries; one exported or posted before gives the entries of the adjustments added since (a late
 * fee) alone, and keeps its status. Either way its adjustments are marked as taken by this export,
 * so accounting gets each entry once. Any other is refused as not exportable.
 */
export const exportedInvoice = (invoice: Invoice, exportId: string, settings: Settings, now: Date): ExportedInvoice => {
  const adjusting = isAdjusting(invoice);
  const adjustments = unexportedAdjustments(invoice);
  const moved = adjusting ? touchedInvoice(invoice, now, {}) : transition(invoice, 'export', settings, now);
  const next = { ...moved, lines: moved.lines.map((l) => (l.date && !l.exportId ? { ...l, exportId } : l)) };
  const entries = adjusting ? entriesOf(numbered(next), settings, adjustments, false) : journalEntries(numbered(next), settings);
  return { next, previous: invoice, entries };
};

/** The batch's adjustments still to export, by invoice and line: they make an export of the same invoices another one. */
export const adjustmentKeys = (invoices: Invoice[]): string[] =>
  invoices.filter(isAdjusting).flatMap((i) => unexportedAdjustments(i).map((l) => `${i.id}/${l.id}`));

/** The export of a batch of issued invoices; its id is given (derived from the invoice ids and adjustments). */
export const accountingExport = (id: string, invoices: ExportedInvoice[], now: Date): AccountingExport => {
  const entries = [...invoices]
    .sort((a, b) => byDateThenNumber(numbered(a.next), numbered(b.next)))
    .flatMap((invoice) => invoice.entries);
  return {
    id,
    invoiceIds: invoices.map((i) => i.next.id).sort(),
    createdAt: now.toISOString(),
    entries,
    totals: totalsByCurrency(entries, ['debit', 'credit']),
  };
};
