import { describe, expect, it } from 'vitest';
import { draft, issue, jobWithCharges } from '../support/billing.js';

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
