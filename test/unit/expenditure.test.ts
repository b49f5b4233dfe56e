import { clearWip, expenditureTotalsOf } from '../../functions/domain/expenditure-totals.js';
import fc from 'fast-check';
import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import {
  applyExpenditureChanges,
  bookExpenditure,
  createExpenditure,
  effective,
  expenditureSummary,
  releaseExpenditure,
  selectExpenditure,
  settleExpenditure,
  unsettleExpenditure,
  updateExpenditure,
  type Expenditure,
  type ExpenditureChange,
  type ExpenditureFields,
} from '../../functions/domain/expenditure.js';
import { unbilledReport, wipReport } from '../../functions/domain/expenditure-reports.js';
import { assertDeletable, billingSummary, createJob, type Job } from '../../functions/domain/job.js';
import { expectDomainError } from '../support/domain-errors.js';

const T0 = new Date('2026-03-01T10:00:00.000Z');
const T1 = new Date('2026-03-02T10:00:00.000Z');

const tmJob = (currency = 'EUR', billingType: Job['billingType'] = 'time_and_material'): Job =>
  createJob({ customerId: 'cus_1', name: 'Refit', billingType, currency }, 'job_1', T0);

const fields = (overrides: Partial<ExpenditureFields> = {}): ExpenditureFields => ({
  kind: 'hours',
  date: '2026-03-01',
  description: 'Wiring',
  quantity: '7.5',
  unitCost: '42.333',
  unitPrice: '60',
  booked: true,
  ...overrides,
});

/** The job after the expenditures are created on it, each with its own change, as the service writes them. */
const created = (job: Job, inputs: ExpenditureFields[]): { job: Job; expenditures: Expenditure[] } => {
  const expenditures = inputs.map((input, i) => createExpenditure(job, input, `exd_${i}`, T0));
  return {
    job: applyExpenditureChanges(
      job,
      expenditures.map((next) => ({ previous: null, next })),
      T0,
    ),
    expenditures,
  };
};

describe('createExpenditure', () => {
  it('prices cost and sales value at quantity x unit, rounded to the currency half away from zero', () => {
    // Act
    const eur = createExpenditure(tmJob(), fields({ quantity: '0.125', unitCost: '1', unitPrice: '0.0001' }), 'exd_1', T0);
    const jpy = createExpenditure(tmJob('JPY'), fields({ quantity: '2.5', unitCost: '101', unitPrice: '0.2' }), 'exd_2', T0);
    const booked = createExpenditure(tmJob(), fields(), 'exd_3', T0);
    const draft = createExpenditure(tmJob(), fields({ booked: undefined }), 'exd_4', T0);
    // Assess
    expect(eur).toMatchObject({ cost: '0.13', salesValue: '0.00' });
    expect(jpy).toMatchObject({ cost: '253', salesValue: '1' });
    expect(booked).toMatchObject({
      cost: '317.50',
      salesValue: '450.00',
      booked: true,
      bookedAt: T0.toISOString(),
      status: 'unbilled',
      selection: null,
      settledBy: null,
      resource: null,
      version: 1,
    });
    expect(draft).toMatchObject({ booked: false, bookedAt: null });
  });

  it('refuses a billed job, and amounts past the bound naming the fields under their prefix', () => {
    // Act / Assess
    expectDomainError(() => createExpenditure({ ...tmJob(), status: 'billed' }, fields(), 'exd_1', T0), 'conflict', 'JOB_BILLED');
    const error = expectDomainError(
      () => createExpenditure(tmJob(), fields({ quantity: '999999999999999', unitCost: '10' }), 'exd_1', T0, 'items.7.'),
      'rule',
      'AMOUNT_TOO_LARGE',
    );
    expect(error.errors.map((e) => e.field)).toEqual(['items.7.quantity', 'items.7.unitCost', 'items.7.unitPrice']);
  });
});

describe("a job's expenditure totals", () => {
  it('count only booked ones in WIP and in a time and material price, the unbooked apart', () => {
    // Prepare
    const { job } = created(tmJob(), [
      fields(),
      fields({ kind: 'material', quantity: '3', unitCost: '10', unitPrice: '15.5' }),
      fields({ kind: 'purchase', booked: false, quantity: '1', unitCost: '100', unitPrice: '120' }),
    ]);
    // Act
    const summary = expenditureSummary(job);
    // Assess
    expect(summary.wip).toEqual({ bookedCost: '347.50', settledCost: '0.00', wipBalance: '347.50' });
    expect(summary.unbooked).toEqual({ count: 1, cost: '100.00', salesValue: '120.00' });
    expect(summary.booked.material.unbilled).toEqual({ count: 1, cost: '30.00', salesValue: '46.50' });
    expect(billingSummary(job).suggestedPrice).toBe('496.50');
    expect(job.version).toBe(2);
  });

  it('leave the price of other billing types alone, and a job stored without them reads as none', () => {
    // Prepare
    const fixed = created(tmJob('EUR', 'fixed_price'), [fields()]).job;
    const stored = tmJob();
    delete stored.expenditures;
    // Act / Assess
    expect(billingSummary(fixed).suggestedPrice).toBe('0.00');
    expect(expenditureSummary(fixed).wip.bookedCost).toBe('317.50');
    expect(expenditureSummary(stored).wip).toEqual({ bookedCost: '0.00', settledCost: '0.00', wipBalance: '0.00' });
    expect(expenditureSummary(stored).booked.hours.settled).toEqual({ count: 0, cost: '0.00', salesValue: '0.00' });
  });

  it('move with every change: a patch by the difference, a booking in, a delete out; a job with any is kept', () => {
    // Prepare
    const made = created(tmJob(), [fields(), fields({ booked: false, quantity: '2', unitCost: '5', unitPrice: '7' })]);
    const [hours, draft] = made.expenditures as [Expenditure, Expenditure];
    // Act
    const patched = updateExpenditure(made.job, hours, { quantity: '1' }, T1);
    const booked = bookExpenditure(made.job, draft, T1);
    const job = applyExpenditureChanges(
      made.job,
      [
        { previous: hours, next: patched },
        { previous: draft, next: booked },
      ],
      T1,
    );
    const emptied = applyExpenditureChanges(
      job,
      [
        { previous: patched, next: null },
        { previous: booked, next: null },
      ],
      T1,
    );
    // Assess
    expect(patched).toMatchObject({ quantity: '1', cost: '42.33', salesValue: '60.00', version: 2 });
    expect(bookExpenditure(made.job, booked, T1)).toBe(booked);
    expect(expenditureSummary(job).wip.bookedCost).toBe('52.33');
    expect(expenditureSummary(job).unbooked.count).toBe(0);
    expect(billingSummary(job).suggestedPrice).toBe('74.00');
    expectDomainError(() => assertDeletable(job), 'conflict', 'JOB_HAS_EXPENDITURES');
    expect(expenditureSummary(emptied).wip.bookedCost).toBe('0.00');
    expect(() => assertDeletable(emptied)).not.toThrow();
  });

  it('add up exactly, whatever the order of changes, and come back to zero when all are deleted (property)', () => {
    const input = fc.record({
      kind: fc.constantFrom('hours' as const, 'material' as const, 'purchase' as const),
      quantity: fc.integer({ min: 1, max: 10_000_000 }).map((n) => new Decimal(n).div(10_000).toFixed()),
      unitCost: fc.integer({ min: 0, max: 100_000_000 }).map((n) => new Decimal(n).div(10_000).toFixed()),
      unitPrice: fc.integer({ min: 0, max: 100_000_000 }).map((n) => new Decimal(n).div(10_000).toFixed()),
      booked: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(input, { minLength: 1, maxLength: 30 }), (inputs) => {
        const { job, expenditures } = created(
          tmJob(),
          inputs.map((i) => fields(i)),
        );
        const booked = expenditures.filter((e) => e.booked);
        const cost = booked.reduce((sum, e) => sum.plus(e.cost), new Decimal(0));
        expect(expenditureSummary(job).wip.bookedCost).toBe(cost.toFixed(2));
        const gone = applyExpenditureChanges(
          job,
          [...expenditures].reverse().map((previous) => ({ previous, next: null })),
          T1,
        );
        expect(expenditureSummary(gone)).toEqual(expenditureSummary(tmJob()));
      }),
    );
  });
});

describe('billing transitions', () => {
  const booked = createExpenditure(tmJob(), fields(), 'exd_1', T0);

  it('select -> settle -> unsettle, each once: the same object when done already, WIP moved by the settled cost', () => {
    // Act
    const selected = selectExpenditure(booked, 'inv_a', T1);
    const settled = settleExpenditure(selected, 'inv_a', T1);
    const unsettled = unsettleExpenditure(settled, 'inv_a', T1);
    // Assess
    expect(selected).toMatchObject({ status: 'selected', selection: 'inv_a', settledBy: null, version: 2 });
    expect(settled).toMatchObject({ status: 'settled', selection: 'inv_a', settledBy: 'inv_a', version: 3 });
    expect(unsettled).toMatchObject({ status: 'unbilled', selection: null, settledBy: null, version: 4 });
    expect(selectExpenditure(selected, 'inv_a', T1)).toBe(selected);
    expect(settleExpenditure(settled, 'inv_a', T1)).toBe(settled);
    expect(unsettleExpenditure(unsettled, 'inv_a', T1)).toBe(unsettled);
    // WIP: settling leaves it where it was; the invoice's issue takes the settled cost out, a reversal gives it back
    const made = created(tmJob(), [fields()]).job;
    const afterSettle = applyExpenditureChanges(made, [{ previous: booked, next: settled }], T1);
    expect(expenditureSummary(afterSettle).wip).toEqual({ bookedCost: '317.50', settledCost: '0.00', wipBalance: '317.50' });
    const issued = { ...afterSettle, expenditures: clearWip(expenditureTotalsOf(afterSettle), '317.50', 1) };
    expect(expenditureSummary(issued).wip).toEqual({ bookedCost: '317.50', settledCost: '317.50', wipBalance: '0.00' });
    expect(expenditureSummary(afterSettle).booked.hours.settled.count).toBe(1);
    expect(billingSummary(afterSettle).suggestedPrice).toBe('450.00');
    const reversed = applyExpenditureChanges(afterSettle, [{ previous: settled, next: unsettled }], T1);
    expect(expenditureSummary(reversed)).toEqual(expenditureSummary(made));
  });

  it('refuses what may not move, and leaves what another invoice holds to it', () => {
    // Prepare
    const draft = createExpenditure(tmJob(), fields({ booked: false }), 'exd_2', T0);
    const theirs = selectExpenditure(booked, 'inv_b', T1);
    const settledByThem = settleExpenditure(theirs, 'inv_b', T1);
    // Act / Assess
    expectDomainError(() => selectExpenditure(draft, 'inv_a', T1), 'conflict', 'EXPENDITURE_NOT_BOOKED');
    const taken = expectDomainError(() => selectExpenditure(theirs, 'inv_a', T1), 'conflict', 'EXPENDITURE_NOT_SELECTABLE');
    expect(taken.message).toContain('exd_1');
    expectDomainError(() => selectExpenditure(settledByThem, 'inv_a', T1), 'conflict', 'EXPENDITURE_NOT_SELECTABLE');
    expectDomainError(() => settleExpenditure(booked, 'inv_a', T1), 'conflict', 'EXPENDITURE_NOT_SELECTED');
    expectDomainError(() => settleExpenditure(theirs, 'inv_a', T1), 'conflict', 'EXPENDITURE_NOT_SELECTED');
    expect(releaseExpenditure(theirs, 'inv_a', T1)).toBe(theirs);
    expect(unsettleExpenditure(settledByThem, 'inv_a', T1)).toBe(settledByThem);
    expect(releaseExpenditure(theirs, 'inv_b', T1)).toMatchObject({ status: 'unbilled', selection: null });
    // Held by an invoice, it is neither changed nor deleted
    expectDomainError(() => updateExpenditure(tmJob(), theirs, { quantity: '1' }, T1), 'conflict', 'EXPENDITURE_SELECTED');
    expectDomainError(() => updateExpenditure(tmJob(), settledByThem, { quantity: '1' }, T1), 'conflict', 'EXPENDITURE_SETTLED');
    expectDomainError(() => updateExpenditure({ ...tmJob(), status: 'billed' }, booked, {}, T1), 'conflict', 'JOB_BILLED');
  });

  it('writes only what moved: a transition that was done already is no change', () => {
    // Prepare
    const selected = selectExpenditure(booked, 'inv_a', T1);
    const changes: ExpenditureChange[] = [
      { previous: selected, next: selectExpenditure(selected, 'inv_a', T1) },
      { previous: booked, next: selected },
    ];
    // Act / Assess
    expect(effective(changes)).toEqual([changes[1]]);
  });
});

describe('reports', () => {
  it('list unbilled (and selected) per kind and WIP per job, totals per currency, to the cent', () => {
    // Prepare
    const eur = created(tmJob(), [
      fields(),
      fields({ quantity: '1', unitCost: '0.005', unitPrice: '0.005' }),
      fields({ kind: 'purchase', booked: false }),
    ]);
    const selected = selectExpenditure(eur.expenditures[0]!, 'inv_a', T1);
    const eurJob = applyExpenditureChanges(eur.job, [{ previous: eur.expenditures[0]!, next: selected }], T1);
    const usd = created({ ...tmJob('USD'), id: 'job_2', name: 'Barn' }, [fields({ kind: 'material' })]).job;
    const empty = { ...tmJob(), id: 'job_3' };
    // Act
    const unbilled = unbilledReport([eurJob, usd, empty]);
    const wip = wipReport([eurJob, usd, empty]);
    // Assess
    expect(unbilled.items).toEqual([
      { jobId: 'job_1', jobName: 'Refit', currency: 'EUR', kind: 'hours', count: 2, cost: '317.51', salesValue: '450.01' },
      { jobId: 'job_2', jobName: 'Barn', currency: 'USD', kind: 'material', count: 1, cost: '317.50', salesValue: '450.00' },
    ]);
    expect(unbilled.totals).toEqual([
      { currency: 'EUR', count: 2, cost: '317.51', salesValue: '450.01' },
      { currency: 'USD', count: 1, cost: '317.50', salesValue: '450.00' },
    ]);
    expect(wip.items.map((r) => r.jobId)).toEqual(['job_1', 'job_2']);
    expect(wip.items[0]).toMatchObject({ bookedCost: '317.51', settledCost: '0.00', wipBalance: '317.51' });
    expect(wipReport([empty], true).items).toEqual([
      { jobId: 'job_3', jobName: 'Refit', currency: 'EUR', bookedCost: '0.00', settledCost: '0.00', wipBalance: '0.00' },
    ]);
  });
});
