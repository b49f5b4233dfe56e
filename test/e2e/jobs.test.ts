import { describe, expect, it } from 'vitest';
import { newTenant, type ApiClient } from '../support/api.js';

const withCustomer = async (currency?: string): Promise<{ api: ApiClient; customerId: string }> => {
  const api = await newTenant('Jobs', 'EUR');
  const customer = await api.request('POST', '/v1/customers', { name: 'Client', ...(currency ? { currency } : {}) });
  return { api, customerId: customer.body.id };
};

const zeroBilling = { invoicedToDate: '0.00', paidToDate: '0.00', depositsHeld: '0.00', retainageHeld: '0.00' };

describe('jobs', () => {
  it('creates a job in its customer\'s currency with an empty billing summary', async () => {
    const { api, customerId } = await withCustomer('USD');
    const created = await api.request('POST', '/v1/jobs', { customerId, name: 'Kitchen', billingType: 'fixed_price', retainagePercent: '5' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      customerId, name: 'Kitchen', billingType: 'fixed_price', currency: 'USD', retainagePercent: '5', status: 'open', charges: [],
      billing: { suggestedPrice: '0.00', remaining: '0.00', ...zeroBilling },
    });
    expect(created.body.id).toMatch(/^job_/);
    for (const internal of ['invoiceCount', 'ledgerVersion', 'depositsHeld', 'completeInvoiceId']) expect(created.body).not.toHaveProperty(internal);
    expect((await api.request('GET', `/v1/jobs/${created.body.id}`)).body).toEqual(created.body);
  });

  it('refuses bad input naming the field, and an unknown customer with 422', async () => {
    const { api, customerId } = await withCustomer();
    const cases = [
      [{ customerId, name: 'x', billingType: 'hourly' }, 'billingType'],
      [{ customerId, billingType: 'fixed_price' }, 'name'],
      [{ customerId, name: 'x', billingType: 'fixed_price', retainagePercent: '101' }, 'retainagePercent'],
      [{ customerId, name: 'x', billingType: 'fixed_price', retainagePercent: 5 }, 'retainagePercent'],
      [{ customerId, name: 'x', billingType: 'fixed_price', currency: 'QQQ' }, 'currency'],
    ] as const;
    for (const [body, field] of cases) {
      const response = await api.request('POST', '/v1/jobs', body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    const unknown = await api.request('POST', '/v1/jobs', { customerId: 'cus_nope', name: 'x', billingType: 'milestone' });
    expect(unknown.status).toBe(422);
    expect(unknown.body).toMatchObject({ code: 'CUSTOMER_NOT_FOUND', errors: [{ field: 'customerId' }] });
    expect((await api.request('GET', '/v1/jobs')).body.items).toEqual([]);
  });

  it('prices charges exactly and sums them into the suggested price', async () => {
    const { api, customerId } = await withCustomer();
    const job = (await api.request('POST', '/v1/jobs', { customerId, name: 'Bathroom', billingType: 'fixed_price' })).body;
    await api.request('POST', `/v1/jobs/${job.id}/charges`, { description: 'Tiles', group: 'Material', quantity: '3', unitPrice: '0.1', taxRate: '20' });
    const labour = await api.request('POST', `/v1/jobs/${job.id}/charges`, { description: 'Labour', quantity: '2.5', unitPrice: '45.555' });
    expect(labour.status).toBe(201);
    expect(labour.body).toMatchObject({ description: 'Labour', quantity: '2.5', unitPrice: '45.555', amount: '113.89' });
    expect(labour.headers.get('location')).toBe(`/v1/jobs/${job.id}/charges/${labour.body.id}`);
    expect(labour.headers.get('etag')).toBe('"3"');
    expect((await api.request('GET', labour.headers.get('location')!)).body).toEqual(labour.body);
    const withTwo = await api.request('GET', `/v1/jobs/${job.id}`);
    expect(withTwo.body.charges).toMatchObject([
      { description: 'Tiles', group: 'Material', amount: '0.30', taxRate: '20', billedToDate: '0.00' },
      { description: 'Labour', group: null, amount: '113.89', taxRate: '0', billedToDate: '0.00' },
    ]);
    expect(withTwo.body.billing).toMatchObject({ suggestedPrice: '114.19', remaining: '114.19' });

    const chargeId = labour.body.id;
    const patched = await api.request('PATCH', `/v1/jobs/${job.id}/charges/${chargeId}`, { quantity: '3' });
    expect([patched.status, patched.body.id, patched.body.amount, patched.headers.get('etag')]).toEqual([200, chargeId, '136.67', '"4"']);
    const removed = await api.request('DELETE', `/v1/jobs/${job.id}/charges/${chargeId}`);
    expect(removed.status).toBe(204);
    const left = (await api.request('GET', `/v1/jobs/${job.id}`)).body;
    expect(left.charges).toHaveLength(1);
    expect(left.billing.suggestedPrice).toBe('0.30');
    expect((await api.request('GET', `/v1/jobs/${job.id}/charges/${chargeId}`)).body.code).toBe('CHARGE_NOT_FOUND');

    const badCharge = await api.request('POST', `/v1/jobs/${job.id}/charges`, { description: 'x', quantity: 1.5, unitPrice: '1' });
    expect(badCharge.status).toBe(400);
    expect(badCharge.body.errors[0].field).toBe('quantity');
    const unknownCharge = await api.request('PATCH', `/v1/jobs/${job.id}/charges/chg_nope`, { quantity: '1' });
    expect(unknownCharge.status).toBe(404);
    expect(unknownCharge.body.code).toBe('CHARGE_NOT_FOUND');
  });

  it('closes and reopens, refusing transitions the status does not allow', async () => {
    const { api, customerId } = await withCustomer();
    const job = (await api.request('POST', '/v1/jobs', { customerId, name: 'Roof', billingType: 'time_and_material' })).body;
    const reopenOpen = await api.request('POST', `/v1/jobs/${job.id}/reopen`);
    const closed = await api.request('POST', `/v1/jobs/${job.id}/close`);
    const closeClosed = await api.request('POST', `/v1/jobs/${job.id}/close`);
    const reopened = await api.request('POST', `/v1/jobs/${job.id}/reopen`);
    expect(reopenOpen.status).toBe(409);
    expect(reopenOpen.body.code).toBe('JOB_NOT_CLOSED');
    expect(closed.body.status).toBe('closed');
    expect(closeClosed.status).toBe(409);
    expect(closeClosed.body.code).toBe('JOB_NOT_OPEN');
    expect(reopened.body.status).toBe('open');
  });

  it('changes, lists by customer and status, and deletes', async () => {
    const { api, customerId } = await withCustomer();
    const other = (await api.request('POST', '/v1/customers', { name: 'Other' })).body.id;
    const a = (await api.request('POST', '/v1/jobs', { customerId, name: 'A', billingType: 'fixed_price' })).body;
    const b = (await api.request('POST', '/v1/jobs', { customerId, name: 'B', billingType: 'fixed_price' })).body;
    const c = (await api.request('POST', '/v1/jobs', { customerId: other, name: 'C', billingType: 'milestone' })).body;
    await api.request('POST', `/v1/jobs/${a.id}/close`);
    const renamed = await api.request('PATCH', `/v1/jobs/${b.id}`, { name: 'B2', customerId: other });
    expect(renamed.body).toMatchObject({ name: 'B2', customerId: other, version: 2 });

    const ids = async (query: string) => (await api.request('GET', `/v1/jobs${query}`)).body.items.map((j: { id: string }) => j.id);
    expect(await ids('')).toEqual([c.id, b.id, a.id]);
    expect(await ids(`?customerId=${other}`)).toEqual([c.id, b.id]);
    expect(await ids('?status=closed')).toEqual([a.id]);
    expect(await ids(`?customerId=${customerId}&status=open`)).toEqual([]);
    expect(await ids('?status=open&limit=1')).toEqual([c.id]);
    const secondPage = await api.request('GET', `/v1/jobs?status=open&limit=1&cursor=${(await api.request('GET', '/v1/jobs?status=open&limit=1')).body.nextCursor}`);
    expect(secondPage.body.items.map((j: { id: string }) => j.id)).toEqual([b.id]);
    expect((await api.request('GET', '/v1/jobs?status=done')).status).toBe(400);

    const deleted = await api.request('DELETE', `/v1/jobs/${a.id}`);
    expect(deleted.status).toBe(204);
    expect((await api.request('GET', `/v1/jobs/${a.id}`)).status).toBe(404);
    expect(await ids('')).toEqual([c.id, b.id]);
  });

  it('answers 404 for unknown ids and another tenant\'s jobs, changing nothing', async () => {
    const mine = await withCustomer();
    const theirs = await withCustomer();
    const job = (await theirs.api.request('POST', '/v1/jobs', { customerId: theirs.customerId, name: 'Theirs', billingType: 'fixed_price' })).body;
    const attempts = await Promise.all([
      mine.api.request('GET', `/v1/jobs/${job.id}`),
      mine.api.request('PATCH', `/v1/jobs/${job.id}`, { name: 'Mine' }),
      mine.api.request('DELETE', `/v1/jobs/${job.id}`),
      mine.api.request('POST', `/v1/jobs/${job.id}/close`),
      mine.api.request('POST', `/v1/jobs/${job.id}/charges`, { description: 'x', quantity: '1', unitPrice: '1' }),
      mine.api.request('GET', '/v1/jobs/job_01ARZ3NDEKTSV4RRFFQ69G5FAV'),
    ]);
    for (const attempt of attempts) {
      expect(attempt.status).toBe(404);
      expect(attempt.body.code).toBe('JOB_NOT_FOUND');
    }
    const claimed = await mine.api.request('POST', '/v1/jobs', { customerId: theirs.customerId, name: 'x', billingType: 'fixed_price' });
    expect(claimed.status).toBe(422);
    expect((await theirs.api.request('GET', `/v1/jobs/${job.id}`)).body).toEqual(job);
  });

  // The loser reads again after the lost race (or read after the winner): its If-Match no longer holds.
  it('lets one of two concurrent changes of a job with the same If-Match win and refuses the other with 412', async () => {
    const { api, customerId } = await withCustomer();
    const job = (await api.request('POST', '/v1/jobs', { customerId, name: 'Shed', billingType: 'fixed_price' })).body;
    const [rename, charge] = await Promise.all([
      api.request('PATCH', `/v1/jobs/${job.id}`, { name: 'Garden shed' }, { 'if-match': '"1"' }),
      api.request('POST', `/v1/jobs/${job.id}/charges`, { description: 'Wood', quantity: '1', unitPrice: '99' }, { 'if-match': '"1"' }),
    ]);
    const won = rename.status === 200 ? 'rename' : 'charge';
    const loser = won === 'rename' ? charge : rename;
    expect([loser.status, loser.body.code]).toEqual([412, 'PRECONDITION_FAILED']);
    expect((won === 'rename' ? rename : charge).status).toBe(won === 'rename' ? 200 : 201);
    const final = (await api.request('GET', `/v1/jobs/${job.id}`)).body;
    expect(final.version).toBe(2);
    if (rename.status === 200) expect(final).toMatchObject({ name: 'Garden shed', charges: [] });
    else expect(final).toMatchObject({ name: 'Shed', charges: [{ description: 'Wood' }] });

    const badEtag = await api.request('PATCH', `/v1/jobs/${job.id}`, { name: 'x' }, { 'if-match': 'yesterday' });
    expect(badEtag.status).toBe(400);
    const anyVersion = await api.request('PATCH', `/v1/jobs/${job.id}`, { name: 'Any shed' }, { 'if-match': '*' });
    expect([anyVersion.status, anyVersion.body.name]).toEqual([200, 'Any shed']);
  });

  it('without If-Match loses no update and refuses none: a change that races another reads again and applies', async () => {
    const { api, customerId } = await withCustomer();
    const job = (await api.request('POST', '/v1/jobs', { customerId, name: 'Barn', billingType: 'fixed_price' })).body;
    const [rename, charge] = await Promise.all([
      api.request('PATCH', `/v1/jobs/${job.id}`, { name: 'Red barn' }),
      api.request('POST', `/v1/jobs/${job.id}/charges`, { description: 'Paint', quantity: '1', unitPrice: '40' }),
    ]);
    expect([rename.status, charge.status]).toEqual([200, 201]);
    const final = (await api.request('GET', `/v1/jobs/${job.id}`)).body;
    expect(final).toMatchObject({ version: 3, name: 'Red barn', charges: [{ description: 'Paint' }] });
  });

  it('adds every one of 12 concurrent charges, each answered with its own id', async () => {
    const { api, customerId } = await withCustomer();
    const job = (await api.request('POST', '/v1/jobs', { customerId, name: 'Loft', billingType: 'fixed_price' })).body;
    const added = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        api.request('POST', `/v1/jobs/${job.id}/charges`, { description: `Item ${i}`, quantity: '1', unitPrice: `${i + 1}` }),
      ),
    );
    expect(added.map((r) => r.status)).toEqual(Array(12).fill(201));
    const final = (await api.request('GET', `/v1/jobs/${job.id}`)).body;
    expect(final.version).toBe(13);
    expect(final.charges.map((c: { id: string }) => c.id).sort()).toEqual(added.map((r) => r.body.id).sort());
    expect(final.billing.suggestedPrice).toBe('78.00');
  });

  it('applies concurrent edits of customers, charges and drafts without If-Match, all of them', async () => {
    const { api, customerId, job } = await withCustomer().then(async (c) => ({
      ...c,
      job: (await c.api.request('POST', '/v1/jobs', { customerId: c.customerId, name: 'Attic', billingType: 'fixed_price' })).body,
    }));
    const chargeId = (await api.request('POST', `/v1/jobs/${job.id}/charges`, { description: 'Beam', quantity: '1', unitPrice: '10' })).body.id;
    const draftId = (await api.request('POST', `/v1/jobs/${job.id}/invoices`, { policy: 'deposit', amount: '5' })).body.id;
    const edits = await Promise.all([
      ...Array.from({ length: 4 }, (_, i) => api.request('PATCH', `/v1/customers/${customerId}`, { name: `Client ${i}` })),
      ...Array.from({ length: 4 }, (_, i) => api.request('PATCH', `/v1/jobs/${job.id}/charges/${chargeId}`, { quantity: `${i + 2}` })),
      ...Array.from({ length: 4 }, (_, i) => api.request('PATCH', `/v1/invoices/${draftId}`, { notes: `Note ${i}` })),
    ]);
    expect(edits.map((r) => r.status)).toEqual(Array(12).fill(200));
    expect((await api.request('GET', `/v1/customers/${customerId}`)).body.version).toBe(5);
    expect((await api.request('GET', `/v1/jobs/${job.id}`)).body.version).toBe(7);
    expect((await api.request('GET', `/v1/invoices/${draftId}`)).body.version).toBe(5);
  });

  it('refuses a change whose If-Match names an old version with 412, changing nothing', async () => {
    const { api, customerId } = await withCustomer();
    const created = (await api.request('POST', '/v1/jobs', { customerId, name: 'Deck', billingType: 'fixed_price' })).body;
    const renamed = await api.request('PATCH', `/v1/jobs/${created.id}`, { name: 'Decking' }, { 'if-match': '"1"' });
    expect([renamed.status, renamed.headers.get('etag')]).toEqual([200, '"2"']);
    const stale = { 'if-match': '"1"' };
    const attempts = await Promise.all([
      api.request('PATCH', `/v1/jobs/${created.id}`, { name: 'x' }, stale),
      api.request('POST', `/v1/jobs/${created.id}/charges`, { description: 'x', quantity: '1', unitPrice: '1' }, stale),
      api.request('POST', `/v1/jobs/${created.id}/close`, undefined, stale),
      api.request('DELETE', `/v1/jobs/${created.id}`, undefined, stale),
    ]);
    for (const attempt of attempts) {
      expect(attempt.status).toBe(412);
      expect(attempt.body).toMatchObject({ code: 'PRECONDITION_FAILED', title: 'Precondition Failed' });
    }
    expect((await api.request('GET', `/v1/jobs/${created.id}`)).body).toEqual(renamed.body);
  });

  it('refuses bad changes naming the field, changing nothing', async () => {
    const { api, customerId } = await withCustomer();
    const job = (await api.request('POST', '/v1/jobs', { customerId, name: 'Porch', billingType: 'fixed_price' })).body;
    const chargeId = (await api.request('POST', `/v1/jobs/${job.id}/charges`, { description: 'Paint', quantity: '1', unitPrice: '10' })).body.id;
    const charged = (await api.request('GET', `/v1/jobs/${job.id}`)).body;
    const cases = [
      ['PATCH', `/v1/jobs/${job.id}`, { name: '' }, 'name'],
      ['PATCH', `/v1/jobs/${job.id}`, { billingType: 'milestone' }, 'billingType'],
      ['PATCH', `/v1/jobs/${job.id}`, { retainagePercent: '-1' }, 'retainagePercent'],
      ['POST', `/v1/jobs/${job.id}/charges`, { description: 'x', quantity: '0', unitPrice: '1' }, 'quantity'],
      ['POST', `/v1/jobs/${job.id}/charges`, { description: 'x', quantity: '1', unitPrice: '1', taxRate: '20%' }, 'taxRate'],
      ['PATCH', `/v1/jobs/${job.id}/charges/${chargeId}`, { unitPrice: '1,5' }, 'unitPrice'],
    ] as const;
    for (const [method, path, body, field] of cases) {
      const response = await api.request(method, path, body);
      expect(response.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(400);
      expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    const moved = await api.request('PATCH', `/v1/jobs/${job.id}`, { customerId: 'cus_nowhere' });
    expect(moved.status).toBe(422);
    expect((await api.request('GET', `/v1/jobs/${job.id}`)).body).toEqual(charged);
  });

  it('adds a charge once however often the request is retried with its Idempotency-Key', async () => {
    const { api, customerId } = await withCustomer();
    const job = (await api.request('POST', '/v1/jobs', { customerId, name: 'Fence', billingType: 'fixed_price' })).body;
    const charge = { description: 'Posts', quantity: '12', unitPrice: '8.50' };
    const headers = { 'idempotency-key': 'posts-1' };
    const first = await api.request('POST', `/v1/jobs/${job.id}/charges`, charge, headers);
    const retry = await api.request('POST', `/v1/jobs/${job.id}/charges`, charge, headers);
    const closeFirst = await api.request('POST', `/v1/jobs/${job.id}/close`, undefined, { 'idempotency-key': 'close-1' });
    const closeRetry = await api.request('POST', `/v1/jobs/${job.id}/close`, undefined, { 'idempotency-key': 'close-1' });
    const reused = await api.request('POST', `/v1/jobs/${job.id}/charges`, { ...charge, quantity: '13' }, headers);
    expect(retry.body).toEqual(first.body);
    expect(closeRetry.status).toBe(200);
    expect(closeRetry.body).toEqual(closeFirst.body);
    expect(reused.status).toBe(422);
    const final = (await api.request('GET', `/v1/jobs/${job.id}`)).body;
    expect(final.charges).toHaveLength(1);
    expect(final).toMatchObject({ status: 'closed', billing: { suggestedPrice: '102.00' } });
  });
});
