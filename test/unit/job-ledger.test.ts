import { describe, expect, it } from 'vitest';
import { DomainError } from '../../functions/domain/errors.js';
import { type Invoice } from '../../functions/domain/invoice.js';
import { issue } from '../../functions/domain/invoice-lifecycle.js';
import { applyInvoice } from '../../functions/domain/job-ledger.js';
import { billingSummary, closeJob } from '../../functions/domain/job.js';
import {
  T0,
  TODAY,
  SETTINGS,
  type Input,
  jobWith,
  scenarioJob,
  expectBalanced,
  draft,
  bill,
  billAll,
  billedScenarioJob,
  rows,
  billed,
  ledgerOf,
  refused,
} from '../support/invoice-domain.js';

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
    const itemized = draft(
      job,
      { policy: 'progress_itemized', progress: [{ chargeId: 'chg_1', percentComplete: '30' }] },
      'inv_b',
    );
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
    const credit = bill(final.job, {
      policy: 'correction',
      lines: [{ description: 'Credit', amount: '-100', chargeId: 'chg_1' }],
    });
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
    const progress = bill(job, {
      policy: 'progress_itemized',
      progress: [
        { chargeId: 'chg_2', percentComplete: '100' },
        { chargeId: 'chg_1', percentComplete: '50' },
      ],
    });
    const final = bill(closeJob(progress.job, T0), { policy: 'final' });
    // Assess
    // In the job's order of charges, not the request's
    expect(rows(progress.invoice)).toEqual([
      ['work', '500.00', '0'],
      ['work', '-100.00', '0'],
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
