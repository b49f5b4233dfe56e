import { afterAll, describe, expect, inject, it } from 'vitest';
import { TABLE_NAME } from '../../local/stack.js';
import { newTenant, type ApiClient } from '../support/api.js';
import { draft, issue } from '../support/billing.js';
import { changesBetween, tenantItemReader } from '../support/tenant-items.js';

const items = tenantItemReader(inject('dynamoEndpoint'), TABLE_NAME);
afterAll(() => items.close());

/** A milestone job of a fresh tenant with the milestones `amounts` (named M1, M2, ...), and their ids. */
const milestoneJob = async (
  amounts: string[],
  billingType = 'milestone',
): Promise<{ api: ApiClient; jobId: string; ids: string[] }> => {
  const api = await newTenant('Change orders', 'EUR');
  const customer = await api.request('POST', '/v1/customers', { name: 'Client', email: 'client@example.test' });
  const job = await api.request('POST', '/v1/jobs', { customerId: customer.body.id, name: 'House', billingType });
  const ids: string[] = [];
  for (const [i, amount] of amounts.entries()) {
    const m = await api.request('POST', `/v1/jobs/${job.body.id}/milestones`, {
      name: `M${i + 1}`,
      amount,
      requiresClientApproval: false,
    });
    expect(m.status, JSON.stringify(m.body)).toBe(201);
    ids.push(m.body.id);
  }
  return { api, jobId: job.body.id, ids };
};

const propose = async (api: ApiClient, jobId: string, changes: object[], description = 'Scope change') => {
  const response = await api.request('POST', `/v1/jobs/${jobId}/change-orders`, { description, changes });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response;
};

const jobOf = async (api: ApiClient, jobId: string) => api.request('GET', `/v1/jobs/${jobId}`);

describe('change orders', () => {
  it('changes nothing until approved, then adds, modifies and removes milestones and moves the price at once', async () => {
    // Prepare
    const { api, jobId, ids } = await milestoneJob(['1000', '2500', '500']);
    const before = await jobOf(api, jobId);
    const stored = await items.read(api.tenantId);
    // Act: propose
    const created = await propose(api, jobId, [
      { op: 'add', milestone: { name: 'Skylight', amount: '1800', taxRate: '19', requiresClientApproval: true } },
      { op: 'modify', milestoneId: ids[1], fields: { amount: '3000', name: 'M2 and insulation' } },
      { op: 'remove', milestoneId: ids[2] },
    ]);
    // Assess: a draft that only itself holds
    const co = created.body;
    expect(created.headers.get('location')).toBe(`/v1/change-orders/${co.id}`);
    expect(co).toMatchObject({
      id: expect.stringMatching(/^co_/),
      jobId,
      description: 'Scope change',
      status: 'draft',
      changes: [
        {
          op: 'add',
          milestoneId: expect.stringMatching(/^mil_/),
          milestone: {
            name: 'Skylight',
            description: null,
            amount: '1800.00',
            taxRate: '19',
            completionCriteria: null,
            requiresClientApproval: true,
            approverEmail: null,
          },
        },
        { op: 'modify', milestoneId: ids[1], fields: { amount: '3000.00', name: 'M2 and insulation' } },
        { op: 'remove', milestoneId: ids[2] },
      ],
      approval: null,
      decision: null,
      version: 1,
    });
    expect((await api.request('GET', `/v1/change-orders/${co.id}`)).body).toEqual(co);
    expect((await api.request('GET', `/v1/jobs/${jobId}/change-orders`)).body).toEqual({ items: [co], nextCursor: null });
    expect(await jobOf(api, jobId)).toMatchObject({ body: before.body });
    expect(changesBetween(stored, await items.read(api.tenantId)).map((c) => c.change)).toEqual(['added']);
    const added = co.changes[0].milestoneId;
    expect((await api.request('GET', `/v1/jobs/${jobId}/milestones/${added}`)).status).toBe(404);

    // Act: approve
    const approved = await api.request('POST', `/v1/change-orders/${co.id}/approve`, { note: 'Agreed on site' });
    // Assess: every change at once, the added milestone an ordinary one
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body).toMatchObject({
      status: 'approved',
      decision: { outcome: 'approve', by: 'staff', at: expect.any(String), ip: null, userAgent: null, comment: 'Agreed on site' },
      version: 2,
    });
    const after = await jobOf(api, jobId);
    expect(after.body.billing).toMatchObject({ projectValue: '5800.00', suggestedPrice: '5800.00', remaining: '5800.00' });
    expect(after.headers.get('etag')).toBe(`"${before.body.version + 1}"`);
    expect(after.body.milestones).toEqual([
      expect.objectContaining({ id: ids[0], name: 'M1', amount: '1000.00', position: 1 }),
      expect.objectContaining({ id: ids[1], name: 'M2 and insulation', amount: '3000.00', position: 2 }),
      { id: added, name: 'Skylight', status: 'pending', amount: '1800.00', invoiceId: null, position: 3 },
    ]);
    const skylight = await api.request('GET', `/v1/jobs/${jobId}/milestones/${added}`);
    expect(skylight.body).toMatchObject({
      taxRate: '19',
      requiresClientApproval: true,
      status: 'pending',
      version: 1,
    });
    expect((await api.request('GET', `/v1/jobs/${jobId}/milestones/${ids[2]}`)).status).toBe(404);
    const patched = await api.request('PATCH', `/v1/jobs/${jobId}/milestones/${added}`, { amount: '2000' });
    expect(patched.status).toBe(200);
    expect((await jobOf(api, jobId)).body.billing.projectValue).toBe('6000.00');
    // Decided once; on record, not deletable
    const again = await api.request('POST', `/v1/change-orders/${co.id}/reject`, { comment: 'Changed my mind' });
    expect([again.status, again.body.code]).toEqual([409, 'APPROVAL_DECIDED']);
    const deleted = await api.request('DELETE', `/v1/change-orders/${co.id}`);
    expect([deleted.status, deleted.body.code]).toEqual([409, 'CHANGE_ORDER_NOT_DRAFT']);
  });

  it('rejects with a comment, changing nothing but the change order', async () => {
    // Prepare
    const { api, jobId, ids } = await milestoneJob(['1000']);
    const co = (await propose(api, jobId, [{ op: 'modify', milestoneId: ids[0], fields: { amount: '5000' } }])).body;
    const before = await items.read(api.tenantId);
    // Act
    const noComment = await api.request('POST', `/v1/change-orders/${co.id}/reject`, {});
    const blank = await api.request('POST', `/v1/change-orders/${co.id}/reject`, { comment: '  ' });
    const rejected = await api.request('POST', `/v1/change-orders/${co.id}/reject`, { comment: 'Over budget' });
    // Assess
    for (const refused of [noComment, blank]) {
      expect([refused.status, refused.body.code, refused.body.errors.map((e: { field: string }) => e.field)]).toEqual([
        400,
        'COMMENT_REQUIRED',
        ['comment'],
      ]);
    }
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({
      status: 'rejected',
      decision: { outcome: 'reject', by: 'staff', comment: 'Over budget' },
    });
    const changed = changesBetween(before, await items.read(api.tenantId));
    expect(changed).toEqual([{ key: expect.stringContaining(`#CO#${co.id} CHANGE_ORDER`), change: 'changed' }]);
    expect((await jobOf(api, jobId)).body.billing.projectValue).toBe('1000.00');
    const approve = await api.request('POST', `/v1/change-orders/${co.id}/approve`);
    expect([approve.status, approve.body.code]).toEqual([409, 'APPROVAL_DECIDED']);
  });

  it('refuses at creation what approving would refuse, naming the change, and writes nothing', async () => {
    // Prepare
    const { api, jobId, ids } = await milestoneJob(['100', '200']);
    const other = await milestoneJob(['1']);
    const foreign = await api.request('POST', `/v1/jobs/${jobId}/milestones`, {
      name: 'x',
      amount: '1',
      requiresClientApproval: false,
    });
    await api.request('DELETE', `/v1/jobs/${jobId}/milestones/${foreign.body.id}`);
    const before = await items.read(api.tenantId);
    const add = { op: 'add', milestone: { name: 'New', amount: '10', requiresClientApproval: false } };
    const cases: [object[], number, string, string][] = [
      [[add, { op: 'remove', milestoneId: other.ids[0] }], 422, 'MILESTONE_NOT_FOUND', 'changes.1.milestoneId'],
      [
        [{ op: 'modify', milestoneId: foreign.body.id, fields: { name: 'y' } }],
        422,
        'MILESTONE_NOT_FOUND',
        'changes.0.milestoneId',
      ],
      [
        [
          { op: 'modify', milestoneId: ids[0], fields: { name: 'y' } },
          { op: 'remove', milestoneId: ids[0] },
        ],
        400,
        'VALIDATION_FAILED',
        'changes.1.milestoneId',
      ],
      [[{ ...add, milestone: { ...add.milestone, amount: '10.001' } }], 400, 'VALIDATION_FAILED', 'changes.0.milestone.amount'],
      [[{ op: 'modify', milestoneId: ids[1], fields: {} }], 400, 'VALIDATION_FAILED', 'changes.0.fields'],
      [[{ op: 'rename', milestoneId: ids[1] }], 400, 'VALIDATION_FAILED', 'changes.0.op'],
      [[], 400, 'VALIDATION_FAILED', 'changes'],
      [Array(41).fill(add), 400, 'VALIDATION_FAILED', 'changes'],
    ];
    for (const [changes, status, code, field] of cases) {
      // Act
      const response = await api.request('POST', `/v1/jobs/${jobId}/change-orders`, { description: 'x', changes });
      // Assess
      const what = JSON.stringify(changes).slice(0, 200);
      expect([response.status, response.body.code], what).toEqual([status, code]);
      expect(
        response.body.errors.map((e: { field: string }) => e.field),
        what,
      ).toContain(field);
    }
    const unknownJob = await api.request('POST', '/v1/jobs/job_nope/change-orders', { description: 'x', changes: [add] });
    expect([unknownJob.status, unknownJob.body.code]).toEqual([404, 'JOB_NOT_FOUND']);
    expect(changesBetween(before, await items.read(api.tenantId))).toEqual([]);
  });

  it('refuses a change order on a billed job (409 JOB_BILLED), and one approved after the job got billed', async () => {
    // Prepare: a fixed-price job with a milestone and a pending change order, then billed by its final invoice
    const { api, jobId, ids } = await milestoneJob(['50'], 'fixed_price');
    await api.request('POST', `/v1/jobs/${jobId}/charges`, { description: 'Work', quantity: '1', unitPrice: '100' });
    const co = (await propose(api, jobId, [{ op: 'modify', milestoneId: ids[0], fields: { amount: '60' } }])).body;
    expect((await api.request('POST', `/v1/jobs/${jobId}/close`)).status).toBe(200);
    await issue(api, (await draft(api, jobId, { policy: 'final' })).id);
    const before = await items.read(api.tenantId);
    // Act
    const created = await api.request('POST', `/v1/jobs/${jobId}/change-orders`, {
      description: 'x',
      changes: [{ op: 'remove', milestoneId: ids[0] }],
    });
    const approved = await api.request('POST', `/v1/change-orders/${co.id}/approve`);
    // Assess
    expect([created.status, created.body.code]).toEqual([409, 'JOB_BILLED']);
    expect([approved.status, approved.body.code]).toEqual([409, 'JOB_BILLED']);
    expect(changesBetween(before, await items.read(api.tenantId))).toEqual([]);
    // Rejecting it still records the decision: it changes nothing of the job.
    expect((await api.request('POST', `/v1/change-orders/${co.id}/reject`, { comment: 'Job is billed' })).status).toBe(200);
  });

  it('refuses an approval whose milestone was deleted since, and nothing changes', async () => {
    const { api, jobId, ids } = await milestoneJob(['100', '200']);
    const co = (
      await propose(api, jobId, [
        { op: 'add', milestone: { name: 'New', amount: '10', requiresClientApproval: false } },
        { op: 'modify', milestoneId: ids[1], fields: { amount: '300' } },
      ])
    ).body;
    expect((await api.request('DELETE', `/v1/jobs/${jobId}/milestones/${ids[1]}`)).status).toBe(204);
    const before = await items.read(api.tenantId);
    const approved = await api.request('POST', `/v1/change-orders/${co.id}/approve`);
    expect([approved.status, approved.body.code, approved.body.errors[0].field]).toEqual([
      422,
      'MILESTONE_NOT_FOUND',
      'changes.1.milestoneId',
    ]);
    expect(changesBetween(before, await items.read(api.tenantId))).toEqual([]);
    expect((await api.request('GET', `/v1/change-orders/${co.id}`)).body.status).toBe('draft');
  });

  it('lets exactly one of a concurrent approval and rejection win', async () => {
    for (let round = 0; round < 3; round++) {
      // Prepare
      const { api, jobId, ids } = await milestoneJob(['100']);
      const co = (
        await propose(api, jobId, [
          { op: 'add', milestone: { name: 'New', amount: '50', requiresClientApproval: false } },
          { op: 'modify', milestoneId: ids[0], fields: { amount: '150' } },
        ])
      ).body;
      // Act
      const [approve, reject] = await Promise.all([
        api.request('POST', `/v1/change-orders/${co.id}/approve`),
        api.request('POST', `/v1/change-orders/${co.id}/reject`, { comment: 'No' }),
      ]);
      // Assess
      const outcomes = [approve, reject].map((r) => [r.status, r.body.code ?? r.body.status]);
      expect(
        outcomes.filter(([status]) => status === 200),
        JSON.stringify(outcomes),
      ).toHaveLength(1);
      expect(outcomes.filter(([status, code]) => status === 409 && code === 'APPROVAL_DECIDED')).toHaveLength(1);
      const final = (await api.request('GET', `/v1/change-orders/${co.id}`)).body;
      const job = (await jobOf(api, jobId)).body;
      if (approve.status === 200) {
        expect(final).toMatchObject({ status: 'approved', version: 2 });
        expect([job.billing.projectValue, job.milestones.length]).toEqual(['200.00', 2]);
      } else {
        expect(final).toMatchObject({ status: 'rejected', version: 2 });
        expect([job.billing.projectValue, job.milestones.length]).toEqual(['100.00', 1]);
      }
    }
  });

  it(`applies its most changes (40) in one write: 20 additions and 20 modifications`, async () => {
    const { api, jobId, ids } = await milestoneJob(Array.from({ length: 20 }, () => '10'));
    const co = (
      await propose(api, jobId, [
        ...ids.map((milestoneId) => ({ op: 'modify', milestoneId, fields: { amount: '20', description: 'd'.repeat(2000) } })),
        ...ids.map((_, i) => ({
          op: 'add',
          milestone: {
            name: `Extra ${i}`,
            amount: '5',
            description: 'e'.repeat(2000),
            completionCriteria: 'c'.repeat(2000),
            requiresClientApproval: true,
          },
        })),
      ])
    ).body;
    const approved = await api.request('POST', `/v1/change-orders/${co.id}/approve`);
    expect(approved.status, JSON.stringify(approved.body).slice(0, 300)).toBe(200);
    const job = (await jobOf(api, jobId)).body;
    expect([job.billing.projectValue, job.milestones.length]).toEqual(['500.00', 40]);
  });

  it('deletes a draft only; lists a job its change orders newest first, page by page', async () => {
    const { api, jobId, ids } = await milestoneJob(['100']);
    const made = [];
    for (const amount of ['1', '2', '3']) {
      made.push((await propose(api, jobId, [{ op: 'modify', milestoneId: ids[0], fields: { amount } }])).body.id);
    }
    const first = await api.request('GET', `/v1/jobs/${jobId}/change-orders?limit=2`);
    const second = await api.request('GET', `/v1/jobs/${jobId}/change-orders?limit=2&cursor=${first.body.nextCursor}`);
    expect(first.body.items.map((co: { id: string }) => co.id)).toEqual([made[2], made[1]]);
    expect(second.body).toMatchObject({ items: [{ id: made[0] }], nextCursor: null });
    expect((await api.request('DELETE', `/v1/change-orders/${made[1]}`)).status).toBe(204);
    const gone = await api.request('GET', `/v1/change-orders/${made[1]}`);
    expect([gone.status, gone.body.code]).toEqual([404, 'CHANGE_ORDER_NOT_FOUND']);
    const listed = await api.request('GET', `/v1/jobs/${jobId}/change-orders`);
    expect(listed.body.items.map((co: { id: string }) => co.id)).toEqual([made[2], made[0]]);
    const unknownJob = await api.request('GET', '/v1/jobs/job_nope/change-orders');
    expect([unknownJob.status, unknownJob.body.code]).toEqual([404, 'JOB_NOT_FOUND']);
  });

  it("keeps another tenant's change orders out of reach (404), changing nothing", async () => {
    const { api, jobId, ids } = await milestoneJob(['100']);
    const co = (await propose(api, jobId, [{ op: 'remove', milestoneId: ids[0] }])).body;
    const before = await items.read(api.tenantId);
    const intruder = await newTenant('Other');
    const attempts = [
      await intruder.request('GET', `/v1/change-orders/${co.id}`),
      await intruder.request('POST', `/v1/change-orders/${co.id}/approve`),
      await intruder.request('POST', `/v1/change-orders/${co.id}/reject`, { comment: 'x' }),
      await intruder.request('DELETE', `/v1/change-orders/${co.id}`),
      await intruder.request('GET', `/v1/jobs/${jobId}/change-orders`),
      await intruder.request('POST', `/v1/jobs/${jobId}/change-orders`, {
        description: 'x',
        changes: [{ op: 'remove', milestoneId: ids[0] }],
      }),
    ];
    expect(attempts.map((r) => r.status)).toEqual(Array(6).fill(404));
    expect(changesBetween(before, await items.read(api.tenantId))).toEqual([]);
  });
});
