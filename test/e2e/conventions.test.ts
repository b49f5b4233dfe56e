import { describe, expect, it } from 'vitest';
import { newTenant } from '../support/api.js';
import { daysAgo, draft, jobWithCharges } from '../support/billing.js';

describe('API conventions', () => {
  it('names each unknown body field by its own path', async () => {
    const api = await newTenant();
    const customer = await api.request('POST', '/v1/customers', {
      name: 'Acme',
      billingAddress: { line1: 'Main St 1', city: 'Graz', country: 'AT', floor: '2' },
      nickname: 'A',
      vip: true,
    });
    const draft = await api.request('POST', '/v1/jobs/job_any/invoices', {
      policy: 'correction',
      lines: [
        { description: 'Fix', amount: '10' },
        { description: 'Fix', amount: '10', foo: 1 },
      ],
    });
    expect(customer.status).toBe(400);
    expect(customer.body.errors).toEqual(
      ['billingAddress.floor', 'nickname', 'vip'].map((field) => ({
        field,
        code: 'unrecognized_keys',
        message: expect.any(String),
      })),
    );
    expect([draft.status, draft.body.errors]).toEqual([
      400,
      [{ field: 'lines.1.foo', code: 'unrecognized_keys', message: expect.any(String) }],
    ]);
  });

  it("answers 406 listing what is available when Accept matches none of the route's representations", async () => {
    const { api, job } = await jobWithCharges([{ description: 'Work', quantity: '1', unitPrice: '100' }]);
    const invoice = await draft(api, job.id, { policy: 'deposit', amount: '10' });
    const get = (path: string, accept?: string) => api.request('GET', path, undefined, accept === undefined ? {} : { accept });
    const journal = `/v1/journal?from=${daysAgo(1)}&to=${daysAgo(0)}`;

    const refused = [
      await get(`/v1/invoices/${invoice.id}`, 'text/csv'),
      await get(journal, 'application/pdf'),
      await get('/v1/customers', 'text/html'),
      await get('/v1/openapi.json', 'text/html'),
      await api.request('POST', '/v1/customers', { name: 'Never' }, { accept: 'text/csv' }),
    ];
    for (const response of refused) {
      expect(response.status).toBe(406);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(response.body).toMatchObject({ code: 'NOT_ACCEPTABLE', title: 'Not Acceptable', errors: [{ field: 'Accept' }] });
    }
    expect(refused[0]!.body.detail).toBe('This resource is available as application/json, text/html, application/pdf');
    expect(refused[1]!.body.detail).toBe('This resource is available as application/json, text/csv');
    expect((await api.request('GET', '/v1/customers')).body.items).toHaveLength(1);

    for (const accept of [undefined, '*/*', 'application/*', 'application/json', 'text/*;q=0.5, application/json']) {
      const response = await get(`/v1/invoices/${invoice.id}`, accept);
      expect([response.status, response.headers.get('content-type')], accept).toEqual([200, 'application/json']);
    }
    expect((await get(journal, 'text/csv')).headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect((await get(journal, 'text/*')).status).toBe(200);
  });

  it('says Vary: Accept where the answer depends on Accept, a 406 included, and only there', async () => {
    const { api, job } = await jobWithCharges([{ description: 'Work', quantity: '1', unitPrice: '100' }]);
    const invoice = await draft(api, job.id, { policy: 'deposit', amount: '10' });
    const vary = async (path: string, accept = 'application/json') =>
      (await api.request('GET', path, undefined, { accept })).headers.get('vary');
    expect(await vary(`/v1/invoices/${invoice.id}`)).toBe('Accept');
    expect(await vary(`/v1/invoices/${invoice.id}`, 'text/html')).toBe('Accept');
    expect(await vary(`/v1/journal?from=${daysAgo(1)}&to=${daysAgo(0)}`, 'text/csv')).toBe('Accept');
    expect(await vary(`/v1/invoices/${invoice.id}`, 'text/csv')).toBe('Accept');
    expect(await vary(`/v1/jobs/${job.id}`)).toBeNull();
  });
});
