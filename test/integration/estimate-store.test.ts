import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DecisionEvidence } from '../../functions/domain/approval.js';
import { DomainError } from '../../functions/domain/errors.js';
import { createCustomer } from '../../functions/services/customer.service.js';
import {
  acceptEstimate,
  declineEstimate,
  decideEstimate,
  sendEstimate,
} from '../../functions/services/estimate-approval.service.js';
import { addCharge, createEstimate, deleteEstimate, reorderCharges } from '../../functions/services/estimate.service.js';
import { registerTenant } from '../../functions/services/tenant.service.js';
import { getApprovalRequest } from '../../functions/store/approval.store.js';
import { getEstimate, listEstimates } from '../../functions/store/estimate.store.js';
import { getJob } from '../../functions/store/job.store.js';
import { errorOf } from '../support/domain-errors.js';

beforeAll(() => {
  process.env.PORTAL_URL = 'http://portal.test';
});
afterAll(() => {
  delete process.env.PORTAL_URL;
});

const today = (): string => new Date().toISOString().slice(0, 10);
const yesterday = (): string => new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);

/** An estimate of a fresh tenant with charges A, B, C, D (in that order), reordered to D, A, C, B. */
const anEstimate = async (validUntil: string | null = null) => {
  const { tenant } = await registerTenant({ name: 'Estimates', defaultCurrency: 'EUR' });
  const customer = await createCustomer(tenant.id, { name: 'Client', email: 'client@example.com' });
  const estimate = await createEstimate(tenant.id, {
    customerId: customer.id,
    name: 'Bathroom',
    billingType: 'fixed_price',
    retainagePercent: '10',
    validUntil,
  });
  const ids: string[] = [];
  for (const [description, unitPrice] of [
    ['A', '100'],
    ['B', '250.50'],
    ['C', '0.99'],
    ['D', '1200'],
  ] as const) {
    ids.push((await addCharge(tenant.id, estimate.id, { description, quantity: '1', unitPrice, taxRate: '20' })).charge.id);
  }
  const reordered = await reorderCharges(tenant.id, estimate.id, [ids[3]!, ids[0]!, ids[2]!, ids[1]!]);
  return { tenantId: tenant.id, customerId: customer.id, estimate: reordered };
};

const client = (comment: string | null = null): DecisionEvidence => ({
  by: 'client',
  at: new Date().toISOString(),
  ip: '203.0.113.9',
  userAgent: 'test',
  comment,
});

describe('accepting an estimate', () => {
  it('makes the job with the same charges in the same order, linked both ways, and decides the pending request', async () => {
    // Prepare
    const { tenantId, customerId, estimate } = await anEstimate();
    const sent = await sendEstimate(tenantId, estimate.id);
    // Act
    const accepted = await acceptEstimate(tenantId, estimate.id);
    // Assess
    const job = await getJob(tenantId, accepted.jobId!);
    expect(job).toMatchObject({
      customerId,
      name: 'Bathroom',
      billingType: 'fixed_price',
      currency: 'EUR',
      retainagePercent: '10',
      status: 'open',
      estimateId: estimate.id,
      version: 1,
    });
    expect(job.charges).toEqual(estimate.charges);
    expect(job.charges.map((c) => c.description)).toEqual(['D', 'A', 'C', 'B']);
    expect(await getEstimate(tenantId, estimate.id)).toMatchObject({ status: 'accepted', jobId: job.id });
    expect(await getApprovalRequest(tenantId, sent.approval!.requestId)).toMatchObject({
      status: 'approved',
      decision: { by: 'staff', outcome: 'approve' },
    });
  });

  it('twice at once makes one job: both answers name it, the job is written once', async () => {
    // Prepare
    const { tenantId, estimate } = await anEstimate();
    // Act
    const answers = await Promise.all([1, 2, 3, 4].map(() => acceptEstimate(tenantId, estimate.id)));
    // Assess
    expect(new Set(answers.map((a) => a.jobId)).size).toBe(1);
    expect(answers.every((a) => a.status === 'accepted')).toBe(true);
    const job = await getJob(tenantId, answers[0]!.jobId!);
    expect(job.version).toBe(1);
    expect((await getEstimate(tenantId, estimate.id)).version).toBe(answers[0]!.version);
  });

  it("by the client's link and by staff at once: one job, and the client's link is used if staff won", async () => {
    // Prepare
    const { tenantId, estimate } = await anEstimate();
    const sent = await sendEstimate(tenantId, estimate.id);
    // Act
    const [byClient, byStaff] = await Promise.allSettled([
      decideEstimate(tenantId, estimate.id, 'approve', client(), sent.approval!.requestId),
      acceptEstimate(tenantId, estimate.id),
    ]);
    // Assess
    expect(byStaff.status).toBe('fulfilled');
    const jobId = (byStaff as PromiseFulfilledResult<{ jobId: string }>).value.jobId;
    if (byClient.status === 'fulfilled') expect(byClient.value.jobId).toBe(jobId);
    else expect((byClient.reason as DomainError).code).toBe('APPROVAL_DECIDED');
    expect((await getJob(tenantId, jobId)).version).toBe(1);
  });

  it('past validUntil is refused (ESTIMATE_EXPIRED) and makes no job', async () => {
    // Prepare
    const { tenantId, estimate } = await anEstimate(yesterday());
    // Act
    const error = await errorOf(acceptEstimate(tenantId, estimate.id));
    // Assess
    expect({ kind: error.kind, code: error.code }).toEqual({ kind: 'conflict', code: 'ESTIMATE_EXPIRED' });
    expect(await getEstimate(tenantId, estimate.id)).toMatchObject({ status: 'draft', jobId: null, version: estimate.version });
    expect((await errorOf(getJob(tenantId, `job_${estimate.id.slice(4)}`))).code).toBe('JOB_NOT_FOUND');
  });

  it('on its last valid day is made', async () => {
    const { tenantId, estimate } = await anEstimate(today());
    expect((await acceptEstimate(tenantId, estimate.id)).status).toBe('accepted');
  });

  it('leaves the estimate undeletable (ESTIMATE_ACCEPTED)', async () => {
    const { tenantId, estimate } = await anEstimate();
    await acceptEstimate(tenantId, estimate.id);
    expect((await errorOf(deleteEstimate(tenantId, estimate.id))).code).toBe('ESTIMATE_ACCEPTED');
  });
});

describe('declining an estimate', () => {
  it('keeps the reason, decides the request and makes no job; it cannot be accepted after', async () => {
    // Prepare
    const { tenantId, estimate } = await anEstimate();
    const sent = await sendEstimate(tenantId, estimate.id);
    // Act
    const declined = await declineEstimate(tenantId, estimate.id, 'Over budget');
    // Assess
    expect(declined).toMatchObject({ status: 'declined', jobId: null, decision: { outcome: 'reject', comment: 'Over budget' } });
    expect(await getApprovalRequest(tenantId, sent.approval!.requestId)).toMatchObject({ status: 'rejected' });
    expect((await errorOf(acceptEstimate(tenantId, estimate.id))).code).toBe('APPROVAL_DECIDED');
    expect((await errorOf(getJob(tenantId, `job_${estimate.id.slice(4)}`))).code).toBe('JOB_NOT_FOUND');
  });
});

describe('sending an estimate again', () => {
  it("supersedes the link still pending: the client's decision through it is refused", async () => {
    // Prepare
    const { tenantId, estimate } = await anEstimate();
    const first = await sendEstimate(tenantId, estimate.id);
    const second = await sendEstimate(tenantId, estimate.id);
    // Act
    const error = await errorOf(decideEstimate(tenantId, estimate.id, 'approve', client(), first.approval!.requestId));
    // Assess
    expect(error.code).toBe('APPROVAL_DECIDED');
    expect(await getApprovalRequest(tenantId, first.approval!.requestId)).toMatchObject({ status: 'superseded' });
    expect(await getApprovalRequest(tenantId, second.approval!.requestId)).toMatchObject({
      status: 'pending',
      deemedAcceptedAt: null,
    });
  });
});

describe('listing estimates', () => {
  it("lists the tenant's and a customer's, newest first, filtered by status", async () => {
    // Prepare
    const { tenantId, customerId, estimate } = await anEstimate();
    const other = await createEstimate(tenantId, { customerId, name: 'Hall', billingType: 'fixed_price' });
    await acceptEstimate(tenantId, estimate.id);
    // Act
    const all = await listEstimates(tenantId, {}, 10);
    const drafts = await listEstimates(tenantId, { customerId, status: 'draft' }, 10);
    // Assess
    expect(all.items.map((e) => e.id)).toEqual([other.id, estimate.id]);
    expect(all.items[1]!.charges.map((c) => c.description)).toEqual(['D', 'A', 'C', 'B']);
    expect(drafts.items.map((e) => e.id)).toEqual([other.id]);
  });
});
