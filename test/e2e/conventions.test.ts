import { describe, expect, it } from 'vitest';
import { newTenant } from '../support/api.js';

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
});
