import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { type ApiClient } from '../support/api.js';
import { daysAgo, draft, issue, jobWithCharges } from '../support/billing.js';

interface Entry {
  invoiceNumber: string;
  account: string;
  debit: string;
  credit: string;
}

const cents = (amount: string): number => Math.round(Number(amount) * 100);

/** A tenant with a job of 10,000.00 at 20% and the accounting integration on. */
const tenant = async (integration = true) => {
  const { api, job } = await jobWithCharges([{ description: 'Works', quantity: '1', unitPrice: '10000.00', taxRate: '20' }]);
  if (integration) expect((await api.request('PATCH', '/v1/settings', { accountingIntegration: true })).status).toBe(200);
  /** An issued deposit invoice, approved unless told otherwise. */
  const invoice = async (amount: string, issueDate = daysAgo(0), approve = integration) => {
    const issued = await issue(api, (await draft(api, job.id, { policy: 'deposit', amount, taxRate: '20', issueDate })).id);
    if (!approve) return issued;
    const approved = await api.request('POST', `/v1/invoices/${issued.id}/approve`);
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    return approved.body;
  };
  return { api, invoice };
};

const statusOf = async (api: ApiClient, id: string) => (await api.request('GET', `/v1/invoices/${id}`)).body.status;

const expectBalanced = (entries: Entry[]) => {
  for (const number of new Set(entries.map((e) => e.invoiceNumber))) {
    const mine = entries.filter((e) => e.invoiceNumber === number);
    const sum = (side: 'debit' | 'credit') => mine.reduce((total, e) => total + cents(e[side]), 0);
    expect(sum('debit'), number).toBe(sum('credit'));
  }
};

describe('exports to accounting', () => {
  it('needs the accounting integration on', async () => {
    const { api, invoice } = await tenant(false);
    const issued = await invoice('100.00');
    const byIds = await api.request('POST', '/v1/exports', { invoiceIds: [issued.id] });
    const byRange = await api.request('POST', '/v1/exports', { from: daysAgo(1), to: daysAgo(0) });
    const one = await api.request('POST', `/v1/invoices/${issued.id}/export`);
    for (const response of [byIds, byRange, one])
      expect([response.status, response.body.code]).toEqual([409, 'ACCOUNTING_INTEGRATION_OFF']);
    expect(await statusOf(api, issued.id)).toBe('invoiced');
  });

  it('exports approved invoices by id as balanced entries, once: a repeat returns the same export', async () => {
    // Prepare
    const { api, invoice } = await tenant();
    const first = await invoice('100.00');
    const second = await invoice('250.50');

    // Act
    const created = await api.request('POST', '/v1/exports', { invoiceIds: [second.id, first.id] });

    // Assess
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.id).toMatch(/^exp_[0-9a-f]{40}$/);
    expect(created.body.invoiceIds).toEqual([first.id, second.id].sort());
    const entry = { date: first.issueDate, invoiceNumber: first.number, currency: 'EUR' };
    expect(created.body.entries.filter((e: Entry) => e.invoiceNumber === first.number)).toEqual([
      { ...entry, account: 'accounts_receivable', debit: '120.00', credit: '0.00', description: `Customer ${first.customerId}` },
      { ...entry, account: 'deposit_liability', debit: '0.00', credit: '100.00', description: 'Deposit billed' },
      { ...entry, account: 'tax_payable', debit: '0.00', credit: '20.00', description: 'Tax' },
    ]);
    expectBalanced(created.body.entries);
    expect(created.body.totals).toEqual([{ currency: 'EUR', debit: '420.60', credit: '420.60' }]);
    expect([await statusOf(api, first.id), await statusOf(api, second.id)]).toEqual(['exported', 'exported']);

    const again = await api.request('POST', '/v1/exports', { invoiceIds: [first.id, second.id, first.id] });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(created.body);
    const stored = await api.request('GET', `/v1/exports/${created.body.id}`);
    expect([stored.status, stored.body]).toEqual([200, created.body]);

    const csv = await api.request('POST', '/v1/exports', { invoiceIds: [first.id, second.id] }, { accept: 'text/csv' });
    expect([csv.status, csv.headers.get('content-type')]).toEqual([200, 'text/csv; charset=utf-8']);
    // The CSV has a column for the tenant's account code, empty where the tenant sets none.
    const withCodes = created.body.entries.map((e: Entry & { accountCode?: string }) => ({
      ...e,
      accountCode: e.accountCode ?? '',
    }));
    expect(parse(csv.body, { columns: true })).toEqual(withCodes);
    expect((await api.request('GET', `/v1/exports/${created.body.id}`, undefined, { accept: 'text/csv' })).body).toBe(csv.body);
  });

  it('exports the approved invoices issued in a date range, and a repeat of the range or of its ids returns that export', async () => {
    // Prepare: one approved before the range, one only invoiced and two approved in it
    const { api, invoice } = await tenant();
    const before = await invoice('10.00', daysAgo(10));
    const notApproved = await invoice('20.00', daysAgo(6), false);
    const inRange = [await invoice('30.00', daysAgo(5)), await invoice('40.00', daysAgo(4))];
    const range = { from: daysAgo(7), to: daysAgo(3) };

    // Act
    const created = await api.request('POST', '/v1/exports', range);

    // Assess
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.invoiceIds).toEqual(inRange.map((i) => i.id).sort());
    expect(created.body.entries.map((e: Entry) => e.invoiceNumber)).toEqual(
      inRange.flatMap((i) => [i.number, i.number, i.number]),
    );
    expectBalanced(created.body.entries);
    expect([await statusOf(api, before.id), await statusOf(api, notApproved.id)]).toEqual(['approved', 'invoiced']);

    const again = await api.request('POST', '/v1/exports', range);
    expect([again.status, again.body]).toEqual([200, created.body]);
    const byIds = await api.request('POST', '/v1/exports', { invoiceIds: inRange.map((i) => i.id) });
    expect([byIds.status, byIds.body]).toEqual([200, created.body]);
    const empty = await api.request('POST', '/v1/exports', { from: daysAgo(2), to: daysAgo(0) });
    expect([empty.status, empty.body.code]).toEqual([422, 'NOTHING_TO_EXPORT']);
  });

  it('refuses a batch with an invoice that is not approved, naming it, and changes nothing', async () => {
    const { api, invoice } = await tenant();
    const approved = await invoice('100.00');
    const invoiced = await invoice('50.00', daysAgo(0), false);

    const refused = await api.request('POST', '/v1/exports', { invoiceIds: [approved.id, invoiced.id] });

    expect([refused.status, refused.body.code]).toEqual([409, 'INVOICE_NOT_EXPORTABLE']);
    expect(refused.body.detail).toContain(invoiced.id);
    expect(refused.body.errors).toMatchObject([{ field: 'invoiceIds' }]);
    expect((await api.request('GET', `/v1/invoices/${approved.id}`)).body).toMatchObject({
      status: 'approved',
      version: approved.version,
    });
    const unknown = await api.request('POST', '/v1/exports', { invoiceIds: [approved.id, 'inv_nope'] });
    expect([unknown.status, unknown.body.code, unknown.body.errors[0].field]).toEqual([422, 'INVOICE_NOT_FOUND', 'invoiceIds']);
    expect(await statusOf(api, approved.id)).toBe('approved');
  });

  it('exports one invoice; it can then be posted but no longer voided', async () => {
    const { api, invoice } = await tenant();
    const approved = await invoice('100.00');

    const created = await api.request('POST', `/v1/invoices/${approved.id}/export`);
    const again = await api.request('POST', `/v1/invoices/${approved.id}/export`);

    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.invoiceIds).toEqual([approved.id]);
    expect([again.status, again.body]).toEqual([200, created.body]);
    const voided = await api.request('POST', `/v1/invoices/${approved.id}/void`);
    expect([voided.status, voided.body.code]).toEqual([409, 'INVOICE_NOT_VOIDABLE']);
    const posted = await api.request('POST', `/v1/invoices/${approved.id}/post`);
    expect([posted.status, posted.body.status]).toEqual([200, 'posted']);
    expect((await api.request('GET', `/v1/exports/${created.body.id}`)).body).toEqual(created.body);
    expect((await api.request('POST', '/v1/invoices/inv_nope/export')).status).toBe(404);
  });

  it("answers 404 for an unknown or another tenant's export, and 400 for a bad request", async () => {
    const mine = await tenant();
    const theirs = await tenant();
    const created = await mine.api.request('POST', `/v1/invoices/${(await mine.invoice('100.00')).id}/export`);
    expect((await theirs.api.request('GET', `/v1/exports/${created.body.id}`)).status).toBe(404);
    expect((await mine.api.request('GET', '/v1/exports/exp_nope')).status).toBe(404);
    const cases = [
      [{}, 'invoiceIds'],
      [{ invoiceIds: [] }, 'invoiceIds'],
      [{ invoiceIds: Array.from({ length: 100 }, (_, i) => `inv_${i}`) }, 'invoiceIds'],
      [{ invoiceIds: ['inv_1'], from: daysAgo(1), to: daysAgo(0) }, 'invoiceIds'],
      [{ from: daysAgo(1) }, 'to'],
      [{ from: daysAgo(0), to: daysAgo(1) }, 'to'],
    ] as const;
    for (const [body, field] of cases) {
      const response = await mine.api.request('POST', '/v1/exports', body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(
        response.body.errors.map((e: { field: string }) => e.field),
        JSON.stringify(body),
      ).toContain(field);
    }
  });

  it('makes one export of a batch exported three times at once, by ids or by its range', async () => {
    const { api, invoice } = await tenant();
    for (let round = 0; round < 6; round++) {
      const issueDate = daysAgo(5 - round); // numbers follow dates
      const ids = [(await invoice('100.00', issueDate)).id, (await invoice('200.00', issueDate)).id];
      const body = round % 2 === 0 ? { invoiceIds: ids } : { from: issueDate, to: issueDate };
      const responses = await Promise.all([1, 2, 3].map(() => api.request('POST', '/v1/exports', body)));
      expect(responses.map((r) => r.status).sort(), JSON.stringify(responses.map((r) => r.body))).toEqual([200, 200, 201]);
      for (const response of responses) expect(response.body).toEqual(responses[0]!.body);
    }
  });

  it('refuses a range with more than 99 approved invoices (narrow the range); 99 by id are one export', async () => {
    const { api, invoice } = await tenant();
    const day = daysAgo(1); // one fixed day, clear of midnight
    const all = [];
    for (let i = 0; i < 100; i++) all.push(await invoice('1.00', day));
    const today = { from: day, to: day };
    const wide = await api.request('POST', '/v1/exports', today);
    expect([wide.status, wide.body.code, wide.body.errors[0].field]).toEqual([422, 'EXPORT_RANGE_TOO_WIDE', 'to']);

    const batch = await api.request('POST', '/v1/exports', { invoiceIds: all.slice(0, 99).map((i) => i.id) });
    expect(batch.status, JSON.stringify(batch.body)).toBe(201);
    expect(batch.body.entries).toHaveLength(99 * 3);
    expect(batch.body.totals).toEqual([{ currency: 'EUR', debit: '118.80', credit: '118.80' }]);
    const rest = await api.request('POST', '/v1/exports', today);
    expect([rest.status, rest.body.invoiceIds]).toEqual([201, [all[99].id]]);
  }, 120_000);
});
