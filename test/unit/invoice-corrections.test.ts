import { describe, expect, it } from 'vitest';
import { issue, seriesOf } from '../../functions/domain/invoice-lifecycle.js';
import { applyInvoice } from '../../functions/domain/job-ledger.js';
import { billingSummary, closeJob } from '../../functions/domain/job.js';
import { amount, toAmountString } from '../../functions/domain/money.js';
import {
  T0,
  TODAY,
  SETTINGS,
  type Input,
  jobWith,
  scenarioJob,
  draft,
  bill,
  billAll,
  billedScenario,
  billedScenarioJob,
  rows,
  allocations,
  billed,
  refused,
} from '../support/invoice-domain.js';

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
    refused(
      () => draft(job, { policy: 'correction', lines: lines({}) }, 'inv_c', [final]),
      'rule',
      'TAX_RATE_AMBIGUOUS',
      'lines.1.taxRate',
    );
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
      refused(
        () => draft(job, { policy: 'correction', lines }, 'inv_c', corrected),
        'rule',
        'INVOICE_NOT_FOUND',
        'lines.0.correctsInvoiceId',
      );
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

  it('bills a correction group as one of the group: quantity x unit price = amount', () => {
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
    refused(
      () => draft(job, { policy: 'correction', lines: againstFinal }, 'inv_c', [final]),
      'rule',
      'JOB_OVERCREDITED',
      'lines',
    );
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
