import { clock } from '../adapters/clock.js';
import { concurrentWrite, DomainError } from '../domain/errors.js';
import { isIssued, type Invoice } from '../domain/invoice.js';
import { draftInvoice } from '../domain/invoice-policies.js';
import type { Job } from '../domain/job.js';
import { endBilling, isCurrentRound, milestoneToBill, nextStatus, type Milestone } from '../domain/milestone.js';
import { getInvoice, insertDraft, saveInvoice } from '../store/invoice.store.js';
import type { InvoiceSend } from '../store/invoice-send.store.js';
import { getJob } from '../store/job.store.js';
import { getMilestone, putMilestone, queryMilestones } from '../store/milestone.store.js';
import { write } from '../store/write.js';
import { sendInvoiceOnce } from './invoice-send.service.js';
import { issueInvoice } from './issue-invoice.service.js';
import type { BillingRound } from './milestone-billing.service.js';
import { retrying } from './retry.js';

// The use cases of the milestone-billing workflow's steps: each idempotent on the billing round.

const SEND_PURPOSE = 'milestone-billing';

/** Undefined when there is no invoice of that id (yet). */
export const findInvoice = (tenantId: string, id: string): Promise<Invoice | undefined> =>
  getInvoice(tenantId, id).catch((error: unknown) => {
    if (error instanceof DomainError && error.kind === 'not_found') return undefined;
    throw error;
  });

const superseded = (): DomainError =>
  new DomainError('conflict', 'BILLING_ROUND_SUPERSEDED', 'A later billing round of the milestone runs in place of this one');

/** The round is still the milestone's, and the milestone may be invoiced by it (or it already is). */
export const checkBillable = async ({ tenantId, jobId, milestoneId, round, invoiceId }: BillingRound): Promise<Milestone> => {
  const m = await getMilestone(tenantId, jobId, milestoneId);
  if (!isCurrentRound(m, round)) throw superseded();
  if (m.invoiceId !== invoiceId) nextStatus(m, 'invoice');
  return m;
};

/** The draft as the milestone policy computes it now, under the round's invoice id. */
const computeDraft = async (
  tenantId: string,
  m: Milestone,
  invoiceId: string,
  now: Date,
): Promise<{ invoice: Invoice; job: Job }> => {
  // The job before its milestones: an issue between the two reads then leaves the draft's ledger
  // basis behind the job's, so the issue refuses it as stale and it is drawn again. The other way
  // round, a job already counting that invoice beside milestones that do not would bill its deposit share twice.
  const job = await getJob(tenantId, m.jobId);
  const milestones = await queryMilestones(tenantId, m.jobId);
  const { invoice } = draftInvoice(
    job,
    { policy: 'milestone', milestone: milestoneToBill(m, milestones), customerId: job.customerId },
    invoiceId,
    now,
  );
  return { invoice, job };
};

/** The round's draft: made once; found when it is there (a retry, a rerun, a round after a failed one). */
export const createMilestoneInvoice = (round: BillingRound): Promise<Invoice> =>
  retrying(async () => {
    const found = await findInvoice(round.tenantId, round.invoiceId);
    if (found) {
      if (found.milestoneId !== round.milestoneId)
        throw new Error(`invoice ${round.invoiceId} bills no milestone ${round.milestoneId}`);
      return found;
    }
    const m = await checkBillable(round);
    const { invoice, job } = await computeDraft(round.tenantId, m, round.invoiceId, clock.now());
    // A draft made meanwhile by another run of the round fails this write; read again, it is found.
    await insertDraft(round.tenantId, invoice, job);
    return invoice;
  });

/**
 * The draft drawn again from the job as it is now, under the same id: another milestone invoiced
 * since it was drawn moved the deposits it applies and whether it is the last (INVOICE_STALE).
 */
const redraft = (round: BillingRound): Promise<void> =>
  retrying(async () => {
    const [draft, m] = await Promise.all([getInvoice(round.tenantId, round.invoiceId), checkBillable(round)]);
    if (draft.status !== 'draft') return;
    const now = clock.now();
    const { invoice } = await computeDraft(round.tenantId, m, round.invoiceId, now);
    const next: Invoice = { ...invoice, createdAt: draft.createdAt, version: draft.version + 1 };
    await saveInvoice(round.tenantId, { next, previous: draft });
  });

/** Other milestones invoiced while this one is drawn again, this often, leave the step to the workflow's retry. */
const REDRAFTS = 10;

const isStale = (error: unknown): boolean => error instanceof DomainError && error.code === 'INVOICE_STALE';

/** The round's invoice issued (the milestone invoiced in the same transaction); an issued one is returned as it is. */
export const issueMilestoneInvoice = async (round: BillingRound): Promise<Invoice> => {
  for (let attempt = 1; ; attempt++) {
    const invoice = await getInvoice(round.tenantId, round.invoiceId);
    if (isIssued(invoice)) return invoice;
    if (invoice.status === 'voided') throw new DomainError('conflict', 'INVOICE_VOIDED', 'The invoice of the round was voided');
    try {
      return await issueInvoice(round.tenantId, round.invoiceId);
    } catch (error) {
      if (!isStale(error)) throw error;
      // Still losing to other milestones' invoices: the workflow's retry tries again after a pause.
      if (attempt >= REDRAFTS) throw concurrentWrite('job');
      await redraft(round);
    }
  }
};

/** The round's invoice emailed once (services/invoice-send.service.ts). */
export const sendMilestoneInvoice = (round: BillingRound): Promise<InvoiceSend> =>
  sendInvoiceOnce(round.tenantId, round.invoiceId, SEND_PURPOSE);

/** The round ends, done or failed with its error; a round that is not the milestone's any more changes nothing. */
export const endRound = (round: BillingRound, outcome: Parameters<typeof endBilling>[2]): Promise<Milestone> =>
  retrying(async () => {
    const m = await getMilestone(round.tenantId, round.jobId, round.milestoneId);
    const next = endBilling(m, round.round, outcome, clock.now());
    if (next !== m) await write(putMilestone(round.tenantId, next, m));
    return next;
  });
