import { describe, expect, it } from 'vitest';
import { DomainError } from '../../functions/domain/errors.js';
import { applyInvoice } from '../../functions/domain/job-ledger.js';
import { billingSummary, closeJob, type Job } from '../../functions/domain/job.js';
import {
  T0,
  jobWith,
  scenarioJob,
  draft,
  bill,
  billAll,
  billedScenarioJob,
  rows,
  sortedRows,
  allocations,
  billed,
  refused,
} from '../support/invoice-domain.js';

describe('deposit', () => {
  it('bills an amount as one deposit line at the tax rate all charges share', () => {
    // Prepare
    const job = jobWith([
      { unitPrice: '1000', taxRate: '20' },
      { unitPrice: '500', taxRate: '20' },
    ]);
    // Act
    const invoice = draft(job, { policy: 'deposit', amount: '500' });
    // Assess
    expect(rows(invoice)).toEqual([['deposit', '500.00', '20']]);
    expect(invoice).toMatchObject({
      type: 'partial',
      policy: 'deposit',
      status: 'draft',
      number: null,
      series: null,
      totals: { net: '500.00', tax: '100.00', gross: '600.00' },
      depositApplied: '0.00',
    });
    expect(invoice.lines[0]!.allocations).toEqual([]);
  });

  it('bills a percent of the suggested price', () => {
    const invoice = draft(scenarioJob(), { policy: 'deposit', percent: '10', taxRate: '20' });
    expect(rows(invoice)).toEqual([['deposit', '550.00', '20']]);
    expect(invoice.lines[0]!.description).toBe('Deposit: 10% of 5500.00');
    expect(invoice.totals).toEqual({ net: '550.00', tax: '110.00', gross: '660.00' });
  });

  it('rounds a percent deposit to the currency minor unit (JPY has none)', () => {
    const job = jobWith([{ quantity: '3', unitPrice: '333' }], { currency: 'JPY' });
    expect(rows(draft(job, { policy: 'deposit', percent: '12.5' }))).toEqual([['deposit', '125', '0']]);
  });

  it('bills at 0% by default when the charges have different rates', () => {
    const invoice = draft(scenarioJob(), { policy: 'deposit', amount: '100' });
    expect(rows(invoice)).toEqual([['deposit', '100.00', '0']]);
    expect(invoice.totals.tax).toBe('0.00');
  });

  it('takes one shared rate however it is written ("20" and "20.00")', () => {
    const job = jobWith([{ taxRate: '20' }, { taxRate: '20.00' }]);
    expect(rows(draft(job, { policy: 'deposit', amount: '10' }))).toEqual([['deposit', '10.00', '20']]);
  });

  it('bills at the given rate over the shared one', () => {
    const job = jobWith([{ unitPrice: '1000', taxRate: '20' }]);
    const invoice = draft(job, { policy: 'deposit', amount: '500', taxRate: '7' });
    expect(rows(invoice)).toEqual([['deposit', '500.00', '7']]);
    expect(invoice.totals).toEqual({ net: '500.00', tax: '35.00', gross: '535.00' });
  });

  it.each([
    ['a zero amount', { amount: '0' }],
    ['a zero percent', { percent: '0' }],
    ['an amount that rounds to zero', { amount: '0.004' }],
  ])('refuses %s: NOTHING_TO_BILL', (_, input) => {
    refused(() => draft(scenarioJob(), { policy: 'deposit', ...input }), 'rule', 'NOTHING_TO_BILL');
  });

  it('holds the deposit by rate once issued, billing no charge', () => {
    // Act
    const { job } = bill(scenarioJob(), { policy: 'deposit', amount: '550', taxRate: '20' });
    // Assess
    expect(job).toMatchObject({
      depositsHeld: { '20': '550.00' },
      depositsInvoiced: '550.00',
      invoicedToDate: '550.00',
      status: 'open',
    });
    expect(billed(job)).toEqual(['0.00', '0.00', '0.00']);
    expect(billingSummary(job)).toMatchObject({ depositsHeld: '550.00', remaining: '4950.00' });
  });
});

describe('progress_summary', () => {
  it('bills a cumulative percent of the price, allocated to charges by what remains, one line per tax rate', () => {
    // Act
    const invoice = draft(scenarioJob(), { policy: 'progress_summary', percent: '40' });
    // Assess
    expect(rows(invoice)).toEqual([
      ['work', '2000.00', '20'],
      ['work', '200.00', '0'],
    ]);
    expect(allocations(invoice)).toEqual([
      [
        ['chg_1', '800.00'],
        ['chg_2', '1200.00'],
      ],
      [['chg_3', '200.00']],
    ]);
    expect(invoice.lines[0]!.description).toBe('Progress billing to 40% complete');
    expect(invoice).toMatchObject({ type: 'partial', totals: { net: '2200.00', tax: '400.00', gross: '2600.00' } });
  });

  it('bills only the step from the percent already billed to the percent now given', () => {
    // Prepare
    const { job } = bill(scenarioJob(), { policy: 'progress_summary', percent: '40' });
    // Act
    const invoice = draft(job, { policy: 'progress_summary', percent: '60' });
    // Assess: 3,300.00 - 2,200.00 over remainders 1,200 / 1,800 / 300
    expect(invoice.totals.net).toBe('1100.00');
    expect(allocations(invoice)).toEqual([
      [
        ['chg_1', '400.00'],
        ['chg_2', '600.00'],
      ],
      [['chg_3', '100.00']],
    ]);
  });

  it('allocates an amount by remaining: a charge billed in full gets none, parts add up to the amount', () => {
    // Prepare: demolition billed in full
    const { job } = bill(scenarioJob(), {
      policy: 'progress_itemized',
      progress: [{ chargeId: 'chg_1', percentComplete: '100' }],
    });
    // Act
    const invoice = draft(job, { policy: 'progress_summary', amount: '1000' });
    // Assess: 1000 x 3000/3500 and 1000 x 500/3500, largest remainder
    expect(rows(invoice)).toEqual([
      ['work', '857.14', '20'],
      ['work', '142.86', '0'],
    ]);
    expect(allocations(invoice)).toEqual([[['chg_2', '857.14']], [['chg_3', '142.86']]]);
    expect(invoice.lines[0]!.description).toBe('Progress billing');
  });

  it('deducts the deposit in proportion to the work billed', () => {
    const { job } = bill(scenarioJob(), { policy: 'deposit', percent: '10', taxRate: '20' });
    const invoice = draft(job, { policy: 'progress_summary', percent: '40' });
    expect(rows(invoice)).toEqual([
      ['work', '2000.00', '20'],
      ['work', '200.00', '0'],
      ['deposit_applied', '-220.00', '20'],
    ]);
    expect(invoice).toMatchObject({ depositApplied: '220.00', totals: { net: '1980.00', tax: '356.00', gross: '2336.00' } });
  });

  it.each(['40', '25'])('refuses %s%% when billed work is at 40%% already: NOTHING_TO_BILL', (percent) => {
    const { job } = bill(scenarioJob(), { policy: 'progress_summary', percent: '40' });
    refused(() => draft(job, { policy: 'progress_summary', percent }), 'rule', 'NOTHING_TO_BILL');
  });

  it('refuses a zero amount: NOTHING_TO_BILL', () => {
    refused(() => draft(scenarioJob(), { policy: 'progress_summary', amount: '0' }), 'rule', 'NOTHING_TO_BILL');
  });

  it('moves each charge billed to date by its allocation once issued', () => {
    const { job } = bill(scenarioJob(), { policy: 'progress_summary', percent: '40' });
    expect(billed(job)).toEqual(['800.00', '1200.00', '200.00']);
    expect(job.invoicedToDate).toBe('2200.00');
  });
});

describe('progress_itemized', () => {
  const progress = [
    { chargeId: 'chg_1', percentComplete: '50' },
    { chargeId: 'chg_2', quantity: '10' },
    { chargeId: 'chg_3', amount: '100' },
  ];

  it('bills each charge to its percent complete, quantity done or amount done, one line per charge', () => {
    // Act
    const invoice = draft(scenarioJob(), { policy: 'progress_itemized', progress });
    // Assess
    expect(rows(invoice)).toEqual([
      ['work', '1000.00', '20'],
      ['work', '750.00', '20'],
      ['work', '100.00', '0'],
    ]);
    expect(invoice.lines.map((l) => l.description)).toEqual([
      'Demolition (50% complete)',
      'Framing (10 of 40 done)',
      'Permits (100 of 500.00 done)',
    ]);
    expect(allocations(invoice)).toEqual([[['chg_1', '1000.00']], [['chg_2', '750.00']], [['chg_3', '100.00']]]);
    expect(invoice.lines.map((l) => l.group)).toEqual(['Site', 'Structure', 'Admin']);
  });

  it('is cumulative: bills the progress since the last invoice, and no line for a charge that did not move', () => {
    // Prepare
    const { job } = bill(scenarioJob(), { policy: 'progress_itemized', progress });
    // Act
    const invoice = draft(job, {
      policy: 'progress_itemized',
      progress: [
        { chargeId: 'chg_1', percentComplete: '75' },
        { chargeId: 'chg_2', quantity: '10' },
      ],
    });
    // Assess
    expect(rows(invoice)).toEqual([['work', '500.00', '20']]);
    expect(allocations(invoice)).toEqual([[['chg_1', '500.00']]]);
  });

  it('refuses progress that bills nothing new: NOTHING_TO_BILL', () => {
    const { job } = bill(scenarioJob(), { policy: 'progress_itemized', progress });
    refused(() => draft(job, { policy: 'progress_itemized', progress }), 'rule', 'NOTHING_TO_BILL');
  });

  it('refuses progress behind what is billed to date: PROGRESS_BEHIND naming the entry', () => {
    const { job } = bill(scenarioJob(), { policy: 'progress_itemized', progress });
    refused(
      () =>
        draft(job, {
          policy: 'progress_itemized',
          progress: [
            { chargeId: 'chg_1', percentComplete: '60' },
            { chargeId: 'chg_2', quantity: '9' },
          ],
        }),
      'rule',
      'PROGRESS_BEHIND',
      'progress.1',
    );
  });

  it('refuses an unknown charge: CHARGE_NOT_FOUND naming progress.N.chargeId', () => {
    refused(
      () =>
        draft(scenarioJob(), {
          policy: 'progress_itemized',
          progress: [
            { chargeId: 'chg_1', percentComplete: '10' },
            { chargeId: 'chg_nope', percentComplete: '10' },
          ],
        }),
      'rule',
      'CHARGE_NOT_FOUND',
      'progress.1.chargeId',
    );
  });

  it('deducts the deposit in proportion to the work billed', () => {
    const { job } = bill(scenarioJob(), { policy: 'deposit', percent: '10', taxRate: '20' });
    const invoice = draft(job, {
      policy: 'progress_itemized',
      progress: [
        { chargeId: 'chg_1', percentComplete: '100' },
        { chargeId: 'chg_2', quantity: '30' },
      ],
    });
    expect(rows(invoice)).toEqual([
      ['work', '2000.00', '20'],
      ['work', '2250.00', '20'],
      ['deposit_applied', '-425.00', '20'],
    ]);
    expect(invoice.totals).toEqual({ net: '3825.00', tax: '765.00', gross: '4590.00' });
  });

  it('refuses the same charge twice in one request (its progress is cumulative)', () => {
    // Prepare: a charge 50% complete, sent twice by mistake
    const job = jobWith([{ unitPrice: '100' }]);
    const twice = [
      { chargeId: 'chg_1', percentComplete: '50' },
      { chargeId: 'chg_1', percentComplete: '50' },
    ];
    // Act
    const attempt = () => draft(job, { policy: 'progress_itemized', progress: twice });
    // Assess: today it drafts two lines of 50.00 and the charge ends billed at 100%
    expect(attempt).toThrow(DomainError);
  });
});

describe('grouped policies', () => {
  /** Site@20 (two charges), Site@0, Structure@20, and one charge without a group. */
  const groupedJob = (): Job =>
    jobWith([
      { description: 'Digging', group: 'Site', unitPrice: '1000', taxRate: '20' },
      { description: 'Fencing', group: 'Site', unitPrice: '500', taxRate: '20' },
      { description: 'Site permit', group: 'Site', unitPrice: '200', taxRate: '0' },
      { description: 'Beams', group: 'Structure', unitPrice: '300', taxRate: '20' },
      { description: 'Sundries', group: null, unitPrice: '100', taxRate: '20' },
    ]);
  const halfDone = ['chg_1', 'chg_2', 'chg_3', 'chg_4', 'chg_5'].map((chargeId) => ({ chargeId, percentComplete: '50' }));

  it('progress_itemized_grouped: one line per group and rate, with the allocations of its charges merged', () => {
    // Act
    const invoice = draft(groupedJob(), { policy: 'progress_itemized_grouped', progress: halfDone });
    // Assess
    expect(invoice.lines.map((l) => [l.description, l.group, l.amount, l.taxRate])).toEqual([
      ['Site', 'Site', '750.00', '20'],
      ['Site', 'Site', '100.00', '0'],
      ['Structure', 'Structure', '150.00', '20'],
      ['Other', 'Other', '50.00', '20'],
    ]);
    expect(allocations(invoice)).toEqual([
      [
        ['chg_1', '500.00'],
        ['chg_2', '250.00'],
      ],
      [['chg_3', '100.00']],
      [['chg_4', '150.00']],
      [['chg_5', '50.00']],
    ]);
    expect(invoice.type).toBe('partial');
  });

  it('progress_itemized_grouped bills the same as progress_itemized', () => {
    const itemized = draft(groupedJob(), { policy: 'progress_itemized', progress: halfDone });
    const grouped = draft(groupedJob(), { policy: 'progress_itemized_grouped', progress: halfDone });
    expect(grouped.totals).toEqual(itemized.totals);
    expect(billed(applyInvoice(groupedJob(), grouped, 1, T0))).toEqual(billed(applyInvoice(groupedJob(), itemized, 1, T0)));
  });

  it('final_grouped: every remainder, one line per group and rate, then the deposit applied', () => {
    // Prepare
    const { job } = billAll(
      groupedJob(),
      { policy: 'deposit', amount: '210', taxRate: '20' },
      { policy: 'progress_itemized_grouped', progress: halfDone },
    );
    // Act
    const invoice = draft(closeJob(job, T0), { policy: 'final_grouped' });
    // Assess
    expect(invoice.lines.map((l) => [l.kind, l.description, l.amount, l.taxRate])).toEqual([
      ['work', 'Site', '750.00', '20'],
      ['work', 'Site', '100.00', '0'],
      ['work', 'Structure', '150.00', '20'],
      ['work', 'Other', '50.00', '20'],
      ['deposit_applied', 'Deposit applied', '-105.00', '20'],
    ]);
    expect(invoice.type).toBe('complete');
    const after = applyInvoice(closeJob(job, T0), invoice, 1, T0);
    expect(after.charges.every((c) => c.billedToDate === c.amount)).toBe(true);
    expect(after).toMatchObject({ status: 'billed', completeInvoiceId: 'inv_1', depositsHeld: {} });
  });
});

describe('final', () => {
  it('is refused on an open job: JOB_NOT_CLOSED', () => {
    refused(() => draft(scenarioJob(), { policy: 'final' }), 'conflict', 'JOB_NOT_CLOSED');
    refused(() => draft(scenarioJob(), { policy: 'final_grouped' }), 'conflict', 'JOB_NOT_CLOSED');
  });

  it('bills every remainder and applies every deposit still held', () => {
    // Prepare: the seeds' scenario up to the final invoice
    const { job } = billAll(
      scenarioJob(),
      { policy: 'deposit', percent: '10', taxRate: '20' },
      { policy: 'progress_summary', percent: '40' },
      {
        policy: 'progress_itemized',
        progress: [
          { chargeId: 'chg_1', percentComplete: '100' },
          { chargeId: 'chg_2', quantity: '30' },
        ],
      },
    );
    // Act
    const invoice = draft(closeJob(job, T0), { policy: 'final' });
    // Assess
    expect(rows(invoice)).toEqual([
      ['work', '750.00', '20'],
      ['work', '300.00', '0'],
      ['deposit_applied', '-105.00', '20'],
    ]);
    expect(invoice).toMatchObject({
      type: 'complete',
      depositApplied: '105.00',
      totals: { net: '945.00', tax: '129.00', gross: '1074.00' },
    });
  });

  it('issued, sets the job Billed with its completeInvoiceId, every charge billed and no deposit held', () => {
    // Prepare
    const { job } = billAll(
      scenarioJob(),
      { policy: 'deposit', percent: '10', taxRate: '20' },
      { policy: 'progress_summary', percent: '40' },
    );
    // Act
    const { invoice, job: after } = bill(closeJob(job, T0), { policy: 'final' }, 'inv_final');
    // Assess
    expect(after).toMatchObject({
      status: 'billed',
      completeInvoiceId: 'inv_final',
      depositsHeld: {},
      invoicedToDate: '5500.00',
    });
    expect(billed(after)).toEqual(['2000.00', '3000.00', '500.00']);
    expect(billingSummary(after)).toMatchObject({ suggestedPrice: '5500.00', remaining: '0.00', depositsHeld: '0.00' });
    expect(invoice.series).toBe('invoice');
  });

  it('applies deposits held at several rates, each at its own rate', () => {
    const { job } = billAll(
      scenarioJob(),
      { policy: 'deposit', amount: '100', taxRate: '20' },
      { policy: 'deposit', amount: '50', taxRate: '0' },
    );
    const invoice = draft(closeJob(job, T0), { policy: 'final' });
    expect(sortedRows(invoice).filter(([kind]) => kind === 'deposit_applied')).toEqual([
      ['deposit_applied', '-100.00', '20'],
      ['deposit_applied', '-50.00', '0'],
    ]);
    expect(invoice.totals.net).toBe('5350.00');
  });

  it("is refused while another complete invoice (a draft of one) is the job's: COMPLETE_INVOICE_EXISTS", () => {
    // Prepare: storage records a complete draft on the job as its completeInvoiceId
    const job: Job = { ...closeJob(scenarioJob(), T0), completeInvoiceId: 'inv_other' };
    // Act / Assess
    refused(() => draft(job, { policy: 'final' }, 'inv_new'), 'conflict', 'COMPLETE_INVOICE_EXISTS');
    expect(draft(job, { policy: 'final' }, 'inv_other').type).toBe('complete');
  });

  it('a second complete invoice after the first is issued is refused: the job is billed', () => {
    // Prepare: two final drafts of the same closed job
    const closed = closeJob(scenarioJob(), T0);
    const first = draft(closed, { policy: 'final' }, 'inv_a');
    const second = draft(closed, { policy: 'final' }, 'inv_b');
    const after = applyInvoice(closed, first, 1, T0);
    // Act / Assess
    refused(() => applyInvoice(after, second, 1, T0), 'conflict', 'JOB_BILLED');
    refused(() => draft(after, { policy: 'final' }, 'inv_c'), 'conflict', 'JOB_BILLED');
  });

  it('issues a zero complete invoice for a job that progress invoices billed in full, so that it becomes Billed', () => {
    // Prepare: 100% billed by progress, then closed
    const { job } = bill(scenarioJob(), { policy: 'progress_summary', percent: '100' });
    const closed = closeJob(job, T0);
    // Act: the seeds' "Complete" invoice says no further invoicing is intended
    const attempt = () => applyInvoice(closed, draft(closed, { policy: 'final' }, 'inv_final'), 1, T0);
    // Assess: today NOTHING_TO_BILL; the job stays Closed for ever and can take no correction
    expect(attempt().status).toBe('billed');
  });

  it("bills nothing more on a charge that allowOverbilling billed past its amount: taking it back is a correction's job", () => {
    // Prepare: 1,200.00 billed on a price of 1,000.00
    const { job } = bill(jobWith([{ unitPrice: '1000' }]), {
      policy: 'progress_summary',
      amount: '1200',
      allowOverbilling: true,
    });
    // Act
    const { invoice, job: after } = bill(closeJob(job, T0), { policy: 'final' });
    // Assess: no line of -200.00 crediting back what was allowed
    expect(rows(invoice)).toEqual([['work', '0.00', '0']]);
    expect(after).toMatchObject({ status: 'billed', invoicedToDate: '1200.00' });
    expect(billed(after)).toEqual(['1200.00']);
  });

  it('bills the remainders of the other charges and applies every deposit, past the price only with allowOverbilling', () => {
    // Prepare: 600.00 and 400.00 of work, a deposit of 100.00, the first charge billed to 150%
    const { job } = billAll(
      jobWith([{ unitPrice: '600' }, { unitPrice: '400' }]),
      { policy: 'deposit', amount: '100' },
      { policy: 'progress_itemized', progress: [{ chargeId: 'chg_1', percentComplete: '150' }], allowOverbilling: true },
    );
    const closed = closeJob(job, T0);
    // Act / Assess: billing the second charge in full takes the job 300.00 past its price
    refused(() => draft(closed, { policy: 'final' }), 'rule', 'JOB_OVERBILLED');
    const { invoice, job: after } = bill(closed, { policy: 'final', allowOverbilling: true });
    expect(rows(invoice)).toEqual([
      ['work', '400.00', '0'],
      ['deposit_applied', '-10.00', '0'],
    ]);
    expect(allocations(invoice)[0]).toEqual([['chg_2', '400.00']]);
    expect({ status: after.status, billed: billed(after), depositsHeld: after.depositsHeld }).toEqual({
      status: 'billed',
      billed: ['900.00', '400.00'],
      depositsHeld: {},
    });
  });

  it('bills nothing more on a discount credited past its amount', () => {
    // Prepare: a discount of 100.00 billed as -150.00
    const { job } = bill(jobWith([{ unitPrice: '1000' }, { description: 'Discount', unitPrice: '-100' }]), {
      policy: 'progress_itemized',
      progress: [{ chargeId: 'chg_2', amount: '-150' }],
      allowOverbilling: true,
    });
    // Act
    const { invoice, job: after } = bill(closeJob(job, T0), { policy: 'final' });
    // Assess
    expect(rows(invoice)).toEqual([['work', '1000.00', '0']]);
    expect({ status: after.status, billed: billed(after) }).toEqual({ status: 'billed', billed: ['1000.00', '-150.00'] });
  });
});

describe('retainage', () => {
  const retained = (): Job => scenarioJob({ retainagePercent: '10' });

  it("progress invoices withhold the job's retainage percent, one line per rate of the work", () => {
    // Act
    const { invoice, job } = bill(retained(), { policy: 'progress_summary', percent: '40' });
    // Assess
    expect(rows(invoice)).toEqual([
      ['work', '2000.00', '20'],
      ['work', '200.00', '0'],
      ['retainage_withheld', '-200.00', '20'],
      ['retainage_withheld', '-20.00', '0'],
    ]);
    expect(invoice.lines[2]!.description).toBe('Retainage 10% withheld');
    expect(invoice).toMatchObject({ retainageWithheld: '220.00', totals: { net: '1980.00', tax: '360.00', gross: '2340.00' } });
    expect(job).toMatchObject({ retainageHeld: { '20': '200.00', '0': '20.00' }, invoicedToDate: '1980.00' });
    expect(billingSummary(job)).toMatchObject({ retainageHeld: '220.00', remaining: '3300.00' });
  });

  it('the final invoice withholds retainage on the remainders, per rate, after the deposit applied', () => {
    // Prepare
    const { job } = billAll(
      retained(),
      { policy: 'deposit', amount: '100', taxRate: '20' },
      { policy: 'progress_summary', percent: '40' },
    );
    // Act
    const { invoice, job: after } = bill(closeJob(job, T0), { policy: 'final' });
    // Assess: remainders 1200 + 1800 at 20%, 300 at 0%; the deposit (40 applied already) is not retained
    expect(rows(invoice)).toEqual([
      ['work', '1200.00', '20'],
      ['work', '1800.00', '20'],
      ['work', '300.00', '0'],
      ['deposit_applied', '-60.00', '20'],
      ['retainage_withheld', '-300.00', '20'],
      ['retainage_withheld', '-30.00', '0'],
    ]);
    expect(after).toMatchObject({ status: 'billed', retainageHeld: { '20': '500.00', '0': '50.00' }, invoicedToDate: '4950.00' });
    expect(billingSummary(after).remaining).toBe('0.00');
  });

  it('retainage_release bills all that is held, per rate, also on a billed job; then the job has invoiced its price', () => {
    // Prepare
    const job = billedScenarioJob({ retainagePercent: '10' });
    // Act
    const { invoice, job: after } = bill(job, { policy: 'retainage_release' });
    // Assess
    expect(sortedRows(invoice)).toEqual([
      ['retainage_release', '50.00', '0'],
      ['retainage_release', '500.00', '20'],
    ]);
    expect(invoice).toMatchObject({
      type: 'partial',
      policy: 'retainage_release',
      totals: { net: '550.00', tax: '100.00', gross: '650.00' },
    });
    expect(after).toMatchObject({ retainageHeld: {}, invoicedToDate: '5500.00', status: 'billed' });
  });

  it('releases part of what is held, split over the rates in proportion', () => {
    const { invoice, job } = bill(billedScenarioJob({ retainagePercent: '10' }), { policy: 'retainage_release', amount: '110' });
    expect(sortedRows(invoice)).toEqual([
      ['retainage_release', '10.00', '0'],
      ['retainage_release', '100.00', '20'],
    ]);
    expect(job.retainageHeld).toEqual({ '20': '400.00', '0': '40.00' });
  });

  it('refuses more than is held: RETAINAGE_EXCEEDED; nothing held: NOTHING_TO_BILL', () => {
    const job = billedScenarioJob({ retainagePercent: '10' });
    refused(() => draft(job, { policy: 'retainage_release', amount: '550.01' }), 'rule', 'RETAINAGE_EXCEEDED');
    refused(() => draft(scenarioJob(), { policy: 'retainage_release' }), 'rule', 'NOTHING_TO_BILL');
  });

  it('refuses to void a progress invoice whose retainage was released since: RETAINAGE_ALREADY_RELEASED', () => {
    const { invoices, job } = billAll(retained(), { policy: 'progress_summary', percent: '40' }, { policy: 'retainage_release' });
    refused(() => applyInvoice(job, invoices[0]!, -1, T0), 'conflict', 'RETAINAGE_ALREADY_RELEASED');
  });
});
