import { afterAll, describe, expect, inject, it } from 'vitest';
import { TABLE_NAME } from '../../local/stack.js';
import { newTenant, type ApiClient } from '../support/api.js';
import { approvalMail, billed, linkIn, openPortal, postDecision, uniqueEmail } from '../support/portal.js';
import { tenantItemReader } from '../support/tenant-items.js';

const items = tenantItemReader(inject('dynamoEndpoint'), TABLE_NAME);
afterAll(() => items.close());

/** A milestone job (1,000 and 2,000 EUR) and a change order adding 500 and raising the second to 2,500. */
const proposal = async () => {
  const api: ApiClient = await newTenant('Acme Builders', 'EUR');
  const email = uniqueEmail('client');
  const customer = await api.request('POST', '/v1/customers', { name: 'Client', email });
  const job = await api.request('POST', '/v1/jobs', { customerId: customer.body.id, name: 'House', billingType: 'milestone' });
  const ids: string[] = [];
  for (const [name, amount] of [
    ['Walls', '1000'],
    ['Roof', '2000'],
  ]) {
    ids.push(
      (await api.request('POST', `/v1/jobs/${job.body.id}/milestones`, { name, amount, requiresClientApproval: false })).body.id,
    );
  }
  const co = await api.request('POST', `/v1/jobs/${job.body.id}/change-orders`, {
    description: 'Skylight and a better roof',
    changes: [
      { op: 'add', milestone: { name: 'Skylight', amount: '500', requiresClientApproval: false } },
      { op: 'modify', milestoneId: ids[1], fields: { amount: '2500' } },
    ],
  });
  expect(co.status, JSON.stringify(co.body)).toBe(201);
  return { api, email, jobId: job.body.id as string, ids, coId: co.body.id as string };
};

const projectValue = async (api: ApiClient, jobId: string) =>
  (await api.request('GET', `/v1/jobs/${jobId}`)).body.billing.projectValue;

describe('change orders through the portal', () => {
  it('sends a link; the page shows each change and the value before and after; approving applies them all', async () => {
    // Prepare
    const { api, email, jobId, coId } = await proposal();
    // Act
    const sent = await api.request('POST', `/v1/change-orders/${coId}/send`);
    // Assess
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    expect(sent.body).toMatchObject({ status: 'sent', approval: { recipient: email } });
    const link = linkIn(await approvalMail(email));
    const page = await openPortal(link);
    expect(page.status).toBe(200);
    for (const shown of ['Skylight and a better roof', 'Skylight', 'Roof', '3,000.00', '4,000.00'])
      expect(page.html).toContain(shown);
    expect(await projectValue(api, jobId)).toBe('3000.00');
    // Act: the client approves
    const approved = await postDecision(link, { decision: 'approve' });
    // Assess
    expect(approved.status).toBe(200);
    expect(await projectValue(api, jobId)).toBe('4000.00');
    const co = await api.request('GET', `/v1/change-orders/${coId}`);
    expect(co.body).toMatchObject({
      status: 'approved',
      decision: { outcome: 'approve', by: 'client', userAgent: 'PortalTest/1.0' },
    });
    const milestones = (await api.request('GET', `/v1/jobs/${jobId}/milestones`)).body.items;
    expect(milestones.map((m: { name: string; amount: string }) => [m.name, m.amount])).toEqual([
      ['Walls', '1000.00'],
      ['Roof', '2500.00'],
      ['Skylight', '500.00'],
    ]);
    expect((await postDecision(link, { decision: 'reject', comment: 'Changed my mind' })).status).toBe(410);
  });

  it('a rejection needs a reason, and leaves the job as it was', async () => {
    // Prepare
    const { api, email, jobId, coId } = await proposal();
    await api.request('POST', `/v1/change-orders/${coId}/send`);
    const link = linkIn(await approvalMail(email));
    // Act
    const bare = await postDecision(link, { decision: 'reject' });
    const before = await items.read(api.tenantId);
    const rejected = await postDecision(link, { decision: 'reject', comment: 'Too expensive' });
    // Assess
    expect(bare.status).toBe(400);
    expect(bare.html).toContain('href="#comment"');
    expect(rejected.status).toBe(200);
    expect(await projectValue(api, jobId)).toBe('3000.00');
    const co = await api.request('GET', `/v1/change-orders/${coId}`);
    expect(co.body).toMatchObject({
      status: 'rejected',
      decision: { outcome: 'reject', comment: 'Too expensive', by: 'client' },
    });
    const after = await items.read(api.tenantId);
    const changed = [...after.keys()].filter((key) => after.get(key) !== before.get(key));
    // The change order and its request, nothing of the job or its milestones
    expect(
      changed.every((key) => /#CO#|#APPROVAL#/.test(key)),
      changed.join('\n'),
    ).toBe(true);
  });

  it('a link to a change order that no longer applies (its milestone invoiced since) asks nothing', async () => {
    // Prepare: sent, then the milestone it modifies is billed
    const { api, email, jobId, ids, coId } = await proposal();
    await api.request('POST', `/v1/change-orders/${coId}/send`);
    const link = linkIn(await approvalMail(email));
    await api.request('POST', `/v1/jobs/${jobId}/milestones/${ids[1]}/complete`);
    await billed(api, jobId, ids[1]!);
    // Act + Assess: no form, nothing decided
    const page = await openPortal(link);
    expect(page.status).toBe(409);
    expect(page.html).toMatch(/can no longer be decided/i);
    expect(page.html).not.toContain('<form');
    expect((await postDecision(link, { decision: 'approve' })).status).toBe(409);
    expect((await api.request('GET', `/v1/change-orders/${coId}`)).body.status).toBe('sent');
  });

  it('a link opened and posted many times while it is being decided answers the page or used, never a failure', async () => {
    for (let round = 0; round < 5; round++) {
      // Prepare
      const { api, email, jobId, coId } = await proposal();
      await api.request('POST', `/v1/change-orders/${coId}/send`);
      const link = linkIn(await approvalMail(email));
      // Act: the client double-clicks, in several tabs, while the page is opened again and again
      let deciding = true;
      const opening = async (): Promise<number[]> => {
        const seen: number[] = [];
        while (deciding) seen.push((await openPortal(link)).status);
        return seen;
      };
      const readers = Array.from({ length: 4 }, opening);
      const posts = await Promise.all(Array.from({ length: 6 }, () => postDecision(link, { decision: 'approve' })));
      deciding = false;
      const opened = (await Promise.all(readers)).flat();
      // Assess: one decision; every other post found the link used; every page is the question or used
      expect(posts.map((r) => r.status).sort()).toEqual([200, 410, 410, 410, 410, 410]);
      expect(opened.filter((status) => status !== 200 && status !== 410)).toEqual([]);
      expect(await projectValue(api, jobId)).toBe('4000.00');
    }
  });

  it('a rejection through the API needs a readable reason too', async () => {
    const { api, coId } = await proposal();
    for (const comment of ['\u0000', '\u200b\u200b', '\u2800', '\u3164']) {
      const refused = await api.request('POST', `/v1/change-orders/${coId}/reject`, { comment });
      expect(refused.status, JSON.stringify(comment)).toBe(400);
      expect(refused.body.errors[0].field).toBe('comment');
    }
    expect((await api.request('GET', `/v1/change-orders/${coId}`)).body.status).toBe('draft');
  });

  it('a second send replaces the first link; staff deciding first leaves the link used', async () => {
    const { api, email, coId } = await proposal();
    await api.request('POST', `/v1/change-orders/${coId}/send`);
    const first = linkIn(await approvalMail(email));
    await api.request('POST', `/v1/change-orders/${coId}/send`);
    const second = linkIn(await approvalMail(email, 2));
    expect((await openPortal(first)).status).toBe(410);
    expect((await api.request('POST', `/v1/change-orders/${coId}/approve`, { note: 'Agreed by phone' })).status).toBe(200);
    const used = await openPortal(second);
    expect(used.status).toBe(410);
    expect(used.html).toMatch(/already been used/i);
  });
});
