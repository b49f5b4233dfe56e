// The partial-invoice ASL run by the local runner against the real step handlers, on DynamoDB
// Local: one test per path of the definition, and a failure injected after the selection is settled.
import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { executionName } from '../../functions/adapters/workflows.js';
import { createCustomer } from '../../functions/services/customer.service.js';
import { createExpenditureBatch, getExpenditure } from '../../functions/services/expenditure.service.js';
import { getInvoice } from '../../functions/services/invoice.service.js';
import { createJob } from '../../functions/services/job.service.js';
import { approvePartialInvoice } from '../../functions/services/partial-invoice-finalization.service.js';
import { createPartialInvoice } from '../../functions/services/partial-invoice.service.js';
import { registerTenant } from '../../functions/services/tenant.service.js';
import { TransientStepError } from '../../functions/steps/index.js';
import { getExecution } from '../../functions/store/execution.store.js';
import { getJob } from '../../functions/store/job.store.js';
import { workInProcess, expenditureTotalsOf } from '../../functions/domain/expenditure-totals.js';
import { failing, workflowRunner } from '../support/workflow-runner.js';

const KINDS = ['hours', 'material', 'purchase'] as const;

const run = workflowRunner();

/** A time and material job (its customer's `email` if given) with `count` booked expenditures of three kinds, and a draft selecting all of them. */
const draftOf = async (count: number, email?: string) => {
  const { tenant } = await registerTenant({ name: 'Finalization tests', defaultCurrency: 'EUR' });
  const customer = await createCustomer(tenant.id, { name: 'Client', ...(email ? { email } : {}) });
  const job = await createJob(tenant.id, { customerId: customer.id, name: 'Refit', billingType: 'time_and_material' });
  const booked = await createExpenditureBatch(
    tenant.id,
    job.id,
    Array.from({ length: count }, (_, i) => ({
      kind: KINDS[i % 3]!,
      date: '2026-03-02',
      description: `Work ${i}`,
      quantity: `${(i % 5) + 1}.25`,
      unitCost: '10.3333',
      unitPrice: '20.125',
      booked: true,
    })),
  );
  const draft = await createPartialInvoice(tenant.id, job.id, {
    expenditureIds: booked.map((e) => e.id),
    copy: 'grouped_by_kind',
  });
  const cost = booked.reduce((total, e) => total.plus(e.cost), new Decimal(0)).toFixed(2);
  return { tenantId: tenant.id, jobId: job.id, booked, draft, cost };
};

const wipOf = async (tenantId: string, jobId: string) => workInProcess(expenditureTotalsOf(await getJob(tenantId, jobId)));

describe('workflows/partial-invoice.asl.json', () => {
  it('happy path: settles the selection chunk by chunk, copies the lines, issues the invoice; WIP falls by the settled cost', async () => {
    // Prepare: 200 expenditures (three chunks)
    const { registry, calls } = failing({});
    const workflows = run(registry);
    const { tenantId, jobId, booked, draft, cost } = await draftOf(200);
    const before = await wipOf(tenantId, jobId);
    // Act
    const approved = await approvePartialInvoice(tenantId, draft.id, {});
    await workflows.idle();
    // Assess
    expect(approved.status).toBe('draft');
    expect(approved.selection).toMatchObject({ state: 'settling', finalization: { attempt: 1 } });
    expect(calls).toEqual([
      'PlanSettlement',
      'SettleChunk',
      'SettleChunk',
      'SettleChunk',
      'MarkSettled',
      'CopyLines',
      'Finalize',
    ]);
    const invoice = await getInvoice(tenantId, draft.id);
    expect(invoice).toMatchObject({
      status: 'invoiced',
      number: expect.stringMatching(/^INV-/),
      selection: { state: 'settled' },
    });
    expect(invoice.lines.map((l) => l.description)).toHaveLength(3);
    expect((await getExpenditure(tenantId, jobId, booked[199]!.id)).status).toBe('settled');
    const after = await wipOf(tenantId, jobId);
    expect(new Decimal(before.wipBalance).minus(after.wipBalance).toFixed(2)).toBe(cost);
    expect(new Decimal(after.settledCost).toFixed(2)).toBe(cost);
    expect((await getExecution('partial-invoice', executionName(`partial-${draft.id}-1`)))?.status).toBe('succeeded');
  });

  it('keeps WIP as booked while the selection is settled: the issue takes the settled cost out, as the journal does', async () => {
    // Prepare: Finalize is watched, WIP read as it starts
    const { tenantId, jobId, draft, cost } = await draftOf(120);
    const before = await wipOf(tenantId, jobId);
    const { registry } = failing({});
    let atFinalize: Awaited<ReturnType<typeof wipOf>> | undefined;
    const workflows = run({
      ...registry,
      Finalize: async (input) => {
        atFinalize = await wipOf(tenantId, jobId);
        return registry.Finalize!(input);
      },
    });
    // Act
    await approvePartialInvoice(tenantId, draft.id, {});
    await workflows.idle();
    // Assess
    expect(atFinalize).toEqual(before);
    const after = await wipOf(tenantId, jobId);
    expect(new Decimal(before.wipBalance).minus(after.wipBalance).toFixed(2)).toBe(cost);
  });

  it('retries a transient failure of a chunk, then finalizes once', async () => {
    const { registry, calls } = failing({ SettleChunk: { times: 2, error: () => new TransientStepError('throttled') } });
    const workflows = run(registry);
    const { tenantId, draft } = await draftOf(30);
    await approvePartialInvoice(tenantId, draft.id, {});
    await workflows.idle();
    expect(calls.filter((c) => c === 'SettleChunk')).toHaveLength(3);
    expect(calls).not.toContain('ReleaseSelection');
    expect((await getInvoice(tenantId, draft.id)).status).toBe('invoiced');
  });

  it('Finalize failing after the selection is settled gives every expenditure back; approving again finalizes once', async () => {
    // Prepare: Finalize fails for good the first time
    const { registry, calls } = failing({
      Finalize: { times: 1, error: () => Object.assign(new Error('the ledger is locked'), { name: 'Tally.LEDGER_LOCKED' }) },
    });
    const workflows = run(registry);
    const { tenantId, jobId, booked, draft, cost } = await draftOf(120);
    const before = await wipOf(tenantId, jobId);
    // Act
    await approvePartialInvoice(tenantId, draft.id, {});
    await workflows.idle();
    // Assess: released, nothing settled, WIP as it was, the error on the draft
    expect(calls.slice(-2)).toEqual(['Finalize', 'ReleaseSelection']);
    const released = await getInvoice(tenantId, draft.id);
    expect(released).toMatchObject({
      status: 'draft',
      number: null,
      selection: { state: 'open', error: { code: 'LEDGER_LOCKED', message: 'the ledger is locked' } },
    });
    for (const e of [booked[0]!, booked[119]!]) {
      expect(await getExpenditure(tenantId, jobId, e.id)).toMatchObject({
        status: 'selected',
        selection: draft.id,
        settledBy: null,
      });
    }
    expect(await wipOf(tenantId, jobId)).toEqual(before);
    expect((await getExecution('partial-invoice', executionName(`partial-${draft.id}-1`)))?.status).toBe('failed');
    // Act: the go-ahead again
    await approvePartialInvoice(tenantId, draft.id, {});
    await workflows.idle();
    // Assess
    const invoice = await getInvoice(tenantId, draft.id);
    expect(invoice).toMatchObject({ status: 'invoiced', selection: { state: 'settled', finalization: { attempt: 2 } } });
    expect(new Decimal((await wipOf(tenantId, jobId)).settledCost).toFixed(2)).toBe(cost);
  });

  it('SendFinalized failing leaves the invoice finalized and settled, the failure on it; nothing is given back', async () => {
    // Prepare: the mail is refused for good
    const { registry, calls } = failing({
      SendFinalized: { times: 1, error: () => Object.assign(new Error('the address bounced'), { name: 'Tally.MAIL_REJECTED' }) },
    });
    const workflows = run(registry);
    const { tenantId, jobId, booked, draft, cost } = await draftOf(10, 'client@example.test');
    // Act
    await approvePartialInvoice(tenantId, draft.id, { send: true });
    await workflows.idle();
    // Assess
    expect(calls.slice(-3)).toEqual(['Finalize', 'SendFinalized', 'RecordSendFailure']);
    expect(calls).not.toContain('ReleaseSelection');
    expect(await getInvoice(tenantId, draft.id)).toMatchObject({
      status: 'invoiced',
      selection: { state: 'settled', error: { code: 'MAIL_REJECTED', message: 'the address bounced' } },
    });
    expect((await getExpenditure(tenantId, jobId, booked[9]!.id)).status).toBe('settled');
    expect(new Decimal((await wipOf(tenantId, jobId)).settledCost).toFixed(2)).toBe(cost);
    expect((await getExecution('partial-invoice', executionName(`partial-${draft.id}-1`)))?.status).toBe('failed');
  });

  it('refuses a second go-ahead while the first is finalizing', async () => {
    const { registry } = failing({});
    run(registry);
    const { tenantId, draft } = await draftOf(3);
    await expect(approvePartialInvoice(tenantId, draft.id, {})).resolves.toMatchObject({ selection: { state: 'settling' } });
    await expect(approvePartialInvoice(tenantId, draft.id, {})).rejects.toMatchObject({ code: 'FINALIZATION_IN_PROGRESS' });
  });
});
