import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { newTenant, type ApiClient } from '../support/api.js';
import { draft, issue } from '../support/billing.js';
import { reversalIdOf } from '../../functions/services/partial-invoice-reversal.service.js';
import { eventually } from '../support/portal.js';

const KINDS = ['hours', 'material', 'purchase'] as const;

const item = (i: number) => ({
  kind: KINDS[i % 3],
  date: `2026-03-${String((i % 28) + 1).padStart(2, '0')}`,
  description: `Work ${i}`,
  quantity: `${(i % 5) + 1}.25`,
  unitCost: `${10 + (i % 13)}.3333`,
  unitPrice: `${20 + (i % 11)}.125`,
  booked: true,
});

const sum = (values: string[]) => values.reduce((total, v) => total.plus(v), new Decimal(0)).toFixed(2);

const invoiced = (api: ApiClient, id: string) =>
  eventually(async () => {
    const { body } = await api.request('GET', `/v1/invoices/${id}`);
    return body.status === 'invoiced' ? body : undefined;
  }, `the finalization of ${id}`);

const wipOf = async (api: ApiClient, jobId: string) => (await api.request('GET', `/v1/reports/wip?jobId=${jobId}`)).body.items[0];

/** A time and material job whose `count` booked expenditures one partial invoice has settled and issued. */
const finalizedInvoice = async (api: ApiClient, count: number) => {
  const customer = await api.request('POST', '/v1/customers', { name: 'Client' });
  const job = await api.request('POST', '/v1/jobs', {
    customerId: customer.body.id,
    name: 'Refit',
    billingType: 'time_and_material',
  });
  const jobId: string = job.body.id;
  const batch = await api.request('POST', `/v1/jobs/${jobId}/expenditures/batch`, {
    items: Array.from({ length: count }, (_, i) => item(i)),
  });
  expect(batch.status, JSON.stringify(batch.body).slice(0, 300)).toBe(201);
  const booked: { id: string; cost: string }[] = batch.body.items;
  const wipBooked = await wipOf(api, jobId);
  const draft = await api.request('POST', `/v1/jobs/${jobId}/partial-invoices`, {
    expenditureIds: booked.map((e) => e.id),
    copy: 'grouped_by_kind',
  });
  expect(draft.status, JSON.stringify(draft.body).slice(0, 300)).toBe(201);
  expect((await api.request('POST', `/v1/partial-invoices/${draft.body.id}/approve`)).status).toBe(200);
  const invoice = await invoiced(api, draft.body.id);
  const cost = sum(booked.map((e) => e.cost));
  expect((await wipOf(api, jobId)).settledCost).toBe(cost);
  return { jobId, booked, wipBooked, invoice, cost };
};

describe('a finalized partial invoice reversed', () => {
  it('issues a credit note negating all of it, makes every expenditure billable again, restores WIP, and exports balanced', async () => {
    // Prepare: 30 booked expenditures, all finalized on one partial invoice, accounting integration on
    const api = await newTenant('T&M reversal', 'EUR');
    expect((await api.request('PATCH', '/v1/settings', { accountingIntegration: true })).status).toBe(200);
    const { jobId, booked, wipBooked, invoice, cost } = await finalizedInvoice(api, 30);
    // Act
    const reversed = await api.request('POST', `/v1/invoices/${invoice.id}/reverse`);
    // Assess: a credit note for all of it, the invoice reversed by it
    expect(reversed.status, JSON.stringify(reversed.body).slice(0, 400)).toBe(201);
    const creditNote = reversed.body;
    expect(reversed.headers.get('location')).toBe(`/v1/invoices/${creditNote.id}`);
    // Its id is derived from the invoice's (a retry finds it), shaped as every id: the prefix and a ULID.
    expect(creditNote.id).toMatch(/^inv_[0-7][0-9A-HJKMNP-TV-Z]{25}$/);
    expect(creditNote.id).toBe(reversalIdOf(invoice.id));
    expect(creditNote).toMatchObject({
      status: 'invoiced',
      number: expect.stringMatching(/^CN-/),
      reversal: { invoiceId: invoice.id, state: 'restored' },
      settledCost: `-${cost}`,
      totals: {
        net: `-${invoice.totals.net}`,
        tax: new Decimal(invoice.totals.tax).negated().toFixed(2),
        gross: `-${invoice.totals.gross}`,
      },
    });
    expect(creditNote.lines).toHaveLength(invoice.lines.length);
    // As a voided invoice, it keeps its figures as issued (it had no payments); `reversedBy` says nothing is due
    expect((await api.request('GET', `/v1/invoices/${invoice.id}`)).body).toMatchObject({
      reversedBy: creditNote.id,
      creditedNet: invoice.totals.net,
      amountPaid: '0.00',
      balanceDue: invoice.totals.gross,
      paymentStatus: 'unpaid',
    });
    // Every expenditure unbilled again, WIP as booked
    const unbilled = await api.request('GET', `/v1/jobs/${jobId}/expenditures?status=unbilled&limit=100`);
    expect(unbilled.body.items.map((e: { id: string }) => e.id).sort()).toEqual(booked.map((e) => e.id).sort());
    expect(unbilled.body.nextCursor).toBeNull();
    expect(await wipOf(api, jobId)).toMatchObject({ settledCost: '0.00', wipBalance: wipBooked.wipBalance });
    // Nothing is due on it: a payment is refused
    const paid = await api.request('POST', `/v1/invoices/${invoice.id}/payments`, {
      amount: '1.00',
      date: invoice.issueDate,
      method: 'card',
    });
    expect([paid.status, paid.body.code]).toEqual([409, 'INVOICE_REVERSED']);
    // A second reversal is refused, and changes nothing
    const again = await api.request('POST', `/v1/invoices/${invoice.id}/reverse`);
    expect([again.status, again.body.code]).toEqual([409, 'INVOICE_REVERSED']);
    const ofCreditNote = await api.request('POST', `/v1/invoices/${creditNote.id}/reverse`);
    expect([ofCreditNote.status, ofCreditNote.body.code]).toEqual([409, 'INVOICE_NOT_REVERSIBLE']);
    // Both exported: the credit note's entries undo the invoice's, WIP entries included
    for (const id of [invoice.id, creditNote.id]) {
      expect((await api.request('POST', `/v1/invoices/${id}/approve`)).status).toBe(200);
    }
    const exported = await api.request('POST', '/v1/exports', { invoiceIds: [invoice.id, creditNote.id] });
    expect(exported.status, JSON.stringify(exported.body).slice(0, 400)).toBe(201);
    const entries: { account: string; invoiceNumber: string; debit: string; credit: string }[] = exported.body.entries;
    const net = (account: string) =>
      sum(entries.filter((e) => e.account === account).map((e) => new Decimal(e.debit).minus(e.credit).toFixed(2)));
    // Entries sort by date, then number: CN-... before INV-... of the same day
    expect(entries.filter((e) => e.account === 'work_in_process')).toEqual([
      expect.objectContaining({ invoiceNumber: creditNote.number, debit: cost, credit: '0.00' }),
      expect.objectContaining({ invoiceNumber: invoice.number, debit: '0.00', credit: cost }),
    ]);
    for (const account of ['work_in_process', 'cost_of_sales', 'accounts_receivable', 'revenue', 'tax_payable']) {
      expect(net(account), account).toBe('0.00');
    }
    expect(sum(entries.map((e) => e.debit))).toBe(sum(entries.map((e) => e.credit)));
  });

  it('reversed by 8 requests at once: one credit note, no number skipped, each answer 201 with it or 409 INVOICE_REVERSED', async () => {
    // Prepare: 100 booked expenditures (two chunks to restore) finalized on one partial invoice
    const api = await newTenant('T&M reversal raced', 'EUR');
    const { jobId, booked, wipBooked, invoice } = await finalizedInvoice(api, 100);
    // Act
    const answers = await Promise.all(Array.from({ length: 8 }, () => api.request('POST', `/v1/invoices/${invoice.id}/reverse`)));
    // Assess: a request that raced the reversal completes it and answers its credit note; one that
    // found it complete already is refused as a second reversal; nothing else
    const after = (await api.request('GET', `/v1/invoices/${invoice.id}`)).body;
    const allowed = [`201 ${after.reversedBy} restored`, '409 INVOICE_REVERSED'];
    const outcomes = answers.map((a) =>
      a.status === 201 ? `201 ${a.body.id} ${a.body.reversal?.state}` : `${a.status} ${a.body.code}`,
    );
    expect(
      outcomes.filter((o) => !allowed.includes(o)),
      outcomes.join(', '),
    ).toEqual([]);
    expect(outcomes).toContain(allowed[0]);
    // One credit note, the first of its series, crediting the invoice once
    expect(after.creditedNet).toBe(invoice.totals.net);
    const invoices = (await api.request('GET', '/v1/invoices?limit=100')).body.items;
    expect(invoices.map((i: { id: string }) => i.id).sort()).toEqual([invoice.id, after.reversedBy].sort());
    const numbers = invoices.map((i: { number: string }) => i.number).filter((n: string) => n.startsWith('CN-'));
    expect(numbers).toEqual([expect.stringMatching(/^CN-\d{4}-0*1$/)]);
    // Every expenditure unbilled again, WIP restored once: as booked
    const unbilled = await api.request('GET', `/v1/jobs/${jobId}/expenditures?status=unbilled&limit=100`);
    expect(unbilled.body.items.map((e: { id: string }) => e.id).sort()).toEqual(booked.map((e) => e.id).sort());
    expect(await wipOf(api, jobId)).toMatchObject({ settledCost: '0.00', wipBalance: wipBooked.wipBalance });
  });

  it('refuses an invoice with payments (409 INVOICE_HAS_PAYMENTS), as a void does, changing nothing', async () => {
    // Prepare: a partial payment on the issued partial invoice
    const api = await newTenant('T&M reversal paid', 'EUR');
    const { jobId, invoice } = await finalizedInvoice(api, 3);
    const paid = await api.request('POST', `/v1/invoices/${invoice.id}/payments`, {
      amount: '10.00',
      date: invoice.issueDate,
      method: 'card',
    });
    expect(paid.status, JSON.stringify(paid.body)).toBe(201);
    const before = (await api.request('GET', `/v1/invoices/${invoice.id}`)).body;
    const billing = (await api.request('GET', `/v1/jobs/${jobId}`)).body.billing;
    // Act
    const refused = await api.request('POST', `/v1/invoices/${invoice.id}/reverse`);
    // Assess: no credit note, the invoice and the job as they were, and it still takes payments
    expect([refused.status, refused.body.code]).toEqual([409, 'INVOICE_HAS_PAYMENTS']);
    expect((await api.request('GET', `/v1/invoices/${reversalIdOf(invoice.id)}`)).status).toBe(404);
    expect((await api.request('GET', `/v1/invoices/${invoice.id}`)).body).toEqual(before);
    expect((await api.request('GET', `/v1/jobs/${jobId}`)).body.billing).toEqual(billing);
    const more = await api.request('POST', `/v1/invoices/${invoice.id}/payments`, {
      amount: '1.00',
      date: invoice.issueDate,
      method: 'card',
    });
    expect(more.status, JSON.stringify(more.body)).toBe(201);
  });

  it('refuses an invoice of a job billed since (409 JOB_BILLED), changing nothing', async () => {
    // Prepare: a finalized partial invoice, then the job closed and its final invoice issued
    const api = await newTenant('T&M reversal of a billed job', 'EUR');
    const { jobId, invoice } = await finalizedInvoice(api, 2);
    expect((await api.request('POST', `/v1/jobs/${jobId}/close`)).status).toBe(200);
    await issue(api, (await draft(api, jobId, { policy: 'final' })).id);
    const before = (await api.request('GET', `/v1/invoices/${invoice.id}`)).body;
    // Act
    const refused = await api.request('POST', `/v1/invoices/${invoice.id}/reverse`);
    // Assess
    expect([refused.status, refused.body.code]).toEqual([409, 'JOB_BILLED']);
    expect((await api.request('GET', `/v1/invoices/${invoice.id}`)).body).toEqual(before);
    expect((await api.request('GET', `/v1/invoices/${reversalIdOf(invoice.id)}`)).status).toBe(404);
  });

  it('refuses a draft partial invoice and an ordinary invoice (409 INVOICE_NOT_REVERSIBLE), changing nothing', async () => {
    const api = await newTenant('T&M reversal refused', 'EUR');
    const customer = await api.request('POST', '/v1/customers', { name: 'Client' });
    const job = await api.request('POST', '/v1/jobs', {
      customerId: customer.body.id,
      name: 'Refit',
      billingType: 'time_and_material',
    });
    const expenditure = await api.request('POST', `/v1/jobs/${job.body.id}/expenditures`, item(0));
    const draft = await api.request('POST', `/v1/jobs/${job.body.id}/partial-invoices`, {
      expenditureIds: [expenditure.body.id],
    });
    const refused = await api.request('POST', `/v1/invoices/${draft.body.id}/reverse`);
    expect([refused.status, refused.body.code]).toEqual([409, 'INVOICE_NOT_REVERSIBLE']);
    const after = await api.request('GET', `/v1/invoices/${draft.body.id}`);
    expect(after.body).toMatchObject({ status: 'draft', version: draft.body.version, reversedBy: null });
    const missing = await api.request('POST', '/v1/invoices/inv_missing/reverse');
    expect([missing.status, missing.body.code]).toEqual([404, 'INVOICE_NOT_FOUND']);
  });
});
