import { DomainError, invalidField, unknownReference } from './errors.js';
import {
  assertDueAfterIssue,
  typeOfPolicy,
  withTotals,
  type Allocation,
  type Invoice,
  type InvoicePolicy,
  type JobPolicy,
} from './invoice.js';
import { applyCredits, correctedIds, correctedInvoice } from './invoice-credits.js';
import { assertPolicyAllowed } from './invoice-rules.js';
import { applyInvoice } from './job-ledger.js';
import {
  byHeldRate,
  deductions,
  grouped,
  leftToBill,
  positive,
  remainingOf,
  toLine,
  workLine,
  type LineDraft,
} from './invoice-lines.js';
import { milestonePlanOf, suggestedPrice, totalOf, type Job } from './job.js';
import {
  allocate,
  amount,
  assertPayable,
  assertWithinBound,
  percentOf,
  roundMoney,
  sumAmounts,
  toAmountString,
  type Amount,
} from './money.js';

export interface ProgressInput {
  chargeId: string;
  /** Cumulative: how far the charge is done, as a percent, a quantity or an amount. */
  percentComplete?: string;
  quantity?: string;
  amount?: string;
}

export interface CorrectionLineInput {
  description: string;
  amount?: string;
  quantity?: string;
  unitPrice?: string;
  taxRate?: string;
  chargeId?: string;
  correctsInvoiceId?: string;
  group?: string;
}

/** The milestone a `milestone` invoice bills, with how far the job's milestones were billed before it. */
export interface MilestoneToBill {
  id: string;
  name: string;
  /** Net, in the currency's minor units. */
  amount: string;
  taxRate: string;
  /** The net of the job's milestones invoiced before this one: deposits are applied in proportion to it. */
  billedBefore: string;
  /** Every other milestone of the job is invoiced: this invoice applies every deposit still unapplied. */
  last: boolean;
}

export interface DraftInput {
  policy: JobPolicy;
  /** milestone: what it bills. */
  milestone?: MilestoneToBill;
  /** time_and_material: its lines, copied from its selection of expenditures and given free (partial-invoice.ts). */
  partialLines?: LineDraft[];
  /** deposit, progress_summary (this period's work), retainage_release. */
  amount?: string;
  /** deposit (of the price), progress_summary (cumulative percent complete). */
  percent?: string;
  /** deposit: the rate the deposit is billed and later applied at. */
  taxRate?: string;
  progress?: ProgressInput[];
  lines?: CorrectionLineInput[];
  customerId: string;
  issueDate?: string | null;
  dueDate?: string | null;
  dueDays?: number | null;
  notes?: string | null;
  allowOverbilling?: boolean;
}

/** The one tax rate all of what makes the price share (a milestone job's milestones, else the charges), else none: a deposit is billed at it by default. */
export const commonRate = (job: Job): string | undefined => {
  const priced = job.billingType === 'milestone' ? milestonePlanOf(job) : job.charges;
  const rates = new Set(priced.map((c) => amount(c.taxRate).toFixed()));
  return rates.size === 1 ? [...rates][0] : undefined;
};

/**
 * How work of `total` billed against the price is shared among the job's charges (in their order):
 * by what each has left to bill, or by their amounts once it is more than all of that (overbilling).
 * A discount takes no share. Progress by amount, a milestone of a fixed-price job and a partial
 * invoice's phase of one (partial-invoice.ts) are all split this way; a job with no charge of any
 * amount takes none of them (422 NOTHING_TO_BILL).
 */
export const chargeWeights = (job: Job, total: Amount): Amount[] => {
  const weights = job.charges.map((c) => positive(remainingOf(c)));
  const useAmounts = weights.every((w) => w.isZero()) || total.gt(sumAmounts(weights));
  const chosen = useAmounts ? job.charges.map((c) => positive(amount(c.amount))) : weights;
  if (chosen.every((w) => w.isZero())) {
    throw new DomainError(
      'rule',
      'NOTHING_TO_BILL',
      'The job has no charge with an amount to bill this against; add its charges first',
    );
  }
  return chosen;
};

const progressSummary = (job: Job, input: DraftInput): LineDraft[] => {
  const { currency } = job;
  const billedWork = sumAmounts(job.charges.map((c) => c.billedToDate));
  const total =
    input.percent !== undefined
      ? percentOf(suggestedPrice(job), input.percent, currency).minus(billedWork)
      : roundMoney(input.amount ?? '0', currency);
  if (!total.gt(0)) {
    throw new DomainError(
      'rule',
      'NOTHING_TO_BILL',
      input.percent !== undefined ? `Billed work is at ${input.percent}% already` : 'The amount must be more than zero',
    );
  }
  const parts = allocate(total, chargeWeights(job, total), currency);
  const byRate = new Map<string, Allocation[]>();
  job.charges.forEach((c, i) => {
    if (parts[i]!.isZero()) return;
    const rate = amount(c.taxRate).toFixed();
    byRate.set(rate, [...(byRate.get(rate) ?? []), { chargeId: c.id, amount: parts[i]!.toFixed() }]);
  });
  const description = input.percent !== undefined ? `Progress billing to ${input.percent}% complete` : 'Progress billing';
  return [...byRate].map(([taxRate, allocations]) => ({
    kind: 'work' as const,
    description,
    taxRate,
    amount: sumAmounts(allocations.map((a) => a.amount)),
    allocations,
  }));
};

/** The job's charges are in its billing order: a line per charge in that order, whatever order the request names them in. */
const inChargeOrder = (job: Job, lines: LineDraft[]): LineDraft[] => {
  const position = new Map(job.charges.map((c, i) => [c.id, i]));
  const at = (line: LineDraft): number => position.get(line.allocations![0]!.chargeId)!;
  return [...lines].sort((a, b) => at(a) - at(b));
};

const progressItemized = (job: Job, input: DraftInput): LineDraft[] => inChargeOrder(job, progressLines(job, input));

const progressLines = (job: Job, input: DraftInput): LineDraft[] =>
  (input.progress ?? []).flatMap((entry, i, entries) => {
    const charge = job.charges.find((c) => c.id === entry.chargeId);
    if (!charge) throw unknownReference('charge', `progress.${i}.chargeId`);
    if (entries.findIndex((e) => e.chargeId === entry.chargeId) !== i) {
      throw invalidField(`progress.${i}.chargeId`, 'duplicate', 'each charge may appear once: its progress is cumulative');
    }
    const [target, label, field] =
      entry.percentComplete !== undefined
        ? [percentOf(charge.amount, entry.percentComplete, job.currency), `${entry.percentComplete}% complete`, 'percentComplete']
        : entry.quantity !== undefined
          ? [
              roundMoney(amount(entry.quantity).times(charge.unitPrice), job.currency),
              `${entry.quantity} of ${charge.quantity} done`,
              'quantity',
            ]
          : [roundMoney(entry.amount ?? '0', job.currency), `${entry.amount} of ${charge.amount} done`, 'amount'];
    const delta = target.minus(charge.billedToDate);
    assertWithinBound([delta], job.currency, `The line of charge "${charge.description}"`, [`progress.${i}.${field}`]);
    // A discount charge progresses towards its negative amount.
    if (!delta.isZero() && delta.isNegative() !== amount(charge.amount).isNegative()) {
      throw new DomainError(
        'rule',
        'PROGRESS_BEHIND',
        `Charge "${charge.description}" has ${charge.billedToDate} billed already; bill less with a correction`,
        [{ field: `progress.${i}`, code: 'progress_behind', message: 'less than billed to date' }],
      );
    }
    return delta.isZero() ? [] : [workLine(`${charge.description} (${label})`, charge, delta)];
  });

/**
 * What each charge has left to bill; a charge overbilled gets nothing more (taking it back is a
 * correction's job). A job that progress invoices billed in full still gets its (zero) complete invoice.
 */
const finalWork = (job: Job): LineDraft[] => {
  const remainders = job.charges.filter((c) => !leftToBill(c).isZero()).map((c) => workLine(c.description, c, leftToBill(c)));
  return remainders.length > 0
    ? remainders
    : [{ kind: 'work', description: 'Work complete: nothing left to bill', amount: amount(0), taxRate: '0' }];
};

const deposit = (job: Job, input: DraftInput): LineDraft[] => {
  const price = suggestedPrice(job);
  const total =
    input.percent !== undefined ? percentOf(price, input.percent, job.currency) : roundMoney(input.amount ?? '0', job.currency);
  if (!total.gt(0)) throw new DomainError('rule', 'NOTHING_TO_BILL', 'The deposit must be more than zero');
  const taxRate = input.taxRate ?? commonRate(job) ?? '0';
  const description =
    input.percent !== undefined ? `Deposit: ${input.percent}% of ${toAmountString(price, job.currency)}` : 'Deposit';
  return [{ kind: 'deposit', description, amount: total, taxRate }];
};

/** A line correcting an invoice is taxed as that invoice was, unless the invoice had several rates to choose from. */
const onlyRateOf = (invoice: Invoice, line: number): string => {
  const rates = invoice.taxes.map((t) => t.rate);
  if (rates.length === 1) return rates[0]!;
  const message = `Invoice ${invoice.number} is taxed at ${rates.map((r) => `${r}%`).join(', ')}: give the line's taxRate`;
  throw new DomainError('rule', 'TAX_RATE_AMBIGUOUS', message, [{ field: `lines.${line}.taxRate`, code: 'ambiguous', message }]);
};

const correction = (job: Job, input: DraftInput, corrected: Invoice[]): LineDraft[] => {
  correctedIds(input.lines ?? []);
  return (input.lines ?? []).map((entry, i) => {
    const charge = entry.chargeId === undefined ? undefined : job.charges.find((c) => c.id === entry.chargeId);
    if (entry.chargeId !== undefined && !charge) throw unknownReference('charge', `lines.${i}.chargeId`);
    const corrects =
      entry.correctsInvoiceId === undefined ? undefined : correctedInvoice(job.id, corrected, entry.correctsInvoiceId, i);
    const lineAmount = roundMoney(entry.amount ?? amount(entry.quantity ?? '1').times(entry.unitPrice ?? '0'), job.currency);
    const given =
      entry.amount !== undefined ? ['amount'] : (['quantity', 'unitPrice'] as const).filter((f) => entry[f] !== undefined);
    assertWithinBound(
      [lineAmount],
      job.currency,
      `Line ${i + 1}`,
      given.map((f) => `lines.${i}.${f}`),
    );
    return {
      kind: 'correction' as const,
      description: entry.description,
      amount: lineAmount,
      quantity: entry.quantity ?? '1',
      unitPrice: entry.unitPrice ?? lineAmount.toFixed(),
      taxRate: entry.taxRate ?? charge?.taxRate ?? (corrects ? onlyRateOf(corrects, i) : '0'),
      group: entry.group ?? charge?.group ?? null,
      allocations: charge ? [{ chargeId: charge.id, amount: lineAmount.toFixed() }] : [],
      correctsInvoiceId: entry.correctsInvoiceId ?? null,
    };
  });
};

const retainageRelease = (job: Job, input: DraftInput): LineDraft[] => {
  const held = totalOf(job.retainageHeld);
  const total = input.amount === undefined ? held : roundMoney(input.amount, job.currency);
  if (!total.gt(0)) throw new DomainError('rule', 'NOTHING_TO_BILL', 'The job holds no retainage to release');
  if (total.gt(held))
    throw new DomainError('rule', 'RETAINAGE_EXCEEDED', `The job holds ${toAmountString(held, job.currency)} of retainage`);
  return byHeldRate(job.retainageHeld, total, job.currency).map(({ rate, part }) => ({
    kind: 'retainage_release',
    description: 'Retainage released',
    amount: part,
    taxRate: rate,
  }));
};

/**
 * On a milestone job, one work line for the milestone at its rate, then its share of the deposits
 * and the retainage withheld on it. On a job priced by its charges, the milestone is a payment stage
 * of that price: its amount is billed as progress, allocated to the charges (at their rates), so that
 * the final invoice bills only what is left.
 */
const milestoneLines = (job: Job, input: DraftInput): LineDraft[] => {
  const m = input.milestone;
  if (!m) throw invalidField('milestone', 'required', 'a milestone invoice names the milestone it bills');
  if (job.billingType !== 'milestone') {
    const work = progressSummary(job, { ...input, amount: m.amount }).map((line) => ({ ...line, description: m.name }));
    return withDeductions(job, work, false);
  }
  const work: LineDraft[] = [{ kind: 'work', description: m.name, amount: amount(m.amount), taxRate: m.taxRate }];
  return [...work, ...deductions(job, work, m.last, amount(m.billedBefore))];
};

const linesOf: Record<JobPolicy, (job: Job, input: DraftInput, corrected: Invoice[]) => LineDraft[]> = {
  deposit,
  progress_summary: (job, input) => withDeductions(job, progressSummary(job, input), false),
  progress_itemized: (job, input) => withDeductions(job, progressItemized(job, input), false),
  progress_itemized_grouped: (job, input) => withDeductions(job, grouped(progressItemized(job, input)), false),
  final: (job) => withDeductions(job, finalWork(job), true),
  final_grouped: (job) => withDeductions(job, grouped(finalWork(job)), true),
  correction,
  correction_grouped: (job, input, corrected) => grouped(correction(job, input, corrected)),
  retainage_release: retainageRelease,
  milestone: milestoneLines,
  time_and_material: (_job, input) => input.partialLines ?? [],
};

const withDeductions = (job: Job, work: LineDraft[], final: boolean): LineDraft[] => [...work, ...deductions(job, work, final)];

/** The inputs that set a draft's amounts: a draft past the amount bound names those it was given. */
const AMOUNT_INPUTS = ['amount', 'percent', 'taxRate', 'progress', 'lines'] as const;

/** Deposits, corrections and time and material (from its expenditures) say their amounts; every other policy computes them from the job's ledger. */
const FREE_OF_LEDGER: InvoicePolicy[] = ['deposit', 'correction', 'correction_grouped', 'time_and_material'];

/** A time and material draft may have no lines yet: whether it bills something is checked when it is authorized. */
const MAY_START_EMPTY: InvoicePolicy[] = ['time_and_material'];

/**
 * A draft invoice of the job as the policy computes it. It is checked against the job (status,
 * price, deposits, retainage) and the invoices it corrects (credits) as issuing it would be, so a
 * draft that exists can be issued unless they change meanwhile. Returns the job as issuing the
 * draft will leave it. `corrected` are the invoices that correction lines name (`correctsInvoiceId`),
 * as they are now.
 */
export const draftInvoice = (
  job: Job,
  input: DraftInput,
  id: string,
  now: Date,
  corrected: Invoice[] = [],
): { invoice: Invoice; job: Job } => {
  assertPolicyAllowed(job, input.policy, id);
  const lines = linesOf[input.policy](job, input, corrected).map((draft, i) => toLine(draft, i, job.currency));
  const lineAmounts = lines.map((l) => ({ net: l.amount, taxRate: l.taxRate }));
  const fields = AMOUNT_INPUTS.filter((field) => input[field] !== undefined);
  assertPayable(lineAmounts, job.currency, 'The invoice', fields);
  const complete = typeOfPolicy(input.policy) === 'complete';
  if (!complete && !MAY_START_EMPTY.includes(input.policy) && lines.every((l) => amount(l.amount).isZero())) {
    throw new DomainError('rule', 'NOTHING_TO_BILL', 'The invoice would have no amount: nothing is left to bill this way');
  }
  if (input.dueDays !== undefined && input.dueDays !== null && input.dueDays < 0)
    throw invalidField('dueDays', 'too_small', 'must be 0 or more');
  const invoice = withTotals({
    id,
    jobId: job.id,
    profileId: null,
    customerId: input.customerId,
    currency: job.currency,
    policy: input.policy,
    type: typeOfPolicy(input.policy),
    milestoneId: input.milestone?.id ?? null,
    status: 'draft',
    series: null,
    number: null,
    issueDate: input.issueDate ?? null,
    dueDate: input.dueDate ?? null,
    dueDays: input.dueDays ?? null,
    notes: input.notes ?? null,
    allowOverbilling: input.allowOverbilling ?? false,
    ledgerBasis: FREE_OF_LEDGER.includes(input.policy) ? null : (job.ledgerVersion ?? 0),
    lines,
    payments: [],
    creditedNet: toAmountString(0, job.currency),
    correctedBy: 0,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    issuedAt: null,
    version: 1,
  });
  assertDueAfterIssue(invoice);
  const next = applyInvoice(job, invoice, 1, now);
  applyCredits(invoice, corrected, 1, now);
  return { invoice, job: next };
};
