import { DomainError, invalidField, unknownReference } from './errors.js';
import {
  assertDueAfterIssue,
  typeOfPolicy,
  withTotals,
  type Allocation,
  type Invoice,
  type InvoiceLine,
  type InvoicePolicy,
} from './invoice.js';
import { assertPolicyAllowed } from './invoice-rules.js';
import { applyInvoice } from './job-ledger.js';
import { suggestedPrice, totalOf, type ByRate, type Charge, type Job } from './job.js';
import { allocate, amount, Dec, percentOf, roundMoney, sumAmounts, toAmountString, type Amount } from './money.js';

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

export interface DraftInput {
  policy: InvoicePolicy;
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

type LineDraft = Omit<InvoiceLine, 'id' | 'quantity' | 'unitPrice' | 'group' | 'allocations' | 'correctsInvoiceId' | 'amount'> &
  Partial<Pick<InvoiceLine, 'quantity' | 'unitPrice' | 'group' | 'allocations' | 'correctsInvoiceId'>> & { amount: Amount };

const remainingOf = (c: Charge): Amount => amount(c.amount).minus(c.billedToDate);
const positive = (a: Amount): Amount => (a.isNegative() ? amount(0) : a);

/** The one tax rate all charges share, else none: a deposit is billed at it by default. */
const commonRate = (job: Job): string | undefined => {
  const rates = new Set(job.charges.map((c) => amount(c.taxRate).toFixed()));
  return rates.size === 1 ? [...rates][0] : undefined;
};

const workLine = (description: string, charge: Charge, delta: Amount): LineDraft => ({
  kind: 'work',
  description,
  amount: delta,
  taxRate: charge.taxRate,
  group: charge.group,
  allocations: [{ chargeId: charge.id, amount: delta.toFixed() }],
});

/** Merges lines that share a group and a tax rate into one line per group (the *_grouped policies). */
const grouped = (lines: LineDraft[]): LineDraft[] => {
  const byGroup = new Map<string, LineDraft>();
  for (const line of lines) {
    const group = line.group ?? 'Other';
    // Lines correcting different invoices stay apart, so that each keeps what it corrects.
    const key = `${group}\u0000${amount(line.taxRate).toFixed()}\u0000${line.correctsInvoiceId ?? ''}`;
    const into = byGroup.get(key);
    byGroup.set(
      key,
      into
        ? {
            ...into,
            amount: into.amount.plus(line.amount),
            allocations: [...(into.allocations ?? []), ...(line.allocations ?? [])],
          }
        : { ...line, description: group, group },
    );
  }
  // A group line bills the group once: quantity 1 at the group's amount.
  return [...byGroup.values()].map(({ quantity: _q, unitPrice: _p, ...line }) => line);
};

/** Splits `total` over amounts held by rate (deposits, retainage), in proportion to what each rate holds. */
const byHeldRate = (held: ByRate, total: Amount, currency: string): { rate: string; part: Amount }[] => {
  const rates = Object.keys(held);
  const parts = allocate(
    total,
    rates.map((r) => held[r]!),
    currency,
  );
  return rates.map((rate, i) => ({ rate, part: parts[i]! })).filter(({ part }) => !part.isZero());
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
  const weights = job.charges.map((c) => positive(remainingOf(c)));
  const useAmounts = weights.every((w) => w.isZero()) || total.gt(sumAmounts(weights));
  const parts = allocate(total, useAmounts ? job.charges.map((c) => positive(amount(c.amount))) : weights, currency);
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

const progressItemized = (job: Job, input: DraftInput): LineDraft[] =>
  (input.progress ?? []).flatMap((entry, i, entries) => {
    const charge = job.charges.find((c) => c.id === entry.chargeId);
    if (!charge) throw unknownReference('charge', `progress.${i}.chargeId`);
    if (entries.findIndex((e) => e.chargeId === entry.chargeId) !== i) {
      throw invalidField(`progress.${i}.chargeId`, 'duplicate', 'each charge may appear once: its progress is cumulative');
    }
    const [target, label] =
      entry.percentComplete !== undefined
        ? [percentOf(charge.amount, entry.percentComplete, job.currency), `${entry.percentComplete}% complete`]
        : entry.quantity !== undefined
          ? [
              roundMoney(amount(entry.quantity).times(charge.unitPrice), job.currency),
              `${entry.quantity} of ${charge.quantity} done`,
            ]
          : [roundMoney(entry.amount ?? '0', job.currency), `${entry.amount} of ${charge.amount} done`];
    const delta = target.minus(charge.billedToDate);
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

/** Every remainder; a job that progress invoices billed in full still gets its (zero) complete invoice. */
const finalWork = (job: Job): LineDraft[] => {
  const remainders = job.charges.filter((c) => !remainingOf(c).isZero()).map((c) => workLine(c.description, c, remainingOf(c)));
  return remainders.length > 0
    ? remainders
    : [{ kind: 'work', description: 'Work complete: nothing left to bill', amount: amount(0), taxRate: '0' }];
};

/** Progress and final invoices apply deposits and withhold retainage on the work they bill. */
const deductions = (job: Job, work: LineDraft[], final: boolean): LineDraft[] => {
  const { currency } = job;
  const held = totalOf(job.depositsHeld);
  const price = suggestedPrice(job);
  // On the running totals, so that rounding never strands a cent of deposit: the deposits applied
  // after this invoice are the share of all deposits billed that the work billed is of the price.
  const workAfter = sumAmounts([...job.charges.map((c) => c.billedToDate), ...work.map((l) => l.amount)]);
  const appliedBefore = amount(job.depositsInvoiced).minus(held);
  const target = price.gt(0) ? roundMoney(amount(job.depositsInvoiced).times(workAfter).div(price), currency) : amount(0);
  const applied = final || workAfter.gte(price) ? held : Dec.min(held, positive(target.minus(appliedBefore)));
  const depositLines = byHeldRate(job.depositsHeld, applied, currency).map(({ rate, part }) => ({
    kind: 'deposit_applied' as const,
    description: 'Deposit applied',
    amount: part.negated(),
    taxRate: rate,
  }));
  const percent = job.retainagePercent;
  if (!percent || amount(percent).isZero()) return depositLines;
  const workByRate = new Map<string, Amount>();
  for (const line of work) {
    const rate = amount(line.taxRate).toFixed();
    workByRate.set(rate, (workByRate.get(rate) ?? amount(0)).plus(line.amount));
  }
  const retainageLines = [...workByRate]
    .map(([taxRate, base]) => ({
      kind: 'retainage_withheld' as const,
      description: `Retainage ${percent}% withheld`,
      amount: percentOf(base, percent, currency).negated(),
      taxRate,
    }))
    .filter((l) => !l.amount.isZero());
  return [...depositLines, ...retainageLines];
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

const correction = (job: Job, input: DraftInput): LineDraft[] =>
  (input.lines ?? []).map((entry, i) => {
    const charge = entry.chargeId === undefined ? undefined : job.charges.find((c) => c.id === entry.chargeId);
    if (entry.chargeId !== undefined && !charge) throw unknownReference('charge', `lines.${i}.chargeId`);
    const lineAmount = roundMoney(entry.amount ?? amount(entry.quantity ?? '1').times(entry.unitPrice ?? '0'), job.currency);
    return {
      kind: 'correction' as const,
      description: entry.description,
      amount: lineAmount,
      quantity: entry.quantity ?? '1',
      unitPrice: entry.unitPrice ?? lineAmount.toFixed(),
      taxRate: entry.taxRate ?? charge?.taxRate ?? '0',
      group: entry.group ?? charge?.group ?? null,
      allocations: charge ? [{ chargeId: charge.id, amount: lineAmount.toFixed() }] : [],
      correctsInvoiceId: entry.correctsInvoiceId ?? null,
    };
  });

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

const linesOf: Record<InvoicePolicy, (job: Job, input: DraftInput) => LineDraft[]> = {
  deposit,
  progress_summary: (job, input) => withDeductions(job, progressSummary(job, input), false),
  progress_itemized: (job, input) => withDeductions(job, progressItemized(job, input), false),
  progress_itemized_grouped: (job, input) => withDeductions(job, grouped(progressItemized(job, input)), false),
  final: (job) => withDeductions(job, finalWork(job), true),
  final_grouped: (job) => withDeductions(job, grouped(finalWork(job)), true),
  correction,
  correction_grouped: (job, input) => grouped(correction(job, input)),
  retainage_release: retainageRelease,
};

const withDeductions = (job: Job, work: LineDraft[], final: boolean): LineDraft[] => [...work, ...deductions(job, work, final)];

const toLine = (draft: LineDraft, index: number, currency: string): InvoiceLine => {
  const lineAmount = toAmountString(draft.amount, currency);
  return {
    id: `L${index + 1}`,
    kind: draft.kind,
    description: draft.description,
    quantity: draft.quantity ?? '1',
    unitPrice: draft.unitPrice ?? lineAmount,
    amount: lineAmount,
    taxRate: amount(draft.taxRate).toFixed(),
    group: draft.group ?? null,
    allocations: (draft.allocations ?? []).map((a) => ({ chargeId: a.chargeId, amount: toAmountString(a.amount, currency) })),
    correctsInvoiceId: draft.correctsInvoiceId ?? null,
  };
};

/**
 * A draft invoice of the job as the policy computes it. It is checked against the job as issuing
 * it would be (status, price, deposits, retainage), so a draft that exists can be issued unless the
 * job changes meanwhile.
 */
/** Deposits and corrections say their amounts; every other policy computes them from the job's ledger. */
const FREE_OF_LEDGER: InvoicePolicy[] = ['deposit', 'correction', 'correction_grouped'];

export const draftInvoice = (job: Job, input: DraftInput, id: string, now: Date): { invoice: Invoice; job: Job } => {
  assertPolicyAllowed(job, input.policy, id);
  const lines = linesOf[input.policy](job, input).map((draft, i) => toLine(draft, i, job.currency));
  const complete = typeOfPolicy(input.policy) === 'complete';
  if (!complete && lines.every((l) => amount(l.amount).isZero())) {
    throw new DomainError('rule', 'NOTHING_TO_BILL', 'The invoice would have no amount: nothing is left to bill this way');
  }
  if (input.dueDays !== undefined && input.dueDays !== null && input.dueDays < 0)
    throw invalidField('dueDays', 'too_small', 'must be 0 or more');
  const invoice = withTotals({
    id,
    jobId: job.id,
    customerId: input.customerId,
    currency: job.currency,
    policy: input.policy,
    type: typeOfPolicy(input.policy),
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
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    issuedAt: null,
    version: 1,
  });
  assertDueAfterIssue(invoice);
  return { invoice, job: applyInvoice(job, invoice, 1, now) };
};
