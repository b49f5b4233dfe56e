import { DomainError } from './errors.js';
import {
  amountsOf,
  BILLING_STATUSES,
  EXPENDITURE_KINDS,
  expenditureTotalsOf,
  moveTotals,
  workInProcess,
  type BillingStatus,
  type ExpenditureKind,
  type ExpenditureTotal,
} from './expenditure-totals.js';
import { assertModifiable, touched, type Job } from './job.js';
import { amount, assertWithinBound, toAmountString, type Amount } from './money.js';

/**
 * Time or material spent on a job (hours, material, purchase). Booked, it counts: its cost is in the
 * job's Work in Process and its sales value in a time and material job's price, and a partial
 * invoice may select it, settle it (it leaves WIP) and, reversed, give it back. Each expenditure is
 * an item of its own (a job may have tens of thousands); the job keeps their totals.
 */
export interface Expenditure {
  id: string;
  jobId: string;
  kind: ExpenditureKind;
  /** ISO date the work was done or the material bought. */
  date: string;
  description: string;
  /** Who or what was spent: an employee, a machine, a supplier. */
  resource: string | null;
  /** At most 4 decimals. */
  quantity: string;
  /** Per unit, at most 4 decimals. */
  unitCost: string;
  unitPrice: string;
  /** quantity x unitCost, rounded to the currency's minor unit (half away from zero). */
  cost: string;
  /** quantity x unitPrice, rounded alike. */
  salesValue: string;
  booked: boolean;
  bookedAt: string | null;
  status: BillingStatus;
  /** The partial invoice whose selection holds it (selected; settled by it too), else null. */
  selection: string | null;
  /** The partial invoice that settled it, else null. */
  settledBy: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface ExpenditureFields {
  kind: ExpenditureKind;
  date: string;
  description: string;
  resource?: string | null;
  quantity: string;
  unitCost: string;
  unitPrice: string;
  booked?: boolean;
}

export type ExpenditurePatch = Partial<Omit<ExpenditureFields, 'booked'>>;

/** The state of billing an expenditure is listed under: not booked yet, else its billing status. */
export const EXPENDITURE_LISTINGS = ['unbooked', 'unbilled', 'selected', 'settled'] as const;
export type ExpenditureListing = (typeof EXPENDITURE_LISTINGS)[number];

export const listingOf = (e: Expenditure): ExpenditureListing => (e.booked ? e.status : 'unbooked');

/** Quantities and unit costs and prices carry at most this many decimals; amounts are rounded to the currency. */
export const EXPENDITURE_DECIMALS = 4;

/** The most expenditures one batch request creates (all or nothing). */
export const MAX_BATCH_EXPENDITURES = 500;

/** The fields that make the amounts, as a request names them. */
const PRICING_FIELDS = ['quantity', 'unitCost', 'unitPrice'] as const;

const priced = (e: Omit<Expenditure, 'cost' | 'salesValue'>, currency: string, fieldPrefix: string): Expenditure => {
  const quantity = amount(e.quantity, 'quantity');
  const cost = quantity.times(amount(e.unitCost, 'unitCost'));
  const salesValue = quantity.times(amount(e.unitPrice, 'unitPrice'));
  assertWithinBound(
    [cost, salesValue],
    currency,
    'The expenditure',
    PRICING_FIELDS.map((field) => `${fieldPrefix}${field}`),
  );
  return { ...e, cost: toAmountString(cost, currency), salesValue: toAmountString(salesValue, currency) };
};

/**
 * A new expenditure of the job (booked at `now` when `input.booked`). `fieldPrefix` names the
 * request's fields in a refusal (`items.3.` in a batch).
 */
export const createExpenditure = (job: Job, input: ExpenditureFields, id: string, now: Date, fieldPrefix = ''): Expenditure => {
  assertModifiable(job);
  const at = now.toISOString();
  return priced(
    {
      id,
      jobId: job.id,
      kind: input.kind,
      date: input.date,
      description: input.description,
      resource: input.resource ?? null,
      quantity: input.quantity,
      unitCost: input.unitCost,
      unitPrice: input.unitPrice,
      booked: input.booked ?? false,
      bookedAt: input.booked ? at : null,
      status: 'unbilled',
      selection: null,
      settledBy: null,
      createdAt: at,
      updatedAt: at,
      version: 1,
    },
    job.currency,
    fieldPrefix,
  );
};

const next = (e: Expenditure, now: Date, change: Partial<Expenditure>): Expenditure => ({
  ...e,
  ...change,
  updatedAt: now.toISOString(),
  version: e.version + 1,
});

const refusal = (code: string, message: string): DomainError => new DomainError('conflict', code, message);

/** Only an expenditure no partial invoice holds may change or go: one in a selection or settled stays as billed. */
export const assertEditable = (e: Expenditure): void => {
  if (e.status === 'settled') {
    throw refusal('EXPENDITURE_SETTLED', `Expenditure ${e.id} is settled by invoice ${e.settledBy}; reverse the invoice first`);
  }
  if (e.status === 'selected' || e.selection !== null) {
    throw refusal('EXPENDITURE_SELECTED', `Expenditure ${e.id} is selected by invoice ${e.selection}; release it first`);
  }
};

export const updateExpenditure = (job: Job, e: Expenditure, patch: ExpenditurePatch, now: Date): Expenditure => {
  assertModifiable(job);
  assertEditable(e);
  const given = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined));
  const { cost: _cost, salesValue: _sales, ...rest } = next(e, now, given);
  return priced(rest, job.currency, '');
};

/** Booking makes an expenditure count (WIP, price, billing); booking a booked one changes nothing (the same object). */
export const bookExpenditure = (job: Job, e: Expenditure, now: Date): Expenditure => {
  if (e.booked) return e;
  assertModifiable(job);
  return next(e, now, { booked: true, bookedAt: now.toISOString() });
};

/**
 * Into the selection of the partial invoice `invoiceId`: only a booked, unbilled expenditure that no
 * other selection holds (409 naming the expenditure otherwise). Selected by that invoice already:
 * the same object, so that a retried step writes nothing.
 */
export const selectExpenditure = (e: Expenditure, invoiceId: string, now: Date): Expenditure => {
  if (e.selection === invoiceId && e.status === 'selected') return e;
  if (!e.booked) throw refusal('EXPENDITURE_NOT_BOOKED', `Expenditure ${e.id} is not booked; book it first`);
  if (e.status !== 'unbilled' || e.selection !== null) {
    throw refusal('EXPENDITURE_NOT_SELECTABLE', `Expenditure ${e.id} is ${e.status} by invoice ${e.selection ?? e.settledBy}`);
  }
  return next(e, now, { status: 'selected', selection: invoiceId });
};

/** Out of the selection of `invoiceId`, unbilled again. One that selection does not hold (released already, or never in it) is unchanged. */
export const releaseExpenditure = (e: Expenditure, invoiceId: string, now: Date): Expenditure => {
  if (e.selection !== invoiceId || e.status !== 'selected') return e;
  return next(e, now, { status: 'unbilled', selection: null });
};

/**
 * Settled by the partial invoice whose selection holds it: it leaves WIP. Only from that selection
 * (409 otherwise); settled by it already, the same object.
 */
export const settleExpenditure = (e: Expenditure, invoiceId: string, now: Date): Expenditure => {
  if (e.status === 'settled' && e.settledBy === invoiceId) return e;
  if (e.status !== 'selected' || e.selection !== invoiceId) {
    throw refusal('EXPENDITURE_NOT_SELECTED', `Expenditure ${e.id} is not in the selection of invoice ${invoiceId}`);
  }
  return next(e, now, { status: 'settled', settledBy: invoiceId });
};

/**
 * Billable again after `invoiceId` settled it (the invoice reversed, or its finalizing undone): back
 * in WIP, unbilled, in no selection. One that invoice did not settle is unchanged.
 */
export const unsettleExpenditure = (e: Expenditure, invoiceId: string, now: Date): Expenditure => {
  if (e.status !== 'settled' || e.settledBy !== invoiceId) return e;
  return next(e, now, { status: 'unbilled', selection: null, settledBy: null });
};

/** One expenditure as it was (null: new) and as it is to be (null: deleted). */
export interface ExpenditureChange {
  previous: Expenditure | null;
  next: Expenditure | null;
}

/** The changes that move something: a transition that left an expenditure as it was is no change. */
export const effective = (changes: ExpenditureChange[]): ExpenditureChange[] =>
  changes.filter(({ previous, next }) => previous !== next);

/**
 * The job's next version with its totals moved by the changes (see `moveTotals`): what every write
 * of expenditures writes beside them, on condition of the job's version. The totals stay within the
 * amount bound (422 `AMOUNT_TOO_LARGE`, naming `fields`).
 */
export const applyExpenditureChanges = (job: Job, changes: ExpenditureChange[], now: Date, fields: string[] = []): Job => {
  const expenditures = moveTotals(expenditureTotalsOf(job), changes);
  assertWithinBound(amountsOf(expenditures), job.currency, "The job's expenditures", fields);
  return touched(job, now, { expenditures });
};

/** A job's expenditures as clients see them: the booked totals by kind and billing status, the unbooked ones, WIP. */
export interface ExpenditureSummary {
  booked: Record<ExpenditureKind, Record<BillingStatus, ExpenditureTotal>>;
  unbooked: ExpenditureTotal;
  wip: { bookedCost: string; settledCost: string; wipBalance: string };
}

export const expenditureSummary = (job: Job): ExpenditureSummary => {
  const totals = expenditureTotalsOf(job);
  const money = (value: Amount | string) => toAmountString(value, job.currency);
  const shown = (t: ExpenditureTotal): ExpenditureTotal => ({
    count: t.count,
    cost: money(t.cost),
    salesValue: money(t.salesValue),
  });
  const booked = Object.fromEntries(
    EXPENDITURE_KINDS.map((kind) => [
      kind,
      Object.fromEntries(BILLING_STATUSES.map((status) => [status, shown(totals.booked[kind][status])])),
    ]),
  ) as ExpenditureSummary['booked'];
  const wip = workInProcess(totals);
  return {
    booked,
    unbooked: shown(totals.unbooked),
    wip: { bookedCost: money(wip.bookedCost), settledCost: money(wip.settledCost), wipBalance: money(wip.wipBalance) },
  };
};
