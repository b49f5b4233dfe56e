import { describe, expect, it } from 'vitest';
import { addDays } from '../../functions/domain/dates.js';
import { daysAgo, draft, issue, jobWithCharges } from '../support/billing.js';

const works = [
  { description: 'Works', quantity: '10', unitPrice: '100.00', taxRate: '20' },
  { description: 'Discount', quantity: '1', unitPrice: '-50.00', taxRate: '20' },
];

describe('amounts, quantities and percents that cannot be negative', () => {
  it('refuses them with 400 naming the field, before any rule runs; a progress amount stays signed for discounts', async () => {
    // Prepare
    const { api, job } = await jobWithCharges(works);
    const [charge, discount] = job.charges;
    const invoice = await issue(api, (await draft(api, job.id, { policy: 'deposit', amount: '100.00' })).id);
    const cases = [
      [`/v1/jobs/${job.id}/invoices`, { policy: 'progress_itemized', progress: [{ chargeId: charge.id, quantity: '-1' }] }, 'progress.0.quantity'],
      [`/v1/jobs/${job.id}/invoices`, { policy: 'progress_itemized', progress: [{ chargeId: charge.id, percentComplete: '-10' }] }, 'progress.0.percentComplete'],
      [`/v1/jobs/${job.id}/invoices`, { policy: 'deposit', percent: '-1' }, 'percent'],
      [`/v1/jobs/${job.id}/invoices`, { policy: 'deposit', percent: '100.01' }, 'percent'],
      [`/v1/invoices/${invoice.id}/payments`, { amount: '0', date: invoice.issueDate, method: 'cash' }, 'amount'],
      [`/v1/invoices/${invoice.id}/payments`, { amount: '-5.00', date: invoice.issueDate, method: 'cash' }, 'amount'],
    ] as const;
    // Act / Assess
    for (const [path, body, field] of cases) {
      const response = await api.request('POST', path, body);
      expect([response.status, response.body.errors?.map((e: { field: string }) => e.field)], JSON.stringify(body)).toEqual([400, [field]]);
    }
    const discounted = await draft(api, job.id, { policy: 'progress_itemized', progress: [{ chargeId: discount.id, amount: '-50.00' }] });
    expect(discounted.lines[0]).toMatchObject({ kind: 'work', amount: '-50.00' });
    expect((await api.request('GET', `/v1/invoices/${invoice.id}`)).body).toMatchObject({ amountPaid: '0.00', version: invoice.version });
  });
});

describe('payment dates', () => {
  it('takes a payment dated from the issue date to today; refuses one before or after with 422 naming date', async () => {
    // Prepare: an invoice issued ten days ago
    const { api, job } = await jobWithCharges(works);
    const invoice = await issue(api, (await draft(api, job.id, { policy: 'deposit', amount: '100.00', issueDate: daysAgo(10) })).id);
    const pay = (date: string) => api.request('POST', `/v1/invoices/${invoice.id}/payments`, { amount: '10.00', date, method: 'bank_transfer' });
    // Act
    const refused = [];
    // Dates a day clear of the boundaries, so that a run across midnight (UTC) cannot move them over
    for (const date of ['1999-01-01', addDays(invoice.issueDate, -1), daysAgo(-2), '2099-01-01']) refused.push(await pay(date));
    const today = daysAgo(0);
    const taken = [await pay(invoice.issueDate), await pay(today)];
    // Assess
    expect(refused.map((r) => [r.status, r.body.code, r.body.errors?.[0]?.field])).toEqual([
      [422, 'PAYMENT_BEFORE_ISSUE_DATE', 'date'],
      [422, 'PAYMENT_BEFORE_ISSUE_DATE', 'date'],
      [422, 'PAYMENT_DATE_IN_FUTURE', 'date'],
      [422, 'PAYMENT_DATE_IN_FUTURE', 'date'],
    ]);
    expect(taken.map((r) => r.status)).toEqual([201, 201]);
    expect(taken[1]!.body).toMatchObject({ date: today, invoice: { amountPaid: '20.00' } });
    const after = (await api.request('GET', `/v1/invoices/${invoice.id}`)).body;
    expect(after.payments).toMatchObject([{ date: invoice.issueDate }, { date: today }]);
    expect((await api.request('GET', `/v1/jobs/${job.id}`)).body.billing.paidToDate).toBe('16.67');
  });
});

describe('a paid invoice', () => {
  it('cannot be voided, and the refusal says what the job allows: a correction once it is billed', async () => {
    // Prepare: a paid deposit of an open job, which takes no correction yet
    const { api, job } = await jobWithCharges(works);
    const invoice = await issue(api, (await draft(api, job.id, { policy: 'deposit', amount: '100.00' })).id);
    await api.request('POST', `/v1/invoices/${invoice.id}/payments`, { amount: '120.00', date: daysAgo(0), method: 'card' });
    // Act
    const voided = await api.request('POST', `/v1/invoices/${invoice.id}/void`);
    // Assess
    expect([voided.status, voided.body.code]).toEqual([409, 'INVOICE_HAS_PAYMENTS']);
    expect(voided.body.detail).toBe('An invoice with payments cannot be voided; once the job is billed, credit it with a correction');
  });
});

describe('payment amounts', () => {
  it('keeps a payment in the currency\'s minor units however it was written, in the invoice and its event', async () => {
    const { api, job } = await jobWithCharges(works);
    const invoice = await issue(api, (await draft(api, job.id, { policy: 'deposit', amount: '100.00' })).id);
    const paid = await api.request('POST', `/v1/invoices/${invoice.id}/payments`, { amount: '50', date: invoice.issueDate, method: 'cash' });
    expect(paid.status).toBe(201);
    expect(paid.body).toMatchObject({ amount: '50.00', method: 'cash', invoiceId: invoice.id, invoice: { amountPaid: '50.00' } });
    expect(paid.headers.get('location')).toBe(`/v1/invoices/${invoice.id}/payments/${paid.body.id}`);
    expect((await api.request('GET', paid.headers.get('location')!)).body).toEqual(paid.body);
    expect((await api.request('GET', `/v1/invoices/${invoice.id}`)).body.payments.map((p: { amount: string }) => p.amount)).toEqual(['50.00']);
    const events = (await api.request('GET', '/v1/events')).body.items;
    expect(events.find((e: { type: string }) => e.type === 'payment.recorded')).toMatchObject({ amount: '50.00' });
  });
});
