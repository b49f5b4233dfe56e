import { describe, expect, it } from 'vitest';
import type { ApiClient } from '../support/api.js';
import { daysAgo, draft, issue, jobWithCharges } from '../support/billing.js';

const works = [{ description: 'Works', quantity: '1', unitPrice: '1000.00', taxRate: '20' }];

/** A job with invoices issued 6, 4 and 2 days ago and a draft of today; `invoiceIds` newest first. */
const invoicedJob = async () => {
  const { api, job, customer } = await jobWithCharges(works);
  const invoiceIds: string[] = [];
  for (const days of [6, 4, 2]) {
    invoiceIds.unshift(
      (await issue(api, (await draft(api, job.id, { policy: 'deposit', amount: '10', issueDate: daysAgo(days) })).id)).id,
    );
  }
  invoiceIds.unshift((await draft(api, job.id, { policy: 'deposit', amount: '5' })).id);
  return { api, job, customer, invoiceIds };
};

/** The ids `GET /v1/invoices?<query>` lists, asserting a 200. */
const listed = async (api: ApiClient, query: string): Promise<string[]> => {
  const response = await api.request('GET', `/v1/invoices?${query}`);
  expect(response.status, `${query}: ${JSON.stringify(response.body)}`).toBe(200);
  return response.body.items.map((i: { id: string }) => i.id);
};

describe('invoice date ranges', () => {
  it('takes one bound alone: up to a day, or from a day on', async () => {
    const { api, job, customer, invoiceIds } = await invoicedJob();
    const [pending, newest, middle, oldest] = invoiceIds;
    expect(await listed(api, `to=${daysAgo(4)}`)).toEqual([middle, oldest]);
    expect(await listed(api, `from=${daysAgo(4)}`)).toEqual([pending, newest, middle]);
    expect(await listed(api, `jobId=${job.id}&to=${daysAgo(5)}`)).toEqual([oldest]);
    expect(await listed(api, `customerId=${customer.id}&from=${daysAgo(3)}`)).toEqual([pending, newest]);
    expect(await listed(api, `from=${daysAgo(4)}&to=${daysAgo(4)}`)).toEqual([middle]);
  });

  it('refuses a range that ends before it starts with 400 naming to', async () => {
    const { api, job } = await invoicedJob();
    for (const query of [`from=${daysAgo(1)}&to=${daysAgo(5)}`, `jobId=${job.id}&from=${daysAgo(1)}&to=${daysAgo(5)}`]) {
      const response = await api.request('GET', `/v1/invoices?${query}`);
      expect(response.status, query).toBe(400);
      expect(response.body, query).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'to' }] });
    }
  });
});
