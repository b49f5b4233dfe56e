import { describe, expect, it } from 'vitest';
import { newTenant, type ApiClient } from '../support/api.js';

const LIMIT = 3;

/** A tenant with one customer and `count` jobs of it; job ids newest first. */
const tenantWithJobs = async (count: number): Promise<{ api: ApiClient; customerId: string; jobIds: string[] }> => {
  const api = await newTenant('Cursors');
  const customerId = (await api.request('POST', '/v1/customers', { name: 'Client' })).body.id;
  const jobIds: string[] = [];
  for (let i = 1; i <= count; i++) {
    const job = await api.request('POST', '/v1/jobs', { customerId, name: `Job ${i}`, billingType: 'fixed_price' });
    expect(job.status, JSON.stringify(job.body)).toBe(201);
    jobIds.unshift(job.body.id);
  }
  return { api, customerId, jobIds };
};

const page = async (api: ApiClient, path: string): Promise<{ ids: string[]; nextCursor: string | null }> => {
  const response = await api.request('GET', path);
  expect(response.status, `${path}: ${JSON.stringify(response.body)}`).toBe(200);
  return { ids: response.body.items.map((item: { id: string }) => item.id), nextCursor: response.body.nextCursor };
};

const expectInvalidCursor = async (api: ApiClient, path: string): Promise<void> => {
  const response = await api.request('GET', path);
  expect([response.status, response.body.code, response.body.errors?.[0]?.field], path).toEqual([
    400,
    'INVALID_CURSOR',
    'cursor',
  ]);
};

/** The longest run of printable ASCII in the bytes: readable text, such as a key, makes a long one. */
const longestText = (bytes: Buffer): number =>
  Math.max(0, ...(bytes.toString('latin1').match(/[\x20-\x7e]+/g) ?? []).map((run) => run.length));

describe('the last page', () => {
  it('has no nextCursor when it is exactly full', async () => {
    // Prepare
    const { api, jobIds } = await tenantWithJobs(LIMIT);
    // Act
    const only = await page(api, `/v1/jobs?limit=${LIMIT}`);
    // Assess
    expect(only).toEqual({ ids: jobIds, nextCursor: null });
  });

  it('of two full pages comes after one cursor, and has none', async () => {
    // Prepare
    const { api, jobIds } = await tenantWithJobs(2 * LIMIT);
    // Act
    const first = await page(api, `/v1/jobs?limit=${LIMIT}`);
    const second = await page(api, `/v1/jobs?limit=${LIMIT}&cursor=${first.nextCursor}`);
    // Assess
    expect(first.ids).toEqual(jobIds.slice(0, LIMIT));
    expect(first.nextCursor).toEqual(expect.any(String));
    expect(second).toEqual({ ids: jobIds.slice(LIMIT), nextCursor: null });
  });

  it('has no nextCursor when a filter skips items around it', async () => {
    // Prepare: six jobs, the 2nd, 4th and 6th closed, so the open ones are not the newest three
    const { api, jobIds } = await tenantWithJobs(2 * LIMIT);
    const closed = jobIds.filter((_, i) => i % 2 === 0);
    for (const id of closed) expect((await api.request('POST', `/v1/jobs/${id}/close`)).status).toBe(200);
    // Act
    const open = await page(api, `/v1/jobs?status=open&limit=${LIMIT}`);
    const closedFirst = await page(api, `/v1/jobs?status=closed&limit=${LIMIT - 1}`);
    const closedRest = await page(api, `/v1/jobs?status=closed&limit=${LIMIT - 1}&cursor=${closedFirst.nextCursor}`);
    // Assess
    expect(open).toEqual({ ids: jobIds.filter((id) => !closed.includes(id)), nextCursor: null });
    expect(closedFirst.ids).toEqual(closed.slice(0, LIMIT - 1));
    expect(closedRest).toEqual({ ids: closed.slice(LIMIT - 1), nextCursor: null });
  });
});

describe('cursors', () => {
  it('are opaque: nothing of the table keys, the tenant or the ids can be read in them', async () => {
    // Prepare
    const { api, customerId, jobIds } = await tenantWithJobs(LIMIT + 1);
    // Act: a cursor of each kind of listing, and the same page asked twice
    const cursors = [
      (await page(api, '/v1/jobs?limit=1')).nextCursor!,
      (await page(api, '/v1/jobs?limit=1')).nextCursor!,
      (await page(api, `/v1/jobs?customerId=${customerId}&status=open&limit=1`)).nextCursor!,
    ];
    // Assess
    for (const cursor of cursors) {
      // As a client would look into it: base64 (Node reads the URL-safe alphabet too), as text.
      const bytes = Buffer.from(cursor, 'base64');
      const text = bytes.toString('latin1');
      for (const fragment of [
        api.tenantId,
        `T#${api.tenantId.slice(0, 3)}`,
        customerId,
        ...jobIds,
        'JOB#',
        '"PK"',
        '"SK"',
        'GSI',
      ]) {
        expect(text, `${cursor} shows ${fragment}`).not.toContain(fragment);
      }
      // Random bytes hold a printable run of 16 about once in 40,000 cursors; any readable key makes one.
      expect(longestText(bytes), cursor).toBeLessThan(16);
    }
    // The same position is sealed anew each time: equal cursors would tell that two listings stand at one item.
    expect(cursors[0]).not.toBe(cursors[1]);
    expect((await page(api, `/v1/jobs?limit=1&cursor=${cursors[1]}`)).ids).toEqual([jobIds[1]]);
  });

  it('are refused with 400 INVALID_CURSOR when tampered with, from another tenant or of another filter', async () => {
    // Prepare
    const { api, customerId } = await tenantWithJobs(LIMIT + 1);
    const other = await tenantWithJobs(LIMIT + 1);
    const cursor = (await page(api, '/v1/jobs?status=open&limit=1')).nextCursor!;
    const theirs = (await page(other.api, '/v1/jobs?status=open&limit=1')).nextCursor!;
    const bytes = Buffer.from(cursor, 'base64url');
    const tampered = [0, bytes.length >> 1, bytes.length - 1].map((i) => {
      const edited = Buffer.from(bytes);
      edited[i]! ^= 0x80;
      return edited.toString('base64url');
    });
    // Act / Assess
    expect((await page(api, `/v1/jobs?status=open&limit=1&cursor=${cursor}`)).ids).toHaveLength(1);
    for (const edited of tampered) await expectInvalidCursor(api, `/v1/jobs?status=open&limit=1&cursor=${edited}`);
    await expectInvalidCursor(api, `/v1/jobs?status=open&limit=1&cursor=${theirs}`);
    for (const filter of ['status=closed&', '', `customerId=${customerId}&status=open&`]) {
      await expectInvalidCursor(api, `/v1/jobs?${filter}limit=1&cursor=${cursor}`);
    }
    await expectInvalidCursor(api, `/v1/customers?limit=1&cursor=${cursor}`);
    await expectInvalidCursor(api, `/v1/events?limit=1&cursor=${cursor}`);
  });
});
