import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { newTenant, type ApiClient } from '../support/api.js';
import { eventually, mailsTo, uniqueEmail } from '../support/portal.js';

const KINDS = ['hours', 'material', 'purchase'] as const;

const item = (i: number) => ({
  kind: KINDS[i % 3],
  date: `2026-03-${String((i % 28) + 1).padStart(2, '0')}`,
  description: `Work ${i}`,
  quantity: `${(i % 7) + 1}.${String(i % 1000).padStart(3, '0')}5`,
  unitCost: `${10 + (i % 13)}.3333`,
  unitPrice: `${20 + (i % 11)}.125`,
  booked: true,
});

const sum = (values: string[]) => values.reduce((total, v) => total.plus(v), new Decimal(0)).toFixed(2);

/** The partial invoice once its finalization is over (issued, or given back to the draft). */
const finalized = (api: ApiClient, id: string) =>
  eventually(async () => {
    const { body } = await api.request('GET', `/v1/invoices/${id}`);
    return body.status !== 'draft' || body.selection.state === 'open' ? body : undefined;
  }, `the finalization of ${id}`);

describe('a partial invoice approved and finalized', () => {
  it('settles 180 of 250 expenditures, issues the invoice with grouped lines and mails it; WIP falls by exactly their cost', async () => {
    // Prepare: 250 booked expenditures of three kinds on a time and material job
    const api = await newTenant('T&M', 'EUR');
    const email = uniqueEmail('tm');
    const customer = await api.request('POST', '/v1/customers', { name: 'Client', email });
    const job = await api.request('POST', '/v1/jobs', {
      customerId: customer.body.id,
      name: 'Refit',
      billingType: 'time_and_material',
    });
    const batch = await api.request('POST', `/v1/jobs/${job.body.id}/expenditures/batch`, {
      items: Array.from({ length: 250 }, (_, i) => item(i)),
    });
    expect(batch.status, JSON.stringify(batch.body).slice(0, 300)).toBe(201);
    const booked: { id: string; kind: string; cost: string; salesValue: string }[] = batch.body.items;
    const selected = booked.slice(0, 180);
    const draft = await api.request('POST', `/v1/jobs/${job.body.id}/partial-invoices`, {
      expenditureIds: selected.map((e) => e.id),
      copy: 'grouped_by_kind',
    });
    expect(draft.status, JSON.stringify(draft.body).slice(0, 300)).toBe(201);
    const wipBefore = (await api.request('GET', `/v1/reports/wip?jobId=${job.body.id}`)).body;
    // Act
    const approved = await api.request('POST', `/v1/partial-invoices/${draft.body.id}/approve`, { send: true });
    // Assess: a draft until finalized, then invoiced, one line per kind
    expect(approved.status, JSON.stringify(approved.body).slice(0, 300)).toBe(200);
    expect(approved.body).toMatchObject({ status: 'draft', selection: { state: 'settling' } });
    const invoice = await finalized(api, draft.body.id);
    expect(invoice).toMatchObject({
      status: 'invoiced',
      number: expect.stringMatching(/^INV-/),
      selection: { state: 'settled' },
    });
    expect(invoice.lines).toHaveLength(3);
    expect(invoice.totals.net).toBe(sum(selected.map((e) => e.salesValue)));
    const cost = sum(selected.map((e) => e.cost));
    const wipAfter = (await api.request('GET', `/v1/reports/wip?jobId=${job.body.id}`)).body;
    const balance = (report: { items: { wipBalance: string }[] }) => new Decimal(report.items[0]!.wipBalance);
    expect(balance(wipBefore).minus(balance(wipAfter)).toFixed(2)).toBe(cost);
    const unbilled = (await api.request('GET', `/v1/reports/unbilled-expenditures?jobId=${job.body.id}`)).body;
    expect(unbilled.totals[0]).toMatchObject({ count: 70, cost: sum(booked.slice(180).map((e) => e.cost)) });
    let settled = 0;
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const page = await api.request('GET', `/v1/jobs/${job.body.id}/expenditures?status=settled&limit=100${query}`);
      expect(page.status).toBe(200);
      settled += page.body.items.length;
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(settled).toBe(180);
    const mails = await eventually(async () => {
      const found = (await mailsTo(email)).filter((m) => m.subject.includes(invoice.number));
      return found.length ? found : undefined;
    }, 'the invoice mail');
    expect(mails).toHaveLength(1);
    // Reversed: a credit note for all of it, every one of the 250 billable again, WIP as it was
    const reversed = await api.request('POST', `/v1/invoices/${invoice.id}/reverse`);
    expect(reversed.status, JSON.stringify(reversed.body).slice(0, 300)).toBe(201);
    expect(reversed.body).toMatchObject({ series: 'credit_note', number: expect.stringMatching(/^CN-/) });
    expect(reversed.body.totals.gross).toBe(new Decimal(invoice.totals.gross).negated().toFixed(2));
    const again = (await api.request('GET', `/v1/reports/unbilled-expenditures?jobId=${job.body.id}`)).body;
    expect(again.totals[0]).toMatchObject({ count: 250, cost: sum(booked.map((e) => e.cost)) });
    const wipRestored = (await api.request('GET', `/v1/reports/wip?jobId=${job.body.id}`)).body;
    expect(balance(wipRestored).toFixed(2)).toBe(balance(wipBefore).toFixed(2));
    // The ordinary issue never finalizes a partial draft, and the approval is not the accounting one
    const other = await api.request('POST', `/v1/jobs/${job.body.id}/partial-invoices`, { expenditureIds: [booked[200]!.id] });
    const issue = await api.request('POST', `/v1/invoices/${other.body.id}/issue`);
    expect([issue.status, issue.body.code]).toEqual([409, 'FINALIZATION_REQUIRED']);
  });

  it('exports the WIP entries beside receivable and revenue, on the tenant account codes, balanced (JSON and CSV)', async () => {
    // Prepare: accounting integration on, the WIP accounts coded
    const api = await newTenant('T&M export', 'EUR');
    const settings = await api.request('PATCH', '/v1/settings', {
      accountingIntegration: true,
      wipAccount: '1450',
      costOfSalesAccount: '5000',
    });
    expect(settings.status, JSON.stringify(settings.body)).toBe(200);
    const customer = await api.request('POST', '/v1/customers', { name: 'Client' });
    const job = await api.request('POST', '/v1/jobs', {
      customerId: customer.body.id,
      name: 'Refit',
      billingType: 'time_and_material',
    });
    const batch = await api.request('POST', `/v1/jobs/${job.body.id}/expenditures/batch`, {
      items: Array.from({ length: 12 }, (_, i) => item(i)),
    });
    const booked: { id: string; cost: string }[] = batch.body.items;
    const draft = await api.request('POST', `/v1/jobs/${job.body.id}/partial-invoices`, {
      expenditureIds: booked.map((e) => e.id),
      copy: 'summary',
    });
    await api.request('POST', `/v1/partial-invoices/${draft.body.id}/approve`);
    const invoice = await finalized(api, draft.body.id);
    expect(invoice.status).toBe('invoiced');
    expect((await api.request('POST', `/v1/invoices/${invoice.id}/approve`)).status).toBe(200);
    // Act
    const exported = await api.request('POST', `/v1/invoices/${invoice.id}/export`);
    const csv = await api.request('GET', `/v1/exports/${exported.body.id}`, undefined, { accept: 'text/csv' });
    // Assess
    expect(exported.status, JSON.stringify(exported.body).slice(0, 400)).toBe(201);
    const cost = sum(booked.map((e) => e.cost));
    expect(exported.body.entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ account: 'cost_of_sales', accountCode: '5000', debit: cost, credit: '0.00' }),
        expect.objectContaining({ account: 'work_in_process', accountCode: '1450', debit: '0.00', credit: cost }),
        expect.objectContaining({ account: 'accounts_receivable', debit: invoice.totals.gross }),
      ]),
    );
    const total = (side: 'debit' | 'credit') => sum(exported.body.entries.map((e: Record<string, string>) => e[side]));
    expect(total('debit')).toBe(total('credit'));
    expect(csv.status).toBe(200);
    expect(csv.body.split('\r\n')[0]).toBe('date,invoiceNumber,currency,account,accountCode,debit,credit,description');
    expect(csv.body).toContain(`,work_in_process,1450,0.00,${cost},`);
  });
});
