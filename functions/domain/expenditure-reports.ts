import {
  EXPENDITURE_KINDS,
  expenditureTotalsOf,
  workInProcess,
  type ExpenditureKind,
  type ExpenditureTotal,
} from './expenditure-totals.js';
import type { Job } from './job.js';
import { amount, sumAmounts, toAmountString } from './money.js';

/** One line of the unbilled expenditures report: a job's booked expenditures of one kind that no invoice has settled. */
export interface UnbilledRow extends ExpenditureTotal {
  jobId: string;
  jobName: string;
  currency: string;
  kind: ExpenditureKind;
}

export interface WipRow {
  jobId: string;
  jobName: string;
  currency: string;
  bookedCost: string;
  settledCost: string;
  wipBalance: string;
}

/** Totals add up per currency: amounts of different currencies never sum. */
export type CurrencyTotals<T> = { currency: string } & T;

const byCurrency = <R extends { currency: string }, T>(
  rows: R[],
  total: (rows: R[], currency: string) => T,
): CurrencyTotals<T>[] =>
  [...new Set(rows.map((r) => r.currency))].sort().map((currency) => ({
    currency,
    ...total(
      rows.filter((r) => r.currency === currency),
      currency,
    ),
  }));

/**
 * Per job and kind, the booked expenditures not billed yet: unbilled, and selected by a partial
 * invoice that has not settled them (a selection is no bill until it is approved). Kinds with none
 * are left out; totals per currency.
 */
export const unbilledReport = (jobs: Job[]): { items: UnbilledRow[]; totals: CurrencyTotals<ExpenditureTotal>[] } => {
  const items = jobs.flatMap((job) => {
    const { booked } = expenditureTotalsOf(job);
    return EXPENDITURE_KINDS.flatMap((kind): UnbilledRow[] => {
      const { unbilled, selected } = booked[kind];
      const count = unbilled.count + selected.count;
      if (count === 0) return [];
      const money = (a: string, b: string) => toAmountString(amount(a).plus(b), job.currency);
      return [
        {
          jobId: job.id,
          jobName: job.name,
          currency: job.currency,
          kind,
          count,
          cost: money(unbilled.cost, selected.cost),
          salesValue: money(unbilled.salesValue, selected.salesValue),
        },
      ];
    });
  });
  const totals = byCurrency(items, (rows, currency) => ({
    count: rows.reduce((n, r) => n + r.count, 0),
    cost: toAmountString(sumAmounts(rows.map((r) => r.cost)), currency),
    salesValue: toAmountString(sumAmounts(rows.map((r) => r.salesValue)), currency),
  }));
  return { items, totals };
};

/**
 * Work in Process per job at cost: booked, settled, balance. `all` keeps jobs with nothing booked
 * (a report of one job shows it whatever it holds); else they are left out.
 */
export const wipReport = (
  jobs: Job[],
  all = false,
): { items: WipRow[]; totals: CurrencyTotals<Omit<WipRow, 'jobId' | 'jobName' | 'currency'>>[] } => {
  const items = jobs.flatMap((job): WipRow[] => {
    const wip = workInProcess(expenditureTotalsOf(job));
    if (!all && wip.bookedCost.isZero() && wip.settledCost.isZero()) return [];
    const money = (value: typeof wip.bookedCost) => toAmountString(value, job.currency);
    return [
      {
        jobId: job.id,
        jobName: job.name,
        currency: job.currency,
        bookedCost: money(wip.bookedCost),
        settledCost: money(wip.settledCost),
        wipBalance: money(wip.wipBalance),
      },
    ];
  });
  const totals = byCurrency(items, (rows, currency) => {
    const sum = (field: 'bookedCost' | 'settledCost' | 'wipBalance') =>
      toAmountString(sumAmounts(rows.map((r) => r[field])), currency);
    return { bookedCost: sum('bookedCost'), settledCost: sum('settledCost'), wipBalance: sum('wipBalance') };
  });
  return { items, totals };
};
