import { describe, expect, it } from 'vitest';
import { pdfText } from '../support/pdf.js';
import { apiUrl, newTenant, type ApiClient } from '../support/api.js';
import { eventually, linkIn, mailsTo, openPortal, postDecision, uniqueEmail } from '../support/portal.js';

const isoDay = (offsetDays: number): string => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

/** A tenant with a customer (with an email) and a draft estimate of two charges. */
const withEstimate = async (fields: Record<string, unknown> = {}) => {
  const api = await newTenant('Estimating Co', 'EUR');
  const email = uniqueEmail('client');
  const customer = (await api.request('POST', '/v1/customers', { name: 'Client', email })).body;
  const created = await api.request('POST', '/v1/estimates', {
    customerId: customer.id,
    name: 'Loft',
    billingType: 'fixed_price',
    ...fields,
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const id: string = created.body.id;
  const first = await api.request('POST', `/v1/estimates/${id}/charges`, {
    description: 'Joists',
    quantity: '10',
    unitPrice: '45.5',
    taxRate: '20',
  });
  const second = await api.request('POST', `/v1/estimates/${id}/charges`, {
    description: 'Labour',
    quantity: '20',
    unitPrice: '40',
  });
  return { api, email, customer, id, chargeIds: [first.body.id as string, second.body.id as string] };
};

const jobIds = async (api: ApiClient): Promise<string[]> =>
  (await api.request('GET', '/v1/jobs')).body.items.map((j: { id: string }) => j.id);

describe('estimates over HTTP', () => {
  it('creates a draft in the customer currency, with Location and ETag, and reads it back', async () => {
    // Prepare
    const api = await newTenant('Estimating Co', 'EUR');
    const customer = (await api.request('POST', '/v1/customers', { name: 'Swiss client', currency: 'CHF' })).body;
    // Act
    const created = await api.request('POST', '/v1/estimates', {
      customerId: customer.id,
      name: 'Garden',
      billingType: 'fixed_price',
      retainagePercent: '5',
      validUntil: '2099-12-31',
    });
    // Assess
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/v1/estimates/${created.body.id}`);
    expect(created.headers.get('etag')).toBe('"1"');
    expect(created.body).toMatchObject({
      customerId: customer.id,
      currency: 'CHF',
      status: 'draft',
      validUntil: '2099-12-31',
      retainagePercent: '5',
      charges: [],
      totals: { net: '0.00', tax: '0.00', gross: '0.00' },
      approval: null,
      decision: null,
      jobId: null,
    });
    expect((await api.request('GET', `/v1/estimates/${created.body.id}`)).body).toEqual(created.body);
  });

  it('takes charges as a job does, each answered with the charge, and totals them', async () => {
    // Prepare
    const { api, id, chargeIds } = await withEstimate();
    // Act
    const changed = await api.request(
      'PATCH',
      `/v1/estimates/${id}/charges/${chargeIds[1]}`,
      { quantity: '21' },
      { 'if-match': '"3"' },
    );
    const third = await api.request('POST', `/v1/estimates/${id}/charges`, {
      description: 'Skip',
      quantity: '1',
      unitPrice: '99.99',
    });
    const removed = await api.request('DELETE', `/v1/estimates/${id}/charges/${third.body.id}`);
    // Assess
    expect([changed.status, changed.body.amount, changed.headers.get('etag')]).toEqual([200, '840.00', '"4"']);
    expect([third.status, third.body.description]).toEqual([201, 'Skip']);
    expect(removed.status).toBe(204);
    const estimate = (await api.request('GET', `/v1/estimates/${id}`)).body;
    expect(estimate.charges.map((c: { description: string }) => c.description)).toEqual(['Joists', 'Labour']);
    // 455.00 at 20% = 91.00; 840.00 at 0%
    expect(estimate.totals).toEqual({ net: '1295.00', tax: '91.00', gross: '1386.00' });
    expect(estimate.taxes).toEqual([
      { rate: '0', base: '840.00', amount: '0.00' },
      { rate: '20', base: '455.00', amount: '91.00' },
    ]);
    const stale = await api.request('PATCH', `/v1/estimates/${id}`, { name: 'x' }, { 'if-match': '"1"' });
    expect([stale.status, stale.body.code]).toEqual([412, 'PRECONDITION_FAILED']);
  });

  it('puts its charges in the order given, and refuses an order that is not its charges once each', async () => {
    // Prepare
    const { api, id, chargeIds } = await withEstimate();
    // Act
    const reordered = await api.request('PUT', `/v1/estimates/${id}/charges/order`, { ids: [chargeIds[1], chargeIds[0]] });
    const again = await api.request('PUT', `/v1/estimates/${id}/charges/order`, { ids: [chargeIds[1], chargeIds[0]] });
    const bad = await api.request('PUT', `/v1/estimates/${id}/charges/order`, { ids: [chargeIds[1], chargeIds[1], 'chg_nope'] });
    // Assess
    expect(reordered.status).toBe(200);
    expect(reordered.body.charges.map((c: { description: string }) => c.description)).toEqual(['Labour', 'Joists']);
    expect([again.status, again.body.version]).toEqual([200, reordered.body.version]);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'ids' }] });
    expect(bad.body.errors[0].message).toMatch(/not charges of the estimate: chg_nope; listed more than once: .*; missing: /);
    expect((await api.request('GET', `/v1/estimates/${id}`)).body.version).toBe(reordered.body.version);
  });

  it('lists by customer and status, newest first', async () => {
    // Prepare
    const { api, id, customer } = await withEstimate();
    const other = (
      await api.request('POST', '/v1/estimates', { customerId: customer.id, name: 'Shed', billingType: 'time_and_material' })
    ).body;
    await api.request('POST', `/v1/estimates/${id}/send`);
    // Act
    const all = await api.request('GET', '/v1/estimates?limit=1');
    const next = await api.request('GET', `/v1/estimates?limit=1&cursor=${encodeURIComponent(all.body.nextCursor)}`);
    const sent = await api.request('GET', `/v1/estimates?customerId=${customer.id}&status=sent`);
    // Assess
    expect(all.body.items.map((e: { id: string }) => e.id)).toEqual([other.id]);
    expect(next.body).toMatchObject({ items: [{ id }], nextCursor: null });
    expect(sent.body.items.map((e: { id: string }) => e.id)).toEqual([id]);
  });

  it('renders the estimate document as HTML and PDF, the charges in order', async () => {
    // Prepare
    const { api, id, chargeIds } = await withEstimate();
    await api.request('PUT', `/v1/estimates/${id}/charges/order`, { ids: [chargeIds[1], chargeIds[0]] });
    // Act
    const html = await api.request('GET', `/v1/estimates/${id}`, undefined, { accept: 'text/html' });
    const pdf = await fetch(`${apiUrl()}/v1/estimates/${id}`, {
      headers: { authorization: `Bearer ${api.apiKey}`, accept: 'application/pdf' },
    });
    // Assess
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html.body.indexOf('Labour')).toBeLessThan(html.body.indexOf('Joists'));
    expect(html.body).toContain('1,346.00 EUR');
    expect([pdf.status, pdf.headers.get('content-type')]).toEqual([200, 'application/pdf']);
    expect(pdf.headers.get('content-disposition')).toBe(`inline; filename="estimate-${id}.pdf"`);
    const { text } = await pdfText(Buffer.from(await pdf.arrayBuffer()));
    expect(text.indexOf('Labour')).toBeLessThan(text.indexOf('Joists'));
    expect(text).toContain('1,346.00 EUR');
  });

  it('sends a portal link by email; sending again supersedes it', async () => {
    // Prepare
    const { api, id, email } = await withEstimate({ validUntil: isoDay(10) });
    // Act
    const first = await api.request('POST', `/v1/estimates/${id}/send`);
    const second = await api.request('POST', `/v1/estimates/${id}/send`, { to: email });
    // Assess
    expect(first.body).toMatchObject({ status: 'sent', approval: { recipient: email } });
    expect(second.body.approval.requestId).not.toBe(first.body.approval.requestId);
    // The link lives to the end of its last valid day (UTC, the tenant's zone)
    expect(first.body.approval.expiresAt).toBe(`${isoDay(11)}T00:00:00.000Z`);
    const mails = await eventually(async () => {
      const found = await mailsTo(email);
      return found.length === 2 ? found : undefined;
    }, 'two estimate mails');
    expect((await fetch(linkIn(mails[0]!))).status).toBe(410);
    expect((await fetch(linkIn(mails[1]!))).status).toBe(200);
  });

  it('accepted by staff makes one job of the same charges in the same order, linked back; the estimate is read-only', async () => {
    // Prepare
    const { api, id, chargeIds, customer } = await withEstimate({ retainagePercent: '10' });
    await api.request('PUT', `/v1/estimates/${id}/charges/order`, { ids: [chargeIds[1], chargeIds[0]] });
    // Act: two accepts at once, then a third
    const [a, b] = await Promise.all([
      api.request('POST', `/v1/estimates/${id}/accept`),
      api.request('POST', `/v1/estimates/${id}/accept`),
    ]);
    const again = await api.request('POST', `/v1/estimates/${id}/accept`);
    // Assess
    expect([a.status, b.status, again.status]).toEqual([200, 200, 200]);
    expect(new Set([a.body.jobId, b.body.jobId, again.body.jobId]).size).toBe(1);
    expect(a.body).toMatchObject({ status: 'accepted', decision: { by: 'staff', outcome: 'approve' } });
    expect(await jobIds(api)).toEqual([a.body.jobId]);
    const job = (await api.request('GET', `/v1/jobs/${a.body.jobId}`)).body;
    expect(job).toMatchObject({ estimateId: id, customerId: customer.id, retainagePercent: '10', billingType: 'fixed_price' });
    expect(job.charges.map((c: { id: string }) => c.id)).toEqual([chargeIds[1], chargeIds[0]]);
    // Read-only
    for (const [method, path, body] of [
      ['PATCH', `/v1/estimates/${id}`, { name: 'x' }],
      ['POST', `/v1/estimates/${id}/charges`, { description: 'x', quantity: '1', unitPrice: '1' }],
      ['PATCH', `/v1/estimates/${id}/charges/${chargeIds[0]}`, { quantity: '2' }],
      ['DELETE', `/v1/estimates/${id}/charges/${chargeIds[0]}`, undefined],
      ['PUT', `/v1/estimates/${id}/charges/order`, { ids: chargeIds }],
      ['POST', `/v1/estimates/${id}/send`, undefined],
    ] as const) {
      const refused = await api.request(method, path, body);
      expect([refused.status, refused.body.code], `${method} ${path}`).toEqual([409, 'ESTIMATE_NOT_EDITABLE']);
    }
    const deleted = await api.request('DELETE', `/v1/estimates/${id}`);
    expect([deleted.status, deleted.body.code]).toEqual([409, 'ESTIMATE_ACCEPTED']);
    const declined = await api.request('POST', `/v1/estimates/${id}/decline`, { reason: 'Changed my mind' });
    expect([declined.status, declined.body.code]).toEqual([409, 'APPROVAL_DECIDED']);
  });

  it('declined by staff keeps the reason and makes no job; it cannot be accepted after, but can be deleted', async () => {
    // Prepare
    const { api, id } = await withEstimate();
    // Act
    const noReason = await api.request('POST', `/v1/estimates/${id}/decline`, { reason: '   ' });
    const declined = await api.request('POST', `/v1/estimates/${id}/decline`, { reason: 'Over budget' });
    const accepted = await api.request('POST', `/v1/estimates/${id}/accept`);
    // Assess
    expect([noReason.status, noReason.body.errors?.[0]?.field]).toEqual([400, 'reason']);
    expect(declined.body).toMatchObject({
      status: 'declined',
      jobId: null,
      decision: { outcome: 'reject', comment: 'Over budget' },
    });
    expect([accepted.status, accepted.body.code]).toEqual([409, 'APPROVAL_DECIDED']);
    expect(await jobIds(api)).toEqual([]);
    expect((await api.request('DELETE', `/v1/estimates/${id}`)).status).toBe(204);
    expect((await api.request('GET', `/v1/estimates/${id}`)).status).toBe(404);
  });

  it('past validUntil cannot be accepted or sent, and makes no job', async () => {
    // Prepare
    const { api, id } = await withEstimate({ validUntil: isoDay(-1) });
    // Act
    const accepted = await api.request('POST', `/v1/estimates/${id}/accept`);
    const sent = await api.request('POST', `/v1/estimates/${id}/send`);
    // Assess
    expect([accepted.status, accepted.body.code]).toEqual([409, 'ESTIMATE_EXPIRED']);
    expect([sent.status, sent.body.code]).toEqual([409, 'ESTIMATE_EXPIRED']);
    expect((await api.request('GET', `/v1/estimates/${id}`)).body).toMatchObject({
      status: 'draft',
      jobId: null,
      approval: null,
    });
    expect(await jobIds(api)).toEqual([]);
  });

  it('answers bad input with problems naming the field, and changes nothing', async () => {
    // Prepare
    const { api, id, customer } = await withEstimate();
    const empty = (
      await api.request('POST', '/v1/estimates', { customerId: customer.id, name: 'Empty', billingType: 'fixed_price' })
    ).body;
    const noEmail = (await api.request('POST', '/v1/customers', { name: 'No mail' })).body;
    const unmailable = (
      await api.request('POST', '/v1/estimates', { customerId: noEmail.id, name: 'x', billingType: 'fixed_price' })
    ).body;
    await api.request('POST', `/v1/estimates/${unmailable.id}/charges`, { description: 'x', quantity: '1', unitPrice: '1' });
    const cases: [string, string, unknown, number, string, string | undefined][] = [
      [
        'POST',
        '/v1/estimates',
        { customerId: 'cus_nope', name: 'x', billingType: 'fixed_price' },
        422,
        'CUSTOMER_NOT_FOUND',
        'customerId',
      ],
      [
        'POST',
        '/v1/estimates',
        { customerId: customer.id, name: 'x', billingType: 'hourly' },
        400,
        'VALIDATION_FAILED',
        'billingType',
      ],
      [
        'POST',
        '/v1/estimates',
        { customerId: customer.id, name: 'x', billingType: 'fixed_price', validUntil: '2026-02-30' },
        400,
        'VALIDATION_FAILED',
        'validUntil',
      ],
      [
        'POST',
        '/v1/estimates',
        { customerId: customer.id, name: ' ', billingType: 'fixed_price' },
        400,
        'VALIDATION_FAILED',
        'name',
      ],
      ['PATCH', `/v1/estimates/${id}`, { retainagePercent: '101' }, 400, 'VALIDATION_FAILED', 'retainagePercent'],
      ['PATCH', `/v1/estimates/${id}`, { customerId: 'cus_nope' }, 422, 'CUSTOMER_NOT_FOUND', 'customerId'],
      [
        'POST',
        `/v1/estimates/${id}/charges`,
        { description: 'x', quantity: '0', unitPrice: '1' },
        400,
        'VALIDATION_FAILED',
        'quantity',
      ],
      [
        'POST',
        `/v1/estimates/${id}/charges`,
        { description: 'x', quantity: '1', unitPrice: '1e5' },
        400,
        'VALIDATION_FAILED',
        'unitPrice',
      ],
      [
        'POST',
        `/v1/estimates/${id}/charges`,
        { description: 'x', quantity: '2', unitPrice: '999999999999999' },
        422,
        'AMOUNT_TOO_LARGE',
        'unitPrice',
      ],
      ['PUT', `/v1/estimates/${id}/charges/order`, { ids: 'x' }, 400, 'VALIDATION_FAILED', 'ids'],
      ['POST', `/v1/estimates/${id}/decline`, {}, 400, 'REASON_REQUIRED', 'reason'],
      ['POST', `/v1/estimates/${id}/decline`, { reason: '' }, 400, 'REASON_REQUIRED', 'reason'],
      ['POST', `/v1/estimates/${id}/decline`, { reason: '   ' }, 400, 'REASON_REQUIRED', 'reason'],
      ['POST', `/v1/estimates/${id}/decline`, { reason: 5 }, 400, 'VALIDATION_FAILED', 'reason'],
      [
        'POST',
        '/v1/estimates',
        { customerId: customer.id, name: 'x', billingType: 'milestone' },
        422,
        'ESTIMATE_BILLING_TYPE_UNSUPPORTED',
        'billingType',
      ],
      ['POST', `/v1/estimates/${id}/send`, { to: 'not-an-email' }, 400, 'VALIDATION_FAILED', 'to'],
      ['POST', `/v1/estimates/${empty.id}/send`, undefined, 422, 'ESTIMATE_EMPTY', undefined],
      ['POST', `/v1/estimates/${empty.id}/accept`, undefined, 422, 'ESTIMATE_EMPTY', undefined],
      ['POST', `/v1/estimates/${unmailable.id}/send`, undefined, 422, 'NO_RECIPIENT', 'to'],
      ['GET', '/v1/estimates/est_nope', undefined, 404, 'ESTIMATE_NOT_FOUND', undefined],
      ['GET', `/v1/estimates/${id}/charges/chg_nope`, undefined, 404, 'CHARGE_NOT_FOUND', undefined],
      ['GET', '/v1/estimates?status=maybe', undefined, 400, 'VALIDATION_FAILED', 'status'],
    ];
    const before = (await api.request('GET', `/v1/estimates/${id}`)).body;
    for (const [method, path, body, status, code, field] of cases) {
      const response = await api.request(method, path, body);
      const what = `${method} ${path} ${JSON.stringify(body)}`;
      expect([response.status, response.body.code], what).toEqual([status, code]);
      expect(response.headers.get('content-type'), what).toMatch(/^application\/problem\+json/);
      if (field)
        expect(
          response.body.errors.map((e: { field: string }) => e.field),
          what,
        ).toContain(field);
    }
    // Assess: nothing changed
    expect((await api.request('GET', `/v1/estimates/${id}`)).body).toEqual(before);
    expect((await api.request('GET', `/v1/estimates/${unmailable.id}`)).body).toMatchObject({ status: 'draft', approval: null });
    expect(await jobIds(api)).toEqual([]);
  });

  it('changed since it was sent, its link decides nothing (409) until sent again: the client accepts only what was emailed', async () => {
    // Prepare: sent at 1,254.60 EUR, then a charge priced up and the customer changed
    const { api, id, email, chargeIds } = await withEstimate();
    const other = (await api.request('POST', '/v1/customers', { name: 'Other Corp', email: uniqueEmail('other') })).body;
    const sent = await api.request('POST', `/v1/estimates/${id}/send`);
    expect(sent.body.approval.sentVersion).toBe(sent.body.version);
    const link = linkIn(await eventually(async () => (await mailsTo(email))[0], 'the estimate mail'));
    expect((await api.request('PATCH', `/v1/estimates/${id}/charges/${chargeIds[0]}`, { unitPrice: '10000.00' })).status).toBe(
      200,
    );
    const patched = await api.request('PATCH', `/v1/estimates/${id}`, { customerId: other.id });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    // Act: the client opens the old link and accepts through it
    const opened = await openPortal(link);
    const posted = await postDecision(link, { decision: 'approve' });
    // Assess: the page says it changed since the link was sent; nothing is decided, no job
    expect(opened.status).toBe(409);
    expect(opened.html).toContain('The estimate changed since the link was sent');
    expect(posted.status).toBe(409);
    expect((await api.request('GET', `/v1/estimates/${id}`)).body).toMatchObject({ status: 'sent', decision: null, jobId: null });
    expect(await jobIds(api)).toEqual([]);
    // Sent again, the new link (to the new customer) decides the estimate as it is now
    const resent = await api.request('POST', `/v1/estimates/${id}/send`);
    expect(resent.body.approval.recipient).toBe(other.email);
    const newLink = linkIn(await eventually(async () => (await mailsTo(other.email))[0], 'the new estimate mail'));
    expect((await openPortal(link)).status).toBe(410);
    const accepted = await postDecision(newLink, { decision: 'approve' });
    expect(accepted.status).toBe(200);
    const estimate = (await api.request('GET', `/v1/estimates/${id}`)).body;
    expect(estimate).toMatchObject({ status: 'accepted', customerId: other.id, decision: { by: 'client' } });
    expect((await api.request('GET', `/v1/jobs/${estimate.jobId}`)).body.customerId).toBe(other.id);
  });

  it('sent, then emptied of its charges, its link asks nothing (409)', async () => {
    // Prepare
    const { api, id, email, chargeIds } = await withEstimate();
    expect((await api.request('POST', `/v1/estimates/${id}/send`)).status).toBe(200);
    const link = linkIn(await eventually(async () => (await mailsTo(email))[0], 'the estimate mail'));
    // Act
    for (const chargeId of chargeIds) {
      expect((await api.request('DELETE', `/v1/estimates/${id}/charges/${chargeId}`)).status).toBe(204);
    }
    // Assess
    expect((await openPortal(link)).status).toBe(409);
  });

  it('its job stays while the estimate is accepted: deleting it is 409 JOB_FROM_ESTIMATE naming the estimate, changing nothing', async () => {
    // Prepare
    const { api, id } = await withEstimate();
    const accepted = (await api.request('POST', `/v1/estimates/${id}/accept`)).body;
    const job = (await api.request('GET', `/v1/jobs/${accepted.jobId}`)).body;
    // Act
    const deleted = await api.request('DELETE', `/v1/jobs/${accepted.jobId}`);
    // Assess
    expect([deleted.status, deleted.body.code]).toEqual([409, 'JOB_FROM_ESTIMATE']);
    expect(deleted.body.detail).toContain(id);
    expect((await api.request('GET', `/v1/jobs/${accepted.jobId}`)).body).toEqual(job);
    expect((await api.request('GET', `/v1/estimates/${id}`)).body).toMatchObject({ status: 'accepted', jobId: accepted.jobId });
  });

  it("is another tenant's to read: 404 for a stranger", async () => {
    const { id } = await withEstimate();
    const stranger = await newTenant('Stranger');
    for (const [method, path] of [
      ['GET', `/v1/estimates/${id}`],
      ['POST', `/v1/estimates/${id}/accept`],
    ] as const) {
      expect((await stranger.request(method, path)).status).toBe(404);
    }
  });
});
