import { describe, expect, it } from 'vitest';
import { addCharge, updateCharge } from '../../functions/domain/charge.js';
import { recordPayment } from '../../functions/domain/invoice-lifecycle.js';
import { closeJob } from '../../functions/domain/job.js';
import {
  AMOUNT_LIMIT,
  assertPayable,
  assertWithinBound,
  isDecimalString,
  maxAmount,
  amount,
} from '../../functions/domain/money.js';
import { bill, billedScenarioJob, draft, jobWith, refused, T0, TODAY } from '../support/invoice-domain.js';

const MAX = '999999999999999.99';
const HUGE = '999999999999999.9999999999';

const fieldsOf = (act: () => unknown): string[] => refused(act, 'rule', 'AMOUNT_TOO_LARGE').errors.map((e) => e.field);

describe('the amount bound', () => {
  it('is what a payment may carry: below 10^15, to the currency minor unit', () => {
    expect(AMOUNT_LIMIT.toFixed()).toBe('1000000000000000');
    expect([maxAmount('EUR'), maxAmount('JPY'), maxAmount('BHD')]).toEqual([MAX, '999999999999999', '999999999999999.999']);
    expect([isDecimalString(MAX), isDecimalString('1000000000000000')]).toEqual([true, false]);
  });

  it('takes amounts up to the largest one and refuses the limit, naming the fields given', () => {
    expect(() => assertWithinBound([amount(MAX), amount(`-${MAX}`)], 'EUR', 'The line', ['amount'])).not.toThrow();
    const error = refused(
      () => assertWithinBound([amount(1), AMOUNT_LIMIT.negated()], 'EUR', 'The line', ['amount']),
      'rule',
      'AMOUNT_TOO_LARGE',
    );
    expect(error.errors).toEqual([{ field: 'amount', code: 'amount_too_large', message: error.message }]);
    expect(error.message).toContain(MAX);
  });

  it('counts the tax: a net within the bound whose gross passes it is refused', () => {
    const lines = [{ net: '900000000000000.00', taxRate: '20' }];
    expect(fieldsOf(() => assertPayable(lines, 'EUR', 'The invoice', ['unitPrice']))).toEqual(['unitPrice']);
    expect(() => assertPayable([{ net: '800000000000000.00', taxRate: '20' }], 'EUR', 'The invoice', [])).not.toThrow();
  });

  it('counts every tax base: lines of two rates cancelling to a small net are refused', () => {
    const lines = [
      { net: '1000000000000000.00', taxRate: '0' },
      { net: '-1000000000000000.00', taxRate: '20' },
    ];
    expect(fieldsOf(() => assertPayable(lines, 'EUR', 'The invoice', []))).toEqual([]);
  });
});

describe('charges within the bound', () => {
  it('refuses a charge whose quantity x unit price passes the bound, naming both; the job is unchanged', () => {
    const job = jobWith([]);
    expect(fieldsOf(() => addCharge(job, { description: 'Huge', quantity: HUGE, unitPrice: HUGE }, 'chg_1', T0))).toEqual([
      'quantity',
      'unitPrice',
    ]);
    expect(job.charges).toEqual([]);
  });

  it('refuses a charge whose tax takes it past the bound, naming the tax rate given', () => {
    const job = jobWith([]);
    const taxed = { description: 'Big', quantity: '1', unitPrice: MAX, taxRate: '20' };
    expect(fieldsOf(() => addCharge(job, taxed, 'chg_1', T0))).toEqual(['quantity', 'unitPrice', 'taxRate']);
    expect(addCharge(job, { ...taxed, taxRate: '0' }, 'chg_1', T0).charges[0]!.amount).toBe(MAX);
  });

  it("refuses a charge that takes the job's price past the bound, a discount counted at its size", () => {
    const job = jobWith([{ unitPrice: '600000000000000' }, { unitPrice: '-300000000000000' }]);
    expect(
      fieldsOf(() => addCharge(job, { description: 'More', quantity: '1', unitPrice: '100000000000000' }, 'chg_9', T0)),
    ).toEqual(['quantity', 'unitPrice']);
    expect(fieldsOf(() => updateCharge(job, 'chg_1', { quantity: '2' }, T0))).toEqual(['quantity']);
    expect(updateCharge(job, 'chg_1', { quantity: '1.1' }, T0).charges[0]!.amount).toBe('660000000000000.00');
  });
});

describe('drafts within the bound', () => {
  it('refuses a deposit whose tax takes it past the bound, naming percent and taxRate', () => {
    const job = jobWith([{ unitPrice: '900000000000000' }]);
    expect(fieldsOf(() => draft(job, { policy: 'deposit', percent: '100', taxRate: '20' }))).toEqual(['percent', 'taxRate']);
  });

  it('refuses an amount that rounds up to the limit, naming it', () => {
    const job = jobWith([{ unitPrice: '1' }]);
    const input = { policy: 'progress_summary', amount: '999999999999999.995', allowOverbilling: true } as const;
    expect(fieldsOf(() => draft(job, input))).toEqual(['amount']);
  });

  it('refuses progress past the bound, naming the percent (summary) or the entry (itemized)', () => {
    const job = jobWith([{ unitPrice: '500000000000000' }]);
    expect(fieldsOf(() => draft(job, { policy: 'progress_summary', percent: '200', allowOverbilling: true }))).toEqual([
      'percent',
    ]);
    const progress = [{ chargeId: 'chg_1', quantity: '2' }];
    expect(fieldsOf(() => draft(job, { policy: 'progress_itemized', progress, allowOverbilling: true }))).toEqual([
      'progress.0.quantity',
    ]);
  });

  it('refuses a correction line whose quantity x unit price passes the bound, naming both', () => {
    const job = billedScenarioJob();
    const lines = [
      { description: 'Fine', amount: '-10' },
      { description: 'Huge', quantity: HUGE, unitPrice: HUGE },
    ];
    expect(fieldsOf(() => draft(job, { policy: 'correction', lines }))).toEqual(['lines.1.quantity', 'lines.1.unitPrice']);
  });
});

describe('the largest invoice', () => {
  it('is drafted, issued and paid in full by one payment', () => {
    // Prepare
    const job = closeJob(jobWith([{ quantity: '1', unitPrice: MAX, taxRate: '0' }]), T0);
    // Act
    const { invoice } = bill(job, { policy: 'final' });
    const paid = recordPayment(
      invoice,
      { amount: MAX, date: TODAY, method: 'wire', reference: null, note: null },
      'pay_1',
      T0,
      'UTC',
    );
    // Assess
    expect(invoice.totals.gross).toBe(MAX);
    expect(isDecimalString(invoice.totals.gross)).toBe(true);
    expect(paid).toMatchObject({ amountPaid: MAX, balanceDue: '0.00', paymentStatus: 'paid' });
  });
});

describe('progress past 100%', () => {
  it('is overbilling: refused as the amount would be, drafted with allowOverbilling', () => {
    const job = jobWith([{ unitPrice: '1000', taxRate: '0' }]);
    refused(() => draft(job, { policy: 'progress_summary', percent: '150' }), 'rule', 'JOB_OVERBILLED');
    refused(() => draft(job, { policy: 'progress_summary', amount: '1500' }), 'rule', 'JOB_OVERBILLED');
    expect(draft(job, { policy: 'progress_summary', percent: '150', allowOverbilling: true }).totals.net).toBe('1500.00');
  });
});
