import { clock } from '../adapters/clock.js';
import { unsettleExpenditure } from '../domain/expenditure.js';
import { isIssued, type Invoice } from '../domain/invoice.js';
import { assertReversible, reversalOf, reversalRestored, selectionOf } from '../domain/partial-invoice.js';
import { getInvoice, insertDraft, saveInvoice } from '../store/invoice.store.js';
import { getJob } from '../store/job.store.js';
import { transitionExpenditures } from './expenditure.service.js';
import { issueInvoice } from './issue-invoice.service.js';
import { findInvoice } from './milestone-invoice.service.js';
import { retrying } from './retry.js';

/** The credit note reversing an invoice has an id of its own derived from it: a retry finds the one a cut-off run made. */
export const reversalIdOf = (invoiceId: string): string => `${invoiceId}-rev`;

/** The credit note drafted once (reversalOf), or the one drafted already; issued if it is not yet. */
const issuedCreditNote = async (tenantId: string, original: Invoice): Promise<Invoice> => {
  const id = reversalIdOf(original.id);
  const draft = await retrying(async () => {
    const found = await findInvoice(tenantId, id);
    if (found) return found;
    const [invoice, job] = await Promise.all([getInvoice(tenantId, original.id), getJob(tenantId, original.jobId)]);
    const creditNote = reversalOf(invoice, id, clock.now());
    // A draft made meanwhile by another reversal fails this write; read again, it is found.
    await insertDraft(tenantId, creditNote, job);
    return creditNote;
  });
  // Issued in the credit-note series with the original marked reversed, in one transaction (issue-invoice.service.ts).
  return isIssued(draft) ? draft : issueInvoice(tenantId, id);
};

/**
 * Reverses (eliminates) a finalized partial invoice (`POST /v1/invoices/{id}/reverse`): a credit
 * note for all of it, issued with the invoice marked `reversedBy` it; then every expenditure it
 * settled is billable again, in chunks of one transaction each with the job's totals (Work in
 * Process back by their cost); then the credit note's `reversal` is `restored`. Each step is done
 * once: a retry of a reversal cut off part-way (its credit note `restoring`) completes it; one that
 * is complete is refused (409 INVOICE_REVERSED), as is an invoice that is no issued partial invoice.
 */
export const reversePartialInvoice = async (tenantId: string, invoiceId: string): Promise<Invoice> => {
  const original = await getInvoice(tenantId, invoiceId);
  const resumed = original.reversedBy ? await getInvoice(tenantId, original.reversedBy) : undefined;
  if (resumed?.reversal?.state !== 'restoring') assertReversible(original);
  const creditNote = resumed ?? (await issuedCreditNote(tenantId, original));
  await transitionExpenditures(tenantId, original.jobId, selectionOf(original).expenditureIds, (e, now) =>
    unsettleExpenditure(e, invoiceId, now),
  );
  return retrying(async () => {
    const previous = await getInvoice(tenantId, creditNote.id);
    const next = reversalRestored(previous, clock.now());
    if (next !== previous) await saveInvoice(tenantId, { next, previous });
    return next;
  });
};
