import { amount, sumAmounts, type Amount } from './money.js';

export const EXPENDITURE_KINDS = ['hours', 'material', 'purchase'] as const;
export type ExpenditureKind = (typeof EXPENDITURE_KINDS)[number];

/** Where a booked expenditure stands in billing: free to select, in a partial invoice's selection, settled by one. */
export const BILLING_STATUSES = ['unbilled', 'selected', 'settled'] as const;
export type BillingStatus = (typeof BILLING_STATUSES)[number];

/** How many expenditures, and their cost and sales value (exact sums of amounts already rounded to the currency). */
export interface ExpenditureTotal {
  count: number;
  cost: string;
  salesValue: string;
}

/**
 * What a job's expenditures add up to, kept on the job item so that its price, its Work in Process
 * and the reports are a function of the job alone, exact in every read and every write conditioned
 * on its version. Only booked ones count in WIP and the price; the unbooked ones are counted apart.
 */
export interface ExpenditureTotals {
  booked: Record<ExpenditureKind, Record<BillingStatus, ExpenditureTotal>>;
  unbooked: ExpenditureTotal;
  /**
   * The cost issued partial invoices took out of WIP, less what their reversals gave back: moved by
   * the issue, as the journal's WIP entries are, not by the settling of each chunk before it. A job
   * stored before it was kept has no finalization under way: its settled cost.
   */
  cleared?: string;
}

/** What one expenditure adds to its job's totals: where it counts, and its amounts. */
export interface ExpenditureContribution {
  kind: ExpenditureKind;
  booked: boolean;
  status: BillingStatus;
  cost: string;
  salesValue: string;
}

const noTotal = (): ExpenditureTotal => ({ count: 0, cost: '0', salesValue: '0' });

const byStatus = (): Record<BillingStatus, ExpenditureTotal> => ({
  unbilled: noTotal(),
  selected: noTotal(),
  settled: noTotal(),
});

export const noExpenditures = (): ExpenditureTotals => ({
  booked: { hours: byStatus(), material: byStatus(), purchase: byStatus() },
  unbooked: noTotal(),
  cleared: '0',
});

/** A job stored before expenditures existed has none. */
export const expenditureTotalsOf = (job: { expenditures?: ExpenditureTotals }): ExpenditureTotals =>
  job.expenditures ?? noExpenditures();

const add = (total: ExpenditureTotal, e: ExpenditureContribution, sign: 1 | -1): ExpenditureTotal => ({
  count: total.count + sign,
  cost: amount(total.cost).plus(amount(e.cost).times(sign)).toFixed(),
  salesValue: amount(total.salesValue).plus(amount(e.salesValue).times(sign)).toFixed(),
});

/**
 * The totals after expenditures change: each `previous` taken out of where it counted, each `next`
 * added where it counts (null for one created or deleted). Every change of an expenditure, from
 * booking to settling and reversal, moves the totals this one way.
 */
export const moveTotals = (
  totals: ExpenditureTotals,
  changes: { previous: ExpenditureContribution | null; next: ExpenditureContribution | null }[],
): ExpenditureTotals => {
  const moved = structuredClone(totals);
  const apply = (e: ExpenditureContribution, sign: 1 | -1) => {
    if (!e.booked) moved.unbooked = add(moved.unbooked, e, sign);
    else moved.booked[e.kind][e.status] = add(moved.booked[e.kind][e.status], e, sign);
  };
  for (const { previous, next } of changes) {
    if (previous) apply(previous, -1);
    if (next) apply(next, 1);
  }
  return moved;
};

/** The booked totals of one kind over every billing status. */
export const bookedOfKind = (totals: ExpenditureTotals, kind: ExpenditureKind): ExpenditureTotal =>
  BILLING_STATUSES.reduce((sum, status) => {
    const t = totals.booked[kind][status];
    return {
      count: sum.count + t.count,
      cost: amount(sum.cost).plus(t.cost).toFixed(),
      salesValue: amount(sum.salesValue).plus(t.salesValue).toFixed(),
    };
  }, noTotal());

const sumOver = (totals: ExpenditureTotals, field: 'cost' | 'salesValue', statuses: readonly BillingStatus[]): Amount =>
  sumAmounts(EXPENDITURE_KINDS.flatMap((kind) => statuses.map((status) => totals.booked[kind][status][field])));

/** Booked expenditures at sales value, whatever their billing status: what a time and material job's price is made of. */
export const bookedSalesValue = (totals: ExpenditureTotals): Amount => sumOver(totals, 'salesValue', BILLING_STATUSES);

/** Work in Process at cost: what was booked, what issued partial invoices settled (took out of WIP), and what is left. */
export interface WorkInProcess {
  bookedCost: Amount;
  settledCost: Amount;
  wipBalance: Amount;
}

/** The cost taken out of WIP by issued partial invoices (ExpenditureTotals.cleared). */
export const clearedCost = (totals: ExpenditureTotals): Amount =>
  totals.cleared === undefined ? sumOver(totals, 'cost', ['settled']) : amount(totals.cleared);

export const workInProcess = (totals: ExpenditureTotals): WorkInProcess => {
  const bookedCost = sumOver(totals, 'cost', BILLING_STATUSES);
  const settledCost = clearedCost(totals);
  return { bookedCost, settledCost, wipBalance: bookedCost.minus(settledCost) };
};

/** The totals once an issue (`sign` 1) or its undoing (-1) took `cost` out of WIP (a credit note's is negative). */
export const clearWip = (totals: ExpenditureTotals, cost: string, sign: 1 | -1): ExpenditureTotals => ({
  ...totals,
  cleared: clearedCost(totals).plus(amount(cost).times(sign)).toFixed(),
});

/** Every amount the totals hold, for the one amount bound. */
export const amountsOf = (totals: ExpenditureTotals): Amount[] => [
  ...EXPENDITURE_KINDS.flatMap((kind) => {
    const all = bookedOfKind(totals, kind);
    return [amount(all.cost), amount(all.salesValue)];
  }),
  amount(totals.unbooked.cost),
  amount(totals.unbooked.salesValue),
  bookedSalesValue(totals),
  workInProcess(totals).bookedCost,
];
