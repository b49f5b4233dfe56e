import { describe, expect, it } from 'vitest';
import { newTenant, type ApiClient } from '../support/api.js';

const isoDay = (offsetDays: number): string => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
const TOMORROW = isoDay(1);

const withCustomer = async (): Promise<{ api: ApiClient; customerId: string }> => {
  const api = await newTenant('Profiles', 'EUR');
  const customer = await api.request('POST', '/v1/customers', { name: 'Bob' });
  return { api, customerId: customer.body.id };
};

const profileBody = (customerId: string, overrides: Record<string, unknown> = {}) => ({
  customerId,
  name: 'Site maintenance',
  intervalDays: 15,
  firstCreationDate: TOMORROW,
  billingCycles: 3,
  invoiceMode: 'live',
  dueDays: 21,
  lateFee: { amount: '25.00' },
  keepDiscounts: false,
  keepTaxes: true,
  status: 'active',
  ...overrides,
});

const newProfile = async (api: ApiClient, customerId: string, overrides: Record<string, unknown> = {}) => {
  const created = await api.request('POST', '/v1/profiles', profileBody(customerId, overrides));
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body;
};

const fieldsOf = (body: { errors?: { field: string }[] }): string[] => (body.errors ?? []).map((e) => e.field);

describe('accumulating profiles', () => {
  it('creates, reads, lists and changes a profile, with its next run and cycles', async () => {
    const { api, customerId } = await withCustomer();
    const created = await api.request('POST', '/v1/profiles', profileBody(customerId));
    expect(created.status).toBe(201);
    const profile = created.body;
    expect(profile.id).toMatch(/^prf_/);
    expect(created.headers.get('location')).toBe(`/v1/profiles/${profile.id}`);
    expect(created.headers.get('etag')).toBe('"1"');
    expect(profile).toMatchObject({
      customerId,
      currency: 'EUR',
      intervalDays: 15,
      firstCreationDate: TOMORROW,
      billingCycles: 3,
      invoiceMode: 'live',
      invoiceNumberFormat: null,
      dueDays: 21,
      lateFee: { amount: '25.00' },
      keepDiscounts: false,
      keepTaxes: true,
      status: 'active',
      cyclesDone: 0,
      cyclesLeft: 3,
      nextRunAt: TOMORROW,
      tab: { itemCount: 0, taxRate: '0', discounts: [], taxes: [] },
      preview: { itemLines: 0, lines: [], totals: { net: '0.00', tax: '0.00', gross: '0.00' }, taxes: [] },
    });
    expect((await api.request('GET', `/v1/profiles/${profile.id}`)).body).toEqual(profile);

    const forever = await newProfile(api, customerId, { billingCycles: 0, status: 'draft', invoiceNumberFormat: 'TAB-{SEQ:4}' });
    expect([forever.cyclesLeft, forever.nextRunAt, forever.invoiceNumberFormat]).toEqual([null, null, 'TAB-{SEQ:4}']);
    const other = (await api.request('POST', '/v1/customers', { name: 'Alice' })).body;
    await newProfile(api, other.id, { billingCycles: undefined });

    const all = await api.request('GET', '/v1/profiles');
    expect(all.body.items).toHaveLength(3);
    const drafts = await api.request('GET', '/v1/profiles?status=draft');
    expect(drafts.body.items.map((p: { id: string }) => p.id)).toEqual([forever.id]);
    const bobs = await api.request('GET', `/v1/profiles?customerId=${customerId}&limit=1`);
    expect(bobs.body.items.map((p: { id: string }) => p.id)).toEqual([forever.id]);
    const next = await api.request('GET', `/v1/profiles?customerId=${customerId}&limit=1&cursor=${bobs.body.nextCursor}`);
    expect([next.body.items.map((p: { id: string }) => p.id), next.body.nextCursor]).toEqual([[profile.id], null]);

    const stale = await api.request('PATCH', `/v1/profiles/${profile.id}`, { name: 'x' }, { 'if-match': '"7"' });
    expect([stale.status, stale.body.code]).toEqual([412, 'PRECONDITION_FAILED']);
    const patched = await api.request(
      'PATCH',
      `/v1/profiles/${profile.id}`,
      { intervalDays: 30, lateFee: { percent: '1.5' }, invoiceNumberFormat: 'TAB-{YYYY}-{SEQ:4}' },
      { 'if-match': '"1"' },
    );
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body).toMatchObject({
      intervalDays: 30,
      lateFee: { percent: '1.5' },
      invoiceNumberFormat: 'TAB-{YYYY}-{SEQ:4}',
    });
    expect(patched.headers.get('etag')).toBe('"2"');
    const cleared = await api.request('PATCH', `/v1/profiles/${profile.id}`, {
      lateFee: null,
      dueDays: null,
      invoiceNumberFormat: null,
    });
    expect([cleared.body.lateFee, cleared.body.dueDays, cleared.body.invoiceNumberFormat]).toEqual([null, null, null]);
  });

  it('refuses bad input with a problem naming the field, and changes nothing', async () => {
    const { api, customerId } = await withCustomer();
    const cases: [Record<string, unknown>, string][] = [
      [{ intervalDays: 0 }, 'intervalDays'],
      [{ intervalDays: 367 }, 'intervalDays'],
      [{ intervalDays: 1.5 }, 'intervalDays'],
      [{ billingCycles: 1001 }, 'billingCycles'],
      [{ billingCycles: -1 }, 'billingCycles'],
      [{ invoiceMode: 'sent' }, 'invoiceMode'],
      [{ status: 'cancelled' }, 'status'],
      [{ firstCreationDate: '2026-02-30' }, 'firstCreationDate'],
      [{ name: 'x'.repeat(201) }, 'name'],
      [{ name: '  ' }, 'name'],
      [{ lateFee: { amount: '25', percent: '2' } }, 'lateFee.amount'],
      [{ lateFee: {} }, 'lateFee.amount'],
      [{ lateFee: { amount: '-5' } }, 'lateFee.amount'],
      [{ lateFee: { percent: '101' } }, 'lateFee.percent'],
      [{ lateFee: { amount: '25.001' }, dueDays: 21 }, 'lateFee.amount'],
      [{ lateFee: { amount: '25' }, dueDays: undefined }, 'lateFee'],
      [{ dueDays: 3651 }, 'dueDays'],
      [{ invoiceNumberFormat: 'TAB-{SEQ}-{SEQ}' }, 'invoiceNumberFormat'],
      [{ invoiceNumberFormat: 'TAB-{N}' }, 'invoiceNumberFormat'],
      [{ keepTaxes: 'yes' }, 'keepTaxes'],
      [{ surprise: true }, 'surprise'],
    ];
    for (const [overrides, field] of cases) {
      const response = await api.request('POST', '/v1/profiles', profileBody(customerId, overrides));
      expect(response.status, JSON.stringify(overrides)).toBe(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
      expect(fieldsOf(response.body), JSON.stringify(overrides)).toContain(field);
    }
    const rules: [Record<string, unknown>, string, string][] = [
      [{ customerId: 'cus_nope' }, 'CUSTOMER_NOT_FOUND', 'customerId'],
      [{ firstCreationDate: isoDay(-1) }, 'FIRST_CREATION_DATE_PASSED', 'firstCreationDate'],
      // The tenant's own invoice format: a profile's own series must not print its numbers.
      [{ invoiceNumberFormat: 'INV-{YYYY}-{SEQ:5}' }, 'NUMBER_FORMATS_OVERLAP', 'invoiceNumberFormat'],
      [{ invoiceNumberFormat: 'CN-{YYYY}-{SEQ}' }, 'NUMBER_FORMATS_OVERLAP', 'invoiceNumberFormat'],
    ];
    for (const [overrides, code, field] of rules) {
      const response = await api.request('POST', '/v1/profiles', profileBody(customerId, overrides));
      expect([response.status, response.body.code], JSON.stringify(overrides)).toEqual([422, code]);
      expect(fieldsOf(response.body)).toContain(field);
    }
    expect((await api.request('GET', '/v1/profiles')).body.items).toEqual([]);
    // A draft may start in the past: it makes no invoice until activated, which refuses it.
    const draft = await newProfile(api, customerId, { status: 'draft', firstCreationDate: isoDay(-3) });
    const activate = await api.request('POST', `/v1/profiles/${draft.id}/activate`);
    expect([activate.status, activate.body.code, fieldsOf(activate.body)]).toEqual([
      422,
      'FIRST_CREATION_DATE_PASSED',
      ['firstCreationDate'],
    ]);
    const emptyPatch = await api.request('PATCH', `/v1/profiles/${draft.id}`, {});
    expect(emptyPatch.status).toBe(400);
    const customerChange = await api.request('PATCH', `/v1/profiles/${draft.id}`, { customerId });
    expect([customerChange.status, fieldsOf(customerChange.body)[0]]).toEqual([400, 'customerId']);
  });

  it('keeps a tab of items, discounts and taxes and previews the next invoice exactly', async () => {
    const { api, customerId } = await withCustomer();
    const { id } = await newProfile(api, customerId);
    const vat = await api.request('POST', `/v1/profiles/${id}/taxes`, { name: 'VAT', rate: '20' });
    expect(vat.status).toBe(201);
    expect(vat.body).toMatchObject({ name: 'VAT', rate: '20' });
    expect(vat.headers.get('location')).toBe(`/v1/profiles/${id}/taxes/${vat.body.id}`);
    expect((await api.request('GET', vat.headers.get('location')!)).body).toEqual(vat.body);

    const banner = await api.request('POST', `/v1/profiles/${id}/items`, {
      description: 'Banner changes',
      quantity: '3',
      unitPrice: '33.333',
    });
    expect(banner.status).toBe(201);
    expect(banner.body).toMatchObject({ profileId: id, amount: '100.00', taxRate: null, version: 1 });
    expect(banner.headers.get('location')).toBe(`/v1/profiles/${id}/items/${banner.body.id}`);
    expect(banner.headers.get('etag')).toBe('"1"');
    await api.request('POST', `/v1/profiles/${id}/items`, {
      description: 'Hosting',
      quantity: '1',
      unitPrice: '10.005',
      taxRate: '7',
    });
    const photo = await api.request('POST', `/v1/profiles/${id}/items`, {
      description: 'Stock photo',
      quantity: '2',
      unitPrice: '0.125',
      taxRate: '0',
    });
    const loyalty = await api.request('POST', `/v1/profiles/${id}/discounts`, { description: 'Loyalty', percent: '10' });
    expect(loyalty.status).toBe(201);
    expect(loyalty.body).toMatchObject({ description: 'Loyalty', percent: '10', amount: null });
    await api.request('POST', `/v1/profiles/${id}/discounts`, { description: 'Goodwill', amount: '5' });

    const read = (await api.request('GET', `/v1/profiles/${id}`)).body;
    expect(read.tab).toMatchObject({ itemCount: 3, taxRate: '20' });
    expect(read.tab.discounts.map((d: { description: string }) => d.description)).toEqual(['Loyalty', 'Goodwill']);
    expect(read.preview.itemLines).toBe(3);
    expect(read.preview.lines.map((l: Record<string, string>) => [l.id, l.description, l.amount, l.taxRate])).toEqual([
      ['L4', 'Loyalty (10%)', '-0.03', '0'],
      ['L5', 'Loyalty (10%)', '-1.00', '7'],
      ['L6', 'Loyalty (10%)', '-10.00', '20'],
      ['L7', 'Goodwill', '-0.01', '0'],
      ['L8', 'Goodwill', '-0.45', '7'],
      ['L9', 'Goodwill', '-4.54', '20'],
    ]);
    expect(read.preview.totals).toEqual({ net: '94.23', tax: '17.69', gross: '111.92' });
    expect(read.preview.taxes).toEqual([
      { rate: '0', base: '0.21', amount: '0.00' },
      { rate: '7', base: '8.56', amount: '0.60' },
      { rate: '20', base: '85.46', amount: '17.09' },
    ]);
    const items = (await api.request('GET', `/v1/profiles/${id}/items`)).body;
    expect(items.items.map((i: { description: string }) => i.description)).toEqual(['Stock photo', 'Hosting', 'Banner changes']);

    // An item changed and one removed, each on its own ETag; the totals follow.
    const stale = await api.request(
      'PATCH',
      `/v1/profiles/${id}/items/${banner.body.id}`,
      { quantity: '1' },
      { 'if-match': '"2"' },
    );
    expect(stale.status).toBe(412);
    const changed = await api.request(
      'PATCH',
      `/v1/profiles/${id}/items/${banner.body.id}`,
      { quantity: '6' },
      { 'if-match': '"1"' },
    );
    expect([changed.status, changed.body.amount, changed.headers.get('etag')]).toEqual([200, '200.00', '"2"']);
    const removed = await api.request('DELETE', `/v1/profiles/${id}/items/${photo.body.id}`);
    expect(removed.status).toBe(204);
    expect((await api.request('GET', `/v1/profiles/${id}/items/${photo.body.id}`)).body.code).toBe('TAB_ITEM_NOT_FOUND');
    // Another tax retaxes the items without a rate of their own; the discount becomes an amount.
    const city = await api.request('POST', `/v1/profiles/${id}/taxes`, { name: 'City', rate: '2.5' });
    await api.request('PATCH', `/v1/profiles/${id}/discounts/${loyalty.body.id}`, { amount: '10.01' });
    const after = (await api.request('GET', `/v1/profiles/${id}`)).body;
    // 10.01 at 7 and 200.00 at 22.5; 10.01 off split 0.48 / 9.53, then 5.00 over what is left split 0.24 / 4.76.
    expect(after.preview.totals).toEqual({ net: '195.00', tax: '42.43', gross: '237.43' });
    expect(after.preview.taxes).toEqual([
      { rate: '7', base: '9.29', amount: '0.65' },
      { rate: '22.5', base: '185.71', amount: '41.78' },
    ]);
    expect((await api.request('DELETE', `/v1/profiles/${id}/taxes/${city.body.id}`)).status).toBe(204);
    expect((await api.request('GET', `/v1/profiles/${id}`)).body.tab.taxRate).toBe('20');
  });

  it('refuses bad tab input naming the field, and unknown items, discounts and taxes with 404', async () => {
    const { api, customerId } = await withCustomer();
    const { id } = await newProfile(api, customerId);
    const items: [Record<string, unknown>, string][] = [
      [{ description: 'x', quantity: '0', unitPrice: '1' }, 'quantity'],
      [{ description: 'x', quantity: 1, unitPrice: '1' }, 'quantity'],
      [{ description: 'x', quantity: '1', unitPrice: '-1' }, 'unitPrice'],
      [{ description: 'x', quantity: '1', unitPrice: '1e3' }, 'unitPrice'],
      [{ description: 'x', quantity: '1', unitPrice: '1234567890123456' }, 'unitPrice'],
      [{ description: 'x', quantity: '1', unitPrice: '1', taxRate: '100.5' }, 'taxRate'],
      [{ description: 'x'.repeat(501), quantity: '1', unitPrice: '1' }, 'description'],
      [{ quantity: '1', unitPrice: '1' }, 'description'],
    ];
    for (const [body, field] of items) {
      const response = await api.request('POST', `/v1/profiles/${id}/items`, body);
      expect([response.status, fieldsOf(response.body)], JSON.stringify(body)).toEqual([400, [field]]);
    }
    const big = await api.request('POST', `/v1/profiles/${id}/items`, {
      description: 'x',
      quantity: '1000',
      unitPrice: '999999999999999',
    });
    expect([big.status, big.body.code, fieldsOf(big.body)]).toEqual([422, 'AMOUNT_TOO_LARGE', ['quantity', 'unitPrice']]);
    for (const body of [
      { description: 'd' },
      { description: 'd', amount: '1', percent: '1' },
      { description: 'd', percent: '101' },
      { description: 'd', amount: '1.001' },
    ]) {
      const response = await api.request('POST', `/v1/profiles/${id}/discounts`, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
    }
    const both = await api.request('PATCH', `/v1/profiles/${id}/discounts/dsc_nope`, { amount: '1', percent: '1' });
    expect([both.status, fieldsOf(both.body)]).toEqual([400, ['amount']]);
    expect((await api.request('POST', `/v1/profiles/${id}/taxes`, { name: 'VAT', rate: '-1' })).status).toBe(400);
    expect((await api.request('PATCH', `/v1/profiles/${id}/items/itm_nope`, { quantity: '1' })).body.code).toBe(
      'TAB_ITEM_NOT_FOUND',
    );
    expect((await api.request('DELETE', `/v1/profiles/${id}/discounts/dsc_nope`)).body.code).toBe('DISCOUNT_NOT_FOUND');
    expect((await api.request('GET', `/v1/profiles/${id}/taxes/tax_nope`)).body.code).toBe('TAX_NOT_FOUND');
    const read = (await api.request('GET', `/v1/profiles/${id}`)).body;
    expect([read.version, read.tab.itemCount, read.tab.discounts, read.tab.taxes]).toEqual([1, 0, [], []]);
  });

  it('moves through its states and refuses what a state does not allow', async () => {
    const { api, customerId } = await withCustomer();
    const { id } = await newProfile(api, customerId, { status: 'draft' });
    const again = await api.request('POST', `/v1/profiles/${id}/pause`);
    expect([again.status, again.body.code]).toEqual([409, 'PROFILE_NOT_ACTIVE']);
    const active = await api.request('POST', `/v1/profiles/${id}/activate`, undefined, { 'if-match': '"1"' });
    expect([active.status, active.body.status, active.body.nextRunAt, active.headers.get('etag')]).toEqual([
      200,
      'active',
      TOMORROW,
      '"2"',
    ]);
    expect((await api.request('POST', `/v1/profiles/${id}/activate`)).body.code).toBe('PROFILE_NOT_DRAFT');
    const paused = await api.request('POST', `/v1/profiles/${id}/pause`);
    expect([paused.body.status, paused.body.nextRunAt]).toEqual(['draft', null]);
    await api.request('POST', `/v1/profiles/${id}/items`, { description: 'Kept', quantity: '1', unitPrice: '9.99' });
    const cancelled = await api.request('POST', `/v1/profiles/${id}/cancel`);
    expect([cancelled.status, cancelled.body.status, cancelled.body.preview.totals.net]).toEqual([200, 'cancelled', '9.99']);
    for (const [method, path, body] of [
      ['POST', 'cancel', undefined],
      ['POST', 'activate', undefined],
      ['PATCH', '', { name: 'x' }],
      ['POST', 'items', { description: 'x', quantity: '1', unitPrice: '1' }],
      ['POST', 'discounts', { description: 'x', amount: '1' }],
      ['POST', 'taxes', { name: 'VAT', rate: '20' }],
    ] as const) {
      const response = await api.request(method, `/v1/profiles/${id}${path ? `/${path}` : ''}`, body);
      expect([response.status, response.body.code], `${method} ${path}`).toEqual([409, 'PROFILE_CLOSED']);
    }
  });

  it("answers 404 for another tenant's profile and its items", async () => {
    const { api, customerId } = await withCustomer();
    const { id } = await newProfile(api, customerId);
    const item = (await api.request('POST', `/v1/profiles/${id}/items`, { description: 'x', quantity: '1', unitPrice: '1' }))
      .body;
    const { api: other } = await withCustomer();
    for (const [method, path, body] of [
      ['GET', `/v1/profiles/${id}`, undefined],
      ['PATCH', `/v1/profiles/${id}`, { name: 'mine' }],
      ['POST', `/v1/profiles/${id}/cancel`, undefined],
      ['POST', `/v1/profiles/${id}/items`, { description: 'x', quantity: '1', unitPrice: '1' }],
      ['GET', `/v1/profiles/${id}/items/${item.id}`, undefined],
      ['DELETE', `/v1/profiles/${id}/items/${item.id}`, undefined],
      ['GET', `/v1/profiles/${id}/items`, undefined],
    ] as const) {
      const response = await other.request(method, path, body);
      expect([response.status, response.body.code], `${method} ${path}`).toEqual([404, 'PROFILE_NOT_FOUND']);
    }
    expect((await other.request('GET', '/v1/profiles')).body.items).toEqual([]);
    const mine = (await api.request('GET', `/v1/profiles/${id}`)).body;
    expect([mine.status, mine.name, mine.tab.itemCount]).toEqual(['active', 'Site maintenance', 1]);
  });

  it('counts items added at once each once, and a replayed POST once', async () => {
    const { api, customerId } = await withCustomer();
    const { id } = await newProfile(api, customerId);
    const adds = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        api.request('POST', `/v1/profiles/${id}/items`, { description: `Task ${i}`, quantity: '1', unitPrice: `${i + 1}.01` }),
      ),
    );
    expect(adds.map((a) => a.status)).toEqual(Array(40).fill(201));
    const key = { 'idempotency-key': 'tab-item-1' };
    const first = await api.request(
      'POST',
      `/v1/profiles/${id}/items`,
      { description: 'Once', quantity: '1', unitPrice: '0.99' },
      key,
    );
    const replay = await api.request(
      'POST',
      `/v1/profiles/${id}/items`,
      { description: 'Once', quantity: '1', unitPrice: '0.99' },
      key,
    );
    expect([replay.status, replay.body.id, replay.headers.get('idempotent-replayed')]).toEqual([201, first.body.id, 'true']);
    const profile = (await api.request('GET', `/v1/profiles/${id}`)).body;
    // 1.01 + ... + 40.01 = 820 + 0.40, and 0.99 once.
    expect([profile.tab.itemCount, profile.preview.totals.net, profile.version]).toEqual([41, '821.39', 42]);
    const listed = new Set<string>();
    let cursor: string | null = null;
    do {
      const page: { body: { items: { id: string }[]; nextCursor: string | null } } = await api.request(
        'GET',
        `/v1/profiles/${id}/items?limit=100${cursor ? `&cursor=${cursor}` : ''}`,
      );
      page.body.items.forEach((item) => listed.add(item.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(listed.size).toBe(41);
  });

  it(
    'takes a tab of 5,000 items added in parallel batches, previews it exactly and refuses the 5,001st',
    { timeout: 600_000 },
    async () => {
      const { api, customerId } = await withCustomer();
      const { id } = await newProfile(api, customerId);
      await api.request('POST', `/v1/profiles/${id}/taxes`, { name: 'VAT', rate: '19' });
      const BATCH = 10;
      for (let at = 0; at < 5000; at += BATCH) {
        const batch = await Promise.all(
          Array.from({ length: BATCH }, (_, k) => {
            const i = at + k;
            // Every fifth item at 7% of its own; unit prices of three decimals, each rounded on its own.
            return api.request('POST', `/v1/profiles/${id}/items`, {
              description: `Item ${i}`,
              quantity: '3',
              unitPrice: '0.335',
              ...(i % 5 === 0 ? { taxRate: '7' } : {}),
            });
          }),
        );
        expect(batch.filter((r) => r.status !== 201).map((r) => JSON.stringify(r.body))).toEqual([]);
      }
      const profile = (await api.request('GET', `/v1/profiles/${id}`)).body;
      // Each item is 3 x 0.335 = 1.005 -> 1.01: 1,000 at 7% (1,010.00, tax 70.70), 4,000 at 19% (4,040.00, tax 767.60).
      expect(profile.tab.itemCount).toBe(5000);
      expect(profile.preview.totals).toEqual({ net: '5050.00', tax: '838.30', gross: '5888.30' });
      expect(profile.preview.taxes).toEqual([
        { rate: '7', base: '1010.00', amount: '70.70' },
        { rate: '19', base: '4040.00', amount: '767.60' },
      ]);
      const over = await api.request('POST', `/v1/profiles/${id}/items`, {
        description: 'One too many',
        quantity: '1',
        unitPrice: '1',
      });
      expect([over.status, over.body.code]).toEqual([422, 'TAB_FULL']);
      expect((await api.request('GET', `/v1/profiles/${id}`)).body.tab.itemCount).toBe(5000);
    },
  );
});
