import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { clock } from '../../functions/adapters/clock.js';
import { DomainError } from '../../functions/domain/errors.js';
import type { ExpenditureFields } from '../../functions/domain/expenditure.js';
import type { Job } from '../../functions/domain/job.js';
import { createCustomer } from '../../functions/services/customer.service.js';
import { createExpenditureBatch, listExpenditures } from '../../functions/services/expenditure.service.js';
import { deleteDraft, getInvoice } from '../../functions/services/invoice.service.js';
import { createJob } from '../../functions/services/job.service.js';
import { createPartialInvoice, updatePartialInvoice } from '../../functions/services/partial-invoice.service.js';
import { registerTenant } from '../../functions/services/tenant.service.js';
import { db } from '../../functions/store/client.js';
import { getJob } from '../../functions/store/job.store.js';
import { errorOf } from '../support/domain-errors.js';

const item = (i: number): ExpenditureFields => ({
  kind: (['hours', 'material', 'purchase'] as const)[i % 3]!,
  date: '2026-03-02',
  description: `Work ${i}`,
  quantity: '1.5',
  unitCost: `${10 + (i % 5)}`,
  unitPrice: `${20 + (i % 5)}`,
  booked: true,
});

/** A time and material job with `count` booked expenditures, and their ids. */
const jobWith = async (count: number): Promise<{ tenantId: string; job: Job; ids: string[] }> => {
  const { tenant } = await registerTenant({ name: 'Partial invoices', defaultCurrency: 'EUR' });
  const customer = await createCustomer(tenant.id, { name: 'Client' });
  const job = await createJob(tenant.id, { customerId: customer.id, name: 'Refit', billingType: 'time_and_material' });
  const ids: string[] = [];
  for (let at = 0; at < count; at += 500) {
    const batch = await createExpenditureBatch(
      tenant.id,
      job.id,
      Array.from({ length: Math.min(500, count - at) }, (_, i) => item(at + i)),
    );
    ids.push(...batch.map((e) => e.id));
  }
  return { tenantId: tenant.id, job, ids };
};

/** Which invoice holds each expenditure of the job that a selection holds. */
const holders = async (tenantId: string, jobId: string): Promise<Map<string, string>> => {
  const held = new Map<string, string>();
  let cursor: string | undefined;
  do {
    const page = await listExpenditures(tenantId, jobId, { listing: 'selected' }, 100, cursor);
    for (const e of page.items) held.set(e.id, e.selection!);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return held;
};

/** The next `n`th TransactWriteItems of the store fails as a crash would (no answer: nothing after it runs). */
const crashOnTransaction = (n: number) => {
  const client = db();
  const send = client.send.bind(client);
  let seen = 0;
  return vi.spyOn(client, 'send').mockImplementation(((command: unknown, ...rest: unknown[]) => {
    if (command instanceof TransactWriteCommand && ++seen === n) return Promise.reject(new Error('crashed'));
    return (send as (...args: unknown[]) => unknown)(command, ...rest);
  }) as typeof client.send);
};

afterEach(() => vi.restoreAllMocks());

describe('partial invoice selections in DynamoDB', () => {
  it('writes a selection of 1,000 in transactions within the 100-action limit, each expenditure marked once', async () => {
    // Prepare
    const { tenantId, job, ids } = await jobWith(1000);
    const client = db();
    const send = vi.spyOn(client, 'send');
    // Act
    const invoice = await createPartialInvoice(tenantId, job.id, { expenditureIds: ids, copy: 'summary' });
    // Assess: a transaction per chunk, each within the limit; all 1,000 selected by the draft, open
    const transactions = send.mock.calls
      .map(([command]) => command)
      .filter((command) => command instanceof TransactWriteCommand)
      .map((command) => (command as TransactWriteCommand).input.TransactItems!.length);
    expect(Math.max(...transactions)).toBeLessThanOrEqual(100);
    expect(transactions.filter((actions) => actions > 90)).toHaveLength(11);
    expect(invoice.selection).toMatchObject({ state: 'open', pending: null });
    expect(invoice.selection!.totals.count).toBe(1000);
    const held = await holders(tenantId, job.id);
    expect(held.size).toBe(1000);
    expect(new Set(held.values())).toEqual(new Set([invoice.id]));
  });

  it('lets five drafts racing for overlapping selections hold each expenditure in exactly one, the losers nothing', async () => {
    // Prepare
    const { tenantId, job, ids } = await jobWith(300);
    const selections = [0, 1, 2, 3, 4].map((n) => ids.slice(n * 40, n * 40 + 140));
    // Act
    const outcomes = await Promise.allSettled(
      selections.map((expenditureIds) => createPartialInvoice(tenantId, job.id, { expenditureIds })),
    );
    // Assess: every expenditure held is held by a winner whose selection names it, and a winner holds all of its own
    const won = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
    const lost = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as DomainError] : []));
    expect(won.length).toBeGreaterThanOrEqual(1);
    for (const error of lost) expect(error.code).toBe('EXPENDITURE_NOT_SELECTABLE');
    const held = await holders(tenantId, job.id);
    expect(held.size).toBe(won.reduce((n, w) => n + w.selection!.expenditureIds.length, 0));
    for (const winner of won) {
      for (const id of winner.selection!.expenditureIds) expect(held.get(id)).toBe(winner.id);
    }
    const fresh = await getJob(tenantId, job.id);
    expect(fresh.invoiceCount).toBe(won.length);
  });

  it('reverts a change whose addition another draft holds, and gives back what it marked', async () => {
    // Prepare
    const { tenantId, job, ids } = await jobWith(200);
    const mine = await createPartialInvoice(tenantId, job.id, { expenditureIds: ids.slice(0, 10) });
    const theirs = await createPartialInvoice(tenantId, job.id, { expenditureIds: [ids[199]!] });
    // Act: add 188 free ones (more than a chunk) and one of theirs, at the end
    const error = await errorOf(updatePartialInvoice(tenantId, mine.id, { expenditureIds: ids }, mine.version));
    // Assess
    expect(error.code).toBe('EXPENDITURE_NOT_SELECTABLE');
    expect(error.errors[0]?.field).toBe('expenditureIds.199');
    const after = await getInvoice(tenantId, mine.id);
    expect(after.selection).toMatchObject({ state: 'open', pending: null, expenditureIds: ids.slice(0, 10) });
    expect(after.selection!.totals.count).toBe(10);
    const held = await holders(tenantId, job.id);
    expect(held.size).toBe(11);
    expect(held.get(ids[199]!)).toBe(theirs.id);
  });

  it('completes the draft a crash left selecting: by the retry with the same Idempotency-Key', async () => {
    // Prepare: the second chunk's transaction never answers
    const { tenantId, job, ids } = await jobWith(200);
    const input = { expenditureIds: ids, copy: 'grouped_by_kind' as const };
    const crash = crashOnTransaction(3);
    await expect(createPartialInvoice(tenantId, job.id, input, 'key-1')).rejects.toThrow('crashed');
    crash.mockRestore();
    expect((await holders(tenantId, job.id)).size).toBe(90);
    // Act
    const invoice = await createPartialInvoice(tenantId, job.id, input, 'key-1');
    // Assess: the same draft, completed; no second one
    expect(invoice.selection).toMatchObject({ state: 'open', pending: null });
    const held = await holders(tenantId, job.id);
    expect(held.size).toBe(200);
    expect(new Set(held.values())).toEqual(new Set([invoice.id]));
    expect((await getJob(tenantId, job.id)).invoiceCount).toBe(1);
  });

  it('completes an abandoned selecting draft on its next change, and refuses one still being written', async () => {
    // Prepare: a change of selection cut off after its first chunk
    const { tenantId, job, ids } = await jobWith(200);
    const draft = await createPartialInvoice(tenantId, job.id, { expenditureIds: [] });
    const crash = crashOnTransaction(2);
    await expect(updatePartialInvoice(tenantId, draft.id, { expenditureIds: ids })).rejects.toThrow('crashed');
    crash.mockRestore();
    // Act: at once, then past any request's time
    const fresh = await errorOf(updatePartialInvoice(tenantId, draft.id, { copy: 'summary' }));
    const later = new Date(Date.now() + 60_000);
    vi.spyOn(clock, 'now').mockReturnValue(later);
    const changed = await updatePartialInvoice(tenantId, draft.id, { copy: 'summary' });
    // Assess
    expect(fresh.code).toBe('SELECTION_NOT_OPEN');
    expect(changed.selection).toMatchObject({ state: 'open', copy: 'summary', expenditureIds: ids });
    expect((await holders(tenantId, job.id)).size).toBe(200);
    // Act: deleting it gives all back
    await deleteDraft(tenantId, draft.id);
    // Assess
    expect((await holders(tenantId, job.id)).size).toBe(0);
    expect((await getJob(tenantId, job.id)).invoiceCount).toBe(0);
  });
});
