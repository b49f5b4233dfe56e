import type { Invoice, InvoiceStatus, Series } from './invoice.js';
import { sumAmounts, toAmountString } from './money.js';

/** One document of the invoice journal: a numbered invoice or credit note. */
export interface JournalRow {
  number: string;
  series: Series;
  issueDate: string;
  customerId: string;
  /** Its billing source: a job or an accumulating profile (the other is null). */
  jobId: string | null;
  profileId: string | null;
  invoiceId: string;
  currency: string;
  status: InvoiceStatus;
  net: string;
  tax: string;
  gross: string;
}

export type TotalsByCurrency<F extends string> = { currency: string } & Record<F, string>;

export interface Journal {
  from: string;
  to: string;
  items: JournalRow[];
  totals: TotalsByCurrency<'net' | 'tax' | 'gross'>[];
}

export type Numbered = Invoice & { number: string; issueDate: string; series: Series };

export const isNumbered = (invoice: Invoice): invoice is Numbered =>
  invoice.status !== 'draft' && invoice.number !== null && invoice.issueDate !== null && invoice.series !== null;

/** Issue date, then number; numbers compare numerically ("INV-10" after "INV-9"). */
export const byDateThenNumber = (a: Numbered, b: Numbered): number =>
  a.issueDate.localeCompare(b.issueDate) || a.number.localeCompare(b.number, 'en', { numeric: true });

/** Sums amount fields per currency (amounts of different currencies never add up), by currency code. */
export const totalsByCurrency = <F extends string>(
  rows: readonly TotalsByCurrency<F>[],
  fields: readonly F[],
): TotalsByCurrency<F>[] =>
  [...new Set(rows.map((r) => r.currency))].sort().map((currency) => {
    const mine = rows.filter((r) => r.currency === currency);
    const sums = fields.map((f) => [f, toAmountString(sumAmounts(mine.map((r) => r[f])), currency)]);
    return { currency, ...Object.fromEntries(sums) } as TotalsByCurrency<F>;
  });

/**
 * The invoice journal of a date range: every numbered document in issue order; voided ones are
 * listed but count in no total.
 */
export const journalOf = (invoices: Invoice[], from: string, to: string): Journal => {
  const items = invoices
    .filter(isNumbered)
    .sort(byDateThenNumber)
    .map((i) => ({
      number: i.number,
      series: i.series,
      issueDate: i.issueDate,
      customerId: i.customerId,
      jobId: i.jobId,
      profileId: i.profileId,
      invoiceId: i.id,
      currency: i.currency,
      status: i.status,
      ...i.totals,
    }));
  const counted = items.filter((r) => r.status !== 'voided');
  return { from, to, items, totals: totalsByCurrency(counted, ['net', 'tax', 'gross']) };
};
