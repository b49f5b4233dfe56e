import { clock } from '../adapters/clock.js';
import { unsettleExpenditure } from '../domain/expenditure.js';
import { isIssued, jobOf, type Invoice } from '../domain/invoice.js';
import { selectionOf } from '../domain/partial-invoice.js';
import { assertReversible, reversalOf, reversalRestored } from '../domain/partial-invoice-reversal.js';
import { applyInvoice } from '../domain/job-ledger.js';
import { getInvoice, insertDraft, saveInvoice } from '../store/invoice.store.js';
import { getJob } from '../store/job.store.js';
import { transitionExpenditures } from './expenditure.service.js';
import { derivedId } from './ids.js';
import { issueInvoice } from './issue-invoice.service.js';
import { findInvoice } from './milestone-invoice.service.js';
import { retrying } from './retry.js';

/** The credit note reversing an invoice has an id of its own derived from it: a retry finds the one a cut-off run made. */
export const reversalIdOf = (invoiceId: string): string => derivedId('inv', `reversal of ${invoiceId}`);

/**
 * The credit note drafted once (reversalOf), or the one drafted already; issued if it is not yet.
 * A reversal that loses the issue to another one at once takes the credit note that one issued:
 * both are the same reversal (the same derived id), and it goes on to complete it.
 */
const issuedCreditNote = async (tenantId: string, original: Invoice): Promise<Invoice> => {
  const id = reversalIdOf(original.id);
  const draft = await retrying(async () => {
    // The invoice is read before the credit note is looked for: unless it is found, the invoice read is not reversed yet.
    const [invoice, job] = await Promise.all([getInvoice(tenantId, original.id), getJob(tenantId, jobOf(original))]);
    const found = await findInvoice(tenantId, id);
    if (found) return found;
    const now = clock.now();
    const creditNote = reversalOf(invoice, id, now);
    // What its issue would refuse by the job's ledger (a job billed since: 409 JOB_BILLED) is refused before it is drafted.
    applyInvoice(job, creditNote, 1, now);
    // A draft made meanwhile by another reversal fails this write; read again, it is found.
    await insertDraft(tenantId, creditNote, job);
    return creditNote;
  });
  if (isIssued(draft)) return draft;
  // Issued in the credit-note series with the original marked reversed, in one transaction (issue-invoice.service.ts).
  return issueInvoice(tenantId, id).catch(async (error: unknown) => {
    // Lost to a reversal at once (its credit note no draft now, or the invoice reversed meanwhile).
    const raced = await getInvoice(tenantId, id);
    if (isIssued(raced)) return raced;
    throw error;
  });
};

/**
 * Reverses (eliminates) a finalized partial invoice (`POST /v1/invoices/{id}/reverse`): a credit
 * note for all of it, issued with the invoice marked `reversedBy` it; then every expenditure it
 * settled is billable again, in chunks of one transaction each with the job's totals (Work in
 * Process back by their cost); then the credit note's `reversal` is `restored`. Each step is done
 * once: a retry of a reversal cut off part-way (its credit note `restoring`), or one made at the
 * same time as it, completes it and answers its credit note; one that finds it complete is refused
 * (409 INVOICE_REVERSED), as is an invoice that is no issued partial invoice.
 */
export const reversePartialInvoice = async (tenantId: string, invoiceId: string): Promise<Invoice> => {
  const original = await getInvoice(tenantId, invoiceId);
  const resumed = original.reversedBy ? await getInvoice(tenantId, original.reversedBy) : undefined;
  if (resumed?.reversal?.state !== 'restoring') assertReversible(original);
  const creditNote = resumed ?? (await issuedCreditNote(tenantId, original));
  await transitionExpenditures(tenantId, jobOf(original), selectionOf(original).expenditureIds, (e, now) =>
    unsettleExpenditure(e, invoiceId, now),
  );
  return retrying(async () => {
    const previous = await getInvoice(tenantId, creditNote.id);
    const next = reversalRestored(previous, clock.now());
    if (next !== previous) await saveInvoice(tenantId, { next, previous });
    return next;
  });
};
