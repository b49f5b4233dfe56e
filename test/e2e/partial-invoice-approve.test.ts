import { describe, expect, it } from 'vitest';
import { newTenant, type ApiClient } from '../support/api.js';
import { draft, issue, jobWithCharges } from '../support/billing.js';
import { eventually } from '../support/portal.js';

const item = (i: number) => ({
  kind: 'hours',
  date: '2026-04-01',
  description: `Work ${i}`,
  quantity: '2',
  unitCost: '30.00',
  unitPrice: '55.00',
  booked: true,
});

/** A tenant's time and material job "Repair" for a customer named `customerName` (no email address). */
const repairJob = async (tenantName: string, customerName: string): Promise<{ api: ApiClient; jobId: string }> => {
  const api = await newTenant(tenantName, 'EUR');
  const customer = await api.request('POST', '/v1/customers', { name: customerName });
  const job = await api.request('POST', '/v1/jobs', {
    customerId: customer.body.id,
    name: 'Repair',
    billingType: 'time_and_material',
  });
  return { api, jobId: job.body.id };
};

/** Books `count` expenditures on the job and drafts a partial invoice selecting them all. */
const bookAndDraft = async (api: ApiClient, jobId: string, count: number) => {
  const batch = await api.request('POST', `/v1/jobs/${jobId}/expenditures/batch`, {
    items: Array.from({ length: count }, (_, i) => item(i)),
  });
  expect(batch.status, JSON.stringify(batch.body).slice(0, 300)).toBe(201);
  const partial = await api.request('POST', `/v1/jobs/${jobId}/partial-invoices`, {
    expenditureIds: batch.body.items.map((e: { id: string }) => e.id),
    copy: 'summary',
  });
  expect(partial.status, JSON.stringify(partial.body).slice(0, 300)).toBe(201);
  return partial.body;
};

const unbilledCount = async (api: ApiClient, jobId: string): Promise<number> => {
  const report = (await api.request('GET', `/v1/reports/unbilled-expenditures?jobId=${jobId}`)).body;
  return report.totals[0]?.count ?? 0;
};

describe('the go-ahead of a partial invoice refuses what would fail its finalization, before anything starts', () => {
  it('with send, a customer without an email address: 422 NO_RECIPIENT naming send, the draft as it was; without send it finalizes', async () => {
    // Prepare
    const { api, jobId } = await repairJob('No email', 'Walk-in');
    const partial = await bookAndDraft(api, jobId, 3);
    // Act
    const refused = await api.request('POST', `/v1/partial-invoices/${partial.id}/approve`, { send: true });
    // Assess
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'NO_RECIPIENT', errors: [{ field: 'send' }] });
    const after = (await api.request('GET', `/v1/invoices/${partial.id}`)).body;
    expect(after).toMatchObject({ status: 'draft', version: partial.version, selection: { state: 'open', error: null } });
    // Act: without send
    const approved = await api.request('POST', `/v1/partial-invoices/${partial.id}/approve`, {});
    // Assess
    expect(approved.status).toBe(200);
    const invoice = await eventually(async () => {
      const { body } = await api.request('GET', `/v1/invoices/${partial.id}`);
      return body.status === 'invoiced' ? body : undefined;
    }, 'the invoice finalized');
    expect(invoice.totals.net).toBe('330.00');
  });

  it('an issue date the backdating rules refuse: 422 naming issueDate, the draft as it was', async () => {
    // Prepare
    const { api, jobId } = await repairJob('Dates', 'Client');
    const partial = await bookAndDraft(api, jobId, 2);
    const dated = await api.request('PATCH', `/v1/invoices/${partial.id}`, { issueDate: '2099-01-01' });
    expect(dated.status, JSON.stringify(dated.body)).toBe(200);
    // Act
    const refused = await api.request('POST', `/v1/partial-invoices/${partial.id}/approve`, {});
    // Assess
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'ISSUE_DATE_IN_FUTURE', errors: [{ field: 'issueDate' }] });
    const after = (await api.request('GET', `/v1/invoices/${partial.id}`)).body;
    expect(after).toMatchObject({ status: 'draft', version: dated.body.version, selection: { state: 'open' } });
  });

  it('a due date before the issue date it would get: 422 DUE_DATE_BEFORE_ISSUE_DATE, the draft as it was, nothing started', async () => {
    // Prepare
    const { api, jobId } = await repairJob('Due dates', 'Client');
    const partial = await bookAndDraft(api, jobId, 2);
    const dated = await api.request('PATCH', `/v1/invoices/${partial.id}`, { dueDate: '2020-01-01' });
    expect(dated.status, JSON.stringify(dated.body)).toBe(200);
    // Act
    const refused = await api.request('POST', `/v1/partial-invoices/${partial.id}/approve`, {});
    // Assess
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('DUE_DATE_BEFORE_ISSUE_DATE');
    const after = (await api.request('GET', `/v1/invoices/${partial.id}`)).body;
    expect(after).toMatchObject({ status: 'draft', version: dated.body.version, selection: { state: 'open' } });
  });

  it('on a job billed since the draft: 409 JOB_BILLED; deleting the draft gives its expenditures back', async () => {
    // Prepare: a fixed-price job with a draft selecting its expenditures, then its final invoice
    const { api, job } = await jobWithCharges([{ description: 'Kitchen', quantity: '1', unitPrice: '5000.00' }]);
    const partial = await bookAndDraft(api, job.id, 4);
    expect((await api.request('POST', `/v1/jobs/${job.id}/close`)).status).toBe(200);
    await issue(api, (await draft(api, job.id, { policy: 'final' })).id);
    // Act
    const refused = await api.request('POST', `/v1/partial-invoices/${partial.id}/approve`, {});
    const deleted = await api.request('DELETE', `/v1/invoices/${partial.id}`);
    // Assess
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('JOB_BILLED');
    expect(deleted.status).toBe(204);
    expect((await api.request('GET', `/v1/invoices/${partial.id}`)).status).toBe(404);
    expect(await unbilledCount(api, job.id)).toBe(4);
    const selected = await api.request('GET', `/v1/jobs/${job.id}/expenditures?status=selected`);
    expect(selected.body.items).toEqual([]);
  });
});
