import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../functions/domain/errors.js';
import { completeMilestone, invoiceMilestone } from '../../functions/domain/milestone.js';
import {
  createChangeOrder,
  decideChangeOrder,
  getChangeOrder,
  markSent,
  staffEvidence,
} from '../../functions/services/change-order.service.js';
import { createCustomer } from '../../functions/services/customer.service.js';
import { createJob } from '../../functions/services/job.service.js';
import { createMilestone } from '../../functions/services/milestone.service.js';
import { registerTenant } from '../../functions/services/tenant.service.js';
import { db, tableName } from '../../functions/store/client.js';
import { getJob } from '../../functions/store/job.store.js';
import type { Key } from '../../functions/store/keys.js';
import { getMilestone, putMilestone, queryMilestones } from '../../functions/store/milestone.store.js';
import { write, type WriteAction } from '../../functions/store/write.js';
import { errorOf } from '../support/domain-errors.js';

const NOW = new Date('2025-05-01T08:00:00.000Z');

/** A milestone job of a fresh tenant with two milestones, and a draft change order that adds one and modifies the first. */
const withChangeOrder = async () => {
  const { tenant } = await registerTenant({ name: 'Change order store', defaultCurrency: 'EUR' });
  const customer = await createCustomer(tenant.id, { name: 'Client' });
  const job = await createJob(tenant.id, { customerId: customer.id, name: 'House', billingType: 'milestone' });
  const first = await createMilestone(tenant.id, job.id, { name: 'A', amount: '100', requiresClientApproval: false });
  await createMilestone(tenant.id, job.id, { name: 'B', amount: '200', requiresClientApproval: false });
  const co = await createChangeOrder(tenant.id, job.id, {
    description: 'More work',
    changes: [
      { op: 'add', milestone: { name: 'C', amount: '50', requiresClientApproval: false } },
      { op: 'modify', milestoneId: first.id, fields: { amount: '150' } },
    ],
  });
  return { tenantId: tenant.id, jobId: job.id, firstId: first.id, co };
};

/** An item of the caller's own, as the portal's approval request would be. */
const callerKey = (tenantId: string): Key => ({ PK: `T#${tenantId}#TEST#caller`, SK: 'TEST' });

const putCallerItem = (tenantId: string): WriteAction => ({
  Put: {
    TableName: tableName(),
    Item: { ...callerKey(tenantId), note: 'decided' },
    ConditionExpression: 'attribute_not_exists(PK)',
  },
});

const callerItem = async (tenantId: string) =>
  (await db().send(new GetCommand({ TableName: tableName(), Key: callerKey(tenantId), ConsistentRead: true }))).Item;

const approval = { requestId: 'apr_1', recipient: 'client@example.test', expiresAt: '2025-05-15T08:00:00.000Z' };

describe('change order store', () => {
  it("writes a decision with the caller's actions or not at all", async () => {
    // Prepare
    const { tenantId, jobId, co } = await withChangeOrder();
    const job = await getJob(tenantId, jobId);
    const refusing: WriteAction = {
      ConditionCheck: { TableName: tableName(), Key: callerKey(tenantId), ConditionExpression: 'attribute_exists(PK)' },
      onConditionFailed: () => new DomainError('conflict', 'APPROVAL_DECIDED', 'The approval request is decided already'),
    };
    // Act: the caller's condition fails
    const refused = await errorOf(decideChangeOrder(tenantId, co.id, 'approve', staffEvidence(null), async () => [refusing]));
    // Assess: nothing of the approval was written
    expect(refused.code).toBe('APPROVAL_DECIDED');
    expect(await getChangeOrder(tenantId, co.id)).toEqual(co);
    expect(await getJob(tenantId, jobId)).toEqual(job);
    expect(await queryMilestones(tenantId, jobId)).toHaveLength(2);

    // Act: the caller's action lands
    const approved = await decideChangeOrder(tenantId, co.id, 'approve', staffEvidence('By phone'), async () => [
      putCallerItem(tenantId),
    ]);
    // Assess: all of it
    expect(approved).toMatchObject({ status: 'approved', decision: { by: 'staff', comment: 'By phone' } });
    expect(await callerItem(tenantId)).toMatchObject({ note: 'decided' });
    expect((await getJob(tenantId, jobId)).milestonePlan?.map((m) => m.amount)).toEqual(['150.00', '200.00', '50.00']);
    expect(await getMilestone(tenantId, jobId, co.changes[0]!.milestoneId)).toMatchObject({ name: 'C', status: 'pending' });
  });

  it('sends a draft, and again with a new approval; refuses to send or approve one a milestone got invoiced under, writing nothing', async () => {
    // Prepare
    const { tenantId, jobId, firstId, co } = await withChangeOrder();
    // Act: send, then send again
    const sent = await markSent(tenantId, co.id, approval, [putCallerItem(tenantId)]);
    const resent = await markSent(tenantId, co.id, { ...approval, requestId: 'apr_2' });
    // Assess
    expect(sent).toMatchObject({ status: 'sent', approval, version: 2 });
    expect(await callerItem(tenantId)).toBeDefined();
    expect(resent).toMatchObject({ status: 'sent', approval: { requestId: 'apr_2' }, version: 3 });

    // Prepare: the milestone it modifies is invoiced since (as the billing workflow writes it)
    const milestone = await getMilestone(tenantId, jobId, firstId);
    await write(putMilestone(tenantId, invoiceMilestone(completeMilestone(milestone, null, NOW), 'inv_1', NOW), milestone));
    const job = await getJob(tenantId, jobId);
    // Act
    const resend = await errorOf(markSent(tenantId, co.id, { ...approval, requestId: 'apr_3' }));
    const approve = await errorOf(decideChangeOrder(tenantId, co.id, 'approve', staffEvidence(null)));
    // Assess
    for (const error of [resend, approve]) {
      expect([error.code, error.errors.map((e) => e.field)]).toEqual(['MILESTONE_INVOICED', ['changes.1']]);
    }
    expect(await getChangeOrder(tenantId, co.id)).toEqual(resent);
    expect(await getJob(tenantId, jobId)).toEqual(job);
    expect(await queryMilestones(tenantId, jobId)).toHaveLength(2);
    // A rejection is still taken: it changes nothing but the change order.
    expect((await decideChangeOrder(tenantId, co.id, 'reject', staffEvidence('Already billed'))).status).toBe('rejected');
  });
});
