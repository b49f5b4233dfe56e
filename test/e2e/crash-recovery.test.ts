import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../local/stack.js';
import { eventually, linkIn, mailsTo, postDecision, uniqueEmail } from '../support/portal.js';
import { startStackProcess } from '../support/stack-process.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const json = async (url: string, method: string, apiKey: string, body?: unknown, headers: Record<string, string> = {}) => {
  const response = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${apiKey}`, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as any };
};

// Each case: where the stack dies once the client has approved.
const CRASHES: Record<string, string>[] = [
  { CRASH_BEFORE: 'ApplyMilestoneApproval' },
  { CRASH_AFTER: 'IssueMilestoneInvoice' },
  { CRASH_AFTER: 'SendMilestoneInvoice' },
];

describe('a crash after an approval', () => {
  it.each(CRASHES)(
    '%o: after a restart, exactly one invoice and one invoice mail',
    async (crash) => {
      // Prepare: a stack that dies at the point, a milestone awaiting approval
      const dataDir = mkdtempSync(join(tmpdir(), 'tally-crash-'));
      dirs.push(dataDir);
      const port = String(await freePort());
      const first = await startStackProcess(dataDir, port, crash);
      const tenant = await fetch(`${first.url}/local/tenants`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Crash test' }),
      });
      const { apiKey } = (await tenant.json()) as { apiKey: string };
      const email = uniqueEmail('crash');
      const api = (method: string, path: string, body?: unknown) => json(`${first.url}${path}`, method, apiKey, body);
      const customer = await api('POST', '/v1/customers', { name: 'Client', email });
      const job = await api('POST', '/v1/jobs', { customerId: customer.body.id, name: 'House', billingType: 'milestone' });
      const milestone = await api('POST', `/v1/jobs/${job.body.id}/milestones`, {
        name: 'Roof',
        amount: '1000',
        requiresClientApproval: true,
      });
      await api('POST', `/v1/jobs/${job.body.id}/milestones/${milestone.body.id}/complete`);
      const link = linkIn(await eventually(async () => (await mailsTo(email))[0], 'the approval mail'));
      // Act: approve; the stack dies in the workflow (which runs beside the answer: dying as the
      // execution begins, it may cut the answer off too); it starts again on the same data
      const decision = await postDecision(link, { decision: 'approve' }).catch((error: unknown) => error as Error);
      if (!(decision instanceof Error)) expect(decision.status).toBe(200);
      const [, signal] = (await first.exited) as [number | null, string | null];
      expect(signal).toBe('SIGKILL');
      const second = await startStackProcess(dataDir, port, {});
      try {
        // Assess: the execution cut off ran again to its end, once
        const path = `/v1/jobs/${job.body.id}/milestones/${milestone.body.id}`;
        const billed = await eventually(async () => {
          const { body } = await json(`${second.url}${path}`, 'GET', apiKey);
          return body.billing?.state === 'done' ? body : undefined;
        }, 'the milestone billed');
        expect(billed.status).toBe('invoiced');
        const invoices = (await json(`${second.url}/v1/invoices?jobId=${job.body.id}`, 'GET', apiKey)).body.items;
        expect(invoices).toHaveLength(1);
        expect(invoices[0]).toMatchObject({ id: billed.invoiceId, status: 'invoiced' });
        const invoiceMails = (await mailsTo(email)).filter((mail) => mail.attachments.length > 0);
        expect(invoiceMails).toHaveLength(1);
        expect(invoiceMails[0]!.subject).toContain(invoices[0].number);
      } finally {
        await second.interrupt();
      }
    },
    90_000,
  );
});

describe('a crash while a selection of 1,000 is being settled', () => {
  it('ends once after a restart: finalized with every expenditure settled', async () => {
    // Prepare: a stack that dies once the first chunk of the selection is settled
    const dataDir = mkdtempSync(join(tmpdir(), 'tally-crash-'));
    dirs.push(dataDir);
    const port = String(await freePort());
    const first = await startStackProcess(dataDir, port, { CRASH_AFTER: 'SettleChunk' });
    const tenant = await fetch(`${first.url}/local/tenants`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Crash test', defaultCurrency: 'EUR' }),
    });
    const { apiKey } = (await tenant.json()) as { apiKey: string };
    const api = (method: string, path: string, body?: unknown) => json(`${first.url}${path}`, method, apiKey, body);
    const customer = await api('POST', '/v1/customers', { name: 'Client' });
    const job = await api('POST', '/v1/jobs', { customerId: customer.body.id, name: 'Refit', billingType: 'time_and_material' });
    const ids: string[] = [];
    for (let batch = 0; batch < 2; batch++) {
      const items = Array.from({ length: 500 }, (_, i) => ({
        kind: 'hours',
        date: '2026-03-02',
        description: `Hour ${batch * 500 + i}`,
        quantity: '1.5',
        unitCost: '40',
        unitPrice: '75',
        booked: true,
      }));
      // As a client sends it: with a key, again after a 503 (a busy machine can run a batch out of time).
      const send = () =>
        json(
          `${first.url}/v1/jobs/${job.body.id}/expenditures/batch`,
          'POST',
          apiKey,
          { items },
          { 'idempotency-key': `b-${batch}` },
        );
      const created = await eventually(async () => {
        const answer = await send();
        return answer.status === 201 ? answer : undefined;
      }, `batch ${batch}`);
      ids.push(...created.body.items.map((e: { id: string }) => e.id));
    }
    const draft = await api('POST', `/v1/jobs/${job.body.id}/partial-invoices`, { expenditureIds: ids, copy: 'summary' });
    expect(draft.status, JSON.stringify(draft.body).slice(0, 300)).toBe(201);
    // Act: the go-ahead; the stack dies mid-settlement; it starts again on the same data
    await json(`${first.url}/v1/partial-invoices/${draft.body.id}/approve`, 'POST', apiKey).catch(
      (error: unknown) => error as Error,
    );
    const [, signal] = (await first.exited) as [number | null, string | null];
    expect(signal).toBe('SIGKILL');
    const second = await startStackProcess(dataDir, port, {});
    try {
      // Assess: finalized once, every expenditure settled by it, the job's WIP down by all of their cost
      const invoice = await eventually(
        async () => {
          const { body } = await json(`${second.url}/v1/invoices/${draft.body.id}`, 'GET', apiKey);
          return body.status === 'invoiced' || body.selection?.state === 'open' ? body : undefined;
        },
        'the finalization',
        60_000,
      );
      expect(invoice).toMatchObject({ status: 'invoiced', selection: { state: 'settled' }, totals: { net: '112500.00' } });
      const wip = (await json(`${second.url}/v1/reports/wip?jobId=${job.body.id}`, 'GET', apiKey)).body.items[0];
      expect(wip).toMatchObject({ bookedCost: '60000.00', settledCost: '60000.00', wipBalance: '0.00' });
      const unbilled = (await json(`${second.url}/v1/reports/unbilled-expenditures?jobId=${job.body.id}`, 'GET', apiKey)).body;
      expect(unbilled.items).toEqual([]);
    } finally {
      await second.interrupt();
    }
  }, 150_000);
});
