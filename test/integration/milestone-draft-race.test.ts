// A milestone invoice drawn while another milestone of the job is issued: the job and its
// milestones are two reads, and the draft must never pair a job that already counts the other
// invoice with milestones that do not (it would bill the other's deposit share twice).
import { describe, expect, it } from 'vitest';
import { createCustomer } from '../../functions/services/customer.service.js';
import { createDraft } from '../../functions/services/invoice.service.js';
import { issueInvoice } from '../../functions/services/issue-invoice.service.js';
import { createJob } from '../../functions/services/job.service.js';
import { completeMilestone } from '../../functions/services/milestone-billing.service.js';
import { createMilestone, getMilestone } from '../../functions/services/milestone.service.js';
import { registerTenant } from '../../functions/services/tenant.service.js';
import { billingSummary } from '../../functions/domain/job.js';
import { getJob } from '../../functions/store/job.store.js';
import { db } from '../../functions/store/client.js';
import { keys } from '../../functions/store/keys.js';
import type { StepRegistry } from '../../functions/steps/index.js';
import { steps } from '../../functions/steps/index.js';
import { workflowRunner } from '../support/workflow-runner.js';

/** Run once, just before the next read of the job's item goes to DynamoDB (GetItem or BatchGetItem). */
const beforeJobRead: { key?: { PK: string; SK: string }; hook?: () => Promise<void> } = {};

type ReadInput = { Key?: Record<string, unknown>; RequestItems?: Record<string, { Keys: Record<string, unknown>[] }> };

const readsJob = (input: ReadInput, key: { PK: string; SK: string }): boolean =>
  [input.Key ?? [], ...Object.values(input.RequestItems ?? {}).map((r) => r.Keys)]
    .flat()
    .some((k) => k.PK === key.PK && k.SK === key.SK);

db().middlewareStack.add(
  (next) => async (args) => {
    const { key, hook } = beforeJobRead;
    if (key && hook && readsJob(args.input as ReadInput, key)) {
      beforeJobRead.hook = undefined;
      await hook();
    }
    return next(args);
  },
  { step: 'initialize', name: 'testBeforeJobRead' },
);

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

const run = workflowRunner();

describe('a milestone draft drawn while another milestone is issued', () => {
  it('applies each deposit share once: the later invoice bills exactly what is left', async () => {
    // Prepare: two milestones (100.00, 200.00) and a 10% deposit; A's issue held until B's draft reads the job
    const { tenant } = await registerTenant({ name: 'Draft race', defaultCurrency: 'EUR' });
    const customer = await createCustomer(tenant.id, { name: 'Client', email: 'race@example.test' });
    const job = await createJob(tenant.id, { customerId: customer.id, name: 'House', billingType: 'milestone' });
    const [a, b] = [
      await createMilestone(tenant.id, job.id, { name: 'A', amount: '100', taxRate: '0', requiresClientApproval: false }),
      await createMilestone(tenant.id, job.id, { name: 'B', amount: '200', taxRate: '0', requiresClientApproval: false }),
    ];
    const { invoice: deposit } = await createDraft(tenant.id, job.id, { policy: 'deposit', percent: '10' });
    await issueInvoice(tenant.id, deposit.id);
    const aReady = deferred();
    const aReleased = deferred();
    const aIssued = deferred();
    const registry: StepRegistry = {
      ...steps,
      IssueMilestoneInvoice: async (input) => {
        if ((input as { milestoneId: string }).milestoneId !== a!.id) return steps.IssueMilestoneInvoice!(input);
        aReady.resolve();
        await aReleased.promise;
        const issued = await steps.IssueMilestoneInvoice!(input);
        aIssued.resolve();
        return issued;
      },
      CreateMilestoneInvoice: async (input) => {
        if ((input as { milestoneId: string }).milestoneId === b!.id) {
          // A commits after B's draft is under way and just before it reads the job.
          beforeJobRead.key = keys.job(tenant.id, job.id);
          beforeJobRead.hook = async () => {
            aReleased.resolve();
            await aIssued.promise;
          };
        }
        return steps.CreateMilestoneInvoice!(input);
      },
    };
    const workflows = run(registry);
    await completeMilestone(tenant.id, job.id, a!.id, null);
    await aReady.promise;
    // Act
    await completeMilestone(tenant.id, job.id, b!.id, null);
    await workflows.idle();
    // Assess: both invoiced; the deposit (30.00) applied 10.00 + 20.00; nothing left, nothing over
    const billed = await Promise.all([a!, b!].map((m) => getMilestone(tenant.id, job.id, m.id)));
    expect(billed.map((m) => [m.status, m.billing?.state, m.billingError])).toEqual([
      ['invoiced', 'done', null],
      ['invoiced', 'done', null],
    ]);
    expect(billingSummary(await getJob(tenant.id, job.id))).toMatchObject({ remaining: '0.00', depositsHeld: '0.00' });
  });
});
