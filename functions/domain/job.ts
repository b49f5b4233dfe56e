import { DomainError } from './errors.js';
import { bookedSalesValue, expenditureTotalsOf, type ExpenditureTotals } from './expenditure-totals.js';
import { amount, checkCurrency, roundMoney, sumAmounts, toAmountString, type Amount } from './money.js';

export type BillingType = 'fixed_price' | 'time_and_material' | 'milestone';
export type JobStatus = 'open' | 'closed' | 'billed';

/** An invoiceable of a job; `amount` = quantity x unit price, rounded to the currency. */
export interface Charge {
  id: string;
  description: string;
  group: string | null;
  quantity: string;
  unitPrice: string;
  /** Percent string ("20" = 20%). */
  taxRate: string;
  amount: string;
  billedToDate: string;
  /** On a phase job: the master's charge it was taken from (given back to it if the phase is deleted). */
  fromChargeId?: string;
}

/**
 * What one milestone adds to the job's price, in the job's order of milestones. The milestone itself
 * (name, status, approvals) is an item of its own; the job keeps these terms so that its price is a
 * function of the job alone, exact in every read and in every write conditioned on its version.
 */
export interface PlannedMilestone {
  id: string;
  /** Net, in the currency's minor units. */
  amount: string;
  taxRate: string;
}

/** Amounts by tax rate (`{"20": "150.00"}`): deposits and retainage are given back at the rate they were billed at. */
export type ByRate = Record<string, string>;

/** Net amounts the job has billed, collected and holds; issuing and voiding invoices move them. */
export interface JobLedger {
  invoicedToDate: string;
  paidToDate: string;
  /** Every deposit billed so far, applied or not: progress invoices apply deposits in proportion to it. */
  depositsInvoiced: string;
  depositsHeld: ByRate;
  retainageHeld: ByRate;
  /** The issued complete (final) invoice, or a draft of one. */
  completeInvoiceId: string | null;
  /** Moves with every issue and void: a draft computed from an older ledger is stale. */
  ledgerVersion: number;
  /** Issued corrections: the complete invoice they correct cannot be voided before them. */
  correctionsIssued: number;
}

/** What a job is agreed on (and an estimate proposes): for whom, what, how billed, in what currency, what withheld. */
export interface JobTerms {
  customerId: string;
  name: string;
  billingType: BillingType;
  currency: string;
  /** Percent string ("10" = 10%), withheld from progress and final invoices. */
  retainagePercent: string | null;
}

export interface Job extends JobLedger, JobTerms {
  id: string;
  status: JobStatus;
  charges: Charge[];
  /** The milestones in order (stored before milestones existed: none). */
  milestonePlan?: PlannedMilestone[];
  /** What its expenditures add up to (stored before expenditures existed: none). */
  expenditures?: ExpenditureTotals;
  invoiceCount: number;
  /** The estimate whose acceptance made the job (stored before estimates existed: none). */
  estimateId?: string | null;
  /** A phase job's master (stored before phases existed: none). */
  masterJobId?: string | null;
  /** A master job's phases, in the order they were made (stored before phases existed: none). */
  phaseJobIds?: string[];
  createdAt: string;
  updatedAt: string;
  version: number;
}

/** The terms a new job is given (no retainage unless said). */
export type JobFields = Omit<JobTerms, 'retainagePercent'> & Partial<Pick<JobTerms, 'retainagePercent'>>;

export interface BillingSummary {
  suggestedPrice: string;
  /** The sum of the milestones, whatever the billing type. */
  projectValue: string;
  invoicedToDate: string;
  paidToDate: string;
  depositsHeld: string;
  retainageHeld: string;
  remaining: string;
}

export const createJob = (input: JobFields, id: string, now: Date): Job => ({
  id,
  customerId: input.customerId,
  name: input.name,
  billingType: input.billingType,
  currency: checkCurrency(input.currency),
  retainagePercent: input.retainagePercent ?? null,
  status: 'open',
  charges: [],
  milestonePlan: [],
  invoiceCount: 0,
  invoicedToDate: '0',
  paidToDate: '0',
  depositsInvoiced: '0',
  depositsHeld: {},
  retainageHeld: {},
  completeInvoiceId: null,
  ledgerVersion: 0,
  correctionsIssued: 0,
  createdAt: now.toISOString(),
  updatedAt: now.toISOString(),
  version: 1,
});

/** The next version of a job, after a change made at `now`. */
export const touched = (job: Job, now: Date, change: Partial<Job>): Job => ({
  ...job,
  ...change,
  updatedAt: now.toISOString(),
  version: job.version + 1,
});

/** A Billed job is final: only correction invoices may follow. */
export const assertModifiable = (job: Job): void => {
  if (job.status === 'billed') throw new DomainError('conflict', 'JOB_BILLED', 'The job is billed and cannot be modified');
};

const samePercent = (a: string | null, b: string | null): boolean => (a === null || b === null ? a === b : amount(a).eq(b));

export type JobPatch = Partial<Pick<JobFields, 'name' | 'customerId' | 'retainagePercent'>>;

/** Who pays and what is withheld are fixed once the job has invoices. */
export const updateJob = (job: Job, patch: JobPatch, now: Date): Job => {
  assertModifiable(job);
  const changes = {
    customerId: patch.customerId !== undefined && patch.customerId !== job.customerId,
    retainagePercent: patch.retainagePercent !== undefined && !samePercent(patch.retainagePercent, job.retainagePercent),
  };
  const fixedOnceInvoiced = (['customerId', 'retainagePercent'] as const).find((field) => changes[field]);
  if (fixedOnceInvoiced && job.invoiceCount > 0) {
    throw new DomainError('conflict', 'JOB_HAS_INVOICES', `${fixedOnceInvoiced} cannot change once the job has invoices`, [
      { field: fixedOnceInvoiced, code: 'job_has_invoices', message: 'cannot change once the job has invoices' },
    ]);
  }
  const change = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined));
  return touched(job, now, change);
};

export const closeJob = (job: Job, now: Date): Job => {
  if (job.status !== 'open')
    throw new DomainError('conflict', 'JOB_NOT_OPEN', `Only an open job can be closed; this one is ${job.status}`);
  return touched(job, now, { status: 'closed' });
};

export const reopenJob = (job: Job, now: Date): Job => {
  if (job.status !== 'closed')
    throw new DomainError('conflict', 'JOB_NOT_CLOSED', `Only a closed job can be reopened; this one is ${job.status}`);
  return touched(job, now, { status: 'open' });
};

/** How many expenditures the job has, booked or not. */
export const expenditureCount = (job: Job): number => {
  const { booked, unbooked } = expenditureTotalsOf(job);
  return Object.values(booked).reduce(
    (sum, byStatus) => sum + Object.values(byStatus).reduce((n, total) => n + total.count, 0),
    unbooked.count,
  );
};

/**
 * Expenditures are the job's bookkeeping: a job keeps them, so it goes only once they are deleted. A
 * job an estimate's acceptance made stays too (409 `JOB_FROM_ESTIMATE`): it is what the client accepted,
 * and the accepted estimate, which cannot be deleted, links to it.
 */
export const assertDeletable = (job: Job): void => {
  if (job.invoiceCount > 0) throw new DomainError('conflict', 'JOB_HAS_INVOICES', 'A job with invoices cannot be deleted');
  if (expenditureCount(job) > 0) {
    throw new DomainError('conflict', 'JOB_HAS_EXPENDITURES', 'A job with expenditures cannot be deleted; delete them first');
  }
  if (job.estimateId) {
    throw new DomainError(
      'conflict',
      'JOB_FROM_ESTIMATE',
      `The job was made by accepting estimate ${job.estimateId}, which links to it: it cannot be deleted`,
    );
  }
};

export const milestonePlanOf = (job: Job): PlannedMilestone[] => job.milestonePlan ?? [];

/** The sum of the job's milestones (net, exact); what a change order proposes counts once it is approved and applied. */
export const projectValue = (job: Job) => sumAmounts(milestonePlanOf(job).map((m) => m.amount));

/**
 * The price the invoices of a job aim at (net): for a milestone job the sum of its milestones; for
 * a time and material job its booked expenditures at sales value, whatever their billing status,
 * plus its charges (none on most); else the sum of its charges.
 */
export const suggestedPrice = (job: Job) => {
  const charges = sumAmounts(job.charges.map((c) => c.amount));
  if (job.billingType === 'milestone') return roundMoney(projectValue(job), job.currency);
  if (job.billingType === 'time_and_material') {
    return roundMoney(charges.plus(bookedSalesValue(expenditureTotalsOf(job))), job.currency);
  }
  return roundMoney(charges, job.currency);
};

export const totalOf = (byRate: ByRate) => sumAmounts(Object.values(byRate));

/** What is left to bill: the price less what invoices billed, counting retainage they withheld as billed. */
export const remainingToBill = (job: Job) => suggestedPrice(job).minus(job.invoicedToDate).minus(totalOf(job.retainageHeld));

export const billingSummary = (job: Job): BillingSummary => {
  const money = (value: Amount | string): string => toAmountString(value, job.currency);
  return {
    suggestedPrice: money(suggestedPrice(job)),
    projectValue: money(projectValue(job)),
    invoicedToDate: money(job.invoicedToDate),
    paidToDate: money(job.paidToDate),
    depositsHeld: money(totalOf(job.depositsHeld)),
    retainageHeld: money(totalOf(job.retainageHeld)),
    remaining: money(remainingToBill(job)),
  };
};

export const masterJobIdOf = (job: Job): string | null => job.masterJobId ?? null;

export const phaseJobIdsOf = (job: Job): string[] => job.phaseJobIds ?? [];

/** The figures of a billing summary that add up across jobs (a master has no milestones: it bills charges). */
const SUMMED = ['suggestedPrice', 'invoicedToDate', 'paidToDate', 'depositsHeld', 'retainageHeld', 'remaining'] as const;

export type BillingTotals = Pick<BillingSummary, (typeof SUMMED)[number]>;

/** A master job's phases summed, and the whole: what the master itself holds plus its phases. */
export interface MasterBilling {
  phases: BillingTotals & { count: number };
  total: BillingTotals;
}

const summed = (summaries: BillingSummary[], currency: string): BillingTotals =>
  Object.fromEntries(
    SUMMED.map((field) => [field, toAmountString(sumAmounts(summaries.map((s) => s[field])), currency)]),
  ) as BillingTotals;

/** The master's roll-up, exact: every figure is a sum of the jobs' own rounded figures, so the parts add up to the total. */
export const masterBilling = (master: Job, phases: Job[]): MasterBilling => {
  const ofPhases = phases.map(billingSummary);
  return {
    phases: { count: phases.length, ...summed(ofPhases, master.currency) },
    total: summed([billingSummary(master), ...ofPhases], master.currency),
  };
};

/** Where a job stands, net: its price, what is billed and what is left to bill. */
export interface JobStanding {
  /** The suggested price. */
  contract: string;
  /** Invoiced to date plus the retainage held: withheld retainage is billed, only not yet due. */
  billedToDate: string;
  remaining: string;
}

export const jobStanding = (job: Job): JobStanding => {
  const { suggestedPrice: contract, invoicedToDate, retainageHeld, remaining } = billingSummary(job);
  return { contract, billedToDate: toAmountString(amount(invoicedToDate).plus(retainageHeld), job.currency), remaining };
};
