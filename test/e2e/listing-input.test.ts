import { describe, expect, it } from 'vitest';
import type { ApiClient } from '../support/api.js';
import { addDays } from '../../functions/domain/dates.js';
import { daysAgo, draft, issue, jobWithCharges } from '../support/billing.js';

// Every date of this file counts from one day, so that a run across midnight (UTC) keeps them apart.
const TODAY = daysAgo(0);
const day = (ago: number): string => addDays(TODAY, -ago);

const works = [{ description: 'Works', quantity: '1', unitPrice: '1000.00', taxRate: '20' }];

/** A job with invoices issued 6, 4 and 2 days ago and a draft of today; `invoiceIds` newest first. */
const invoicedJob = async () => {
  const { api, job, customer } = await jobWithCharges(works);
  const invoiceIds: string[] = [];
  for (const days of [6, 4, 2]) {
    invoiceIds.unshift(
      (await issue(api, (await draft(api, job.id, { policy: 'deposit', amount: '10', issueDate: day(days) })).id)).id,
    );
  }
  invoiceIds.unshift((await draft(api, job.id, { policy: 'deposit', amount: '5' })).id);
  return { api, job, customer, invoiceIds };
};

/** The ids `GET /v1/invoices?<query>` lists, asserting a 200. */
const listed = async (api: ApiClient, query: string): Promise<string[]> => {
  const response = await api.request('GET', `/v1/invoices?${query}`);
  expect(response.status, `${query}: ${JSON.stringify(response.body)}`).toBe(200);
  return response.body.items.map((i: { id: string }) => i.id);
};

const expectInvalidCursor = async (api: ApiClient, path: string) => {
  const response = await api.request('GET', path);
  expect(response.status, path).toBe(400);
  expect(response.body, path).toMatchObject({ code: 'INVALID_CURSOR', errors: [{ field: 'cursor' }] });
};

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Every one-place edit of a cursor: each byte with a bit flipped, a byte less, a byte more, and
 * other spellings that base64url decoding reads as the same bytes (a spare bit, a stray character).
 */
const editsOf = (cursor: string): string[] => {
  const bytes = Buffer.from(cursor, 'base64url');
  const flipped = [...bytes.keys()].map((i) => {
    const edited = Buffer.from(bytes);
    edited[i]! ^= 1;
    return edited.toString('base64url');
  });
  const respelled = [...BASE64URL].map((c) => `${cursor.slice(0, -1)}${c}`).filter((c) => c !== cursor);
  return [
    ...flipped,
    bytes.subarray(0, -1).toString('base64url'),
    Buffer.concat([bytes, Buffer.from([0])]).toString('base64url'),
    ...respelled.filter((c) => Buffer.from(c, 'base64url').equals(bytes)),
    `${cursor.slice(0, 8)}.${cursor.slice(8)}`,
  ];
};

describe('invoice date ranges', () => {
  it('takes one bound alone: up to a day, or from a day on', async () => {
    const { api, job, customer, invoiceIds } = await invoicedJob();
    const [pending, newest, middle, oldest] = invoiceIds;
    expect(await listed(api, `to=${day(4)}`)).toEqual([middle, oldest]);
    expect(await listed(api, `from=${day(4)}`)).toEqual([pending, newest, middle]);
    expect(await listed(api, `jobId=${job.id}&to=${day(5)}`)).toEqual([oldest]);
    expect(await listed(api, `customerId=${customer.id}&from=${day(3)}`)).toEqual([pending, newest]);
    expect(await listed(api, `from=${day(4)}&to=${day(4)}`)).toEqual([middle]);
  });

  it('refuses a range that ends before it starts with 400 naming to', async () => {
    const { api, job } = await invoicedJob();
    for (const query of [`from=${day(1)}&to=${day(5)}`, `jobId=${job.id}&from=${day(1)}&to=${day(5)}`]) {
      const response = await api.request('GET', `/v1/invoices?${query}`);
      expect(response.status, query).toBe(400);
      expect(response.body, query).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'to' }] });
    }
  });
});

describe('cursors', () => {
  it('work only for the listing, range and filters they came from', async () => {
    // Prepare: a first page of a range
    const { api, job, invoiceIds } = await invoicedJob();
    const [, newest, middle, oldest] = invoiceIds;
    const range = `from=${day(7)}&to=${day(1)}`;
    const first = (await api.request('GET', `/v1/invoices?limit=1&${range}`)).body;
    expect(first.items.map((i: { id: string }) => i.id)).toEqual([newest]);
    const cursor = first.nextCursor;
    // Act / Assess: any other listing refuses the cursor
    for (const other of [
      `from=${day(1)}`,
      `to=${day(3)}`,
      `from=${day(7)}&to=${day(3)}`,
      `from=${day(5)}&to=${day(1)}`,
      '',
      `${range}&status=invoiced`,
      `${range}&jobId=${job.id}`,
    ]) {
      await expectInvalidCursor(api, `/v1/invoices?limit=1&${other}&cursor=${cursor}`);
    }
    // and the listing it came from reads on
    expect(await listed(api, `limit=1&${range}&cursor=${cursor}`)).toEqual([middle]);
    expect(await listed(api, `limit=2&${range}&cursor=${cursor}`)).toEqual([middle, oldest]);
  });

  it('of jobs and events work only with the filter they came from', async () => {
    const { api, customer } = await invoicedJob();
    await api.request('POST', '/v1/jobs', { customerId: customer.id, name: 'Second', billingType: 'fixed_price' });
    const jobs = (await api.request('GET', '/v1/jobs?status=open&limit=1')).body.nextCursor;
    await expectInvalidCursor(api, `/v1/jobs?status=closed&cursor=${jobs}`);
    await expectInvalidCursor(api, `/v1/jobs?cursor=${jobs}`);
    const events = (await api.request('GET', '/v1/events?type=invoice.issued&limit=1')).body.nextCursor;
    await expectInvalidCursor(api, `/v1/events?type=invoice.voided&cursor=${events}`);
    await expectInvalidCursor(api, `/v1/events?cursor=${events}`);
  });

  it('edited by hand are refused with 400 in every listing', async () => {
    const { api, customer } = await invoicedJob();
    await api.request('POST', '/v1/customers', { name: 'Second' });
    await api.request('POST', '/v1/jobs', { customerId: customer.id, name: 'Second', billingType: 'fixed_price' });
    for (const listing of ['/v1/customers?', '/v1/jobs?status=open&', '/v1/events?', `/v1/invoices?from=${day(7)}&`]) {
      const cursor = (await api.request('GET', `${listing}limit=1`)).body.nextCursor;
      expect(cursor, listing).toEqual(expect.any(String));
      await Promise.all(editsOf(cursor).map((edited) => expectInvalidCursor(api, `${listing}cursor=${edited}`)));
    }
  });
});

describe('empty filters', () => {
  it('refuses an empty id or number filter with 400 naming it, rather than listing everything', async () => {
    const { api } = await jobWithCharges(works);
    for (const [path, field] of [
      ['/v1/invoices?customerId=', 'customerId'],
      ['/v1/invoices?jobId=', 'jobId'],
      ['/v1/invoices?number=', 'number'],
      ['/v1/jobs?customerId=', 'customerId'],
    ] as const) {
      const response = await api.request('GET', path);
      expect([response.status, response.body.errors?.map((e: { field: string }) => e.field)], path).toEqual([400, [field]]);
    }
  });
});
