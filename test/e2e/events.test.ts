import { describe, expect, it } from 'vitest';
import { newTenant } from '../support/api.js';
import { daysAgo, draft, issue, jobWithCharges } from '../support/billing.js';

describe('the event feed', () => {
  it('records issues, voids and payments as they happen, newest first, for the tenant only', async () => {
    // Prepare
    const { api, job } = await jobWithCharges([{ description: 'Audit', quantity: '1', unitPrice: '500.00', taxRate: '0' }]);
    const stranger = await newTenant();
    // Act
    const first = await issue(api, (await draft(api, job.id, { policy: 'deposit', amount: '100' })).id);
    const second = await issue(api, (await draft(api, job.id, { policy: 'deposit', amount: '50' })).id);
    await api.request('POST', `/v1/invoices/${second.id}/void`);
    await api.request('POST', `/v1/invoices/${first.id}/payments`, { amount: '40', date: daysAgo(0), method: 'card' });
    await api.request('POST', `/v1/invoices/${first.id}/payments`, { amount: '60', date: daysAgo(0), method: 'card' });
    const refused = await api.request('POST', `/v1/invoices/${first.id}/payments`, { amount: '1', date: daysAgo(0), method: 'card' });
    // Assess
    expect(refused.status).toBe(422);
    const feed = (await api.request('GET', '/v1/events')).body.items;
    expect(feed.map((e: { type: string; invoiceId: string; amount: string }) => [e.type, e.invoiceId, e.amount])).toEqual([
      ['invoice.paid', first.id, '100.00'],
      ['payment.recorded', first.id, '60.00'],
      ['payment.recorded', first.id, '40.00'],
      ['invoice.voided', second.id, '50.00'],
      ['invoice.issued', second.id, '50.00'],
      ['invoice.issued', first.id, '100.00'],
    ]);
    expect(feed[5]).toMatchObject({ number: first.number, jobId: job.id, currency: 'EUR' });
    const issues = (await api.request('GET', '/v1/events?type=invoice.issued&limit=1')).body;
    expect(issues.items.map((e: { invoiceId: string }) => e.invoiceId)).toEqual([second.id]);
    expect((await api.request('GET', `/v1/events?type=invoice.issued&cursor=${issues.nextCursor}`)).body.items[0].invoiceId).toBe(first.id);
    expect((await stranger.request('GET', '/v1/events')).body.items).toEqual([]);
  });
});
