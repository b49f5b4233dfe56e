import type { Invoice, InvoiceType } from '../domain/invoice.js';
import { milestonePlanOf, type Job } from '../domain/job.js';
import { assertMilestonesInvoiced, invoiceMilestone, markPaid, releaseInvoice, type Milestone } from '../domain/milestone.js';
import { assertExpendituresBilled } from '../domain/partial-invoice.js';
import { getJob } from '../store/job.store.js';
import { getMilestone, putMilestone, queryMilestones } from '../store/milestone.store.js';
import type { WriteAction } from '../store/write.js';

/** What happens to an invoice that its billing source follows. */
export type SourceEvent = 'issue' | 'void' | 'pay';

const MOVES: Record<SourceEvent, (m: Milestone, invoice: Invoice, now: Date) => Milestone> = {
  issue: (m, invoice, now) => invoiceMilestone(m, invoice.id, now),
  // Only the invoice that bills the milestone releases it (a voided draft of a failed round never did).
  void: (m, invoice, now) => (m.invoiceId === invoice.id ? releaseInvoice(m, now) : m),
  pay: (m, invoice, now) => (m.invoiceId === invoice.id && m.status === 'invoiced' ? markPaid(m, now) : m),
};

/** The job whose ledger the invoice moves; null for an invoice of an accumulating profile, which has no ledger. */
export const ledgerJob = (tenantId: string, invoice: Invoice): Promise<Job | null> =>
  invoice.jobId === null ? Promise.resolve(null) : getJob(tenantId, invoice.jobId);

/**
 * A complete invoice of a job comes after what its price is made of is billed: a milestone job's
 * milestones all invoiced, a time and material job's booked expenditures all settled by partial
 * invoices. Checked at draft and at issue: the issue is conditioned on the job's version, which
 * every new milestone and every expenditure booked, selected or settled moves. A job priced by its
 * charges bills what is left of them, milestones and expenditures or not.
 */
export const assertReadyToComplete = async (tenantId: string, job: Job, type: InvoiceType): Promise<void> => {
  if (type !== 'complete') return;
  assertExpendituresBilled(job);
  if (job.billingType !== 'milestone' || !milestonePlanOf(job).length) return;
  assertMilestonesInvoiced(await queryMilestones(tenantId, job.id));
};

/**
 * What the invoice's billing source moves beside it, as actions of the same transaction (design §2,
 * billing sources): issuing a milestone's invoice invoices the milestone, voiding it lets it be
 * billed again, paying it in full makes it paid. An invoice of charges moves only the job's ledger,
 * which its use case writes itself.
 */
export const sourceActions = async (
  tenantId: string,
  invoice: Invoice,
  event: SourceEvent,
  now: Date,
): Promise<WriteAction[]> => {
  if (!invoice.milestoneId || !invoice.jobId) return [];
  const milestone = await getMilestone(tenantId, invoice.jobId, invoice.milestoneId);
  const next = MOVES[event](milestone, invoice, now);
  return next === milestone ? [] : [putMilestone(tenantId, next, milestone)];
};
