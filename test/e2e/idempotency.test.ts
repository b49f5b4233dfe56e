import { describe, expect, it } from 'vitest';
import { newTenant } from '../support/api.js';

describe('Idempotency-Key on POST', () => {
  it('replays the first response to a retry and creates one customer', async () => {
    // Prepare
    const api = await newTenant();
    const headers = { 'idempotency-key': 'create-acme-1' };
    // Act
    const first = await api.request('POST', '/v1/customers', { name: 'Acme' }, headers);
    const retry = await api.request('POST', '/v1/customers', { name: 'Acme' }, headers);
    // Assess
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect((await api.request('GET', '/v1/customers')).body.items).toHaveLength(1);
  });

  it('refuses the same key with another body (422) and changes nothing', async () => {
    const api = await newTenant();
    const headers = { 'idempotency-key': 'k-2' };
    await api.request('POST', '/v1/customers', { name: 'Acme' }, headers);
    const reused = await api.request('POST', '/v1/customers', { name: 'Other' }, headers);
    const otherPath = await api.request('POST', '/v1/jobs', { name: 'Acme' }, headers);
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(otherPath.status).toBe(422);
    expect((await api.request('GET', '/v1/customers')).body.items.map((c: { name: string }) => c.name)).toEqual(['Acme']);
  });

  it('compares parameters, not bytes: spacing and key order make no other request, another value does', async () => {
    const api = await newTenant();
    const headers = { 'idempotency-key': 'same-params' };
    const first = await api.request('POST', '/v1/customers', '{"name":"Conc","billingAddress":{"line1":"1 Way","city":"Graz","country":"AT"}}', headers);
    const spaced = await api.request('POST', '/v1/customers', '{ "name": "Conc", "billingAddress": { "line1": "1 Way", "city": "Graz", "country": "AT" } }', headers);
    const reordered = await api.request('POST', '/v1/customers', '{"billingAddress":{"country":"AT","city":"Graz","line1":"1 Way"},"name":"Conc"}', headers);
    const otherValue = await api.request('POST', '/v1/customers', '{"name":"Conc","billingAddress":{"line1":"1 Way","city":"Wien","country":"AT"}}', headers);
    expect(first.status).toBe(201);
    for (const retry of [spaced, reordered]) {
      expect([retry.status, retry.headers.get('idempotent-replayed')]).toEqual([201, 'true']);
      expect(retry.body).toEqual(first.body);
    }
    expect([otherValue.status, otherValue.body.code]).toEqual([422, 'IDEMPOTENCY_KEY_REUSED']);
    expect((await api.request('GET', '/v1/customers')).body.items).toHaveLength(1);
  });

  it('keeps the representation asked for in the request: another Accept is another request', async () => {
    const api = await newTenant();
    const headers = { 'idempotency-key': 'accept-too' };
    const json = await api.request('POST', '/v1/customers', { name: 'A' }, { ...headers, accept: 'application/json' });
    const any = await api.request('POST', '/v1/customers', { name: 'A' }, { ...headers, accept: '*/*' });
    expect(json.status).toBe(201);
    expect([any.status, any.body.code]).toEqual([422, 'IDEMPOTENCY_KEY_REUSED']);
  });

  it('runs concurrent retries of one request once', async () => {
    const api = await newTenant();
    const customer = (await api.request('POST', '/v1/customers', { name: 'C' })).body;
    const body = { customerId: customer.id, name: 'Once', billingType: 'fixed_price' };
    const responses = await Promise.all(
      Array.from({ length: 5 }, () => api.request('POST', '/v1/jobs', body, { 'idempotency-key': 'job-once' })),
    );
    const created = responses.filter((r) => r.status === 201);
    const busy = responses.filter((r) => r.status === 409);
    expect(created.length + busy.length).toBe(5);
    expect(new Set(created.map((r) => r.body.id)).size).toBe(1);
    busy.forEach((r) => expect(r.body.code).toBe('IDEMPOTENCY_REQUEST_IN_PROGRESS'));
    expect((await api.request('GET', '/v1/jobs')).body.items).toHaveLength(1);
  });

  it('keeps keys per tenant', async () => {
    const a = await newTenant();
    const b = await newTenant();
    const headers = { 'idempotency-key': 'shared-key' };
    const fromA = await a.request('POST', '/v1/customers', { name: 'A' }, headers);
    const fromB = await b.request('POST', '/v1/customers', { name: 'B' }, headers);
    expect(fromB.status).toBe(201);
    expect(fromB.body.id).not.toBe(fromA.body.id);
  });

  it('does not keep a refused request, so that a corrected retry runs', async () => {
    const api = await newTenant();
    const headers = { 'idempotency-key': 'fix-me' };
    const bad = await api.request('POST', '/v1/customers', { name: '' }, headers);
    const fixed = await api.request('POST', '/v1/customers', { name: 'Fixed' }, headers);
    expect(bad.status).toBe(400);
    expect(fixed.status).toBe(201);
  });

  it('keeps a business refusal: the retry gets the same 422', async () => {
    const api = await newTenant();
    const body = { customerId: 'cus_missing', name: 'x', billingType: 'fixed_price' };
    const headers = { 'idempotency-key': 'refused' };
    const first = await api.request('POST', '/v1/jobs', body, headers);
    const retry = await api.request('POST', '/v1/jobs', body, headers);
    expect(first.status).toBe(422);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
  });

  it('refuses a malformed key', async () => {
    const api = await newTenant();
    const response = await api.request('POST', '/v1/customers', { name: 'A' }, { 'idempotency-key': 'x'.repeat(256) });
    expect(response.status).toBe(400);
    expect(response.body.errors[0].field).toBe('Idempotency-Key');
  });
});
