import { describe, expect, it } from 'vitest';
import { newTenant } from '../support/api.js';

const acme = { name: 'Acme Ltd', email: 'billing@acme.test', billingAddress: { line1: '1 Main St', city: 'Leeds', country: 'GB' }, taxId: 'GB123' };

describe('customers', () => {
  it('creates a customer in the tenant currency and reads it back', async () => {
    // Prepare
    const api = await newTenant('Customers', 'GBP');
    // Act
    const created = await api.request('POST', '/v1/customers', acme);
    const read = await api.request('GET', `/v1/customers/${created.body.id}`);
    // Assess
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ ...acme, currency: 'GBP', version: 1 });
    expect(created.body.id).toMatch(/^cus_[0-9A-Z]{26}$/);
    expect(created.headers.get('etag')).toBe('"1"');
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);
  });

  it('refuses bad input with the field named, and writes nothing', async () => {
    const api = await newTenant();
    const cases = [
      [{ email: 'x@y.test' }, 'name'],
      [{ name: 'A', email: 'not-an-email' }, 'email'],
      [{ name: 'A', currency: 'euro' }, 'currency'],
      [{ name: 'A', currency: 'XYZ' }, 'currency'],
      [{ name: 'A', billingAddress: { line1: 'x', city: 'y', country: 'Germany' } }, 'billingAddress.country'],
      [{ name: 'A', unknown: 1 }, 'unknown'],
    ] as const;
    for (const [body, field] of cases) {
      const response = await api.request('POST', '/v1/customers', body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(response.body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
      expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    const list = await api.request('GET', '/v1/customers');
    expect(list.body.items).toEqual([]);
  });

  it('refuses malformed JSON and bodies over 256 KB', async () => {
    const api = await newTenant();
    const malformed = await api.request('POST', '/v1/customers', '{"name":');
    const huge = await api.request('POST', '/v1/customers', { name: 'A', taxId: 'x'.repeat(300 * 1024) });
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toBe('MALFORMED_JSON');
    expect(huge.status).toBe(413);
    expect(huge.body.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers 404 for an unknown id and for another tenant\'s id', async () => {
    const mine = await newTenant();
    const theirs = await newTenant();
    const theirCustomer = await theirs.request('POST', '/v1/customers', { name: 'Theirs' });
    const unknown = await mine.request('GET', '/v1/customers/cus_01ARZ3NDEKTSV4RRFFQ69G5FAV');
    const foreign = await mine.request('GET', `/v1/customers/${theirCustomer.body.id}`);
    const foreignPatch = await mine.request('PATCH', `/v1/customers/${theirCustomer.body.id}`, { name: 'Mine now' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('CUSTOMER_NOT_FOUND');
    expect(foreign.status).toBe(404);
    expect(foreignPatch.status).toBe(404);
    expect((await theirs.request('GET', `/v1/customers/${theirCustomer.body.id}`)).body.name).toBe('Theirs');
  });

  it('changes a customer, clearing a field with null', async () => {
    const api = await newTenant();
    const created = await api.request('POST', '/v1/customers', acme);
    const patched = await api.request('PATCH', `/v1/customers/${created.body.id}`, { name: 'Acme Group', taxId: null });
    const empty = await api.request('PATCH', `/v1/customers/${created.body.id}`, {});
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: 'Acme Group', taxId: null, email: acme.email, version: 2 });
    expect(empty.status).toBe(400);
  });

  it('refuses a change made against an old version (If-Match), keeping the newer one', async () => {
    const api = await newTenant();
    const created = await api.request('POST', '/v1/customers', acme);
    const path = `/v1/customers/${created.body.id}`;
    const [a, b] = await Promise.all([
      api.request('PATCH', path, { name: 'A' }, { 'if-match': '"1"' }),
      api.request('PATCH', path, { name: 'B' }, { 'if-match': '"1"' }),
    ]);
    const winner = a.status === 200 ? a : b;
    const loser = a.status === 200 ? b : a;
    expect(winner.status).toBe(200);
    // 409 when both read version 1 and raced to write; 412 when the loser read after the winner wrote.
    expect([loser.status, loser.body.code]).toEqual(loser.status === 409 ? [409, 'VERSION_CONFLICT'] : [412, 'PRECONDITION_FAILED']);
    const stale = await api.request('PATCH', path, { name: 'C' }, { 'if-match': '"1"' });
    expect([stale.status, stale.body.code]).toEqual([412, 'PRECONDITION_FAILED']);
    expect((await api.request('GET', path)).body).toMatchObject({ name: winner.body.name, version: 2 });
  });

  it('lists customers newest first, a page at a time', async () => {
    const api = await newTenant();
    const names = ['one', 'two', 'three', 'four', 'five'];
    for (const name of names) await api.request('POST', '/v1/customers', { name });
    const first = await api.request('GET', '/v1/customers?limit=2');
    const second = await api.request('GET', `/v1/customers?limit=2&cursor=${first.body.nextCursor}`);
    const third = await api.request('GET', `/v1/customers?limit=2&cursor=${second.body.nextCursor}`);
    const seen = [...first.body.items, ...second.body.items, ...third.body.items].map((c: { name: string }) => c.name);
    expect(seen).toEqual([...names].reverse());
    expect(third.body.nextCursor).toBeNull();
    expect((await api.request('GET', '/v1/customers?limit=101')).status).toBe(400);
    const forged = await api.request('GET', '/v1/customers?cursor=bm90LWEtY3Vyc29y');
    expect(forged.status).toBe(400);
    expect(forged.body.code).toBe('INVALID_CURSOR');
  });

  it('does not let one tenant page through another tenant with its cursor', async () => {
    const mine = await newTenant();
    const theirs = await newTenant();
    for (const name of ['a', 'b', 'c']) await theirs.request('POST', '/v1/customers', { name });
    const theirPage = await theirs.request('GET', '/v1/customers?limit=1');
    const stolen = await mine.request('GET', `/v1/customers?limit=1&cursor=${theirPage.body.nextCursor}`);
    expect(stolen.status).toBe(400);
  });
});
