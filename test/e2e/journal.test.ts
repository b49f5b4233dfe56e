import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { type ApiClient } from '../support/api.js';
import { daysAgo, draft, issue, jobWithCharges } from '../support/billing.js';

const today = daysAgo(0);

/** Drafts and issues an invoice of the job dated `issueDate`. */
const issued = async (api: ApiClient, jobId: string, issueDate: string, body: object) =>
  issue(api, (await draft(api, jobId, { ...body, issueDate })).id);

const deposit = (amount: string, taxRate = '20') => ({ policy: 'deposit', amount, taxRate });

/**
 * A tenant with, in date order: a deposit before the range; in the range two deposits, a deposit in
 * USD, a final invoice, a voided deposit and a credit note; and a draft.
 */
const tenantWithDocuments = async () => {
  const { api, job } = await jobWithCharges([{ description: 'Works', quantity: '1', unitPrice: '1000.00', taxRate: '20' }]);
  const small = (await jobWithCharges([{ description: 'Repair', quantity: '1', unitPrice: '200.00', taxRate: '20' }], {}, api))
    .job;
  const dollarCustomer = (await api.request('POST', '/v1/customers', { name: 'US client', currency: 'USD' })).body;
  const dollarJob = (
    await api.request('POST', '/v1/jobs', { customerId: dollarCustomer.id, name: 'US job', billingType: 'fixed_price' })
  ).body;
  await api.request('POST', `/v1/jobs/${dollarJob.id}/charges`, { description: 'Design', quantity: '1', unitPrice: '500.00' });

  const outside = await issued(api, job.id, daysAgo(25), deposit('10.00'));
  const first = await issued(api, job.id, daysAgo(20), deposit('100.00'));
  const second = await issued(api, job.id, daysAgo(15), deposit('250.50'));
  const dollars = await issued(api, dollarJob.id, daysAgo(12), deposit('75.25', '0'));
  expect((await api.request('POST', `/v1/jobs/${small.id}/close`)).status).toBe(200);
  const final = await issued(api, small.id, daysAgo(10), { policy: 'final' });
  const voided = await issued(api, job.id, daysAgo(8), deposit('40.00'));
  expect((await api.request('POST', `/v1/invoices/${voided.id}/void`)).status).toBe(200);
  const credit = await issued(api, small.id, daysAgo(5), {
    policy: 'correction',
    lines: [{ description: 'Goodwill', amount: '-50.00', taxRate: '20' }],
  });
  const pending = await draft(api, job.id, deposit('5.00'));
  return { api, outside, inRange: [first, second, dollars, final, voided, credit], pending };
};

describe('the invoice journal', () => {
  it('lists the numbered documents of the range in date order, with totals per currency without the voided', async () => {
    // Prepare
    const { api, outside, inRange, pending } = await tenantWithDocuments();
    const other = await jobWithCharges([{ description: 'Other', quantity: '1', unitPrice: '100.00' }]);
    const theirs = await issued(other.api, other.job.id, daysAgo(10), deposit('10.00'));

    // Act
    const response = await api.request('GET', `/v1/journal?from=${daysAgo(20)}&to=${today}`);

    // Assess
    expect(response.status).toBe(200);
    const { items, totals } = response.body;
    expect(items.map((r: { invoiceId: string }) => r.invoiceId)).toEqual(inRange.map((i) => i.id));
    expect(items.map((r: { invoiceId: string }) => r.invoiceId)).not.toContain(outside.id);
    expect(items.map((r: { invoiceId: string }) => r.invoiceId)).not.toContain(pending.id);
    expect(items.map((r: { invoiceId: string }) => r.invoiceId)).not.toContain(theirs.id);
    expect(items.map((r: { series: string; status: string; gross: string }) => [r.series, r.status, r.gross])).toEqual([
      ['invoice', 'invoiced', '120.00'],
      ['invoice', 'invoiced', '300.60'],
      ['invoice', 'invoiced', '75.25'],
      ['invoice', 'invoiced', '240.00'],
      ['invoice', 'voided', '48.00'],
      ['credit_note', 'invoiced', '-60.00'],
    ]);
    const [first] = inRange;
    expect(items[0]).toEqual({
      number: first.number,
      series: 'invoice',
      issueDate: daysAgo(20),
      customerId: first.customerId,
      jobId: first.jobId,
      profileId: null,
      invoiceId: first.id,
      currency: 'EUR',
      status: 'invoiced',
      net: '100.00',
      tax: '20.00',
      gross: '120.00',
    });
    expect(totals).toEqual([
      { currency: 'EUR', net: '500.50', tax: '100.10', gross: '600.60' },
      { currency: 'USD', net: '75.25', tax: '0.00', gross: '75.25' },
    ]);
    const theirJournal = await other.api.request('GET', `/v1/journal?from=${daysAgo(20)}&to=${today}`);
    expect(theirJournal.body.items.map((r: { invoiceId: string }) => r.invoiceId)).toEqual([theirs.id]);
  });

  it('answers CSV with Accept: text/csv: a header, the same rows, then a total row per currency', async () => {
    // Prepare
    const { api } = await tenantWithDocuments();
    const path = `/v1/journal?from=${daysAgo(30)}&to=${today}`;
    const json = (await api.request('GET', path)).body;

    // Act
    const csv = await api.request('GET', path, undefined, { accept: 'text/csv' });

    // Assess
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.body.split('\r\n')[0]).toBe('number,series,issueDate,customerId,jobId,profileId,invoiceId,currency,status,net,tax,gross');
    const records = parse(csv.body, { columns: true }) as Record<string, string>[];
    const blank = { series: '', issueDate: '', customerId: '', jobId: '', profileId: '', invoiceId: '', status: '' };
    // A null (an invoice of a job has no profile) is an empty cell.
    const rows = json.items.map((row: object) => ({ ...row, profileId: '' }));
    expect(records).toEqual([...rows, ...json.totals.map((t: object) => ({ number: 'Total', ...blank, ...t }))]);
    expect(records.at(-2)).toMatchObject({ number: 'Total', currency: 'EUR', net: '510.50', tax: '102.10', gross: '612.60' });
  });

  it('refuses a bad range with 400 naming the field', async () => {
    const { api } = await jobWithCharges([]);
    const cases = [
      [`to=${today}`, 'from'],
      [`from=${today}`, 'to'],
      [`from=2026-02-30&to=2026-03-01`, 'from'],
      [`from=2026-03-02&to=2026-03-01`, 'to'],
      [`from=2025-01-01&to=2026-01-03`, 'to'],
    ] as const;
    for (const [query, field] of cases) {
      const response = await api.request('GET', `/v1/journal?${query}`);
      expect(response.status, query).toBe(400);
      expect(
        response.body.errors.map((e: { field: string }) => e.field),
        query,
      ).toContain(field);
    }
    expect((await api.request('GET', '/v1/journal?from=2024-01-01&to=2024-12-31')).body).toEqual({
      from: '2024-01-01',
      to: '2024-12-31',
      items: [],
      totals: [],
    });
  });
});
