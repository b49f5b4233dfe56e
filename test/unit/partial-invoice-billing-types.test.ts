import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyExpenditureChanges,
  createExpenditure,
  selectExpenditure,
  settleExpenditure,
  type Expenditure,
  type ExpenditureFields,
} from '../../functions/domain/expenditure.js';
import type { Invoice } from '../../functions/domain/invoice.js';
import { issue } from '../../functions/domain/invoice-lifecycle.js';
import { chargeWeights } from '../../functions/domain/invoice-policies.js';
import { applyInvoice } from '../../functions/domain/job-ledger.js';
import { closeJob, remainingToBill, type Job } from '../../functions/domain/job.js';
import { allocate, amount, Dec, sumAmounts } from '../../functions/domain/money.js';
import {
  allocatedToCharges,
  assertExpendituresBilled,
  draftPartialInvoice,
  type FreeLine,
} from '../../functions/domain/partial-invoice.js';
import { reversalOf } from '../../functions/domain/partial-invoice-reversal.js';
import { bill, billed, cents, jobWith, newJob, refused, SETTINGS, T0, TODAY } from '../support/invoice-domain.js';

const spend = (fields: Partial<ExpenditureFields> = {}): ExpenditureFields => ({
  kind: 'hours',
  date: '2025-02-10',
  description: 'Site work',
  resource: null,
  quantity: '1',
  unitCost: '50',
  unitPrice: '80',
  booked: true,
  ...fields,
});

/** The job with expenditures `exd_1`, ... booked on it (their totals on the job). */
const withExpenditures = (job: Job, items: Partial<ExpenditureFields>[]): { job: Job; expenditures: Expenditure[] } => {
  const expenditures = items.map((item, i) => createExpenditure(job, spend(item), `exd_${i + 1}`, T0));
  const changes = expenditures.map((e) => ({ previous: null, next: e }));
  return { job: applyExpenditureChanges(job, changes, T0), expenditures };
};

/** A partial invoice draft of free lines (no selection) on the job. */
const partialDraft = (job: Job, lines: FreeLine[], fields: { allowOverbilling?: boolean } = {}, id = 'inv_p'): Invoice =>
  draftPartialInvoice(job, { customerId: 'cus_1', expenditureIds: [], lines, taxRate: '20', ...fields }, [], id, T0).invoice;

/** Issued as the issue service does it: numbered, allocated to the charges as the job is, applied to the job. */
const issuePartial = (job: Job, draft: Invoice): { invoice: Invoice; job: Job } => {
  const invoice = allocatedToCharges(job, issue(draft, `N-${draft.id}`, TODAY, SETTINGS, T0));
  return { invoice, job: applyInvoice(job, invoice, 1, T0) };
};

const allocationRows = (invoice: Invoice) => invoice.lines.map((l) => l.allocations.map((a) => [a.chargeId, a.amount]));

const byCharge = (invoice: Invoice, chargeId: string) =>
  cents(
    sumAmounts(invoice.lines.flatMap((l) => l.allocations.filter((a) => a.chargeId === chargeId).map((a) => a.amount))).toFixed(),
  );

const lines = (...unitPrices: string[]): FreeLine[] =>
  unitPrices.map((unitPrice, i) => ({ description: `Phase ${i + 1}`, unitPrice }));

// Three charges of 600, 300 and 100 (1,000.00 EUR), the first two taxed at 20%.
const fixedPrice = () =>
  jobWith([
    { description: 'Shell', unitPrice: '600', taxRate: '20' },
    { description: 'Roof', unitPrice: '300', taxRate: '20' },
    { description: 'Permits', unitPrice: '100' },
  ]);

describe('a partial invoice on a fixed-price job bills a phase of its price (allocatedToCharges)', () => {
  it('allocates the net of its lines to the charges by what each has left to bill, each line the charges its stretch covers', () => {
    // Prepare: 500 of 1,000 billed as three lines of 120, 200 and 180
    const job = fixedPrice();
    const draft = partialDraft(job, lines('120', '200', '180'));
    // Act
    const { invoice, job: after } = issuePartial(job, draft);
    // Assess: shares 300, 150, 50 (by 600, 300, 100 left), laid end to end over the lines
    expect(allocationRows(draft)).toEqual([[], [], []]);
    expect(allocationRows(invoice)).toEqual([
      [['chg_1', '120.00']],
      [
        ['chg_1', '180.00'],
        ['chg_2', '20.00'],
      ],
      [
        ['chg_2', '130.00'],
        ['chg_3', '50.00'],
      ],
    ]);
    expect(invoice.totals).toEqual(draft.totals);
    expect(billed(after).map(cents)).toEqual(['300.00', '150.00', '50.00']);
    expect(cents(after.invoicedToDate)).toBe('500.00');
  });

  it('weighs by what is left after earlier invoices, so the final invoice bills exactly the rest', () => {
    // Prepare: Shell billed 400 by progress, then a phase of 300 (left: 200, 300, 100)
    const progressed = bill(fixedPrice(), { policy: 'progress_itemized', progress: [{ chargeId: 'chg_1', amount: '400' }] }).job;
    const { job: phased, invoice } = issuePartial(progressed, partialDraft(progressed, lines('300')));
    // Act
    const final = bill(closeJob(phased, T0), { policy: 'final' });
    // Assess
    expect(allocationRows(invoice)).toEqual([
      [
        ['chg_1', '100.00'],
        ['chg_2', '150.00'],
        ['chg_3', '50.00'],
      ],
    ]);
    expect(final.invoice.totals.net).toBe('300.00');
    expect(billed(final.job).map(cents)).toEqual(['600.00', '300.00', '100.00']);
    expect(final.job.status).toBe('billed');
    expect(cents(remainingToBill(final.job).toFixed())).toBe('0.00');
  });

  it('refuses a phase past the price (JOB_OVERBILLED) unless it allows overbilling, which bills the charges by their amounts', () => {
    // Prepare: 700 of 1,000 billed, then two phases drafted at once: each fits alone
    const job = fixedPrice();
    const first = partialDraft(job, lines('700'), {}, 'inv_a');
    const second = partialDraft(job, lines('400'), {}, 'inv_b');
    const allowed = partialDraft(job, lines('400'), { allowOverbilling: true }, 'inv_c');
    const after = issuePartial(job, first).job;
    // Act + Assess
    refused(() => issuePartial(after, second), 'rule', 'JOB_OVERBILLED');
    const over = issuePartial(after, allowed);
    // 700 took 420, 210, 70; the 400 past the 300 left is split by the amounts: 240, 120, 40
    expect(billed(after).map(cents)).toEqual(['420.00', '210.00', '70.00']);
    expect(billed(over.job).map(cents)).toEqual(['660.00', '330.00', '110.00']);
  });

  it('leaves every other invoice as it is: a time and material or milestone job, another policy, lines allocated already, a reversal', () => {
    // Prepare
    const tm = withExpenditures(newJob({ billingType: 'time_and_material' }), [{ unitPrice: '100' }]).job;
    const tmInvoice = issue(partialDraft(tm, lines('100')), 'N-1', TODAY, SETTINGS, T0);
    const milestoneJob = { ...fixedPrice(), billingType: 'milestone' as const };
    const fixed = fixedPrice();
    const phase = issuePartial(fixed, partialDraft(fixed, lines('100')));
    const progress = bill(fixed, { policy: 'progress_summary', amount: '100' }).invoice;
    const creditNote = reversalOf(phase.invoice, 'inv_p-rev', T0);
    // Act + Assess
    expect(allocatedToCharges(tm, tmInvoice)).toBe(tmInvoice);
    expect(allocatedToCharges(milestoneJob, tmInvoice)).toBe(tmInvoice);
    expect(allocatedToCharges(phase.job, phase.invoice)).toBe(phase.invoice);
    expect(allocatedToCharges(fixed, progress)).toBe(progress);
    expect(allocatedToCharges(phase.job, creditNote)).toBe(creditNote);
    expect(allocatedToCharges(newJob(), tmInvoice)).toBe(tmInvoice);
  });

  it('is given back by its reversal: the credit note negates the allocations, and the final then bills every charge in full', () => {
    // Prepare: a phase of 500 billed on expenditures of the job (itemized lines)
    const { job, expenditures } = withExpenditures(fixedPrice(), [
      { unitPrice: '260', date: '2025-02-01' },
      { unitPrice: '240', date: '2025-02-02', kind: 'material' },
    ]);
    const draft = draftPartialInvoice(
      job,
      { customerId: 'cus_1', expenditureIds: expenditures.map((e) => e.id), taxRate: '20' },
      expenditures,
      'inv_p',
      T0,
    ).invoice;
    const phased = issuePartial(job, draft);
    // Act
    const creditNote = issue(reversalOf(phased.invoice, 'inv_p-rev', T0), 'CN-1', TODAY, SETTINGS, T0);
    const reversed = applyInvoice(phased.job, allocatedToCharges(phased.job, creditNote), 1, T0);
    const final = bill(closeJob(reversed, T0), { policy: 'final' });
    // Assess
    expect(creditNote.lines.map((l) => l.allocations)).toEqual(
      phased.invoice.lines.map((l) => l.allocations.map((a) => ({ ...a, amount: cents(amount(a.amount).negated().toFixed()) }))),
    );
    expect(billed(phased.job).map(cents)).toEqual(['300.00', '150.00', '50.00']);
    expect(billed(reversed).map(cents)).toEqual(['0.00', '0.00', '0.00']);
    expect(cents(reversed.invoicedToDate)).toBe('0.00');
    expect(final.invoice.totals.net).toBe('1000.00');
    expect(billed(final.job).map(cents)).toEqual(['600.00', '300.00', '100.00']);
  });

  // Charges (some discounts, some billed already) and lines (some negative) at random; the net billed is more than zero.
  const chargeArb = fc.record({
    cents: fc.integer({ min: -50_000, max: 500_000 }).filter((n) => n !== 0),
    billedPerMille: fc.integer({ min: 0, max: 1000 }),
  });
  const caseArb = fc.record({
    charges: fc.array(chargeArb, { minLength: 1, maxLength: 12 }),
    lines: fc.array(fc.integer({ min: -20_000, max: 300_000 }), { minLength: 1, maxLength: 40 }),
  });

  it('allocates each line exactly and gives each charge exactly its share of the whole (property)', () => {
    fc.assert(
      fc.property(caseArb, ({ charges, lines: lineCents }) => {
        // A job of discounts only has nothing to bill against (NOTHING_TO_BILL, chargeWeights).
        fc.pre(lineCents.reduce((a, b) => a + b, 0) > 0 && charges.some((c) => c.cents > 0));
        // Prepare: the charges, each billed its per mille by a correction-free progress (set directly)
        const base = jobWith(charges.map((c) => ({ unitPrice: new Dec(c.cents).div(100).toFixed() })));
        const job: Job = {
          ...base,
          charges: base.charges.map((c, i) => ({
            ...c,
            billedToDate: new Dec(c.amount)
              .times(charges[i]!.billedPerMille)
              .div(1000)
              .toDecimalPlaces(2, Dec.ROUND_DOWN)
              .toFixed(),
          })),
        };
        const draft = partialDraft(
          job,
          lineCents.map((n, i) => ({ description: `L${i}`, unitPrice: new Dec(n).div(100).toFixed() })),
          { allowOverbilling: true },
        );
        // Act
        const invoice = allocatedToCharges(job, issue(draft, 'N-1', TODAY, SETTINGS, T0));
        // Assess: every line's allocations add up to it; every charge gets its share, as a milestone's would be split
        for (const line of invoice.lines) {
          expect(cents(sumAmounts(line.allocations.map((a) => a.amount)).toFixed())).toBe(line.amount);
        }
        const total = amount(invoice.totals.net);
        const shares = allocate(total, chargeWeights(job, total), 'EUR');
        expect(job.charges.map((c) => byCharge(invoice, c.id))).toEqual(shares.map((s) => cents(s.toFixed())));
        // Lines that only add touch each charge boundary once: an itemized invoice stays small.
        const touched = invoice.lines.reduce((n, l) => n + l.allocations.length, 0);
        if (lineCents.every((n) => n >= 0)) expect(touched).toBeLessThanOrEqual(invoice.lines.length + job.charges.length - 1);
      }),
      { numRuns: 300 },
    );
  });
});

describe("a time and material job's complete invoice waits for its expenditures (assertExpendituresBilled)", () => {
  const tmWith = (items: Partial<ExpenditureFields>[]) => withExpenditures(newJob({ billingType: 'time_and_material' }), items);

  it('is refused while booked expenditures are unbilled or in a selection, saying how many and what to do', () => {
    // Prepare: three booked (one of them selected by a draft), one unbooked
    const { job, expenditures } = tmWith([{}, { kind: 'material' }, {}, { booked: false }]);
    const selected = selectExpenditure(expenditures[2]!, 'inv_d', T0);
    const moved = applyExpenditureChanges(job, [{ previous: expenditures[2]!, next: selected }], T0);
    // Act
    const error = refused(() => assertExpendituresBilled(moved), 'conflict', 'EXPENDITURES_UNBILLED');
    // Assess
    expect(error.message).toContain(
      '3 booked expenditures not billed (2 in no partial invoice, 1 selected by a partial invoice draft)',
    );
    expect(error.message).toContain('bill them with a partial invoice');
    expect(error.message).toContain('delete them');
  });

  it('passes once partial invoices settled every booked one (unbooked ones do not count)', () => {
    // Prepare
    const { job, expenditures } = tmWith([{}, { booked: false }]);
    const settled = settleExpenditure(selectExpenditure(expenditures[0]!, 'inv_d', T0), 'inv_d', T0);
    const moved = applyExpenditureChanges(job, [{ previous: expenditures[0]!, next: settled }], T0);
    // Act + Assess
    expect(() => assertExpendituresBilled(moved)).not.toThrow();
    expect(() => assertExpendituresBilled(newJob({ billingType: 'time_and_material' }))).not.toThrow();
  });

  it('does not concern fixed-price and milestone jobs, whose expenditures are cost, not price', () => {
    for (const billingType of ['fixed_price', 'milestone'] as const) {
      const { job } = withExpenditures(newJob({ billingType }), [{}]);
      expect(() => assertExpendituresBilled(job)).not.toThrow();
    }
  });
});

describe('a partial invoice of a milestone job', () => {
  it('is refused: the milestones bill its price (422 JOB_BILLED_BY_MILESTONES)', () => {
    // Prepare
    const { job, expenditures } = withExpenditures(newJob({ billingType: 'milestone' }), [{}]);
    // Act + Assess
    refused(
      () => draftPartialInvoice(job, { customerId: 'cus_1', expenditureIds: [expenditures[0]!.id] }, expenditures, 'inv_m', T0),
      'rule',
      'JOB_BILLED_BY_MILESTONES',
    );
  });
});
