// The reversal of a finalized partial invoice on DynamoDB Local, cut off at each of its
// writes (draft the credit note, issue it, unsettle chunk 1, chunk 2, mark it restored): the
// next request completes it once.
import { PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { Decimal } from 'decimal.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { provideWorkflows } from '../../functions/adapters/workflows.js';
import { expenditureTotalsOf, workInProcess } from '../../functions/domain/expenditure-totals.js';
import { DomainError } from '../../functions/domain/errors.js';
import { createCustomer } from '../../functions/services/customer.service.js';
import { createExpenditureBatch, listExpenditures } from '../../functions/services/expenditure.service.js';
import { getInvoice } from '../../functions/services/invoice.service.js';
import { createJob } from '../../functions/services/job.service.js';
import { approvePartialInvoice } from '../../functions/services/partial-invoice-finalization.service.js';
import { reversalIdOf, reversePartialInvoice } from '../../functions/services/partial-invoice-reversal.service.js';
import { createPartialInvoice } from '../../functions/services/partial-invoice.service.js';
import { registerTenant } from '../../functions/services/tenant.service.js';
import { steps } from '../../functions/steps/index.js';
import { db } from '../../functions/store/client.js';
import { getJob } from '../../functions/store/job.store.js';
import { localWorkflows, WORKFLOWS_DIR, type LocalWorkflows } from '../../local/workflows.js';

const KINDS = ['hours', 'material', 'purchase'] as const;

let runner: LocalWorkflows | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await runner?.stop();
  runner = undefined;
});

/** A time and material job whose 100 booked expenditures (two chunks) one partial invoice has settled and issued. */
const finalizedInvoice = async () => {
  runner = localWorkflows({ dir: WORKFLOWS_DIR, steps });
  provideWorkflows(runner);
  const { tenant } = await registerTenant({ name: 'Reversal tests', defaultCurrency: 'EUR' });
  const customer = await createCustomer(tenant.id, { name: 'Client' });
  const job = await createJob(tenant.id, { customerId: customer.id, name: 'Refit', billingType: 'time_and_material' });
  const booked = await createExpenditureBatch(
    tenant.id,
    job.id,
    Array.from({ length: 100 }, (_, i) => ({
      kind: KINDS[i % 3]!,
      date: '2026-03-02',
      description: `Work ${i}`,
      quantity: `${(i % 5) + 1}.25`,
      unitCost: '10.3333',
      unitPrice: '20.125',
      booked: true,
    })),
  );
  const wipBooked = workInProcess(expenditureTotalsOf(await getJob(tenant.id, job.id)));
  const draft = await createPartialInvoice(tenant.id, job.id, { expenditureIds: booked.map((e) => e.id), copy: 'summary' });
  await approvePartialInvoice(tenant.id, draft.id, {});
  await runner.idle();
  const invoice = await getInvoice(tenant.id, draft.id);
  expect(invoice.status).toBe('invoiced');
  return { tenantId: tenant.id, jobId: job.id, invoice, wipBooked };
};

/** The `n`th write from now (a transaction or a single item's) fails as a crash would (no answer: nothing after it runs). */
const crashOnTransaction = (n: number) => {
  const client = db();
  const send = client.send.bind(client);
  let seen = 0;
  return vi.spyOn(client, 'send').mockImplementation(((command: unknown, ...rest: unknown[]) => {
    const writes = [TransactWriteCommand, PutCommand, UpdateCommand].some((type) => command instanceof type);
    if (writes && ++seen === n) return Promise.reject(new Error('crashed'));
    return (send as (...args: unknown[]) => unknown)(command, ...rest);
  }) as typeof client.send);
};

const unbilledCount = async (tenantId: string, jobId: string) =>
  (await listExpenditures(tenantId, jobId, { listing: 'unbilled' }, 500)).items.length;

describe('reversing a partial invoice', () => {
  it.each([1, 2, 3, 4, 5])('cut off at its transaction %i, is completed once by the next request', async (n) => {
    // Prepare
    const { tenantId, jobId, invoice, wipBooked } = await finalizedInvoice();
    const crash = crashOnTransaction(n);
    await expect(reversePartialInvoice(tenantId, invoice.id)).rejects.toThrow('crashed');
    crash.mockRestore();
    // Act
    const creditNote = await reversePartialInvoice(tenantId, invoice.id);
    // Assess: one credit note, the first of its series, restored; every expenditure billable, WIP as booked
    expect(creditNote).toMatchObject({
      id: reversalIdOf(invoice.id),
      status: 'invoiced',
      number: expect.stringMatching(/^CN-\d{4}-0*1$/),
      reversal: { invoiceId: invoice.id, state: 'restored' },
    });
    expect(new Decimal(creditNote.totals.gross).negated().toFixed(2)).toBe(invoice.totals.gross);
    expect((await getInvoice(tenantId, invoice.id)).reversedBy).toBe(creditNote.id);
    expect(await unbilledCount(tenantId, jobId)).toBe(100);
    const wip = workInProcess(expenditureTotalsOf(await getJob(tenantId, jobId)));
    expect([wip.settledCost.toFixed(2), wip.wipBalance.toFixed(2)]).toEqual(['0.00', wipBooked.wipBalance.toFixed(2)]);
    const again = await reversePartialInvoice(tenantId, invoice.id).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(DomainError);
    expect((again as DomainError).code).toBe('INVOICE_REVERSED');
  });
});
