import { describe, expect, it } from 'vitest';
import { draft, jobWithCharges } from '../support/billing.js';

// A draft's amounts are in its job's currency: it moves only to a customer billed in it.
describe("a draft's customer", () => {
  it('changes to a customer of the same currency, never to one of another, and a refusal changes nothing', async () => {
    // Prepare: a deposit draft of an EUR job, an EUR and a JPY customer
    const { api, customer, job } = await jobWithCharges([{ description: 'Works', quantity: '1', unitPrice: '1000.00' }]);
    const invoice = await draft(api, job.id, { policy: 'deposit', amount: '100' });
    const yen = (await api.request('POST', '/v1/customers', { name: 'Yen client', currency: 'JPY' })).body;
    const euro = (await api.request('POST', '/v1/customers', { name: 'Euro client', currency: 'EUR' })).body;
    // Act
    const refused = await api.request('PATCH', `/v1/invoices/${invoice.id}`, { customerId: yen.id, notes: 'Moved' });
    const unknown = await api.request('PATCH', `/v1/invoices/${invoice.id}`, { customerId: 'cus_01JZZZZZZZZZZZZZZZZZZZZZZZ' });
    // Assess: 422 naming customerId, the draft as it was and listed under no JPY customer
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({
      code: 'CURRENCY_MISMATCH',
      errors: [{ field: 'customerId', code: 'currency_mismatch' }],
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body).toMatchObject({ code: 'CUSTOMER_NOT_FOUND', errors: [{ field: 'customerId' }] });
    const stored = await api.request('GET', `/v1/invoices/${invoice.id}`);
    expect(stored.body).toMatchObject({ customerId: customer.id, currency: 'EUR', notes: null, version: invoice.version });
    expect((await api.request('GET', `/v1/invoices?customerId=${yen.id}`)).body.items).toEqual([]);
    // Act and assess: another EUR customer takes it, and the job's own customer takes it back
    const moved = await api.request('PATCH', `/v1/invoices/${invoice.id}`, { customerId: euro.id });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(moved.body).toMatchObject({ customerId: euro.id, currency: 'EUR', version: invoice.version + 1 });
    const back = await api.request('PATCH', `/v1/invoices/${invoice.id}`, { customerId: customer.id });
    expect(back.body).toMatchObject({ customerId: customer.id, version: invoice.version + 2 });
  });

  it("bills the job's own customer in the job's currency, when the job names another than the customer's", async () => {
    // Prepare: a JPY customer's job in EUR (a job may name its currency), its draft moved to an EUR customer
    const { api, customer } = await jobWithCharges([]);
    const yen = (await api.request('POST', '/v1/customers', { name: 'Yen client', currency: 'JPY' })).body;
    const yenJob = (
      await api.request('POST', '/v1/jobs', { customerId: yen.id, name: 'EUR job', billingType: 'fixed_price', currency: 'EUR' })
    ).body;
    await api.request('POST', `/v1/jobs/${yenJob.id}/charges`, { description: 'Works', quantity: '1', unitPrice: '1000.00' });
    const invoice = await draft(api, yenJob.id, { policy: 'deposit', amount: '100' });
    expect(invoice).toMatchObject({ customerId: yen.id, currency: 'EUR' });
    expect((await api.request('PATCH', `/v1/invoices/${invoice.id}`, { customerId: customer.id })).status).toBe(200);
    // Act: back to the job's customer
    const back = await api.request('PATCH', `/v1/invoices/${invoice.id}`, { customerId: yen.id });
    // Assess
    expect(back.status, JSON.stringify(back.body)).toBe(200);
    expect(back.body).toMatchObject({ customerId: yen.id, currency: 'EUR' });
  });

  it('is refused at creation when it bills in another currency than the job: a draft and a partial invoice', async () => {
    // Prepare: an EUR job with a JPY customer beside it
    const { api, job } = await jobWithCharges([{ description: 'Works', quantity: '1', unitPrice: '1000.00' }]);
    const yen = (await api.request('POST', '/v1/customers', { name: 'Yen client', currency: 'JPY' })).body;
    // Act
    const deposit = await api.request('POST', `/v1/jobs/${job.id}/invoices`, {
      policy: 'deposit',
      amount: '100',
      customerId: yen.id,
    });
    const partial = await api.request('POST', `/v1/jobs/${job.id}/partial-invoices`, { expenditureIds: [], customerId: yen.id });
    // Assess: refused naming the field, nothing made
    for (const refused of [deposit, partial]) {
      expect(refused.status, JSON.stringify(refused.body)).toBe(422);
      expect(refused.body).toMatchObject({ code: 'CURRENCY_MISMATCH', errors: [{ field: 'customerId' }] });
    }
    expect((await api.request('GET', `/v1/invoices?jobId=${job.id}`)).body.items).toEqual([]);
  });
});
