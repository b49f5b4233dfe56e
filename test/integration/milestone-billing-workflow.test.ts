// The milestone-billing ASL run by the local runner against the real step handlers, on DynamoDB
// Local and the local SES: one test per path of the definition.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executionName, provideWorkflows, type Workflows } from '../../functions/adapters/workflows.js';
import { createCustomer } from '../../functions/services/customer.service.js';
import { createJob } from '../../functions/services/job.service.js';
import { listInvoices } from '../../functions/services/invoice.service.js';
import { completeMilestone, retryBilling, roundOf } from '../../functions/services/milestone-billing.service.js';
import { createMilestone, getMilestone } from '../../functions/services/milestone.service.js';
import { registerTenant } from '../../functions/services/tenant.service.js';
import { sweepOwedStarts } from '../../functions/services/workflow-starts.js';
import { TransientStepError } from '../../functions/steps/index.js';
import { getExecution } from '../../functions/store/execution.store.js';
import { owedStartsBefore } from '../../functions/store/workflow-start.store.js';
import { failing, workflowRunner } from '../support/workflow-runner.js';
import { mailsTo, uniqueEmail } from '../support/portal.js';

const run = workflowRunner();
beforeAll(() => {
  process.env.PORTAL_URL = 'http://portal.test';
});
afterAll(() => {
  delete process.env.PORTAL_URL;
});

/** A milestone job with one milestone that needs no approval (1,000.00 at 20%). */
const milestoneToBill = async () => {
  const { tenant } = await registerTenant({ name: 'Workflow tests', defaultCurrency: 'EUR' });
  const email = uniqueEmail('wf');
  const customer = await createCustomer(tenant.id, { name: 'Client', email });
  const job = await createJob(tenant.id, { customerId: customer.id, name: 'House', billingType: 'milestone' });
  const m = await createMilestone(tenant.id, job.id, {
    name: 'Roof',
    amount: '1000',
    taxRate: '20',
    requiresClientApproval: false,
  });
  return { tenantId: tenant.id, jobId: job.id, milestoneId: m.id, email };
};

const invoicesOf = async (tenantId: string, jobId: string) => (await listInvoices(tenantId, { jobId }, 50)).items;

const invoiceMails = async (email: string) => (await mailsTo(email)).filter((mail) => mail.attachments.length > 0);

describe('workflows/milestone-billing.asl.json', () => {
  it('happy path: drafts, issues, sends and marks the milestone, each step once', async () => {
    // Prepare
    const { registry, calls } = failing({});
    const workflows = run(registry);
    const { tenantId, jobId, milestoneId, email } = await milestoneToBill();
    // Act
    const started = await completeMilestone(tenantId, jobId, milestoneId, 'Done');
    await workflows.idle();
    // Assess
    expect(calls).toEqual([
      'ApplyMilestoneApproval',
      'CreateMilestoneInvoice',
      'IssueMilestoneInvoice',
      'SendMilestoneInvoice',
      'MarkMilestoneInvoiced',
    ]);
    const m = await getMilestone(tenantId, jobId, milestoneId);
    expect(m).toMatchObject({ status: 'invoiced', invoiceId: started.billing!.invoiceId, billing: { state: 'done' } });
    const execution = await getExecution('milestone-billing', executionName(`milestone-${milestoneId}-1`));
    expect(execution?.status).toBe('succeeded');
    expect(JSON.parse(execution!.output!)).toMatchObject({
      issued: { number: expect.stringMatching(/^INV-/) },
      sent: { state: 'sent' },
    });
    expect(await invoicesOf(tenantId, jobId)).toHaveLength(1);
    expect(await invoiceMails(email)).toHaveLength(1);
  });

  it('retries a step that fails with a transient error, then succeeds with one invoice', async () => {
    // Prepare: issuing is throttled twice
    const { registry, calls } = failing({
      IssueMilestoneInvoice: { times: 2, error: () => new TransientStepError('throttled') },
    });
    const workflows = run(registry);
    const { tenantId, jobId, milestoneId, email } = await milestoneToBill();
    // Act
    await completeMilestone(tenantId, jobId, milestoneId, null);
    await workflows.idle();
    // Assess
    expect(calls.filter((c) => c === 'IssueMilestoneInvoice')).toHaveLength(3);
    expect(calls).not.toContain('RecordMilestoneBillingFailure');
    expect(await getMilestone(tenantId, jobId, milestoneId)).toMatchObject({ status: 'invoiced', billingError: null });
    expect(await invoicesOf(tenantId, jobId)).toHaveLength(1);
    expect(await invoiceMails(email)).toHaveLength(1);
  });

  it('records a failure on the milestone (RecordBillingFailure, execution failed); retry-billing then succeeds', async () => {
    // Prepare: drafting fails for good the first time
    const { registry, calls } = failing({
      CreateMilestoneInvoice: {
        times: 1,
        error: () => Object.assign(new Error('the ledger is locked'), { name: 'Tally.LEDGER_LOCKED' }),
      },
    });
    const workflows = run(registry);
    const { tenantId, jobId, milestoneId, email } = await milestoneToBill();
    // Act
    await completeMilestone(tenantId, jobId, milestoneId, null);
    await workflows.idle();
    // Assess: the failure is on the milestone; nothing was billed
    expect(calls).toEqual(['ApplyMilestoneApproval', 'CreateMilestoneInvoice', 'RecordMilestoneBillingFailure']);
    const failed = await getMilestone(tenantId, jobId, milestoneId);
    expect(failed).toMatchObject({
      status: 'completed',
      billing: { state: 'failed', round: 1 },
      billingError: { code: 'LEDGER_LOCKED', message: 'the ledger is locked' },
    });
    expect((await getExecution('milestone-billing', executionName(`milestone-${milestoneId}-1`)))?.status).toBe('failed');
    expect(await invoicesOf(tenantId, jobId)).toHaveLength(0);
    // Act: billing runs again
    await retryBilling(tenantId, jobId, milestoneId);
    await workflows.idle();
    // Assess
    expect(await getMilestone(tenantId, jobId, milestoneId)).toMatchObject({
      status: 'invoiced',
      billing: { state: 'done', round: 2, invoiceId: failed.billing!.invoiceId },
      billingError: null,
    });
    expect(await invoicesOf(tenantId, jobId)).toHaveLength(1);
    expect(await invoiceMails(email)).toHaveLength(1);
  });

  it('a duplicate start is a no-op, and a second execution of the same round bills nothing more', async () => {
    // Prepare
    const { registry } = failing({});
    const workflows = run(registry);
    const { tenantId, jobId, milestoneId, email } = await milestoneToBill();
    const started = await completeMilestone(tenantId, jobId, milestoneId, null);
    await workflows.idle();
    const input = roundOf(tenantId, started);
    // Act: the same name again, then the same round under another name (a start made twice some other way)
    const duplicate = await workflows.start('milestone-billing', executionName(`milestone-${milestoneId}-1`), input);
    const rerun = await workflows.start('milestone-billing', executionName(`milestone-${milestoneId}-1-again`), input);
    await workflows.idle();
    // Assess
    expect(duplicate).toEqual({ started: false });
    expect(rerun).toEqual({ started: true });
    expect((await getExecution('milestone-billing', executionName(`milestone-${milestoneId}-1-again`)))?.status).toBe(
      'succeeded',
    );
    expect(await invoicesOf(tenantId, jobId)).toHaveLength(1);
    expect(await invoiceMails(email)).toHaveLength(1);
  });

  it('a start the decision owed but never made (a crash in between) is made by the sweep', async () => {
    // Prepare: the start fails as if the process died right after the write
    const { registry } = failing({});
    const workflows = run(registry);
    const dead: Workflows = { start: () => Promise.reject(new Error('process died')) };
    provideWorkflows(dead);
    const { tenantId, jobId, milestoneId, email } = await milestoneToBill();
    const started = await completeMilestone(tenantId, jobId, milestoneId, null);
    expect(started.billing).toMatchObject({ state: 'running', round: 1 });
    const name = executionName(`milestone-${milestoneId}-1`);
    expect((await owedStartsBefore(new Date(Date.now() + 1000).toISOString())).map((s) => s.name)).toContain(name);
    // Act: the next sweep, once the grace is over, with the workflows back
    provideWorkflows(workflows);
    expect(await sweepOwedStarts(new Date(), 60_000)).toBeGreaterThanOrEqual(0);
    expect((await owedStartsBefore(new Date(Date.now() + 1000).toISOString())).map((s) => s.name)).toContain(name);
    await sweepOwedStarts(new Date(Date.now() + 61_000), 60_000);
    await workflows.idle();
    // Assess
    expect((await owedStartsBefore(new Date(Date.now() + 1000).toISOString())).map((s) => s.name)).not.toContain(name);
    expect(await getMilestone(tenantId, jobId, milestoneId)).toMatchObject({ status: 'invoiced', billing: { state: 'done' } });
    expect(await invoiceMails(email)).toHaveLength(1);
  });
});
