import { clock } from '../adapters/clock.js';
import { DomainError, expectVersion } from '../domain/errors.js';
import type { Invoice } from '../domain/invoice.js';
import { changesCustomer, editDraft, type DraftPatch } from '../domain/invoice-lifecycle.js';
import { draftInvoice, type DraftInput } from '../domain/invoice-policies.js';
import { billingSummary, type BillingSummary } from '../domain/job.js';
import { assertSelectionOpen } from '../domain/partial-invoice.js';
import {
  deleteDraft as removeDraft,
  getInvoice,
  insertDraft,
  listInvoices,
  findInvoiceByNumber,
  saveInvoice,
} from '../store/invoice.store.js';
import { getJob } from '../store/job.store.js';
import { assertReadyToComplete } from './billing-source.js';
import { correctedInvoices } from './corrected-invoices.js';
import { assertCustomerOfDraft, customerChange } from './draft-customer.js';
import { newId } from './ids.js';
import { deletePartialInvoice } from './partial-invoice.service.js';
import { retrying } from './retry.js';

export type NewDraft = Omit<DraftInput, 'customerId'> & { customerId?: string };

/**
 * Creates a draft as its policy computes it from the job, and the job's billing as it will be once
 * the draft is issued.
 */
export const createDraft = async (
  tenantId: string,
  jobId: string,
  input: NewDraft,
): Promise<{ invoice: Invoice; billing: BillingSummary }> => {
  const corrected = await correctedInvoices(tenantId, input.lines);
  return retrying(async () => {
    const job = await getJob(tenantId, jobId);
    await assertCustomerOfDraft(tenantId, job, input.customerId);
    const now = clock.now();
    const drafted = draftInvoice(job, { ...input, customerId: input.customerId ?? job.customerId }, newId('inv'), now, corrected);
    await assertReadyToComplete(tenantId, job, drafted.invoice.type);
    await insertDraft(tenantId, drafted.invoice, job);
    return { invoice: drafted.invoice, billing: billingSummary(drafted.job) };
  });
};

const isPartial = (invoice: Invoice): boolean => invoice.policy === 'time_and_material';

/** A lost race reads again: a draft issued meanwhile is then refused as no longer a draft. */
export const updateDraft = (tenantId: string, id: string, patch: DraftPatch, expectedVersion?: number): Promise<Invoice> =>
  retrying(async () => {
    const invoice = expectVersion(await getInvoice(tenantId, id), expectedVersion, 'invoice');
    // What a partial invoice's finalization issues is what was authorized: it changes only while open.
    if (isPartial(invoice)) assertSelectionOpen(invoice);
    const customerChanged = changesCustomer(invoice, patch);
    const change = customerChanged ? await customerChange(tenantId, patch.customerId, invoice.jobId) : undefined;
    const next = editDraft(invoice, patch, clock.now(), change);
    await saveInvoice(tenantId, { next, previous: invoice, customerChanged });
    return next;
  });

/**
 * Read again on every attempt: a draft issued meanwhile is then refused as no longer a draft. A
 * partial invoice gives its selection of expenditures back first.
 */
export const deleteDraft = async (tenantId: string, id: string, expectedVersion?: number): Promise<void> => {
  if (isPartial(await getInvoice(tenantId, id))) return deletePartialInvoice(tenantId, id, expectedVersion);
  return retrying(async () => {
    const invoice = expectVersion(await getInvoice(tenantId, id), expectedVersion, 'invoice');
    if (invoice.status !== 'draft')
      throw new DomainError('conflict', 'INVOICE_NOT_DRAFT', 'Only a draft can be deleted; void an issued invoice');
    await removeDraft(tenantId, invoice, invoice.jobId ? await getJob(tenantId, invoice.jobId) : null);
  });
};

export { getInvoice, listInvoices, findInvoiceByNumber };
