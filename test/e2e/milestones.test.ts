import { afterAll, describe, expect, inject, it } from 'vitest';
import { TABLE_NAME } from '../../local/stack.js';
import { newTenant, type ApiClient } from '../support/api.js';
import { draft, issue } from '../support/billing.js';
import { tenantItemReader } from '../support/tenant-items.js';

const items = tenantItemReader(inject('dynamoEndpoint'), TABLE_NAME);
afterAll(() => items.close());

const milestoneJob = async (billingType = 'milestone', currency = 'EUR'): Promise<{ api: ApiClient; jobId: string }> => {
  const api = await newTenant('Milestones', currency);
  const customer = await api.request('POST', '/v1/customers', { name: 'Client', email: 'client@example.test' });
  const job = await api.request('POST', '/v1/jobs', { customerId: customer.body.id, name: 'House', billingType });
  return { api, jobId: job.body.id };
};

const add = async (api: ApiClient, jobId: string, body: object) => {
  const response = await api.request('POST', `/v1/jobs/${jobId}/milestones`, { requiresClientApproval: false, ...body });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response;
};

const ids = (items: { id: string }[]): string[] => items.map((m) => m.id);

describe('milestones', () => {
  it('creates three, lists them in order, reorders, changes and deletes one, the job tracking its value throughout', async () => {
    // Prepare
    const { api, jobId } = await milestoneJob();
    // Act: create
    const demolition = await add(api, jobId, {
      name: 'Demolition',
      amount: '1000',
      taxRate: '19',
      completionCriteria: 'Site cleared',
    });
    const framing = await add(api, jobId, {
      name: 'Framing',
      description: 'Walls and roof',
      amount: '2500.50',
      requiresClientApproval: true,
      approverEmail: 'owner@example.test',
    });
    const finishing = await add(api, jobId, { name: 'Finishing', amount: '499.50' });
    // Assess
    expect(demolition.headers.get('location')).toBe(`/v1/jobs/${jobId}/milestones/${demolition.body.id}`);
    expect(demolition.headers.get('etag')).toBe('"1"');
    expect(demolition.body).toEqual({
      id: expect.stringMatching(/^mil_/),
      jobId,
      position: 1,
      name: 'Demolition',
      description: null,
      amount: '1000.00',
      taxRate: '19',
      completionCriteria: 'Site cleared',
      requiresClientApproval: false,
      approverEmail: null,
      status: 'pending',
      invoiceId: null,
      completedAt: null,
      completionNote: null,
      approvedAt: null,
      revisionComment: null,
      approval: null,
      billing: null,
      billingError: null,
      createdAt: expect.any(String),
      updatedAt: demolition.body.createdAt,
      version: 1,
    });
    expect((await api.request('GET', demolition.headers.get('location')!)).body).toEqual(demolition.body);
    const list = await api.request('GET', `/v1/jobs/${jobId}/milestones`);
    expect(list.status).toBe(200);
    expect(list.body.items.map((m: { name: string; position: number }) => [m.name, m.position])).toEqual([
      ['Demolition', 1],
      ['Framing', 2],
      ['Finishing', 3],
    ]);
    expect(list.body.nextCursor).toBeNull();
    const job = await api.request('GET', `/v1/jobs/${jobId}`);
    expect(list.headers.get('etag')).toBe(job.headers.get('etag'));
    expect(job.body.billing).toMatchObject({ suggestedPrice: '4000.00', projectValue: '4000.00', remaining: '4000.00' });
    expect(job.body.milestones).toEqual([
      {
        id: demolition.body.id,
        name: 'Demolition',
        status: 'pending',
        amount: '1000.00',
        invoiceId: null,
        position: 1,
      },
      { id: framing.body.id, name: 'Framing', status: 'pending', amount: '2500.50', invoiceId: null, position: 2 },
      {
        id: finishing.body.id,
        name: 'Finishing',
        status: 'pending',
        amount: '499.50',
        invoiceId: null,
        position: 3,
      },
    ]);

    // Act: reorder with the job's ETag
    const order = [finishing.body.id, demolition.body.id, framing.body.id];
    const reordered = await api.request(
      'PUT',
      `/v1/jobs/${jobId}/milestones/order`,
      { ids: order },
      { 'if-match': list.headers.get('etag')! },
    );
    // Assess: only positions moved
    expect(reordered.status, JSON.stringify(reordered.body)).toBe(200);
    expect(reordered.body).toEqual({ ids: order });
    expect(reordered.headers.get('etag')).not.toBe(list.headers.get('etag'));
    const after = await api.request('GET', `/v1/jobs/${jobId}/milestones`);
    expect(ids(after.body.items)).toEqual(order);
    const byId = (items: { id: string }[], id: string) => items.find((m) => m.id === id);
    for (const before of list.body.items) {
      const { position: _, ...kept } = before;
      expect(byId(after.body.items, before.id)).toMatchObject(kept);
    }
    expect((await api.request('GET', `/v1/jobs/${jobId}/milestones/${framing.body.id}`)).body.position).toBe(3);
    // The same order again is no change: the job keeps its version.
    const again = await api.request('PUT', `/v1/jobs/${jobId}/milestones/order`, { ids: order });
    expect(again.headers.get('etag')).toBe(reordered.headers.get('etag'));
    // Only PUT is the order's: a GET of it asks for a milestone called "order", as API Gateway routes it.
    const readOrder = await api.request('GET', `/v1/jobs/${jobId}/milestones/order`);
    expect([readOrder.status, readOrder.body.code]).toEqual([404, 'MILESTONE_NOT_FOUND']);
    // A stale ETag is 412.
    const stale = await api.request(
      'PUT',
      `/v1/jobs/${jobId}/milestones/order`,
      { ids: order },
      { 'if-match': list.headers.get('etag')! },
    );
    expect(stale.status).toBe(412);

    // Act: patch, with the milestone's ETag
    const patched = await api.request(
      'PATCH',
      `/v1/jobs/${jobId}/milestones/${framing.body.id}`,
      { amount: '3000', description: null },
      { 'if-match': framing.headers.get('etag')! },
    );
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body).toMatchObject({ amount: '3000.00', description: null, name: 'Framing', position: 3, version: 2 });
    expect(patched.headers.get('etag')).toBe('"2"');
    const stalePatch = await api.request(
      'PATCH',
      `/v1/jobs/${jobId}/milestones/${framing.body.id}`,
      { name: 'x' },
      { 'if-match': '"1"' },
    );
    expect(stalePatch.status).toBe(412);
    expect((await api.request('GET', `/v1/jobs/${jobId}`)).body.billing).toMatchObject({
      suggestedPrice: '4499.50',
      projectValue: '4499.50',
    });

    // Act: a rename leaves the job's ETag as it was
    const jobTag = (await api.request('GET', `/v1/jobs/${jobId}`)).headers.get('etag');
    await api.request('PATCH', `/v1/jobs/${jobId}/milestones/${finishing.body.id}`, { name: 'Painting' });
    const renamedJob = await api.request('GET', `/v1/jobs/${jobId}`);
    expect(renamedJob.headers.get('etag')).toBe(jobTag);
    expect(renamedJob.body.milestones[0]).toMatchObject({ id: finishing.body.id, name: 'Painting' });

    // Act: delete
    const stillTagged = await api.request('DELETE', `/v1/jobs/${jobId}/milestones/${demolition.body.id}`, undefined, {
      'if-match': '"7"',
    });
    expect(stillTagged.status).toBe(412);
    const deleted = await api.request('DELETE', `/v1/jobs/${jobId}/milestones/${demolition.body.id}`, undefined, {
      'if-match': demolition.headers.get('etag')!,
    });
    expect(deleted.status).toBe(204);
    expect((await api.request('GET', `/v1/jobs/${jobId}/milestones/${demolition.body.id}`)).body.code).toBe(
      'MILESTONE_NOT_FOUND',
    );
    const final = await api.request('GET', `/v1/jobs/${jobId}`);
    expect(final.body.milestones.map((m: { name: string; position: number }) => [m.name, m.position])).toEqual([
      ['Painting', 1],
      ['Framing', 2],
    ]);
    expect(final.body.billing).toMatchObject({ suggestedPrice: '3499.50', projectValue: '3499.50' });
  });

  it('refuses an order that is not exactly the job milestones, each once, with 400 naming ids and nothing changed', async () => {
    const { api, jobId } = await milestoneJob();
    const [a, b] = [await add(api, jobId, { name: 'A', amount: '1' }), await add(api, jobId, { name: 'B', amount: '2' })];
    const other = await milestoneJob();
    const foreign = await add(other.api, other.jobId, { name: 'X', amount: '1' });
    const before = await api.request('GET', `/v1/jobs/${jobId}`);
    const orders = [
      [a.body.id],
      [a.body.id, b.body.id, b.body.id],
      [a.body.id, foreign.body.id],
      [b.body.id, a.body.id, foreign.body.id],
      [],
    ];
    for (const order of orders) {
      const response = await api.request('PUT', `/v1/jobs/${jobId}/milestones/order`, { ids: order });
      expect(response.status, JSON.stringify(order)).toBe(400);
      expect(response.body.errors.map((e: { field: string }) => e.field)).toEqual(['ids']);
    }
    const after = await api.request('GET', `/v1/jobs/${jobId}`);
    expect(after.headers.get('etag')).toBe(before.headers.get('etag'));
    expect(after.body).toEqual(before.body);
  });

  it('refuses bad input naming the field: a zero or too precise amount, an unknown field, a bad email', async () => {
    const { api, jobId } = await milestoneJob('milestone', 'JPY');
    const cases = [
      [{ name: 'A', amount: '0', requiresClientApproval: false }, 'amount'],
      [{ name: 'A', amount: '10.5', requiresClientApproval: false }, 'amount'],
      [{ name: 'A', amount: 10, requiresClientApproval: false }, 'amount'],
      [{ name: '', amount: '10', requiresClientApproval: false }, 'name'],
      [{ name: 'A', amount: '10' }, 'requiresClientApproval'],
      [{ name: 'A', amount: '10', requiresClientApproval: true, approverEmail: 'nope' }, 'approverEmail'],
      [{ name: 'A', amount: '10', requiresClientApproval: true, status: 'paid' }, 'status'],
    ] as const;
    for (const [body, field] of cases) {
      const response = await api.request('POST', `/v1/jobs/${jobId}/milestones`, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    expect((await api.request('GET', `/v1/jobs/${jobId}`)).body.milestones).toEqual([]);
    const unknownJob = await api.request('POST', '/v1/jobs/job_nope/milestones', {
      name: 'A',
      amount: '1',
      requiresClientApproval: false,
    });
    expect([unknownJob.status, unknownJob.body.code]).toEqual([404, 'JOB_NOT_FOUND']);
  });

  it("keeps another tenant's milestones out of reach (404)", async () => {
    const { api, jobId } = await milestoneJob();
    const m = await add(api, jobId, { name: 'A', amount: '1' });
    const intruder = await newTenant('Other');
    for (const [method, body] of [['GET'], ['PATCH', { name: 'x' }], ['DELETE']] as const) {
      const response = await intruder.request(method, `/v1/jobs/${jobId}/milestones/${m.body.id}`, body);
      expect(response.status).toBe(404);
    }
    expect((await intruder.request('PUT', `/v1/jobs/${jobId}/milestones/order`, { ids: [m.body.id] })).status).toBe(404);
    expect((await api.request('GET', `/v1/jobs/${jobId}/milestones/${m.body.id}`)).body).toEqual(m.body);
  });

  it('holds 200 milestones, paged in order, every one in the job balance tracker; a reversed order keeps them all', async () => {
    // Prepare
    const { api, jobId } = await milestoneJob();
    const made: string[] = [];
    // Four at a time: creates race for the one job item, and each lost race reads again.
    for (let chunk = 0; chunk < 200; chunk += 4) {
      const created = await Promise.all(
        Array.from({ length: 4 }, (_, i) =>
          add(api, jobId, { name: `Phase ${chunk + i + 1}`, amount: '10.01', description: 'd'.repeat(2000) }),
        ),
      );
      made.push(...created.map((r) => r.body.id));
    }
    // Act
    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: any } = await api.request(
        'GET',
        `/v1/jobs/${jobId}/milestones?limit=100${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.status, JSON.stringify(page.body).slice(0, 300)).toBe(200);
      pages.push(ids(page.body.items));
      cursor = page.body.nextCursor;
    } while (cursor);
    const job = await api.request('GET', `/v1/jobs/${jobId}`);
    // Assess: concurrent creates land in some order, each exactly once
    expect(pages.map((p) => p.length)).toEqual([100, 100]);
    const listed = pages.flat();
    expect([...listed].sort()).toEqual([...made].sort());
    expect(ids(job.body.milestones)).toEqual(listed);
    expect(job.body.milestones.map((m: { position: number }) => m.position)).toEqual(listed.map((_, i) => i + 1));
    expect(job.body.billing.projectValue).toBe('2002.00');
    const full = await api.request('POST', `/v1/jobs/${jobId}/milestones`, {
      name: 'One more',
      amount: '1',
      requiresClientApproval: false,
    });
    expect([full.status, full.body.code]).toEqual([422, 'TOO_MANY_MILESTONES']);
    const reversed = [...listed].reverse();
    const put = await api.request('PUT', `/v1/jobs/${jobId}/milestones/order`, { ids: reversed });
    expect(put.status).toBe(200);
    expect(ids((await api.request('GET', `/v1/jobs/${jobId}`)).body.milestones)).toEqual(reversed);
    const page = await api.request('GET', `/v1/jobs/${jobId}/milestones?limit=3`);
    expect(ids(page.body.items)).toEqual(reversed.slice(0, 3));
    const next = await api.request('GET', `/v1/jobs/${jobId}/milestones?limit=3&cursor=${page.body.nextCursor}`);
    expect(ids(next.body.items)).toEqual(reversed.slice(3, 6));
  });

  it("refuses another listing's cursor (400 INVALID_CURSOR)", async () => {
    const { api, jobId } = await milestoneJob();
    const other = await milestoneJob();
    for (const n of [1, 2]) {
      await add(api, jobId, { name: `A${n}`, amount: '1' });
      await add(other.api, other.jobId, { name: `B${n}`, amount: '1' });
    }
    const theirs = await other.api.request('GET', `/v1/jobs/${other.jobId}/milestones?limit=1`);
    const response = await api.request('GET', `/v1/jobs/${jobId}/milestones?cursor=${theirs.body.nextCursor}`);
    expect([response.status, response.body.code]).toEqual([400, 'INVALID_CURSOR']);
  });

  it('refuses every milestone change on a billed job (409 JOB_BILLED), and deleting the job takes its milestones along', async () => {
    // Prepare: a fixed-price job with a milestone, billed by its final invoice
    const { api, jobId } = await milestoneJob('fixed_price');
    await api.request('POST', `/v1/jobs/${jobId}/charges`, { description: 'Work', quantity: '1', unitPrice: '100' });
    const m = await add(api, jobId, { name: 'A', amount: '50' });
    expect((await api.request('POST', `/v1/jobs/${jobId}/close`)).status).toBe(200);
    await issue(api, (await draft(api, jobId, { policy: 'final' })).id);
    // Act
    const refusals = [
      await api.request('POST', `/v1/jobs/${jobId}/milestones`, { name: 'B', amount: '1', requiresClientApproval: false }),
      await api.request('PATCH', `/v1/jobs/${jobId}/milestones/${m.body.id}`, { name: 'Renamed' }),
      await api.request('PATCH', `/v1/jobs/${jobId}/milestones/${m.body.id}`, { amount: '60' }),
      await api.request('DELETE', `/v1/jobs/${jobId}/milestones/${m.body.id}`),
      await api.request('PUT', `/v1/jobs/${jobId}/milestones/order`, { ids: [m.body.id] }),
    ];
    // Assess
    expect(refusals.map((r) => [r.status, r.body.code])).toEqual(Array(5).fill([409, 'JOB_BILLED']));
    expect((await api.request('GET', `/v1/jobs/${jobId}/milestones/${m.body.id}`)).body).toEqual(m.body);

    // And a job without invoices goes with its milestones: none of its items is left
    const fresh = await milestoneJob();
    await Promise.all(Array.from({ length: 30 }, (_, n) => add(fresh.api, fresh.jobId, { name: `P${n}`, amount: '1' })));
    const milestoneItems = async () =>
      [...(await items.read(fresh.api.tenantId)).keys()].filter((key) => key.includes(' MILESTONE#'));
    expect(await milestoneItems()).toHaveLength(30);
    expect((await fresh.api.request('DELETE', `/v1/jobs/${fresh.jobId}`)).status).toBe(204);
    expect(await milestoneItems()).toEqual([]);
  });

  it('adds concurrently without losing one: each create is one transaction of the milestone and the job', async () => {
    const { api, jobId } = await milestoneJob();
    await Promise.all(Array.from({ length: 10 }, (_, i) => add(api, jobId, { name: `P${i}`, amount: '1.10' })));
    const job = await api.request('GET', `/v1/jobs/${jobId}`);
    expect(job.body.milestones).toHaveLength(10);
    expect(job.body.billing.projectValue).toBe('11.00');
    expect(job.headers.get('etag')).toBe('"11"');
  });
});
