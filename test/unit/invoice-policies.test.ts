import { describe, expect, it } from 'vitest';
import { addCharge, type ChargeFields } from '../../functions/domain/charge.js';
import { addDays } from '../../functions/domain/dates.js';
import { DomainError, type ErrorKind } from '../../functions/domain/errors.js';
import { paidNet, type Invoice, type InvoiceStatus } from '../../functions/domain/invoice.js';
import {
  editDraft,
  issue,
  issueDateFor,
  recordPayment,
  seriesOf,
  transition,
  type NewPayment,
} from '../../functions/domain/invoice-lifecycle.js';
import { draftInvoice, type DraftInput } from '../../functions/domain/invoice-policies.js';
import { applyInvoice } from '../../functions/domain/job-ledger.js';
import { billingSummary, closeJob, createJob, type Job, type JobFields } from '../../functions/domain/job.js';
import { amount, sumAmounts, toAmountString } from '../../functions/domain/money.js';
import {
  checkNumberFormat,
  counterScope,
  defaultSettings,
  formatNumber,
  type Settings,
} from '../../functions/domain/settings.js';
import { domainErrorOf, expectDomainError } from '../support/domain-errors.js';

// Fixtures ------------------------------------------------------------------------------------

const T0 = new Date('2025-03-01T10:00:00.000Z');
const TODAY = '2025-03-01';
const SETTINGS: Settings = defaultSettings('EUR');
const withSettings = (overrides: Partial<Settings>): Settings => ({ ...SETTINGS, ...overrides });

type Input = Omit<DraftInput, 'customerId'> & { customerId?: string };

const newJob = (fields: Partial<JobFields> = {}): Job =>
  createJob({ customerId: 'cus_1', name: 'Extension', billingType: 'fixed_price', currency: 'EUR', ...fields }, 'job_1', T0);

/** A job with charges `chg_1`, `chg_2`, ... in the order given. */
const jobWith = (charges: Partial<ChargeFields>[], fields: Partial<JobFields> = {}): Job =>
  charges.reduce(
    (job, charge, i) =>
      addCharge(job, { description: `Charge ${i + 1}`, quantity: '1', unitPrice: '100', ...charge }, `chg_${i + 1}`, T0),
    newJob(fields),
  );

/** The worked example of the seeds: 5,500.00 EUR, two charges at 20% VAT and one at 0%. */
const scenarioJob = (fields: Partial<JobFields> = {}): Job =>
  jobWith(
    [
      { description: 'Demolition', group: 'Site', quantity: '1', unitPrice: '2000.00', taxRate: '20' },
      { description: 'Framing', group: 'Structure', quantity: '40', unitPrice: '75.00', taxRate: '20' },
      { description: 'Permits', group: 'Admin', quantity: '1', unitPrice: '500.00', taxRate: '0' },
    ],
    fields,
  );

/** Every invoice a test drafts is checked for the invariants that hold for all of them. */
const expectBalanced = (invoice: Invoice): void => {
  const { net, tax, gross } = invoice.totals;
  const money = (value: Parameters<typeof toAmountString>[0]) => toAmountString(value, invoice.currency);
  expect(money(amount(net).plus(tax)), `net ${net} + tax ${tax} = gross ${gross}`).toBe(gross);
  expect(money(sumAmounts(invoice.lines.map((l) => l.amount))), 'net = sum of the lines').toBe(net);
  expect(money(sumAmounts(invoice.taxes.map((t) => t.amount))), 'tax = sum of the tax per rate').toBe(tax);
  for (const line of invoice.lines.filter((l) => l.kind === 'work')) {
    expect(money(sumAmounts(line.allocations.map((a) => a.amount))), `allocations of ${line.id}`).toBe(line.amount);
  }
};

const draft = (job: Job, input: Input, id = 'inv_1', corrected: Invoice[] = []): Invoice => {
  const { invoice } = draftInvoice(job, { customerId: 'cus_1', ...input }, id, T0, corrected);
  expectBalanced(invoice);
  return invoice;
};

let sequence = 0;
/** Drafts, issues (numbered, dated today) and applies an invoice to the job, as the issue service does. */
const bill = (job: Job, input: Input, id = `inv_${++sequence}`): { invoice: Invoice; job: Job } => {
  const issued = issue(draft(job, input, id), `N-${id}`, TODAY, SETTINGS, T0);
  return { invoice: issued, job: applyInvoice(job, issued, 1, T0) };
};

/** Bills each input in turn; the job after all of them, with the invoices. */
const billAll = (job: Job, ...inputs: Input[]): { invoices: Invoice[]; job: Job } =>
  inputs.reduce<{ invoices: Invoice[]; job: Job }>(
    (acc, input) => {
      const { invoice, job: next } = bill(acc.job, input);
      return { invoices: [...acc.invoices, invoice], job: next };
    },
    { invoices: [], job },
  );

/** The scenario job closed and billed by its final invoice (taxed at 20% and 0%). */
const billedScenario = (fields: Partial<JobFields> = {}): { invoice: Invoice; job: Job } =>
  bill(closeJob(scenarioJob(fields), T0), { policy: 'final' });
const billedScenarioJob = (fields: Partial<JobFields> = {}): Job => billedScenario(fields).job;

const rows = (invoice: Invoice) => invoice.lines.map((l) => [l.kind, l.amount, l.taxRate]);
const sortedRows = (invoice: Invoice) => rows(invoice).sort((a, b) => `${a}`.localeCompare(`${b}`));
const allocations = (invoice: Invoice) => invoice.lines.map((l) => l.allocations.map((a) => [a.chargeId, a.amount]));
const billed = (job: Job) => job.charges.map((c) => c.billedToDate);

const cents = (value: string): string => toAmountString(value, 'EUR');
const centsByRate = (byRate: Record<string, string>) =>
  Object.fromEntries(Object.entries(byRate).map(([rate, v]) => [rate, cents(v)]));

/** What invoices move on a job (amounts normalised: a new job says "0"): voiding must put every bit of it back. */
const ledgerOf = (job: Job) => ({
  status: job.status,
  completeInvoiceId: job.completeInvoiceId,
  invoicedToDate: cents(job.invoicedToDate),
  paidToDate: cents(job.paidToDate),
  depositsInvoiced: cents(job.depositsInvoiced),
  depositsHeld: centsByRate(job.depositsHeld),
  retainageHeld: centsByRate(job.retainageHeld),
  billed: job.charges.map((c) => cents(c.billedToDate)),
});

/** The DomainError of `act`, checked for kind and code, and for naming `field` when one is given. */
const refused = (act: () => unknown, kind: ErrorKind, code: string, field?: string): DomainError => {
  const error = expectDomainError(act, kind, code);
  if (field !== undefined) expect(error.errors.map((e) => e.field)).toContain(field);
  return error;
};

// Policies ------------------------------------------------------------------------------------

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

  it('bills nothing more on a charge that allowOverbilling billed past its amount: taking it back is a correction\'s job', () => {
    // Prepare: 1,200.00 billed on a price of 1,000.00
    const { job } = bill(jobWith([{ unitPrice: '1000' }]), { policy: 'progress_summary', amount: '1200', allowOverbilling: true });
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

describe('correction', () => {
  it.each([
    ['open', () => scenarioJob()],
    ['closed', () => closeJob(scenarioJob(), T0)],
  ])('is refused on a %s job: JOB_NOT_BILLED', (_, job) => {
    const lines = [{ description: 'Discount', amount: '-10' }];
    refused(() => draft(job(), { policy: 'correction', lines }), 'conflict', 'JOB_NOT_BILLED');
    refused(() => draft(job(), { policy: 'correction_grouped', lines }), 'conflict', 'JOB_NOT_BILLED');
  });

  it('credits a charge with a negative line at its rate, numbered as a credit note', () => {
    // Prepare
    const { invoice: final, job } = billedScenario();
    // Act
    const invoice = draft(
      job,
      {
        policy: 'correction',
        lines: [{ description: 'Goodwill discount', amount: '-100.00', chargeId: 'chg_2', correctsInvoiceId: final.id }],
      },
      'inv_credit',
      [final],
    );
    // Assess
    expect(rows(invoice)).toEqual([['correction', '-100.00', '20']]);
    expect(invoice.lines[0]).toMatchObject({
      group: 'Structure',
      correctsInvoiceId: final.id,
      allocations: [{ chargeId: 'chg_2', amount: '-100.00' }],
    });
    expect(invoice).toMatchObject({ type: 'correction', totals: { net: '-100.00', tax: '-20.00', gross: '-120.00' } });
    expect(seriesOf(invoice)).toBe('credit_note');
  });

  it('against a charge, moves its billed to date; the job stays billed', () => {
    const { job } = bill(billedScenarioJob(), {
      policy: 'correction',
      lines: [{ description: 'Goodwill discount', amount: '-100.00', chargeId: 'chg_2' }],
    });
    expect(billed(job)).toEqual(['2000.00', '2900.00', '500.00']);
    expect(job).toMatchObject({ status: 'billed', invoicedToDate: '5400.00' });
    expect(billingSummary(job).remaining).toBe('100.00');
  });

  it('without a charge, bills quantity x unit price at the given rate and moves no charge', () => {
    // Act
    const { invoice, job } = bill(billedScenarioJob(), {
      policy: 'correction',
      lines: [{ description: 'Returned fittings', quantity: '2', unitPrice: '-25', taxRate: '7' }],
    });
    // Assess
    expect(invoice.lines[0]).toMatchObject({ amount: '-50.00', quantity: '2', unitPrice: '-25', taxRate: '7', allocations: [] });
    expect(invoice.totals).toEqual({ net: '-50.00', tax: '-3.50', gross: '-53.50' });
    expect(billed(job)).toEqual(['2000.00', '3000.00', '500.00']);
    expect(job.invoicedToDate).toBe('5450.00');
  });

  it("takes the charge's rate when none is given, else 0%", () => {
    const invoice = draft(billedScenarioJob(), {
      policy: 'correction',
      lines: [
        { description: 'Permit refund', amount: '-50', chargeId: 'chg_3' },
        { description: 'Demolition credit', amount: '-10', chargeId: 'chg_1' },
        { description: 'Free line', amount: '-5' },
      ],
    });
    expect(rows(invoice)).toEqual([
      ['correction', '-50.00', '0'],
      ['correction', '-10.00', '20'],
      ['correction', '-5.00', '0'],
    ]);
  });

  it("takes the corrected invoice's rate when it was taxed at one rate only", () => {
    // Prepare: a job billed at 20% only
    const { invoice: final, job } = bill(closeJob(jobWith([{ unitPrice: '1000', taxRate: '20' }]), T0), { policy: 'final' });
    // Act
    const invoice = draft(
      job,
      { policy: 'correction', lines: [{ description: 'Goodwill', amount: '-100', correctsInvoiceId: final.id }] },
      'inv_credit',
      [final],
    );
    // Assess: today at 0%, so the VAT charged is never given back
    expect(rows(invoice)).toEqual([['correction', '-100.00', '20']]);
    expect(invoice.totals).toEqual({ net: '-100.00', tax: '-20.00', gross: '-120.00' });
  });

  it('refuses to guess the rate of a line correcting an invoice of several rates: TAX_RATE_AMBIGUOUS naming lines.N.taxRate', () => {
    // Prepare: the scenario's final invoice is taxed at 20% and 0%
    const { invoice: final, job } = billedScenario();
    const line = { description: 'Goodwill', amount: '-100', correctsInvoiceId: final.id };
    const lines = (...more: object[]) => [{ description: 'Free line', amount: '-1' }, ...more.map((m) => ({ ...line, ...m }))];
    // Act / Assess
    refused(() => draft(job, { policy: 'correction', lines: lines({}) }, 'inv_c', [final]), 'rule', 'TAX_RATE_AMBIGUOUS', 'lines.1.taxRate');
    const chosen = draft(job, { policy: 'correction', lines: lines({ taxRate: '0' }, { chargeId: 'chg_1' }) }, 'inv_c', [final]);
    expect(rows(chosen)).toEqual([
      ['correction', '-1.00', '0'],
      ['correction', '-100.00', '0'],
      ['correction', '-100.00', '20'],
    ]);
  });

  it('corrects only issued invoices of the job: INVOICE_NOT_FOUND naming lines.N.correctsInvoiceId', () => {
    // Prepare: an issued invoice of another job, a draft of this one
    const { invoice: final, job } = billedScenario();
    const { invoice: elsewhere } = bill({ ...scenarioJob(), id: 'job_2' }, { policy: 'deposit', amount: '10' });
    const pending = draft(job, { policy: 'correction', lines: [{ description: 'x', amount: '-1' }] }, 'inv_pending');
    // Act / Assess
    for (const corrected of [[], [elsewhere], [pending], [{ ...final, status: 'voided' as const }]]) {
      const id = corrected[0]?.id ?? final.id;
      const lines = [{ description: 'x', amount: '-1', taxRate: '20', correctsInvoiceId: id }];
      refused(() => draft(job, { policy: 'correction', lines }, 'inv_c', corrected), 'rule', 'INVOICE_NOT_FOUND', 'lines.0.correctsInvoiceId');
    }
  });

  it('refuses an unknown charge: CHARGE_NOT_FOUND naming lines.N.chargeId', () => {
    refused(
      () =>
        draft(billedScenarioJob(), { policy: 'correction', lines: [{ description: 'x', amount: '-1', chargeId: 'chg_nope' }] }),
      'rule',
      'CHARGE_NOT_FOUND',
      'lines.0.chargeId',
    );
  });

  it('correction_grouped: one line per group and rate, allocations merged', () => {
    // Act
    const invoice = draft(billedScenarioJob(), {
      policy: 'correction_grouped',
      lines: [
        { description: 'Demolition credit', amount: '-10', chargeId: 'chg_1' },
        { description: 'Framing credit', amount: '-20', chargeId: 'chg_2' },
        { description: 'Site cleaning credit', amount: '-5', group: 'Site', taxRate: '20' },
      ],
    });
    // Assess
    expect(invoice.lines.map((l) => [l.kind, l.description, l.amount, l.taxRate])).toEqual([
      ['correction', 'Site', '-15.00', '20'],
      ['correction', 'Structure', '-20.00', '20'],
    ]);
    expect(allocations(invoice)).toEqual([[['chg_1', '-10.00']], [['chg_2', '-20.00']]]);
    expect(invoice.totals).toEqual({ net: '-35.00', tax: '-7.00', gross: '-42.00' });
  });

  it("bills a correction group as one of the group: quantity x unit price = amount", () => {
    // Act: two credits in one group and rate
    const invoice = draft(billedScenarioJob(), {
      policy: 'correction_grouped',
      lines: [
        { description: 'Two returned doors', quantity: '2', unitPrice: '-10', group: 'Site', taxRate: '20' },
        { description: 'Late delivery', amount: '-5', group: 'Site', taxRate: '20' },
      ],
    });
    // Assess: today the line reads 2 x -10 = -25.00
    const [line] = invoice.lines;
    expect(line!.amount).toBe('-25.00');
    expect(toAmountString(amount(line!.quantity).times(line!.unitPrice), 'EUR')).toBe(line!.amount);
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

describe('overbilling', () => {
  it('refuses to bill a charge past its amount: CHARGE_OVERBILLED, unless allowOverbilling', () => {
    // Prepare
    const progress = [{ chargeId: 'chg_1', percentComplete: '110' }];
    // Act / Assess
    refused(() => draft(scenarioJob(), { policy: 'progress_itemized', progress }), 'rule', 'CHARGE_OVERBILLED');
    const { job } = bill(scenarioJob(), { policy: 'progress_itemized', progress, allowOverbilling: true });
    expect(billed(job)[0]).toBe('2200.00');
  });

  it('refuses a summary amount past what remains: JOB_OVERBILLED (the price is checked first), unless allowOverbilling', () => {
    refused(() => draft(scenarioJob(), { policy: 'progress_summary', amount: '5500.01' }), 'rule', 'JOB_OVERBILLED');
    const { job } = bill(scenarioJob(), { policy: 'progress_summary', amount: '6000', allowOverbilling: true });
    expect(job.invoicedToDate).toBe('6000.00');
    expect(billingSummary(job).remaining).toBe('-500.00');
  });

  it('refuses to bill the job past its suggested price: JOB_OVERBILLED, unless allowOverbilling', () => {
    const { job } = bill(scenarioJob(), { policy: 'deposit', amount: '5000' });
    refused(() => draft(job, { policy: 'deposit', amount: '500.01' }), 'rule', 'JOB_OVERBILLED');
    expect(draft(job, { policy: 'deposit', amount: '500.00' }).totals.net).toBe('500.00');
    expect(bill(job, { policy: 'deposit', amount: '600', allowOverbilling: true }).job.invoicedToDate).toBe('5600.00');
  });

  it('on a billed job, refuses a positive correction past the price: JOB_OVERBILLED', () => {
    const job = billedScenarioJob();
    refused(
      () => draft(job, { policy: 'correction', lines: [{ description: 'Extra', amount: '10' }] }),
      'rule',
      'JOB_OVERBILLED',
    );
    refused(
      () => draft(job, { policy: 'correction', lines: [{ description: 'Extra', amount: '10', chargeId: 'chg_1' }] }),
      'rule',
      'JOB_OVERBILLED',
    );
  });

  it('on a billed job, refuses a positive correction within the price that bills a charge past its amount: CHARGE_OVERBILLED', () => {
    // Prepare: a credit of 100 on framing leaves 100 to bill on the job
    const { job } = bill(billedScenarioJob(), {
      policy: 'correction',
      lines: [{ description: 'Credit', amount: '-100', chargeId: 'chg_2' }],
    });
    // Act / Assess: demolition is billed in full
    refused(
      () => draft(job, { policy: 'correction', lines: [{ description: 'Extra', amount: '10', chargeId: 'chg_1' }] }),
      'rule',
      'CHARGE_OVERBILLED',
    );
    const { job: after } = bill(job, {
      policy: 'correction',
      lines: [{ description: 'Extra', amount: '10', chargeId: 'chg_1' }],
      allowOverbilling: true,
    });
    expect(billed(after)).toEqual(['2010.00', '2900.00', '500.00']);
  });

  it('lets a correction bill again what an earlier credit took off', () => {
    const { job } = bill(billedScenarioJob(), {
      policy: 'correction',
      lines: [{ description: 'Credit', amount: '-100', chargeId: 'chg_2' }],
    });
    const { job: after } = bill(job, {
      policy: 'correction',
      lines: [{ description: 'Rebill', amount: '100', chargeId: 'chg_2' }],
    });
    expect(billed(after)).toEqual(['2000.00', '3000.00', '500.00']);
    expect(after.invoicedToDate).toBe('5500.00');
  });

  it('applies deposits on running totals, so that rounding never strands a cent and the last work can be billed', () => {
    // Prepare: 30.00 in three charges, a 10.00 deposit; each third applies 3.33 of it
    const job = jobWith([{ unitPrice: '10' }, { unitPrice: '10' }, { unitPrice: '10' }]);
    const { job: twoThirds } = billAll(
      job,
      { policy: 'deposit', amount: '10' },
      { policy: 'progress_itemized', progress: [{ chargeId: 'chg_1', percentComplete: '100' }] },
      { policy: 'progress_itemized', progress: [{ chargeId: 'chg_2', percentComplete: '100' }] },
    );
    // Act: the last third is exactly what remains to bill
    const last = () =>
      bill(twoThirds, { policy: 'progress_itemized', progress: [{ chargeId: 'chg_3', percentComplete: '100' }] }).job;
    // Assess: today JOB_OVERBILLED "0.01 past the price", as 0.01 of the deposit stays held
    expect(billingSummary(last())).toMatchObject({ invoicedToDate: '30.00', depositsHeld: '0.00', remaining: '0.00' });
  });
});

describe('overcrediting', () => {
  const credit = (value: string, extra: Partial<Input> = {}): Input => ({
    policy: 'correction',
    lines: [{ description: 'Credit', amount: value }],
    ...extra,
  });

  it('refuses a correction that takes invoiced to date below zero: JOB_OVERCREDITED naming lines, allowOverbilling or not', () => {
    // Prepare: the job has invoiced 5,500.00
    const { invoice: final, job } = billedScenario();
    const againstFinal = [{ description: 'Credit', amount: '-99999.00', taxRate: '20', correctsInvoiceId: final.id }];
    // Act / Assess
    refused(() => draft(job, credit('-5500.01')), 'rule', 'JOB_OVERCREDITED', 'lines');
    refused(() => draft(job, credit('-99999.00', { allowOverbilling: true })), 'rule', 'JOB_OVERCREDITED', 'lines');
    refused(() => draft(job, { policy: 'correction', lines: againstFinal }, 'inv_c', [final]), 'rule', 'JOB_OVERCREDITED', 'lines');
    expect(bill(job, credit('-5500.00')).job.invoicedToDate).toBe('0.00');
  });

  it('checks again at issue: two credits that each fit the job cannot both be issued', () => {
    // Prepare: two drafts of 3,000.00 made from the same job
    const job = billedScenarioJob();
    const first = issue(draft(job, credit('-3000'), 'inv_a'), 'CN-1', TODAY, SETTINGS, T0);
    const second = issue(draft(job, credit('-3000'), 'inv_b'), 'CN-2', TODAY, SETTINGS, T0);
    // Act
    const credited = applyInvoice(job, first, 1, T0);
    // Assess
    refused(() => applyInvoice(credited, second, 1, T0), 'rule', 'JOB_OVERCREDITED', 'lines');
  });

  it('refuses to credit a charge past zero even with allowOverbilling: CHARGE_OVERCREDITED', () => {
    const line = { description: 'Credit', amount: '-3000.01', chargeId: 'chg_2' };
    refused(
      () => draft(billedScenarioJob(), { policy: 'correction', lines: [line], allowOverbilling: true }),
      'rule',
      'CHARGE_OVERCREDITED',
    );
  });

  it('refuses to void a correction when the credits issued since would take invoiced to date below zero', () => {
    // Prepare: 300 credited and billed again, then everything credited
    const { invoices, job } = billAll(billedScenarioJob(), credit('-300'), credit('300'), credit('-5500'));
    // Act / Assess: voiding the rebill would leave -300.00 invoiced
    const error = refused(() => applyInvoice(job, invoices[1]!, -1, T0), 'rule', 'JOB_OVERCREDITED');
    expect(error.errors).toEqual([]); // a void has no lines to name
    expect(applyInvoice(job, invoices[2]!, -1, T0).invoicedToDate).toBe('5500.00');
  });
});

describe('void (applyInvoice with -1)', () => {
  it('refuses to void a credit note whose amount was billed again since: that would bill past the price', () => {
    // Prepare: a credit of 100 on framing, then those 100 billed again
    const { invoices, job } = billAll(
      billedScenarioJob(),
      { policy: 'correction', lines: [{ description: 'Credit', amount: '-100', chargeId: 'chg_2' }] },
      { policy: 'correction', lines: [{ description: 'Rebill', amount: '100', chargeId: 'chg_2' }] },
    );
    // Act
    const voidCredit = () => applyInvoice(job, invoices[0]!, -1, T0);
    // Assess: today the void goes through: invoiced 5600.00 of 5500.00, framing billed 3100.00 of 3000.00
    expect(voidCredit).toThrow(DomainError);
  });

  it('walks the ledger back invoice by invoice: deposit, progress with deposit applied and retainage, final', () => {
    // Prepare
    const steps: Input[] = [
      { policy: 'deposit', percent: '10', taxRate: '20' },
      { policy: 'progress_summary', percent: '40' },
      { policy: 'progress_itemized', progress: [{ chargeId: 'chg_2', quantity: '33' }] },
    ];
    const states = [scenarioJob({ retainagePercent: '5' })];
    const invoices: Invoice[] = [];
    for (const input of steps) {
      const { invoice, job } = bill(states.at(-1)!, input);
      invoices.push(invoice);
      states.push(job);
    }
    const closed = closeJob(states.at(-1)!, T0);
    const { invoice: final, job: billedJob } = bill(closed, { policy: 'final' });
    // Act / Assess: void the final, then the others, newest first
    let job = applyInvoice(billedJob, final, -1, T0);
    expect(ledgerOf(job)).toEqual(ledgerOf(closed));
    expect(job).toMatchObject({ status: 'closed', completeInvoiceId: null });
    for (let i = invoices.length - 1; i >= 0; i--) {
      job = applyInvoice(job, invoices[i]!, -1, T0);
      expect(ledgerOf(job)).toEqual({ ...ledgerOf(states[i]!), status: 'closed' });
    }
    expect(ledgerOf(job)).toEqual({ ...ledgerOf(scenarioJob()), status: 'closed' });
  });

  it('voiding the final invoice lets a new complete invoice be drafted', () => {
    const closed = closeJob(scenarioJob(), T0);
    const { invoice, job } = bill(closed, { policy: 'final' });
    const reopened = applyInvoice(job, invoice, -1, T0);
    expect(draft(reopened, { policy: 'final' }, 'inv_again').totals.net).toBe('5500.00');
  });

  it('refuses to void a deposit that later invoices applied: DEPOSIT_ALREADY_APPLIED; voiding them first frees it', () => {
    // Prepare
    const { invoices, job } = billAll(
      scenarioJob(),
      { policy: 'deposit', amount: '550', taxRate: '20' },
      { policy: 'progress_summary', percent: '40' },
    );
    const [deposit, progress] = invoices as [Invoice, Invoice];
    // Act / Assess
    refused(() => applyInvoice(job, deposit, -1, T0), 'conflict', 'DEPOSIT_ALREADY_APPLIED');
    const withoutProgress = applyInvoice(job, progress, -1, T0);
    expect(ledgerOf(applyInvoice(withoutProgress, deposit, -1, T0))).toEqual(ledgerOf(scenarioJob()));
  });
});

// Lifecycle ------------------------------------------------------------------------------------

/** An issued deposit invoice of 500.00 + 20% = 600.00, moved to `status` directly. */
const issuedInvoice = (status: InvoiceStatus = 'invoiced'): Invoice => {
  const issued = issue(
    draft(jobWith([{ unitPrice: '1000', taxRate: '20' }]), { policy: 'deposit', amount: '500' }),
    'INV-2025-00001',
    TODAY,
    SETTINGS,
    T0,
  );
  return { ...issued, status };
};

const payment = (value: string): NewPayment => ({
  amount: value,
  date: TODAY,
  method: 'bank_transfer',
  reference: null,
  note: null,
});

describe('issue', () => {
  it("numbers and dates the draft, due after the tenant's default days", () => {
    // Prepare
    const invoice = draft(jobWith([{ unitPrice: '1000' }]), { policy: 'deposit', amount: '500' });
    // Act
    const issued = issue(invoice, 'INV-2025-00007', '2025-02-20', SETTINGS, T0);
    // Assess
    expect(issued).toMatchObject({
      status: 'invoiced',
      series: 'invoice',
      number: 'INV-2025-00007',
      issueDate: '2025-02-20',
      dueDate: '2025-03-22',
      issuedAt: T0.toISOString(),
      version: invoice.version + 1,
      totals: invoice.totals,
      lines: invoice.lines,
    });
  });

  it("is due after the draft's dueDays, or on its dueDate", () => {
    const job = jobWith([{ unitPrice: '1000' }]);
    expect(issue(draft(job, { policy: 'deposit', amount: '5', dueDays: 14 }), 'N1', TODAY, SETTINGS, T0).dueDate).toBe(
      '2025-03-15',
    );
    expect(issue(draft(job, { policy: 'deposit', amount: '5', dueDays: 0 }), 'N1', TODAY, SETTINGS, T0).dueDate).toBe(TODAY);
    expect(issue(draft(job, { policy: 'deposit', amount: '5', dueDate: '2025-04-30' }), 'N1', TODAY, SETTINGS, T0).dueDate).toBe(
      '2025-04-30',
    );
  });

  it('refuses a due date before the issue date, and an invoice that is not a draft', () => {
    const job = jobWith([{ unitPrice: '1000' }]);
    refused(() => draft(job, { policy: 'deposit', amount: '5', issueDate: '2025-03-01', dueDate: '2025-02-28' }), 'invalid', 'VALIDATION_FAILED', 'dueDate');
    refused(
      () => issue(draft(job, { policy: 'deposit', amount: '5', dueDate: '2025-02-28' }), 'N1', TODAY, SETTINGS, T0),
      'rule',
      'DUE_DATE_BEFORE_ISSUE_DATE',
    );
    refused(() => issue(issuedInvoice(), 'N2', TODAY, SETTINGS, T0), 'conflict', 'INVOICE_NOT_DRAFT');
  });

  it('puts invoices with a negative gross in the credit note series, zero and positive in the invoice series', () => {
    const job = billedScenarioJob();
    const lines = (...amounts: string[]) => amounts.map((a) => ({ description: 'c', amount: a }));
    expect(seriesOf(draft(job, { policy: 'correction', lines: lines('-0.01') }))).toBe('credit_note');
    expect(seriesOf(draft(job, { policy: 'correction', lines: lines('-10', '10') }))).toBe('invoice');
    expect(issue(draft(job, { policy: 'correction', lines: lines('-10') }), 'CN-1', TODAY, SETTINGS, T0).series).toBe(
      'credit_note',
    );
  });
});

describe('transition', () => {
  const off = SETTINGS;
  const on = withSettings({ accountingIntegration: true });
  type Action = Parameters<typeof transition>[1];

  it.each<[string, Settings, InvoiceStatus, Action, InvoiceStatus]>([
    ['off', off, 'invoiced', 'post', 'posted'],
    ['off', off, 'invoiced', 'void', 'voided'],
    ['on', on, 'invoiced', 'approve', 'approved'],
    ['on', on, 'approved', 'export', 'exported'],
    ['on', on, 'exported', 'post', 'posted'],
    ['on', on, 'invoiced', 'void', 'voided'],
    ['on', on, 'approved', 'void', 'voided'],
  ])('integration %s: %s -%s-> %s', (_, settings, from, action, to) => {
    // Prepare
    const invoice = issuedInvoice(from);
    // Act
    const next = transition(invoice, action, settings, T0);
    // Assess: the number and the amounts stay
    expect(next).toMatchObject({ status: to, number: invoice.number, totals: invoice.totals, version: invoice.version + 1 });
  });

  it.each<[string, Settings, InvoiceStatus, Action, string]>([
    ['off', off, 'invoiced', 'approve', 'ACCOUNTING_INTEGRATION_OFF'],
    ['off', off, 'invoiced', 'export', 'ACCOUNTING_INTEGRATION_OFF'],
    ['off', off, 'posted', 'void', 'INVOICE_NOT_VOIDABLE'],
    ['off', off, 'voided', 'void', 'INVOICE_NOT_VOIDABLE'],
    ['off', off, 'draft', 'void', 'INVOICE_NOT_VOIDABLE'],
    ['off', off, 'posted', 'post', 'INVOICE_NOT_POSTABLE'],
    ['off', off, 'draft', 'post', 'INVOICE_NOT_POSTABLE'],
    ['off', off, 'voided', 'post', 'INVOICE_NOT_POSTABLE'],
    ['on', on, 'exported', 'void', 'INVOICE_NOT_VOIDABLE'],
    ['on', on, 'posted', 'void', 'INVOICE_NOT_VOIDABLE'],
    ['on', on, 'invoiced', 'post', 'INVOICE_NOT_POSTABLE'],
    ['on', on, 'approved', 'post', 'INVOICE_NOT_POSTABLE'],
    ['on', on, 'invoiced', 'export', 'INVOICE_NOT_EXPORTABLE'],
    ['on', on, 'exported', 'export', 'INVOICE_NOT_EXPORTABLE'],
  ])('integration %s: %s, %s is refused: %s', (_, settings, from, action, code) => {
    refused(() => transition(issuedInvoice(from), action, settings, T0), 'conflict', code);
  });

  it.each(['approved', 'exported', 'posted', 'voided', 'draft'] as const)(
    'integration on: approving a %s invoice is refused (conflict)',
    (from) => {
      const error = domainErrorOf(() => transition(issuedInvoice(from), 'approve', on, T0));
      expect(error.kind).toBe('conflict');
      expect(error.code).toMatch(/^INVOICE_NOT_APPROV/);
    },
  );

  it('refuses to approve twice with INVOICE_NOT_APPROVABLE, "cannot be approved"', () => {
    const error = domainErrorOf(() => transition(issuedInvoice('posted'), 'approve', on, T0));
    expect(error.message).toBe('An invoice that is posted cannot be approved');
  });

  it.each([
    ['off', off],
    ['on', on],
  ])('integration %s: an invoice with payments cannot be voided: INVOICE_HAS_PAYMENTS', (_, settings) => {
    const paid = recordPayment(issuedInvoice(), payment('1.00'), 'pay_1', T0);
    const error = refused(() => transition(paid, 'void', settings, T0), 'conflict', 'INVOICE_HAS_PAYMENTS');
    // Corrections follow the complete invoice: on an open job, "issue a correction instead" cannot be followed.
    expect(error.message).toBe('An invoice with payments cannot be voided; once the job is billed, credit it with a correction');
  });
});

describe('issueDateFor', () => {
  const context = (overrides: Partial<Parameters<typeof issueDateFor>[1]> = {}) => ({
    settings: SETTINGS,
    lastIssueDate: null,
    now: T0,
    ...overrides,
  });
  const dated = (issueDate: string | null): Invoice => ({
    ...draft(jobWith([{}]), { policy: 'deposit', amount: '1' }),
    issueDate,
  });

  it('is today when the draft has no date', () => {
    expect(issueDateFor(dated(null), context())).toBe(TODAY);
  });

  it('refuses a future date: ISSUE_DATE_IN_FUTURE naming issueDate', () => {
    refused(() => issueDateFor(dated('2025-03-02'), context()), 'rule', 'ISSUE_DATE_IN_FUTURE', 'issueDate');
  });

  it("takes a past date within the backdating window, the window's last day included", () => {
    expect(issueDateFor(dated(addDays(TODAY, -30)), context())).toBe('2025-01-30');
    expect(issueDateFor(dated('2025-02-28'), context({ settings: withSettings({ backdatingDays: 1 }) }))).toBe('2025-02-28');
  });

  it('refuses a date before the window: BACKDATING_WINDOW_EXCEEDED', () => {
    refused(() => issueDateFor(dated(addDays(TODAY, -31)), context()), 'rule', 'BACKDATING_WINDOW_EXCEEDED', 'issueDate');
    refused(
      () => issueDateFor(dated('2025-02-28'), context({ settings: withSettings({ backdatingDays: 0 }) })),
      'rule',
      'BACKDATING_WINDOW_EXCEEDED',
    );
  });

  it('refuses a date before the last issued invoice of the series: ISSUE_DATE_BEFORE_LAST; the same day is fine', () => {
    refused(
      () => issueDateFor(dated('2025-02-19'), context({ lastIssueDate: '2025-02-20' })),
      'rule',
      'ISSUE_DATE_BEFORE_LAST',
      'issueDate',
    );
    expect(issueDateFor(dated('2025-02-20'), context({ lastIssueDate: '2025-02-20' }))).toBe('2025-02-20');
    expect(issueDateFor(dated(null), context({ lastIssueDate: '2025-02-20' }))).toBe(TODAY);
  });
});

describe('number formats', () => {
  it.each([
    ['INV-{YYYY}-{SEQ:5}', 42, 'INV-2025-00042'],
    ['{YY}/{SEQ:3}', 7, '25/007'],
    ['CN{SEQ}', 12, 'CN12'],
    ['A-{SEQ:2}', 123, 'A-123'],
    ['{SEQ:1}-{YYYY}', 1, '1-2025'],
  ])('formatNumber(%s, %i) = %s', (format, sequence, expected) => {
    expect(formatNumber(format, sequence, '2025-03-01')).toBe(expected);
  });

  it('counts per year when the format shows the year, else in one counter', () => {
    expect(counterScope('INV-{YYYY}-{SEQ:5}', '2025-03-01')).toBe('2025');
    expect(counterScope('{YY}/{SEQ}', '2026-01-01')).toBe('2026');
    expect(counterScope('INV-{SEQ:5}', '2025-03-01')).toBe('all');
  });

  it.each(['INV-{YYYY}-{SEQ:5}', '{SEQ}', 'X{YY}{SEQ:10}'])('accepts %s', (format) => {
    expect(checkNumberFormat(format, 'invoiceNumberFormat')).toBe(format);
  });

  it.each(['INV-{YYYY}', '{SEQ}-{SEQ:2}', 'INV-{MM}-{SEQ}', 'INV-{SEQ', 'INV}{SEQ}', '{SEQ:123}', ''])(
    'refuses %j, naming the field',
    (format) => {
      refused(
        () => checkNumberFormat(format, 'creditNoteNumberFormat'),
        'invalid',
        'VALIDATION_FAILED',
        'creditNoteNumberFormat',
      );
    },
  );
});

describe('recordPayment', () => {
  it('moves the invoice from unpaid to partially paid to paid', () => {
    // Prepare
    const invoice = issuedInvoice();
    expect(invoice).toMatchObject({ paymentStatus: 'unpaid', amountPaid: '0.00', balanceDue: '600.00' });
    // Act
    const part = recordPayment(invoice, payment('200'), 'pay_1', T0);
    const full = recordPayment(part, payment('400.00'), 'pay_2', T0);
    // Assess
    expect(part).toMatchObject({ paymentStatus: 'partially_paid', amountPaid: '200.00', balanceDue: '400.00' });
    expect(full).toMatchObject({ paymentStatus: 'paid', amountPaid: '600.00', balanceDue: '0.00', totals: invoice.totals });
    expect(full.payments.map((p) => [p.id, p.amount, p.recordedAt])).toEqual([
      ['pay_1', '200.00', T0.toISOString()],
      ['pay_2', '400.00', T0.toISOString()],
    ]);
    expect(paidNet(part).toFixed(2)).toBe('166.67');
    expect(paidNet(full).toFixed(2)).toBe('500.00');
  });

  it('refuses more than the balance due: OVERPAYMENT naming amount', () => {
    refused(() => recordPayment(issuedInvoice(), payment('600.01'), 'pay_1', T0), 'rule', 'OVERPAYMENT', 'amount');
    const part = recordPayment(issuedInvoice(), payment('200'), 'pay_1', T0);
    refused(() => recordPayment(part, payment('400.01'), 'pay_2', T0), 'rule', 'OVERPAYMENT', 'amount');
  });

  it('takes a payment dated from the issue date to today, in UTC days; refuses one before or after, naming date', () => {
    // Prepare: issued on 2025-03-01; now is 2025-03-05 in UTC, still the 4th in New York
    const invoice = issuedInvoice();
    const now = new Date('2025-03-05T02:00:00.000Z');
    const dated = (date: string): NewPayment => ({ ...payment('1'), date });
    // Act / Assess
    refused(() => recordPayment(invoice, dated('1999-01-01'), 'pay_1', now), 'rule', 'PAYMENT_BEFORE_ISSUE_DATE', 'date');
    refused(() => recordPayment(invoice, dated('2025-02-28'), 'pay_1', now), 'rule', 'PAYMENT_BEFORE_ISSUE_DATE', 'date');
    refused(() => recordPayment(invoice, dated('2025-03-06'), 'pay_1', now), 'rule', 'PAYMENT_DATE_IN_FUTURE', 'date');
    refused(() => recordPayment(invoice, dated('2099-01-01'), 'pay_1', now), 'rule', 'PAYMENT_DATE_IN_FUTURE', 'date');
    const paid = ['2025-03-01', '2025-03-05'].reduce((inv, date, i) => recordPayment(inv, dated(date), `pay_${i}`, now), invoice);
    expect(paid.payments.map((p) => p.date)).toEqual(['2025-03-01', '2025-03-05']);
  });

  it.each(['0', '-5', '1.001'])('refuses an amount of %s: VALIDATION_FAILED', (value) => {
    refused(() => recordPayment(issuedInvoice(), payment(value), 'pay_1', T0), 'invalid', 'VALIDATION_FAILED', 'amount');
  });

  it.each(['draft', 'voided'] as const)('refuses a payment on a %s invoice: INVOICE_NOT_PAYABLE', (status) => {
    refused(() => recordPayment(issuedInvoice(status), payment('1'), 'pay_1', T0), 'conflict', 'INVOICE_NOT_PAYABLE');
  });

  it.each(['approved', 'exported', 'posted'] as const)('takes a payment on a %s invoice', (status) => {
    expect(recordPayment(issuedInvoice(status), payment('600'), 'pay_1', T0).paymentStatus).toBe('paid');
  });
});

describe('editDraft', () => {
  it('changes who, when, notes and line texts, never amounts', () => {
    // Prepare
    const invoice = draft(scenarioJob(), { policy: 'progress_summary', percent: '40' });
    // Act
    const edited = editDraft(
      invoice,
      { customerId: 'cus_2', notes: 'Phase 1', dueDays: 10, lines: [{ id: 'L2', description: 'Permits' }] },
      T0,
    );
    // Assess
    expect(edited).toMatchObject({ customerId: 'cus_2', notes: 'Phase 1', dueDays: 10, totals: invoice.totals, version: 2 });
    expect(edited.lines.map((l) => l.description)).toEqual(['Progress billing to 40% complete', 'Permits']);
    expect(edited.lines.map((l) => l.amount)).toEqual(invoice.lines.map((l) => l.amount));
  });

  it('refuses an unknown line (VALIDATION_FAILED) and an issued invoice (INVOICE_NOT_DRAFT)', () => {
    const invoice = draft(scenarioJob(), { policy: 'progress_summary', percent: '40' });
    refused(() => editDraft(invoice, { lines: [{ id: 'L9', description: 'x' }] }, T0), 'invalid', 'VALIDATION_FAILED', 'lines');
    refused(() => editDraft(issuedInvoice(), { notes: 'x' }, T0), 'conflict', 'INVOICE_NOT_DRAFT');
  });
});

describe('net + tax = gross', () => {
  it('taxes the sum of the nets of each rate once (EN 16931), not each line', () => {
    // Prepare: three lines of 0.10 at 7%; per line the tax would be 3 x 0.01
    const job = jobWith([
      { unitPrice: '0.10', taxRate: '7' },
      { unitPrice: '0.10', taxRate: '7' },
      { unitPrice: '0.10', taxRate: '7' },
    ]);
    const progress = job.charges.map((c) => ({ chargeId: c.id, percentComplete: '100' }));
    // Act
    const invoice = draft(job, { policy: 'progress_itemized', progress });
    // Assess
    expect(invoice.taxes).toEqual([{ rate: '7', base: '0.30', amount: '0.02' }]);
    expect(invoice.totals).toEqual({ net: '0.30', tax: '0.02', gross: '0.32' });
  });

  it('holds on every invoice of the life of a job, credit notes included', () => {
    // Prepare / Act: each invoice is checked as it is drafted (expectBalanced), this checks the issued ones again
    const job = jobWith(
      [
        { quantity: '3', unitPrice: '33.333', taxRate: '7', group: 'A' },
        { quantity: '1.5', unitPrice: '19.99', taxRate: '20', group: 'A' },
        { quantity: '7', unitPrice: '0.07', taxRate: '0', group: 'B' },
      ],
      { retainagePercent: '12.5' },
    );
    const { invoices, job: closed } = billAll(
      job,
      { policy: 'deposit', percent: '33' },
      { policy: 'progress_summary', percent: '33.3' },
      { policy: 'progress_itemized_grouped', progress: [{ chargeId: 'chg_2', quantity: '1' }] },
    );
    const { invoices: more } = billAll(
      closeJob(closed, T0),
      { policy: 'final_grouped' },
      { policy: 'retainage_release', amount: '1.01' },
      { policy: 'correction', lines: [{ description: 'Credit', amount: '-3.33', chargeId: 'chg_1' }] },
    );
    // Assess
    for (const invoice of [...invoices, ...more]) expectBalanced(invoice);
    expect(more.map((i) => i.series)).toEqual(['invoice', 'invoice', 'credit_note']);
  });
});

describe('drafts that the job has outrun', () => {
  it('refuses a progress draft once another invoice moved the ledger, so that 30% is not billed twice', () => {
    // Prepare: two drafts of the same 30%, made from the same ledger
    const job = jobWith([{ unitPrice: '1000' }]);
    const summary = draft(job, { policy: 'progress_summary', percent: '30' }, 'inv_a');
    const itemized = draft(job, { policy: 'progress_itemized', progress: [{ chargeId: 'chg_1', percentComplete: '30' }] }, 'inv_b');
    // Act
    const afterFirst = applyInvoice(job, issue(summary, 'N1', TODAY, SETTINGS, T0), 1, T0);
    // Assess
    refused(() => applyInvoice(afterFirst, issue(itemized, 'N2', TODAY, SETTINGS, T0), 1, T0), 'conflict', 'INVOICE_STALE');
    expect(billed(afterFirst)).toEqual(['300.00']);
  });

  it('keeps deposits and corrections issuable whatever was issued since: they say their own amounts', () => {
    const job = jobWith([{ unitPrice: '1000' }]);
    const deposit = draft(job, { policy: 'deposit', amount: '100' }, 'inv_d');
    const moved = bill(job, { policy: 'progress_summary', amount: '200' }).job;
    expect(deposit.ledgerBasis).toBeNull();
    expect(applyInvoice(moved, issue(deposit, 'N9', TODAY, SETTINGS, T0), 1, T0).invoicedToDate).toBe('300.00');
  });
});

describe('voids on a billed job', () => {
  it('refuses to void a partial invoice of a billed job, and the complete one while corrections stand', () => {
    // Prepare: progress, final, then a credit
    const open = jobWith([{ unitPrice: '1000' }]);
    const progress = bill(open, { policy: 'progress_summary', amount: '500' });
    const final = bill(closeJob(progress.job, T0), { policy: 'final' });
    const credit = bill(final.job, { policy: 'correction', lines: [{ description: 'Credit', amount: '-100', chargeId: 'chg_1' }] });
    // Act / Assess
    refused(() => applyInvoice(credit.job, progress.invoice, -1, T0), 'conflict', 'JOB_BILLED');
    refused(() => applyInvoice(credit.job, final.invoice, -1, T0), 'conflict', 'VOID_CORRECTIONS_FIRST');
    const withoutCredit = applyInvoice(credit.job, credit.invoice, -1, T0);
    const reopened = applyInvoice(withoutCredit, final.invoice, -1, T0);
    expect({ status: reopened.status, billed: billed(reopened), remaining: billingSummary(reopened).remaining }).toEqual({
      status: 'closed',
      billed: ['500.00'],
      remaining: '500.00',
    });
  });
});

describe('discount charges', () => {
  it('bills a negative charge in its own direction: itemized to 100%, and in full by the final invoice', () => {
    // Prepare: 1,000.00 of work and a 100.00 discount
    const job = jobWith([{ unitPrice: '1000' }, { description: 'Discount', unitPrice: '-100' }]);
    // Act
    const progress = bill(job, { policy: 'progress_itemized', progress: [{ chargeId: 'chg_2', percentComplete: '100' }, { chargeId: 'chg_1', percentComplete: '50' }] });
    const final = bill(closeJob(progress.job, T0), { policy: 'final' });
    // Assess
    expect(rows(progress.invoice)).toEqual([
      ['work', '-100.00', '0'],
      ['work', '500.00', '0'],
    ]);
    expect({ status: final.job.status, billed: billed(final.job), invoiced: final.job.invoicedToDate }).toEqual({
      status: 'billed',
      billed: ['1000.00', '-100.00'],
      invoiced: '900.00',
    });
    refused(
      () => bill(job, { policy: 'progress_itemized', progress: [{ chargeId: 'chg_2', amount: '-150' }] }),
      'rule',
      'CHARGE_OVERBILLED',
    );
  });
});

describe('payments retried', () => {
  it('records a payment once however often it comes with the same Idempotency-Key', () => {
    const keyed = { ...payment('100.00'), idempotencyKey: 'pay-once' };
    const first = recordPayment(issuedInvoice(), keyed, 'pay_1', T0);
    const again = recordPayment(first, keyed, 'pay_2', T0);
    const another = recordPayment(first, { ...keyed, idempotencyKey: 'pay-twice' }, 'pay_3', T0);
    expect(again).toBe(first);
    expect([first.payments.length, another.payments.length]).toEqual([1, 2]);
  });
});
