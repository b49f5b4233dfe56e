import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { addCharge } from '../../functions/domain/charge.js';
import type { Job } from '../../functions/domain/job.js';
import {
  approveMilestone,
  completeMilestone,
  createMilestone,
  requestApproval,
  type Milestone,
} from '../../functions/domain/milestone.js';
import { createCustomer } from '../../functions/services/customer.service.js';
import { createJob } from '../../functions/services/job.service.js';
import { registerTenant } from '../../functions/services/tenant.service.js';
import { db, tableName } from '../../functions/store/client.js';
import { getJob, saveJob } from '../../functions/store/job.store.js';
import {
  deleteMilestone,
  getMilestone,
  getMilestones,
  queryMilestones,
  saveMilestone,
} from '../../functions/store/milestone.store.js';
import { keys } from '../../functions/store/keys.js';
import { errorOf } from '../support/domain-errors.js';

const NOW = new Date('2025-05-01T08:00:00.000Z');

/** A stored milestone job of a fresh tenant with the milestones `names`, each saved as the service saves it. */
const storedJob = async (names: string[]): Promise<{ tenantId: string; job: Job; milestones: Milestone[] }> => {
  const { tenant } = await registerTenant({ name: 'Milestone store', defaultCurrency: 'EUR' });
  const customer = await createCustomer(tenant.id, { name: 'Client' });
  let job = await createJob(tenant.id, { customerId: customer.id, name: 'House', billingType: 'milestone' });
  const milestones: Milestone[] = [];
  for (const [i, name] of names.entries()) {
    const made = createMilestone(job, { name, amount: '100', requiresClientApproval: true }, `mil_${i + 1}`, NOW);
    await saveMilestone(tenant.id, { job: made.job, previousJob: job, milestone: made.milestone, previous: null });
    job = made.job;
    milestones.push(made.milestone);
  }
  return { tenantId: tenant.id, job, milestones };
};

describe('milestone store', () => {
  it('writes a milestone and its job together, or neither when the job moved on', async () => {
    // Prepare
    const { tenantId, job } = await storedJob(['A']);
    const stale = { ...job, version: job.version - 1 };
    const made = createMilestone(stale, { name: 'B', amount: '5', requiresClientApproval: false }, 'mil_b', NOW);
    // Act
    const error = await errorOf(
      saveMilestone(tenantId, { job: made.job, previousJob: stale, milestone: made.milestone, previous: null }),
    );
    // Assess
    expect({ code: error.code, retryable: error.retryable }).toEqual({ code: 'VERSION_CONFLICT', retryable: true });
    expect(
      (await db().send(new GetCommand({ TableName: tableName(), Key: keys.milestone(tenantId, job.id, 'mil_b') }))).Item,
    ).toBeUndefined();
    expect(await getJob(tenantId, job.id)).toEqual(job);
  });

  it('changes milestones one by one without a write of the job, so that two approvals never conflict', async () => {
    // Prepare: both awaiting approval, each read at its version
    const { tenantId, job, milestones } = await storedJob(['A', 'B']);
    const awaiting = milestones.map((m) => requestApproval(completeMilestone(m, null, NOW), NOW));
    for (const [i, m] of awaiting.entries()) {
      await saveMilestone(tenantId, { job, previousJob: job, milestone: m, previous: milestones[i]! });
    }
    // Act: both approved at once, against the same job version
    await Promise.all(
      awaiting.map((m) => saveMilestone(tenantId, { job, previousJob: job, milestone: approveMilestone(m, NOW), previous: m })),
    );
    // Assess
    expect((await queryMilestones(tenantId, job.id)).map((m) => [m.id, m.status, m.version]).sort()).toEqual([
      ['mil_1', 'approved', 4],
      ['mil_2', 'approved', 4],
    ]);
    expect((await getJob(tenantId, job.id)).version).toBe(job.version);
  });

  it('refuses an edit of a milestone whose job is billed (JOB_BILLED) or whose version moved (VERSION_CONFLICT), writing nothing', async () => {
    const { tenantId, job, milestones } = await storedJob(['A']);
    const renamed = { ...milestones[0]!, name: 'Renamed', version: 2 };
    // A stale milestone
    const stale = await errorOf(
      saveMilestone(tenantId, { job, previousJob: job, milestone: renamed, previous: { ...milestones[0]!, version: 7 } }),
    );
    expect(stale.code).toBe('VERSION_CONFLICT');
    // A billed job
    const billed = { ...job, status: 'billed' as const, version: job.version + 1 };
    await saveJob(tenantId, billed, job);
    const refused = await errorOf(
      saveMilestone(tenantId, { job: billed, previousJob: billed, milestone: renamed, previous: milestones[0]! }),
    );
    expect(refused.code).toBe('JOB_BILLED');
    expect(await getMilestone(tenantId, job.id, 'mil_1')).toEqual(milestones[0]);
  });

  it('deletes a milestone with the next job only at the version read', async () => {
    const { tenantId, job, milestones } = await storedJob(['A', 'B']);
    const without = { ...job, milestonePlan: job.milestonePlan!.slice(1), version: job.version + 1 };
    const stale = await errorOf(deleteMilestone(tenantId, { ...milestones[0]!, version: 9 }, without, job));
    expect(stale.code).toBe('VERSION_CONFLICT');
    await deleteMilestone(tenantId, milestones[0]!, without, job);
    expect((await queryMilestones(tenantId, job.id)).map((m) => m.id)).toEqual(['mil_2']);
    expect((await getJob(tenantId, job.id)).milestonePlan).toEqual(without.milestonePlan);
  });

  it("reads only the milestones of the job's collection, not the parts of a large job, by Query or by key", async () => {
    // Prepare: charges of long text spill the job into part items of the same collection
    const { tenantId, job } = await storedJob(['A', 'B', 'C']);
    const large = Array.from({ length: 150 }, (_, i) => i).reduce(
      (j, i) => addCharge(j, { description: `${i} ${'x'.repeat(490)}`, quantity: '1', unitPrice: '1' }, `chg_${i}`, NOW),
      job,
    );
    await saveJob(tenantId, { ...large, version: job.version + 1 }, job);
    const header = await db().send(new GetCommand({ TableName: tableName(), Key: keys.job(tenantId, job.id) }));
    expect(header.Item?.parts).toHaveLength(1);
    // Act
    const queried = await queryMilestones(tenantId, job.id);
    const byKey = await getMilestones(tenantId, job.id, ['mil_3', 'mil_1', 'mil_nope']);
    // Assess
    expect(queried.map((m) => m.id).sort()).toEqual(['mil_1', 'mil_2', 'mil_3']);
    expect([...byKey.keys()].sort()).toEqual(['mil_1', 'mil_3']);
    expect(queried.every((m) => !('PK' in m) && !('SK' in m))).toBe(true);
    expect((await getJob(tenantId, job.id)).charges).toHaveLength(150);
  });
});
