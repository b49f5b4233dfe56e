import { DomainError } from './errors.js';
import type { Invoice, LineKind } from './invoice.js';
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
  | 'cost_of_sales';

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
];

type Posting = { account: Account; accountCode?: string; description: string; credit: Amount };

/**
 * The double entry of an issued invoice: the receivable (gross) against revenue, deposits,
 * retainage and tax. Debits equal credits exactly, because gross = net + tax and the net is the sum
 * of the lines; accounts that the invoice does not move get no entry. An invoice that settles
 * expenditures also moves their cost out of Work in Process into cost of sales (its revenue goes to
 * P/L as any other), on the tenant's account codes (`accounts`, from its settings); the credit note
 * reversing it, whose settled cost is negative, puts it back.
 */
export const journalEntries = (invoice: Numbered, accounts: WipAccounts = defaultSettings(invoice.currency)): JournalEntry[] => {
  const { currency } = invoice;
  const settled = amount(invoice.settledCost ?? 0);
  const postings: Posting[] = [
    {
      account: 'accounts_receivable',
      description: `Customer ${invoice.customerId}`,
      credit: amount(invoice.totals.gross).negated(),
    },
    ...LINE_POSTINGS.map(({ kinds, account, description }) => ({
      account,
      description,
      credit: sumAmounts(invoice.lines.filter((l) => kinds.includes(l.kind)).map((l) => l.amount)),
    })),
    { account: 'tax_payable', description: 'Tax', credit: amount(invoice.totals.tax) },
    {
      account: 'cost_of_sales',
      accountCode: accounts.costOfSalesAccount,
      description: 'Cost of expenditures settled',
      credit: settled.negated(),
    },
    { account: 'work_in_process', accountCode: accounts.wipAccount, description: 'Work in Process settled', credit: settled },
  ];
  const imbalance = sumAmounts(postings.map((p) => p.credit));
  if (!imbalance.isZero()) throw new Error(`The entries of ${invoice.number} are off by ${imbalance.toFixed()}`);
  return postings
    .filter((p) => !p.credit.isZero())
    .map(({ account, accountCode, description, credit }) => ({
      date: invoice.issueDate,
      invoiceNumber: invoice.number,
      currency,
      account,
      ...(accountCode === undefined ? {} : { accountCode }),
      debit: toAmountString(credit.isNegative() ? credit.negated() : 0, currency),
      credit: toAmountString(credit.isNegative() ? 0 : credit, currency),
      description,
    }));
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

/** The export of a batch of issued invoices; its id is given (derived from the invoice ids). */
export const accountingExport = (id: string, invoices: Invoice[], now: Date, accounts?: WipAccounts): AccountingExport => {
  const entries = invoices
    .map(numbered)
    .sort(byDateThenNumber)
    .flatMap((invoice) => journalEntries(invoice, accounts));
  return {
    id,
    invoiceIds: invoices.map((i) => i.id).sort(),
    createdAt: now.toISOString(),
    entries,
    totals: totalsByCurrency(entries, ['debit', 'credit']),
  };
};
