import type { Invoice } from '../domain/invoice.js';
import { journalOf, type Journal } from '../domain/journal.js';
import { listInvoices } from '../store/invoice.store.js';

const PAGE = 100;

/** The invoice journal of an issue date range: one key query on the tenant's invoice listing, every page read. */
export const getJournal = async (tenantId: string, from: string, to: string): Promise<Journal> => {
  const invoices: Invoice[] = [];
  let cursor: string | undefined;
  do {
    const page = await listInvoices(tenantId, { from, to }, PAGE, cursor);
    invoices.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return journalOf(invoices, from, to);
};
