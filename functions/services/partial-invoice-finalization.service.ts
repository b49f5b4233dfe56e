import { clock } from '../adapters/clock.js';
import { DomainError, expectVersion } from '../domain/errors.js';
import { selectExpenditure, settleExpenditure, unsettleExpenditure, type Expenditure } from '../domain/expenditure.js';
import { isIssued, jobOf, type Invoice } from '../domain/invoice.js';
import { dueDateFor } from '../domain/invoice-lifecycle.js';
import {
  allocatedToCharges,
  authorizeSelection,
  copySettledLines,
  finalizationKey,
  finalizationFailed,
  selectionOf,
  selectionReleased,
  selectionSettled,
  sendFailed,
} from '../domain/partial-invoice.js';
import { applyInvoice } from '../domain/job-ledger.js';
import type { Settings } from '../domain/settings.js';
import { getCustomer } from '../store/customer.store.js';
import { getExpenditures } from '../store/expenditure.store.js';
import { getInvoice, saveInvoice } from '../store/invoice.store.js';
import type { InvoiceSend } from '../store/invoice-send.store.js';
import { getJob } from '../store/job.store.js';
import { getTenant } from '../store/tenant.store.js';
import { oweStart } from '../store/workflow-start.store.js';
import { EXPENDITURES_PER_TRANSACTION, transitionExpenditures } from './expenditure.service.js';
import { invoiceRecipient } from './invoice-document.service.js';
import { sendInvoiceOnce } from './invoice-send.service.js';
import { issueInvoice, numberingOf } from './issue-invoice.service.js';
import { assertPartialInvoicing } from './partial-invoice.service.js';
import { retrying } from './retry.js';
import { owedStart, startOwed } from './workflow-starts.js';

// The use cases of the partial-invoice workflow's steps (workflows/partial-invoice.asl.json): each
// idempotent on the invoice's finalization attempt, so a retry or a rerun does the work once.

/** What every step of a finalization is given. */
export interface Finalization {
  tenantId: string;
  invoiceId: string;
  /** The finalization attempt of the invoice this execution runs (`selection.finalization.attempt`). */
  attempt: number;
  send: boolean;
}

const SEND_PURPOSE = 'partial-invoice';

/** The invoice, if this execution's attempt is still its finalization; a later attempt supersedes an earlier one. */
const current = async ({ tenantId, invoiceId, attempt }: Finalization): Promise<Invoice> => {
  const invoice = await getInvoice(tenantId, invoiceId);
  if (selectionOf(invoice).finalization.attempt !== attempt) {
    throw new DomainError('conflict', 'FINALIZATION_SUPERSEDED', 'A later finalization of the invoice runs in place of this one');
  }
  return invoice;
};

/** Writes the invoice's next version when it is another object (a step already done writes nothing). */
const saved = async (tenantId: string, previous: Invoice, next: Invoice): Promise<Invoice> => {
  if (next !== previous) await saveInvoice(tenantId, { next, previous });
  return next;
};

/** The selection in chunks of one transaction each, for the Map that settles them (the state's input stays far under 256 KB). */
export const planSettlement = async (input: Finalization): Promise<{ chunks: string[][] }> => {
  const { expenditureIds } = selectionOf(await current(input));
  const chunks: string[][] = [];
  for (let at = 0; at < expenditureIds.length; at += EXPENDITURES_PER_TRANSACTION) {
    chunks.push(expenditureIds.slice(at, at + EXPENDITURES_PER_TRANSACTION));
  }
  return { chunks };
};

/** One chunk settled by the invoice, with the job's totals (WIP) in the same transaction; settled already, nothing written. */
export const settleChunk = async (input: Finalization, ids: string[]): Promise<number> => {
  const invoice = await current(input);
  await transitionExpenditures(input.tenantId, jobOf(invoice), ids, (e, now) => settleExpenditure(e, invoice.id, now));
  return ids.length;
};

/** Every chunk is settled: the selection is. */
export const markSettled = (input: Finalization): Promise<Invoice> =>
  retrying(async () => {
    const invoice = await current(input);
    return saved(input.tenantId, invoice, selectionSettled(invoice, clock.now()));
  });

const expendituresOf = async (tenantId: string, invoice: Invoice): Promise<Expenditure[]> => {
  const stored = await getExpenditures(tenantId, jobOf(invoice), selectionOf(invoice).expenditureIds);
  return [...stored.values()].map((s) => s.expenditure);
};

/** The lines copied again from the settled expenditures (the same as drafted, unless the rules say otherwise). */
export const copyLines = (input: Finalization): Promise<Invoice> =>
  retrying(async () => {
    const invoice = await current(input);
    if (isIssued(invoice)) return invoice;
    const [job, settled] = await Promise.all([getJob(input.tenantId, jobOf(invoice)), expendituresOf(input.tenantId, invoice)]);
    return saved(input.tenantId, invoice, copySettledLines(job, invoice, settled, clock.now()));
  });

/** The settled invoice issued: numbered, invoiced; an issued one is returned as it is. */
export const finalize = async (input: Finalization): Promise<Invoice> => {
  const invoice = await current(input);
  return isIssued(invoice) ? invoice : issueInvoice(input.tenantId, input.invoiceId);
};

/** Emailed once, when the approval asked for it. */
export const sendFinalized = (input: Finalization): Promise<InvoiceSend> =>
  sendInvoiceOnce(input.tenantId, input.invoiceId, SEND_PURPOSE);

/**
 * A finalized invoice whose mail failed (after SendFinalized's retries): it stays issued and settled,
 * and `selection.error` says that it was not sent.
 */
export const recordSendFailure = (input: Finalization, error: { code: string; message: string }): Promise<Invoice> =>
  retrying(async () => {
    const invoice = await current(input);
    return saved(input.tenantId, invoice, sendFailed(invoice, error, clock.now()));
  });

/**
 * The compensation of a failed finalization: the draft keeps why (`selection.error`), every
 * expenditure it settled goes back into its selection, and the draft is open again, editable and
 * ready to be approved anew. An invoice issued has nothing to give back; a rerun finds it done.
 */
export const releaseSelection = async (input: Finalization, error: { code: string; message: string }): Promise<Invoice> => {
  const releasing = await retrying(async () => {
    const invoice = await current(input);
    return saved(input.tenantId, invoice, finalizationFailed(invoice, error, clock.now()));
  });
  if (releasing.selection?.state !== 'releasing') return releasing;
  const { invoiceId } = input;
  await transitionExpenditures(input.tenantId, jobOf(releasing), selectionOf(releasing).expenditureIds, (e, now) =>
    e.settledBy === invoiceId ? selectExpenditure(unsettleExpenditure(e, invoiceId, now), invoiceId, now) : e,
  );
  return retrying(async () => {
    const invoice = await current(input);
    return saved(input.tenantId, invoice, selectionReleased(invoice, clock.now()));
  });
};

/**
 * What would make the finalization fail, refused before it starts: the job's ledger rules as the
 * issue applies them (a billed job 409 `JOB_BILLED`, billing past the price 422 `JOB_OVERBILLED`),
 * its issue date (before the series' last issue, or in the future: 422) and its due date (before
 * the issue date: 422 `DUE_DATE_BEFORE_ISSUE_DATE`), and with `send`, a
 * customer without an email address (422 `NO_RECIPIENT`).
 */
const assertFinalizable = async (
  tenantId: string,
  invoice: Invoice,
  settings: Settings,
  send: boolean,
  now: Date,
): Promise<void> => {
  const [job, customer, { issueDate }] = await Promise.all([
    getJob(tenantId, jobOf(invoice)),
    send ? getCustomer(tenantId, invoice.customerId) : null,
    numberingOf(tenantId, invoice, settings, now),
  ]);
  dueDateFor(invoice, issueDate, settings);
  applyInvoice(job, allocatedToCharges(job, invoice), 1, now);
  if (customer) invoiceRecipient(undefined, customer.email, 'send');
};

/**
 * The go-ahead for a partial invoice draft (`POST /v1/partial-invoices/{id}/approve`): its selection
 * is authorized (an empty one only where the tenant allows it; never "approved", the accounting
 * lifecycle's word) and its finalization owed and started in the same write, under the name of the
 * attempt (a duplicate start is a no-op). `send` emails the invoice once finalized.
 */
export const approvePartialInvoice = async (
  tenantId: string,
  id: string,
  options: { send?: boolean },
  expectedVersion?: number,
): Promise<Invoice> => {
  await assertPartialInvoicing(tenantId);
  const { invoice, start } = await retrying(async () => {
    const [previous, { settings }] = await Promise.all([getInvoice(tenantId, id), getTenant(tenantId)]);
    const now = clock.now();
    const next = authorizeSelection(expectVersion(previous, expectedVersion, 'invoice'), settings, options, now);
    await assertFinalizable(tenantId, previous, settings, options.send ?? false, now);
    const input: Finalization = {
      tenantId,
      invoiceId: id,
      attempt: selectionOf(next).finalization.attempt,
      send: options.send ?? false,
    };
    const owed = owedStart(tenantId, 'partial-invoice', `partial-${finalizationKey(next)}`, input, now);
    await saveInvoice(tenantId, { next, previous }, undefined, [], [], [oweStart(owed)]);
    return { invoice: next, start: owed };
  });
  await startOwed(start);
  return invoice;
};
