import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { newTenant, send, type ApiClient } from '../support/api.js';
import { draft, issue, jobWithCharges } from '../support/billing.js';
import { eventually } from '../support/portal.js';

const spend = (i: number, unitPrice: string) => ({
  kind: i % 2 ? 'material' : 'hours',
  date: `2026-03-0${(i % 9) + 1}`,
  description: `Work ${i}`,
  quantity: '1',
  unitCost: '10.00',
  unitPrice,
  booked: true,
});

/** Books an expenditure at each unit price on the job; the expenditures booked. */
const book = async (api: ApiClient, jobId: string, unitPrices: string[]): Promise<{ id: string; version: number }[]> => {
  const batch = await api.request('POST', `/v1/jobs/${jobId}/expenditures/batch`, {
    items: unitPrices.map((price, i) => spend(i, price)),
  });
  expect(batch.status, JSON.stringify(batch.body).slice(0, 300)).toBe(201);
  return batch.body.items;
};

const partialDraft = async (api: ApiClient, jobId: string, body: object) => {
  const response = await api.request('POST', `/v1/jobs/${jobId}/partial-invoices`, body);
  expect(response.status, JSON.stringify(response.body).slice(0, 300)).toBe(201);
  return response.body;
};

/** The partial invoice once its finalization is over: issued, or given back to the draft (open, with its error). */
const finalized = (api: ApiClient, id: string) =>
  eventually(async () => {
    const { body } = await api.request('GET', `/v1/invoices/${id}`);
    return body.status !== 'draft' || (body.selection.state === 'open' && body.selection.finalization.attempt > 0)
      ? body
      : undefined;
  }, `the finalization of ${id}`);

/** Approved (the go-ahead) and finalized by the workflow into an issued invoice. */
const finalize = async (api: ApiClient, id: string) => {
  const approved = await api.request('POST', `/v1/partial-invoices/${id}/approve`);
  expect(approved.status, JSON.stringify(approved.body).slice(0, 300)).toBe(200);
  const invoice = await finalized(api, id);
  expect(invoice.status, JSON.stringify(invoice.selection)).toBe('invoiced');
  return invoice;
};

const getJob = async (api: ApiClient, jobId: string) => (await api.request('GET', `/v1/jobs/${jobId}`)).body;

const billedToDate = (job: { charges: { billedToDate: string }[] }) => job.charges.map((c) => c.billedToDate);

/** What each charge was given by the lines of an invoice, by charge id. */
const allocatedByCharge = (invoice: { lines: { allocations: { chargeId: string; amount: string }[] }[] }) => {
  const sums = new Map<string, Decimal>();
  for (const { chargeId, amount } of invoice.lines.flatMap((l) => l.allocations)) {
    sums.set(chargeId, (sums.get(chargeId) ?? new Decimal(0)).plus(amount));
  }
  return Object.fromEntries([...sums].map(([id, sum]) => [id, sum.toFixed(2)]));
};

// 600 + 300 + 100 = 1,000.00 EUR.
const CHARGES = [
  { description: 'Shell', quantity: '1', unitPrice: '600.00', taxRate: '20' },
  { description: 'Roof', quantity: '1', unitPrice: '300.00', taxRate: '20' },
  { description: 'Permits', quantity: '1', unitPrice: '100.00' },
];

describe("a time and material job's final invoice waits for its booked expenditures", () => {
  it('is refused 409 EXPENDITURES_UNBILLED while some are unbilled or selected, at draft and at issue; billed by a partial invoice, it bills', async () => {
    // Prepare: three booked expenditures, one of them in a partial draft, the job closed
    const api = await newTenant('T&M final', 'EUR');
    const customer = await api.request('POST', '/v1/customers', { name: 'Client' });
    const job = (
      await api.request('POST', '/v1/jobs', { customerId: customer.body.id, name: 'Repair', billingType: 'time_and_material' })
    ).body;
    const booked = await book(api, job.id, ['100.00', '150.00', '50.00']);
    const first = await partialDraft(api, job.id, { expenditureIds: [booked[0]!.id] });
    expect((await api.request('POST', `/v1/jobs/${job.id}/close`)).status).toBe(200);
    // Act
    const early = await api.request('POST', `/v1/jobs/${job.id}/invoices`, { policy: 'final' });
    // Assess: how many, and what to do; nothing drafted
    expect([early.status, early.body.code]).toEqual([409, 'EXPENDITURES_UNBILLED']);
    expect(early.body.detail).toContain(
      '3 booked expenditures not billed (2 in no partial invoice, 1 selected by a partial invoice draft)',
    );
    expect(early.body.detail).toMatch(/bill them with a partial invoice.*or delete them/);
    const grouped = await api.request('POST', `/v1/jobs/${job.id}/invoices`, { policy: 'final_grouped' });
    expect([grouped.status, grouped.body.code]).toEqual([409, 'EXPENDITURES_UNBILLED']);
    expect((await api.request('GET', `/v1/invoices?jobId=${job.id}&type=complete`)).body.items).toEqual([]);
    // Act: every one billed by partial invoices (the draft's, then the rest)
    await finalize(api, first.id);
    const second = await partialDraft(api, job.id, { expenditureIds: booked.slice(1).map((e) => e.id), copy: 'summary' });
    await finalize(api, second.id);
    const final = await draft(api, job.id, { policy: 'final' });
    // Assess: drafted; an expenditure booked meanwhile holds its issue back until it goes
    const late = (await book(api, job.id, ['20.00']))[0]!;
    const refused = await api.request('POST', `/v1/invoices/${final.id}/issue`);
    expect([refused.status, refused.body.code]).toEqual([409, 'EXPENDITURES_UNBILLED']);
    expect(refused.body.detail).toContain('1 booked expenditure not billed (1 in no partial invoice)');
    expect((await api.request('DELETE', `/v1/jobs/${job.id}/expenditures/${late.id}`)).status).toBe(204);
    const issued = await issue(api, final.id);
    expect(issued.status).toBe('invoiced');
    const after = await getJob(api, job.id);
    expect(after).toMatchObject({ status: 'billed', billing: { invoicedToDate: '300.00', remaining: '0.00' } });
    expect(after.expenditures.wip.wipBalance).toBe('0.00');
  });

  it('declares the code in the OpenAPI document for drafting and issuing', async () => {
    // Act
    const { body: document } = await send('GET', '/v1/openapi.json');
    // Assess
    expect(document.paths['/v1/jobs/{id}/invoices'].post.responses['409'].description).toContain('`EXPENDITURES_UNBILLED`');
    expect(document.paths['/v1/invoices/{id}/issue'].post.responses['409'].description).toContain('`EXPENDITURES_UNBILLED`');
    expect(document.paths['/v1/jobs/{id}/partial-invoices'].post.responses['422'].description).toContain(
      '`JOB_BILLED_BY_MILESTONES`',
    );
  });
});

describe('a partial invoice on a fixed-price job bills a phase of its price', () => {
  it('allocates its lines to the charges when finalized, and the final invoice bills exactly the rest', async () => {
    // Prepare: 1,000.00 of charges; a phase of 400 billed on two expenditures (itemized) and a free line
    const { api, job } = await jobWithCharges(CHARGES);
    const booked = await book(api, job.id, ['150.00', '200.00']);
    const phase = await partialDraft(api, job.id, {
      taxRate: '20',
      expenditureIds: booked.map((e) => e.id),
      copy: 'itemized',
      lines: [{ description: 'Site setup', unitPrice: '50.00' }],
    });
    expect(phase.lines.every((l: { allocations: unknown[] }) => l.allocations.length === 0)).toBe(true);
    // Act
    const invoice = await finalize(api, phase.id);
    // Assess: 400 split by what each charge had left (600, 300, 100): 240, 120, 40
    const [shell, roof, permits] = job.charges.map((c: { id: string }) => c.id);
    expect(invoice.totals.net).toBe('400.00');
    expect(allocatedByCharge(invoice)).toEqual({ [shell]: '240.00', [roof]: '120.00', [permits]: '40.00' });
    for (const line of invoice.lines) {
      const sum = line.allocations.reduce((s: Decimal, a: { amount: string }) => s.plus(a.amount), new Decimal(0));
      expect(sum.toFixed(2)).toBe(line.amount);
    }
    const phased = await getJob(api, job.id);
    expect(billedToDate(phased)).toEqual(['240.00', '120.00', '40.00']);
    expect(phased.billing).toMatchObject({ invoicedToDate: '400.00', remaining: '600.00' });
    // Act: the job closed, its final invoice
    expect((await api.request('POST', `/v1/jobs/${job.id}/close`)).status).toBe(200);
    const final = await draft(api, job.id, { policy: 'final' });
    const issued = await issue(api, final.id);
    // Assess: only the rest, every charge billed to its amount
    expect(issued.totals.net).toBe('600.00');
    expect(allocatedByCharge(issued)).toEqual({ [shell]: '360.00', [roof]: '180.00', [permits]: '60.00' });
    const billed = await getJob(api, job.id);
    expect(billedToDate(billed)).toEqual(['600.00', '300.00', '100.00']);
    expect(billed).toMatchObject({ status: 'billed', billing: { invoicedToDate: '1000.00', remaining: '0.00' } });
  });

  it('is refused 422 TAX_RATE_REQUIRED without a tax rate when the charges are taxed at several: 0 would bill them untaxed', async () => {
    // Prepare: charges at 20% and at 0%
    const { api, job } = await jobWithCharges(CHARGES);
    const booked = await book(api, job.id, ['100.00']);
    // Act
    const refused = await api.request('POST', `/v1/jobs/${job.id}/partial-invoices`, { expenditureIds: [booked[0]!.id] });
    // Assess
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'TAX_RATE_REQUIRED', errors: [{ field: 'taxRate' }] });
    expect((await api.request('GET', `/v1/invoices?jobId=${job.id}`)).body.items).toEqual([]);
  });

  it('is given back by its reversal: the charges billable again, the final invoice then bills all of the price', async () => {
    // Prepare: a phase of 500 finalized
    const { api, job } = await jobWithCharges(CHARGES);
    const booked = await book(api, job.id, ['500.00']);
    const phase = await partialDraft(api, job.id, { expenditureIds: [booked[0]!.id], taxRate: '20' });
    const invoice = await finalize(api, phase.id);
    expect(billedToDate(await getJob(api, job.id))).toEqual(['300.00', '150.00', '50.00']);
    // Act
    const reversed = await api.request('POST', `/v1/invoices/${invoice.id}/reverse`);
    // Assess: the credit note negates the allocations
    expect(reversed.status, JSON.stringify(reversed.body).slice(0, 300)).toBe(201);
    expect(reversed.body.lines.map((l: { allocations: unknown[] }) => l.allocations)).toEqual(
      invoice.lines.map((l: { allocations: { chargeId: string; amount: string }[] }) =>
        l.allocations.map((a) => ({ chargeId: a.chargeId, amount: new Decimal(a.amount).negated().toFixed(2) })),
      ),
    );
    const given = await getJob(api, job.id);
    expect(billedToDate(given)).toEqual(['0.00', '0.00', '0.00']);
    expect(given.billing).toMatchObject({ invoicedToDate: '0.00', remaining: '1000.00' });
    // Act: the job closed, its final invoice
    expect((await api.request('POST', `/v1/jobs/${job.id}/close`)).status).toBe(200);
    const final = await issue(api, (await draft(api, job.id, { policy: 'final' })).id);
    // Assess
    expect(final.totals.net).toBe('1000.00');
    const billed = await getJob(api, job.id);
    expect(billedToDate(billed)).toEqual(['600.00', '300.00', '100.00']);
    expect(billed).toMatchObject({ status: 'billed', billing: { invoicedToDate: '1000.00', remaining: '0.00' } });
  });

  it('past the price is refused JOB_OVERBILLED: at draft, and once another phase took the room, before or at its finalization', async () => {
    // Prepare: two phases drafted side by side, 700 and 400 of 1,000 (each fits alone)
    const { api, job } = await jobWithCharges(CHARGES);
    const booked = await book(api, job.id, ['700.00', '400.00', '1200.00']);
    const big = await api.request('POST', `/v1/jobs/${job.id}/partial-invoices`, {
      expenditureIds: [booked[2]!.id],
      taxRate: '20',
    });
    expect([big.status, big.body.code]).toEqual([422, 'JOB_OVERBILLED']);
    const first = await partialDraft(api, job.id, { expenditureIds: [booked[0]!.id], taxRate: '20' });
    const second = await partialDraft(api, job.id, { expenditureIds: [booked[1]!.id], taxRate: '20' });
    await finalize(api, first.id);
    // Act
    const approved = await api.request('POST', `/v1/partial-invoices/${second.id}/approve`);
    // Assess: refused at the go-ahead, or by the finalization, which gives the selection back with the error
    if (approved.status === 200) {
      const failed = await finalized(api, second.id);
      expect(failed).toMatchObject({ status: 'draft', selection: { state: 'open', error: { code: 'JOB_OVERBILLED' } } });
    } else {
      expect([approved.status, approved.body.code]).toEqual([422, 'JOB_OVERBILLED']);
    }
    const after = await getJob(api, job.id);
    expect(billedToDate(after)).toEqual(['420.00', '210.00', '70.00']);
    expect(after.billing).toMatchObject({ invoicedToDate: '700.00', remaining: '300.00' });
    const held = (await api.request('GET', `/v1/jobs/${job.id}/expenditures?status=selected`)).body.items;
    expect(held.map((e: { id: string }) => e.id)).toEqual([booked[1]!.id]);
  });
});

describe('a partial invoice on a milestone job', () => {
  it('is refused 422 JOB_BILLED_BY_MILESTONES: the milestones bill its price; nothing is selected', async () => {
    // Prepare
    const api = await newTenant('Milestones', 'EUR');
    const customer = await api.request('POST', '/v1/customers', { name: 'Client' });
    const job = (await api.request('POST', '/v1/jobs', { customerId: customer.body.id, name: 'Shed', billingType: 'milestone' }))
      .body;
    await api.request('POST', `/v1/jobs/${job.id}/milestones`, { name: 'Base', amount: '500', requiresClientApproval: false });
    const booked = await book(api, job.id, ['80.00']);
    // Act
    const refused = await api.request('POST', `/v1/jobs/${job.id}/partial-invoices`, { expenditureIds: [booked[0]!.id] });
    // Assess
    expect([refused.status, refused.body.code]).toEqual([422, 'JOB_BILLED_BY_MILESTONES']);
    expect(refused.body.detail).toContain('billed by its milestones');
    const unbilled = (await api.request('GET', `/v1/jobs/${job.id}/expenditures?status=unbilled`)).body.items;
    expect(unbilled.map((e: { id: string }) => e.id)).toEqual([booked[0]!.id]);
    expect((await api.request('GET', `/v1/invoices?jobId=${job.id}`)).body.items).toEqual([]);
  });
});
