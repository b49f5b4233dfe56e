import { describe, expect, it } from 'vitest';
import { apiUrl } from '../support/api.js';
import { jobWithCharges } from '../support/billing.js';

const charges = [{ description: 'Roof', quantity: '1', unitPrice: '100.00' }];

/** Sends raw bytes, so that a test can say exactly what the body and its Content-Type are. */
const sendRaw = async (apiKey: string, method: string, path: string, body: Buffer | string, contentType?: string) => {
  const response = await fetch(`${apiUrl()}${path}`, {
    method,
    headers: { authorization: `Bearer ${apiKey}`, ...(contentType ? { 'content-type': contentType } : {}) },
    body,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
};

describe('request bodies', () => {
  it('refuses a body that an action does not take, or unknown fields in it, and changes nothing', async () => {
    // Prepare
    const { api, job } = await jobWithCharges(charges);
    // Act
    const unknownField = await api.request('POST', `/v1/jobs/${job.id}/close`, { foo: 1 });
    const array = await api.request('POST', `/v1/jobs/${job.id}/close`, [1, 2, 3]);
    const scalar = await api.request('POST', `/v1/jobs/${job.id}/close`, '"now"');
    const bodyOnGet = await sendRaw(api.apiKey, 'DELETE', `/v1/jobs/${job.id}`, '{"force":true}', 'application/json');
    // Assess
    expect([unknownField.status, unknownField.body.code, unknownField.body.errors]).toEqual([
      400,
      'VALIDATION_FAILED',
      [{ field: 'foo', code: 'unrecognized_keys', message: 'is not a known field' }],
    ]);
    expect([array.status, array.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect([scalar.status, scalar.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect([bodyOnGet.status, bodyOnGet.body.errors[0].field]).toEqual([400, '(body)']);
    expect((await api.request('GET', `/v1/jobs/${job.id}`)).body).toEqual(job);
    // An empty object or no body at all is what an action takes.
    expect((await api.request('POST', `/v1/jobs/${job.id}/close`, {})).body.status).toBe('closed');
    expect((await api.request('POST', `/v1/jobs/${job.id}/reopen`)).body.status).toBe('open');
  });

  it('refuses bytes that are not UTF-8 with 400 MALFORMED_BODY, storing nothing', async () => {
    // Prepare
    const { api } = await jobWithCharges([]);
    const latin1 = Buffer.concat([Buffer.from('{"name":"Caf'), Buffer.from([0xe9]), Buffer.from('","currency":"EUR"}')]);
    // Act
    const refused = await sendRaw(api.apiKey, 'POST', '/v1/customers', latin1, 'application/json');
    const lone = await sendRaw(api.apiKey, 'POST', '/v1/customers', Buffer.from([0x7b, 0xff, 0x7d]), 'application/json');
    // Assess
    expect([refused.status, refused.body.code]).toEqual([400, 'MALFORMED_BODY']);
    expect([lone.status, lone.body.code]).toEqual([400, 'MALFORMED_BODY']);
    const names = (await api.request('GET', '/v1/customers')).body.items.map((c: { name: string }) => c.name);
    expect(names).toEqual(['Client']);
  });

  it('matches Content-Type case-insensitively and exactly', async () => {
    // Prepare
    const { api } = await jobWithCharges([]);
    const body = JSON.stringify({ name: 'Upper', currency: 'EUR' });
    // Act
    const upper = await sendRaw(api.apiKey, 'POST', '/v1/customers', body, 'APPLICATION/JSON; Charset=UTF-8');
    const refused = await Promise.all(
      [
        'application/json-evil',
        'application/jsonp',
        'text/json',
        'application/json; charset=latin1',
        'application/json, text/plain',
      ].map((type) => sendRaw(api.apiKey, 'POST', '/v1/customers', body, type)),
    );
    // Assess
    expect(upper.status).toBe(201);
    expect(refused.map((r) => [r.status, r.body.code])).toEqual(Array(5).fill([415, 'UNSUPPORTED_MEDIA_TYPE']));
    const names = (await api.request('GET', '/v1/customers')).body.items.map((c: { name: string }) => c.name);
    expect(names.sort()).toEqual(['Client', 'Upper']);
  });

  it('answers every creating POST with the thing created and its Location', async () => {
    // Prepare
    const { api, customer, job } = await jobWithCharges(charges);
    // Act
    const made = await api.request('POST', '/v1/jobs', { customerId: customer.id, name: 'Porch', billingType: 'fixed_price' });
    const draft = await api.request('POST', `/v1/jobs/${job.id}/invoices`, { policy: 'deposit', amount: '10' });
    // Assess
    expect(made.headers.get('location')).toBe(`/v1/jobs/${made.body.id}`);
    expect(draft.headers.get('location')).toBe(`/v1/invoices/${draft.body.id}`);
    const customerMade = await api.request('POST', '/v1/customers', { name: 'Other' });
    expect(customerMade.headers.get('location')).toBe(`/v1/customers/${customerMade.body.id}`);
    for (const response of [made, draft, customerMade]) {
      expect(response.status).toBe(201);
      const read = await api.request('GET', response.headers.get('location')!);
      expect(read.body.id).toBe(response.body.id);
    }
  });

  it('refuses a body nested too deep, even under an Idempotency-Key, and strings that are not Unicode', async () => {
    // Prepare
    const { api } = await jobWithCharges([]);
    const deep = `${'['.repeat(3000)}${']'.repeat(3000)}`;
    // Act
    const nested = await sendRaw(api.apiKey, 'POST', '/v1/customers', deep, 'application/json');
    const keyed = await fetch(`${apiUrl()}/v1/customers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${api.apiKey}`, 'content-type': 'application/json', 'idempotency-key': 'deep-1' },
      body: `{"name":${deep}}`,
    });
    const surrogate = await sendRaw(api.apiKey, 'POST', '/v1/customers', '{"name":"a\\ud800b"}', 'application/json');
    const surrogateKey = await sendRaw(api.apiKey, 'POST', '/v1/customers', '{"\\udc00":"x","name":"b"}', 'application/json');
    // Assess
    expect([nested.status, nested.body.code]).toEqual([400, 'BODY_TOO_DEEP']);
    expect([keyed.status, ((await keyed.json()) as { code: string }).code]).toEqual([400, 'BODY_TOO_DEEP']);
    expect([surrogate.status, surrogate.body.code]).toEqual([400, 'MALFORMED_BODY']);
    expect([surrogateKey.status, surrogateKey.body.code]).toEqual([400, 'MALFORMED_BODY']);
    const names = (await api.request('GET', '/v1/customers')).body.items.map((c: { name: string }) => c.name);
    expect(names).toEqual(['Client']);
  });

  it('refuses a query parameter the route does not take, naming it', async () => {
    // Prepare
    const { api, job } = await jobWithCharges(charges);
    // Act
    const listing = await api.request('GET', '/v1/jobs?limit=5&colour=red');
    const single = await api.request('GET', `/v1/jobs/${job.id}?expand=charges`);
    const action = await api.request('POST', `/v1/jobs/${job.id}/close?force=true`);
    // Assess
    for (const [response, field] of [
      [listing, 'colour'],
      [single, 'expand'],
      [action, 'force'],
    ] as const) {
      expect([response.status, response.body.code, response.body.errors]).toEqual([
        400,
        'VALIDATION_FAILED',
        [{ field, code: 'unrecognized_keys', message: 'is not a known query parameter' }],
      ]);
    }
    expect((await api.request('GET', `/v1/jobs/${job.id}`)).body.status).toBe('open');
  });

  it('takes If-Match as RFC 9110 says: * matches any version, a weak ETag none', async () => {
    // Prepare
    const { api, job } = await jobWithCharges(charges);
    // Act
    const weak = await api.request('PATCH', `/v1/jobs/${job.id}`, { name: 'Weak' }, { 'if-match': `W/"${job.version}"` });
    const any = await api.request('PATCH', `/v1/jobs/${job.id}`, { name: 'Any' }, { 'if-match': '*' });
    // Assess
    expect([weak.status, weak.body.code]).toEqual([412, 'PRECONDITION_FAILED']);
    expect([any.status, any.body.name]).toEqual([200, 'Any']);
  });

  it('refuses an empty cursor, a payment method of more than one line and number formats with invisible characters', async () => {
    // Prepare
    const { api, job } = await jobWithCharges(charges);
    const invoice = (await api.request('POST', `/v1/jobs/${job.id}/invoices`, { policy: 'deposit', amount: '10' })).body;
    await api.request('POST', `/v1/invoices/${invoice.id}/issue`);
    const today = new Date().toISOString().slice(0, 10);
    // Act
    const cursor = await api.request('GET', '/v1/customers?cursor=');
    const method = await api.request('POST', `/v1/invoices/${invoice.id}/payments`, {
      amount: '1',
      date: today,
      method: 'ach\nwire',
    });
    const formats = await Promise.all(
      ['INV-{YYYY}-{SEQ:5}\u200b', 'INV-{SEQ} ', ' INV-{SEQ}', 'INV-\u0007{SEQ}'].map((format) =>
        api.request('PATCH', '/v1/settings', { invoiceNumberFormat: format }),
      ),
    );
    // Assess
    expect([cursor.status, cursor.body.errors[0].field]).toEqual([400, 'cursor']);
    expect([method.status, method.body.errors[0].field]).toEqual([400, 'method']);
    expect(formats.map((r) => [r.status, r.body.errors?.[0]?.field])).toEqual(Array(4).fill([400, 'invoiceNumberFormat']));
    expect((await api.request('GET', '/v1/settings')).body.invoiceNumberFormat).toBe('INV-{YYYY}-{SEQ:5}');
  });
});
