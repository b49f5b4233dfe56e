// The reversal of a finalized partial invoice on DynamoDB Local, cut off at each of its
// writes (draft the credit note, issue it, unsettle chunk 1, chunk 2, mark it restored): the
// next request completes it once; raced by another one: both answer the same credit note.
import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { Decimal } from 'decimal.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { provideWorkflows } from '../../functions/adapters/workflows.js';
import { expenditureTotalsOf, workInProcess } from '../../functions/domain/expenditure-totals.js';
import { DomainError } from '../../functions/domain/errors.js';
import type { Invoice } from '../../functions/domain/invoice.js';
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
import { keys } from '../../functions/store/keys.js';
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

/**
 * Holds the first command `picks` until `release()`, so that another reversal runs in between: its
 * answer held (`after`: what it read is stale by then), or its sending (`before`: it is sent stale).
 */
const holdFirst = (picks: (command: unknown) => boolean, when: 'before' | 'after') => {
  const client = db();
  const send = client.send.bind(client) as (...args: unknown[]) => Promise<unknown>;
  let reached!: () => void;
  let release!: () => void;
  const held = new Promise<void>((resolve) => (reached = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  let seen = false;
  vi.spyOn(client, 'send').mockImplementation((async (command: unknown, ...rest: unknown[]) => {
    if (seen || !picks(command)) return send(command, ...rest);
    seen = true;
    const answer = when === 'after' ? await send(command, ...rest) : undefined;
    reached();
    await released;
    return when === 'after' ? answer : send(command, ...rest);
  }) as typeof client.send);
  return { held, release };
};

const unbilledCount = async (tenantId: string, jobId: string) =>
  (await listExpenditures(tenantId, jobId, { listing: 'unbilled' }, 500)).items.length;

/** One credit note, the first of its series, restored; every expenditure billable, WIP as booked; a next reversal refused. */
const expectReversedOnce = async (
  { tenantId, jobId, invoice, wipBooked }: Awaited<ReturnType<typeof finalizedInvoice>>,
  creditNote: Invoice,
) => {
  expect(creditNote).toMatchObject({
    id: reversalIdOf(invoice.id),
    status: 'invoiced',
    number: expect.stringMatching(/^CN-\d{4}-0*1$/),
    reversal: { invoiceId: invoice.id, state: 'restored' },
  });
  expect(new Decimal(creditNote.totals.gross).negated().toFixed(2)).toBe(invoice.totals.gross);
  expect(await getInvoice(tenantId, invoice.id)).toMatchObject({ reversedBy: creditNote.id, creditedNet: invoice.totals.net });
  expect(await unbilledCount(tenantId, jobId)).toBe(100);
  const wip = workInProcess(expenditureTotalsOf(await getJob(tenantId, jobId)));
  expect([wip.settledCost.toFixed(2), wip.wipBalance.toFixed(2)]).toEqual(['0.00', wipBooked.wipBalance.toFixed(2)]);
  const again = await reversePartialInvoice(tenantId, invoice.id).catch((e: unknown) => e);
  expect(again).toBeInstanceOf(DomainError);
  expect((again as DomainError).code).toBe('INVOICE_REVERSED');
};

describe('reversing a partial invoice', () => {
  it.each([1, 2, 3, 4, 5])('cut off at its transaction %i, is completed once by the next request', async (n) => {
    // Prepare
    const finalized = await finalizedInvoice();
    const crash = crashOnTransaction(n);
    await expect(reversePartialInvoice(finalized.tenantId, finalized.invoice.id)).rejects.toThrow('crashed');
    crash.mockRestore();
    // Act
    const creditNote = await reversePartialInvoice(finalized.tenantId, finalized.invoice.id);
    // Assess
    await expectReversedOnce(finalized, creditNote);
  });

  // The issue is the one transaction with the credit-note counter (keys.counter: SK COUNTER).
  const isIssue = (command: unknown) =>
    command instanceof TransactWriteCommand &&
    (command.input.TransactItems ?? []).some((item) => item.Put?.Item?.['SK'] === 'COUNTER');
  it.each([
    ['looking up its credit note (none yet)', 'after'],
    ['sending the issue of its credit note', 'before'],
  ] as const)('raced by another reversal while %s, answers the credit note that one issued', async (_, when) => {
    // Prepare
    const finalized = await finalizedInvoice();
    const { tenantId, invoice } = finalized;
    const creditNoteKey = keys.invoice(tenantId, reversalIdOf(invoice.id));
    const isLookForCreditNote = (command: unknown) =>
      command instanceof GetCommand && command.input.Key?.['PK'] === creditNoteKey.PK;
    const { held, release } = holdFirst(when === 'after' ? isLookForCreditNote : isIssue, when);
    // Act: the other reversal runs from start to end while the first is held
    const first = reversePartialInvoice(tenantId, invoice.id);
    await held;
    const other = await reversePartialInvoice(tenantId, invoice.id);
    release();
    // Assess: the first completes the same reversal, nothing twice
    expect(await first).toEqual(other);
    await expectReversedOnce(finalized, other);
  });
});
