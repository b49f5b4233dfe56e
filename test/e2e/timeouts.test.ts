import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../local/stack.js';
import { eventually } from '../support/portal.js';

// A function with 1.5 s, less than a batch of 500 takes on DynamoDB Local: every such request runs out of time.
const TIMEOUT_MS = 1500;

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack({ port: 0, dataDir: null, sesPort: 0, functionTimeoutMs: TIMEOUT_MS });
}, 60_000);
afterAll(() => stack.stop());

const request = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
  const response = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
};

const item = (i: number) => ({
  kind: 'hours',
  date: '2026-03-02',
  description: `Work ${i}`,
  quantity: '1.5',
  unitCost: '10.00',
  unitPrice: '20.00',
  booked: true,
});

describe('a request that outlasts its function', () => {
  it('is answered 503 TIMED_OUT with Retry-After, and sent again with its key it gets the one answer, nothing doubled', async () => {
    // Prepare
    const customer = await request('POST', '/v1/customers', { name: 'Slow client' });
    const job = await request('POST', '/v1/jobs', {
      customerId: customer.body.id,
      name: 'Big book',
      billingType: 'time_and_material',
    });
    const batch = { items: Array.from({ length: 500 }, (_, i) => item(i)) };
    const key = { 'idempotency-key': `slow-${job.body.id}` };
    const path = `/v1/jobs/${job.body.id}/expenditures/batch`;
    // Act
    const first = await request('POST', path, batch, key);
    const again = await eventually(
      async () => {
        const retry = await request('POST', path, batch, key);
        return retry.status === 201 ? retry : undefined;
      },
      'the batch answered',
      30_000,
    );
    // Assess
    expect(first.status).toBe(503);
    expect(first.headers.get('content-type')).toBe('application/problem+json');
    expect(first.headers.get('retry-after')).toBe('1');
    expect(first.body).toMatchObject({ status: 503, code: 'TIMED_OUT', title: 'Service Unavailable' });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.items).toHaveLength(500);
    const totals = await request('GET', `/v1/jobs/${job.body.id}`);
    expect(totals.body.expenditures.booked.hours.unbilled).toEqual({ count: 500, cost: '7500.00', salesValue: '15000.00' });
  }, 90_000);
});
