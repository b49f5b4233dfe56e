import type { InvoiceLine } from './invoice.js';
import { suggestedPrice, totalOf, type ByRate, type Charge, type Job } from './job.js';
import { allocate, amount, Dec, percentOf, roundMoney, sumAmounts, toAmountString, type Amount } from './money.js';

/** A line as a policy computes it, before it is numbered and formatted. */
export type LineDraft = Omit<
  InvoiceLine,
  'id' | 'quantity' | 'unitPrice' | 'group' | 'allocations' | 'correctsInvoiceId' | 'amount'
> &
  Partial<Pick<InvoiceLine, 'quantity' | 'unitPrice' | 'group' | 'allocations' | 'correctsInvoiceId'>> & { amount: Amount };

export const remainingOf = (c: Charge): Amount => amount(c.amount).minus(c.billedToDate);
export const positive = (a: Amount): Amount => (a.isNegative() ? amount(0) : a);

/** The remainder in the charge's own direction: none once it is billed to its amount or, as overbilling allowed, past it. */
export const leftToBill = (c: Charge): Amount => {
  const remaining = remainingOf(c);
  return remaining.isNegative() === amount(c.amount).isNegative() ? remaining : amount(0);
};

export const workLine = (description: string, charge: Charge, delta: Amount): LineDraft => ({
  kind: 'work',
  description,
  amount: delta,
  taxRate: charge.taxRate,
  group: charge.group,
  allocations: [{ chargeId: charge.id, amount: delta.toFixed() }],
});

/** Merges lines that share a group and a tax rate into one line per group (the *_grouped policies). */
export const grouped = (lines: LineDraft[]): LineDraft[] => {
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
export const byHeldRate = (held: ByRate, total: Amount, currency: string): { rate: string; part: Amount }[] => {
  const rates = Object.keys(held);
  const parts = allocate(
    total,
    rates.map((r) => held[r]!),
    currency,
  );
  return rates.map((rate, i) => ({ rate, part: parts[i]! })).filter(({ part }) => !part.isZero());
};

/** Progress and final invoices apply deposits and withhold retainage on the work they bill. */
export const deductions = (
  job: Job,
  work: LineDraft[],
  final: boolean,
  // What the job billed of its price before this invoice: its charges', or its milestones' for a milestone invoice.
  workBefore: Amount = sumAmounts(job.charges.map((c) => c.billedToDate)),
): LineDraft[] => {
  const { currency } = job;
  const held = totalOf(job.depositsHeld);
  const price = suggestedPrice(job);
  // On the running totals, so that rounding never strands a cent of deposit: the deposits applied
  // after this invoice are the share of all deposits billed that the work billed is of the price.
  const workAfter = workBefore.plus(sumAmounts(work.map((l) => l.amount)));
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

/** The line as the invoice keeps it: numbered, amounts formatted in the currency. */
export const toLine = (draft: LineDraft, index: number, currency: string): InvoiceLine => {
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
