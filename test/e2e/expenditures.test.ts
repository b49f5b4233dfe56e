import { Decimal } from 'decimal.js';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { TABLE_NAME } from '../../local/stack.js';
import { newTenant, type ApiClient, type ApiResponse } from '../support/api.js';
import { changesBetween, tenantItemReader } from '../support/tenant-items.js';

const items = tenantItemReader(inject('dynamoEndpoint'), TABLE_NAME);
afterAll(() => items.close());

const tmJob = async (api?: ApiClient, currency = 'EUR'): Promise<{ api: ApiClient; jobId: string }> => {
  const client = api ?? (await newTenant('Expenditures', currency));
  const customer = await client.request('POST', '/v1/customers', { name: 'Client' });
  const job = await client.request('POST', '/v1/jobs', {
    customerId: customer.body.id,
    name: 'Refit',
    billingType: 'time_and_material',
  });
  return { api: client, jobId: job.body.id };
};

const KINDS = ['hours', 'material', 'purchase'] as const;

/** The i-th of a set of varied expenditures: kinds in turn, amounts with 4-decimal quantities that round. */
const item = (i: number, booked = true) => ({
  kind: KINDS[i % 3],
  date: `2026-03-${String((i % 28) + 1).padStart(2, '0')}`,
  description: `Work ${i}`,
  resource: i % 2 ? 'J. Smith' : null,
  quantity: `${(i % 7) + 1}.${String(i % 10000).padStart(4, '0')}`,
  unitCost: `${10 + (i % 13)}.3333`,
  unitPrice: `${20 + (i % 11)}.125`,
  booked,
});

/** cost and sales value as the API must round them: to the cent, half away from zero. */
const rounded = (quantity: string, unit: string) => new Decimal(quantity).times(unit).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);

const sum = (values: string[]) => values.reduce((total, v) => total.plus(v), new Decimal(0)).toFixed(2);

const post = async (api: ApiClient, path: string, body?: unknown, headers?: Record<string, string>) => {
  const response = await api.request('POST', path, body, headers);
  expect(response.status, JSON.stringify(response.body).slice(0, 500)).toBeLessThan(300);
  return response;
};

/** Every item of a listing, page by page. */
const listAll = async (api: ApiClient, path: string): Promise<{ id: string; [k: string]: unknown }[]> => {
  const found = [];
  let cursor: string | null = null;
  do {
    const page: ApiResponse = await api.request(
      'GET',
      `${path}${path.includes('?') ? '&' : '?'}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    expect(page.status, JSON.stringify(page.body)).toBe(200);
    found.push(...page.body.items);
    cursor = page.body.nextCursor;
  } while (cursor);
  return found;
};

/** A CSV body as records (no quoted fields in these reports). */
const csvRecords = (text: string): Record<string, string>[] => {
  const [header, ...rows] = text.trim().split('\r\n');
  const names = header!.split(',');
  return rows.map((row) => Object.fromEntries(row.split(',').map((value, i) => [names[i], value])));
};

describe('expenditures', () => {
  it('creates, books, lists, changes and deletes, moving WIP and the price exactly', async () => {
    // Prepare
    const { api, jobId } = await tmJob();
    const base = `/v1/jobs/${jobId}/expenditures`;
    // Act: one booked, one not; the half cent rounds away from zero
    const hours = await post(api, base, {
      kind: 'hours',
      date: '2026-03-02',
      description: 'Wiring',
      resource: 'J. Smith',
      quantity: '7.5',
      unitCost: '42.333',
      unitPrice: '0.0167',
      booked: true,
    });
    const cable = await post(api, base, {
      kind: 'material',
      date: '2026-03-03',
      description: 'Cable',
      quantity: '40',
      unitCost: '1.1',
      unitPrice: '2.05',
    });
    // Assess
    expect(hours.status).toBe(201);
    expect(hours.headers.get('location')).toBe(`${base}/${hours.body.id}`);
    expect(hours.headers.get('etag')).toBe('"1"');
    expect(hours.body).toMatchObject({
      id: expect.stringMatching(/^exd_/),
      cost: '317.50',
      salesValue: '0.13',
      booked: true,
      status: 'unbilled',
      selection: null,
      settledBy: null,
      resource: 'J. Smith',
    });
    expect(cable.body).toMatchObject({ cost: '44.00', salesValue: '82.00', booked: false, bookedAt: null, resource: null });
    let job = (await api.request('GET', `/v1/jobs/${jobId}`)).body;
    expect(job.billing.suggestedPrice).toBe('0.13');
    expect(job.expenditures.wip).toEqual({ bookedCost: '317.50', settledCost: '0.00', wipBalance: '317.50' });
    expect(job.expenditures.unbooked).toEqual({ count: 1, cost: '44.00', salesValue: '82.00' });
    expect(job.expenditures.booked.hours.unbilled).toEqual({ count: 1, cost: '317.50', salesValue: '0.13' });

    // Act: book the material (twice: the second changes nothing)
    const booked = await post(api, `${base}/${cable.body.id}/book`);
    const again = await post(api, `${base}/${cable.body.id}/book`);
    expect(booked.body).toMatchObject({ booked: true, status: 'unbilled', version: 2 });
    expect(booked.body.bookedAt).not.toBeNull();
    expect(again.body).toEqual(booked.body);
    job = (await api.request('GET', `/v1/jobs/${jobId}`)).body;
    expect(job.billing.suggestedPrice).toBe('82.13');
    expect(job.expenditures.wip.bookedCost).toBe('361.50');

    // Act: listings by status and kind
    const unbilled = await api.request('GET', `${base}?status=unbilled`);
    const unbooked = await api.request('GET', `${base}?status=unbooked`);
    const materials = await api.request('GET', `${base}?kind=material`);
    expect(unbilled.body.items.map((e: { id: string }) => e.id)).toEqual([cable.body.id, hours.body.id]);
    expect(unbooked.body.items).toEqual([]);
    expect(materials.body.items.map((e: { id: string }) => e.id)).toEqual([cable.body.id]);

    // Act: a stale If-Match, then a change, then a delete
    const stale = await api.request('PATCH', `${base}/${cable.body.id}`, { quantity: '10' }, { 'if-match': '"1"' });
    const patched = await api.request('PATCH', `${base}/${cable.body.id}`, { quantity: '10' }, { 'if-match': '"2"' });
    expect(stale.status).toBe(412);
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ quantity: '10', cost: '11.00', salesValue: '20.50', version: 3 });
    job = (await api.request('GET', `/v1/jobs/${jobId}`)).body;
    expect(job.billing.suggestedPrice).toBe('20.63');
    expect(job.expenditures.wip.bookedCost).toBe('328.50');
    const deleted = await api.request('DELETE', `${base}/${hours.body.id}`, undefined, { 'if-match': '"1"' });
    expect(deleted.status).toBe(204);
    expect((await api.request('GET', `${base}/${hours.body.id}`)).status).toBe(404);
    job = (await api.request('GET', `/v1/jobs/${jobId}`)).body;
    expect(job.billing.suggestedPrice).toBe('20.50');
    expect(job.expenditures.wip).toEqual({ bookedCost: '11.00', settledCost: '0.00', wipBalance: '11.00' });
    // A job with expenditures is kept
    const deleteJob = await api.request('DELETE', `/v1/jobs/${jobId}`);
    expect(deleteJob.status).toBe(409);
    expect(deleteJob.body.code).toBe('JOB_HAS_EXPENDITURES');
  });

  it('takes 12 expenditures sent at once: every one lands and counts once on the job', async () => {
    // Prepare
    const { api, jobId } = await tmJob();
    const sent = Array.from({ length: 12 }, (_, i) => item(i));
    // Act
    const answers = await Promise.all(sent.map((body) => api.request('POST', `/v1/jobs/${jobId}/expenditures`, body)));
    // Assess
    expect(answers.map((a) => a.status)).toEqual(sent.map(() => 201));
    const job = (await api.request('GET', `/v1/jobs/${jobId}`)).body;
    expect(job.expenditures.wip.bookedCost).toBe(sum(sent.map((e) => rounded(e.quantity, e.unitCost).toFixed(2))));
    expect(KINDS.reduce((n, kind) => n + job.expenditures.booked[kind].unbilled.count, 0)).toBe(12);
    expect(await listAll(api, `/v1/jobs/${jobId}/expenditures`)).toHaveLength(12);
  });

  it('refuses bad input naming the field, and an amount past the bound, writing nothing', async () => {
    // Prepare
    const { api, jobId } = await tmJob();
    const base = `/v1/jobs/${jobId}/expenditures`;
    const before = await items.read(api.tenantId);
    // Act
    const fiveDecimals = await api.request('POST', base, { ...item(1), quantity: '1.00001' });
    const zero = await api.request('POST', base, { ...item(1), quantity: '0' });
    const negative = await api.request('POST', base, { ...item(1), unitCost: '-1' });
    const badKind = await api.request('POST', base, { ...item(1), kind: 'travel' });
    const huge = await api.request('POST', base, { ...item(1), quantity: '999999999999999', unitPrice: '999999999999999' });
    // Assess
    for (const [response, field] of [
      [fiveDecimals, 'quantity'],
      [zero, 'quantity'],
      [negative, 'unitCost'],
      [badKind, 'kind'],
    ] as const) {
      expect(response.status).toBe(400);
      expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    expect(huge.status).toBe(422);
    expect(huge.body.code).toBe('AMOUNT_TOO_LARGE');
    expect(huge.body.errors.map((e: { field: string }) => e.field)).toEqual(['quantity', 'unitCost', 'unitPrice']);
    expect(changesBetween(before, await items.read(api.tenantId))).toEqual([]);
  });

  it('writes a batch of 500 all or nothing: one bad item writes none, a good batch all, a retry none twice', async () => {
    // Prepare
    const { api, jobId } = await tmJob();
    const path = `/v1/jobs/${jobId}/expenditures/batch`;
    const good = Array.from({ length: 500 }, (_, i) => item(i));
    const before = await items.read(api.tenantId);
    // Act: the last item is bad (schema), then one item is past the amount bound (domain)
    const badShape = await api.request('POST', path, { items: [...good.slice(0, 499), { ...item(499), quantity: '0' }] });
    const tooLarge = good.map((e, i) => (i === 250 ? { ...e, quantity: '999999999999999', unitCost: '999999999999999' } : e));
    const badAmount = await api.request('POST', path, { items: tooLarge });
    // Assess: refused, naming the item, nothing written
    expect(badShape.status).toBe(400);
    expect(badShape.body.errors.map((e: { field: string }) => e.field)).toEqual(['items.499.quantity']);
    expect(badAmount.status).toBe(422);
    expect(badAmount.body.code).toBe('AMOUNT_TOO_LARGE');
    expect(badAmount.body.errors.map((e: { field: string }) => e.field)).toContain('items.250.quantity');
    expect(changesBetween(before, await items.read(api.tenantId))).toEqual([]);

    // Act: the good batch, then its retry with the same key
    const headers = { 'idempotency-key': `batch-${jobId}` };
    const made = await post(api, path, { items: good }, headers);
    const retried = await post(api, path, { items: good }, headers);
    // Assess
    expect(made.status).toBe(201);
    expect(made.body.items).toHaveLength(500);
    expect(made.body.items.map((e: { description: string }) => e.description)).toEqual(good.map((e) => e.description));
    expect(retried.headers.get('idempotent-replayed')).toBe('true');
    expect(retried.body).toEqual(made.body);
    const listed = await listAll(api, `/v1/jobs/${jobId}/expenditures`);
    expect(new Set(listed.map((e) => e.id)).size).toBe(500);
    const job = (await api.request('GET', `/v1/jobs/${jobId}`)).body;
    const costs = good.map((e) => rounded(e.quantity, e.unitCost).toFixed(2));
    const sales = good.map((e) => rounded(e.quantity, e.unitPrice).toFixed(2));
    expect(job.expenditures.wip.bookedCost).toBe(sum(costs));
    expect(job.billing.suggestedPrice).toBe(sum(sales));
    const counted = KINDS.reduce((n, kind) => n + job.expenditures.booked[kind].unbilled.count, 0);
    expect(counted).toBe(500);
  });

  it('takes two batches of 500 sent at once to one job: both land, each expenditure counted once', async () => {
    // Prepare
    const { api, jobId } = await tmJob();
    const path = `/v1/jobs/${jobId}/expenditures/batch`;
    const batches = [0, 500].map((from) => Array.from({ length: 500 }, (_, i) => item(from + i)));
    // Act
    const answers = await Promise.all(batches.map((batch) => api.request('POST', path, { items: batch })));
    // Assess
    expect(answers.map((a) => a.status)).toEqual([201, 201]);
    const all = batches.flat();
    const job = (await api.request('GET', `/v1/jobs/${jobId}`)).body;
    expect(job.expenditures.wip.bookedCost).toBe(sum(all.map((e) => rounded(e.quantity, e.unitCost).toFixed(2))));
    expect(job.billing.suggestedPrice).toBe(sum(all.map((e) => rounded(e.quantity, e.unitPrice).toFixed(2))));
    expect(KINDS.reduce((n, kind) => n + job.expenditures.booked[kind].unbilled.count, 0)).toBe(1000);
    expect(await listAll(api, `/v1/jobs/${jobId}/expenditures`)).toHaveLength(1000);
  });
  it('pages a job of 2,000 expenditures by status and kind, each exactly once', async () => {
    // Prepare: 1,200 booked, 800 not
    const { api, jobId } = await tmJob();
    for (let b = 0; b < 4; b++) {
      const batch = Array.from({ length: 500 }, (_, i) => item(b * 500 + i, b * 500 + i < 1200));
      await post(api, `/v1/jobs/${jobId}/expenditures/batch`, { items: batch });
    }
    const base = `/v1/jobs/${jobId}/expenditures`;
    // Act
    const unbilled = await listAll(api, `${base}?status=unbilled`);
    const unbooked = await listAll(api, `${base}?status=unbooked`);
    const all = await listAll(api, base);
    const hours = await listAll(api, `${base}?status=unbilled&kind=hours`);
    const march10 = await listAll(api, `${base}?from=2026-03-10&to=2026-03-10`);
    const settled = await api.request('GET', `${base}?status=settled`);
    // Assess
    expect(new Set(unbilled.map((e) => e.id)).size).toBe(1200);
    expect(unbilled.every((e) => e.booked === true && e.status === 'unbilled')).toBe(true);
    expect(new Set(unbooked.map((e) => e.id)).size).toBe(800);
    expect(unbooked.every((e) => e.booked === false)).toBe(true);
    expect(new Set(all.map((e) => e.id)).size).toBe(2000);
    expect(hours).toHaveLength(400);
    expect(hours.every((e) => e.kind === 'hours')).toBe(true);
    expect(march10.length).toBeGreaterThan(0);
    expect(march10.every((e) => e.date === '2026-03-10')).toBe(true);
    // newest date first
    const dates = all.map((e) => e.date as string);
    expect([...dates].sort().reverse()).toEqual(dates);
    expect(settled.body).toEqual({ items: [], nextCursor: null });
  });

  it('reports unbilled expenditures and WIP per job, as JSON and CSV, adding up to the cent', async () => {
    // Prepare: two jobs of one tenant
    const { api, jobId: first } = await tmJob();
    const { jobId: second } = await tmJob(api);
    const firstItems = Array.from({ length: 30 }, (_, i) => item(i));
    const secondItems = Array.from({ length: 12 }, (_, i) => item(100 + i));
    await post(api, `/v1/jobs/${first}/expenditures/batch`, { items: firstItems });
    await post(api, `/v1/jobs/${second}/expenditures/batch`, { items: secondItems });
    await post(api, `/v1/jobs/${second}/expenditures`, { ...item(7), booked: false });
    // Act
    const unbilled = await api.request('GET', `/v1/reports/unbilled-expenditures?jobId=${first}`);
    const unbilledCsv = await api.request('GET', `/v1/reports/unbilled-expenditures?jobId=${first}`, undefined, {
      accept: 'text/csv',
    });
    const wipAll = await api.request('GET', '/v1/reports/wip');
    const wipCsv = await api.request('GET', '/v1/reports/wip?limit=1', undefined, { accept: 'text/csv' });
    // Assess: per kind, what the items add up to
    expect(unbilled.status).toBe(200);
    for (const kind of KINDS) {
      const ofKind = firstItems.filter((e) => e.kind === kind);
      expect(unbilled.body.items.find((r: { kind: string }) => r.kind === kind)).toEqual({
        jobId: first,
        jobName: 'Refit',
        currency: 'EUR',
        kind,
        count: ofKind.length,
        cost: sum(ofKind.map((e) => rounded(e.quantity, e.unitCost).toFixed(2))),
        salesValue: sum(ofKind.map((e) => rounded(e.quantity, e.unitPrice).toFixed(2))),
      });
    }
    const firstCost = sum(firstItems.map((e) => rounded(e.quantity, e.unitCost).toFixed(2)));
    expect(unbilled.body.totals).toEqual([
      {
        currency: 'EUR',
        count: 30,
        cost: firstCost,
        salesValue: sum(firstItems.map((e) => rounded(e.quantity, e.unitPrice).toFixed(2))),
      },
    ]);
    expect(unbilledCsv.headers.get('content-type')).toMatch(/^text\/csv/);
    const csv = csvRecords(unbilledCsv.body);
    expect(csv).toHaveLength(4);
    expect(csv.at(-1)).toMatchObject({ jobId: 'Total', currency: 'EUR', count: '30', cost: firstCost });
    expect(sum(csv.slice(0, 3).map((r) => r.cost!))).toBe(firstCost);
    // WIP: both jobs, the unbooked expenditure left out
    const secondCost = sum(secondItems.map((e) => rounded(e.quantity, e.unitCost).toFixed(2)));
    expect(wipAll.body.items).toHaveLength(2);
    expect(wipAll.body.items.find((r: { jobId: string }) => r.jobId === second)).toMatchObject({
      bookedCost: secondCost,
      settledCost: '0.00',
      wipBalance: secondCost,
    });
    expect(wipAll.body.totals).toEqual([
      {
        currency: 'EUR',
        bookedCost: sum([firstCost, secondCost]),
        settledCost: '0.00',
        wipBalance: sum([firstCost, secondCost]),
      },
    ]);
    // A CSV page of one job says where the next is
    expect(csvRecords(wipCsv.body)).toHaveLength(2);
    const link = wipCsv.headers.get('link');
    expect(link).toMatch(/^<\/v1\/reports\/wip\?limit=1&cursor=[^>]+>; rel="next"$/);
    const next = await api.request('GET', link!.slice(1, link!.indexOf('>')), undefined, { accept: 'text/csv' });
    expect(csvRecords(next.body)[0]!.jobId).not.toBe(csvRecords(wipCsv.body)[0]!.jobId);
  });

  it("answers 404 for another tenant's job and expenditures, and changes nothing of theirs", async () => {
    // Prepare
    const { api, jobId } = await tmJob();
    const mine = await post(api, `/v1/jobs/${jobId}/expenditures`, item(1));
    const other = await newTenant('Other');
    const base = `/v1/jobs/${jobId}/expenditures`;
    const before = await items.read(api.tenantId);
    // Act
    const answers = await Promise.all([
      other.request('GET', `${base}/${mine.body.id}`),
      other.request('GET', base),
      other.request('PATCH', `${base}/${mine.body.id}`, { quantity: '2' }),
      other.request('DELETE', `${base}/${mine.body.id}`),
      other.request('POST', `${base}/${mine.body.id}/book`),
      other.request('POST', base, item(2)),
      other.request('POST', `${base}/batch`, { items: [item(3)] }),
      other.request('GET', `/v1/reports/wip?jobId=${jobId}`),
      other.request('GET', `/v1/reports/unbilled-expenditures?jobId=${jobId}`),
    ]);
    // Assess
    for (const answer of answers) {
      expect(answer.status).toBe(404);
      expect(answer.body.code).toBe('JOB_NOT_FOUND');
    }
    expect(changesBetween(before, await items.read(api.tenantId))).toEqual([]);
    const unknown = await api.request('GET', `${base}/exd_01J0000000000000000000000`);
    expect(unknown.body.code).toBe('EXPENDITURE_NOT_FOUND');
  });

  it('settings: partial invoicing on, zero selections refused and WIP accounts by default; each may change', async () => {
    // Prepare
    const api = await newTenant();
    // Act
    const defaults = await api.request('GET', '/v1/settings');
    const changed = await api.request('PATCH', '/v1/settings', {
      partialInvoicing: false,
      allowZeroSelectionApproval: true,
      wipAccount: '1410',
      costOfSalesAccount: '4000.10',
    });
    const badCode = await api.request('PATCH', '/v1/settings', { wipAccount: 'WIP account' });
    const notBoolean = await api.request('PATCH', '/v1/settings', { partialInvoicing: 'yes' });
    const sameAccount = await api.request('PATCH', '/v1/settings', { costOfSalesAccount: '1410' });
    // Assess
    expect(defaults.body).toMatchObject({
      partialInvoicing: true,
      allowZeroSelectionApproval: false,
      wipAccount: 'work_in_process',
      costOfSalesAccount: 'cost_of_sales',
    });
    expect(changed.body).toMatchObject({
      partialInvoicing: false,
      allowZeroSelectionApproval: true,
      wipAccount: '1410',
      costOfSalesAccount: '4000.10',
    });
    expect(badCode.status).toBe(400);
    expect(badCode.body.errors[0].field).toBe('wipAccount');
    expect(notBoolean.status).toBe(400);
    expect([sameAccount.status, sameAccount.body.errors[0].field]).toEqual([400, 'costOfSalesAccount']);
    expect((await api.request('GET', '/v1/settings')).body).toEqual(changed.body);
  });
});
