import { rangeTooWide } from '../domain/errors.js';
import type { Invoice } from '../domain/invoice.js';
import { journalOf, type Journal } from '../domain/journal.js';
import { listInvoices } from '../store/invoice.store.js';

const PAGE = 100;
/** One answer's worth: about 3 MB of JSON, well inside Lambda's 6 MB response, read in a few seconds. */
export const MAX_JOURNAL_DOCUMENTS = 10_000;

/**
 * The invoice journal of an issue date range: one key query on the tenant's invoice listing, every
 * page read; a range with more documents than one answer carries is refused as soon as that shows.
 */
export const getJournal = async (tenantId: string, from: string, to: string): Promise<Journal> => {
  const invoices: Invoice[] = [];
  let cursor: string | undefined;
  do {
    const page = await listInvoices(tenantId, { from, to }, PAGE, cursor);
    invoices.push(...page.items);
    if (invoices.length > MAX_JOURNAL_DOCUMENTS) {
      throw rangeTooWide('JOURNAL_RANGE_TOO_WIDE', 'documents', MAX_JOURNAL_DOCUMENTS, { from, to });
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return journalOf(invoices, from, to);
};
