import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { addCharge, type ChargeFields } from '../../functions/domain/charge.js';
import { getJob, saveJob } from '../../functions/store/job.store.js';
import { newTenant, type ApiClient } from '../support/api.js';
import { daysAgo, issue } from '../support/billing.js';

// Charges at their maximum lengths (description 500, group 100 characters).
const asciiCharge = (i: number) => ({
  description: `${String(i).padStart(3, '0')} ${'Structural steel, fabricated and erected per drawing S-'.repeat(10)}`.slice(
    0,
    500,
  ),
  group: `Group ${i % 7} ${'g'.repeat(100)}`.slice(0, 100),
  quantity: '1',
  unitPrice: '10.00',
  taxRate: '20',
});
// Four UTF-8 bytes a character: the heaviest text a charge can carry.
const heavyCharge = (i: number) => ({
  ...asciiCharge(i),
  description: Array.from({ length: 500 }, (_, k) => String.fromCodePoint(0x1f300 + ((i + k) % 700))).join(''),
});

const jobOf = async (api: ApiClient, charges: number, charge: (i: number) => object) => {
  const customer = (await api.request('POST', '/v1/customers', { name: 'Developer' })).body;
  const job = (await api.request('POST', '/v1/jobs', { customerId: customer.id, name: 'Tower', billingType: 'fixed_price' }))
    .body;
  for (let i = 0; i < charges; i++) {
    const added = await api.request('POST', `/v1/jobs/${job.id}/charges`, charge(i));
    expect(added.status, JSON.stringify(added.body).slice(0, 300)).toBe(201);
  }
  return job.id as string;
};

/**
 * A job of 500 charges: one added over HTTP, the other 499 written as one save, as 499 requests
 * would leave them (faster; the last test adds 500 over HTTP).
 */
const fullJob = async (api: ApiClient, charge: (i: number) => ChargeFields): Promise<string> => {
  const jobId = await jobOf(api, 1, charge);
  const job = await getJob(api.tenantId, jobId);
  const charges = Array.from({ length: 499 }, (_, i) => i + 1);
  await saveJob(
    api.tenantId,
    charges.reduce((j, i) => addCharge(j, charge(i), `chg_${ulid()}`, new Date()), job),
    job,
  );
  return jobId;
};

describe('large jobs', () => {
  it('bills a job of 500 maximum-length charges with one final invoice, kept and replayed whole under an Idempotency-Key', async () => {
    // Prepare
    const api = await newTenant('Large jobs', 'EUR');
    const jobId = await fullJob(api, asciiCharge);
    expect((await api.request('POST', `/v1/jobs/${jobId}/close`)).status).toBe(200);
    const key = { 'idempotency-key': 'final-500' };
    // Act
    const drafted = await api.request('POST', `/v1/jobs/${jobId}/invoices`, { policy: 'final' }, key);
    expect(drafted.status, JSON.stringify(drafted.body).slice(0, 300)).toBe(201);
    const replayed = await api.request('POST', `/v1/jobs/${jobId}/invoices`, { policy: 'final' }, key);
    const issued = await issue(api, drafted.body.id);
    const paid = await api.request('POST', `/v1/invoices/${issued.id}/payments`, {
      amount: issued.totals.gross,
      date: daysAgo(0),
      method: 'ach',
    });
    // Assess
    expect(drafted.status, JSON.stringify(drafted.body).slice(0, 300)).toBe(201);
    expect(JSON.stringify(drafted.body).length).toBeGreaterThan(400_000);
    expect([replayed.status, replayed.headers.get('idempotent-replayed')]).toEqual([201, 'true']);
    expect(replayed.body).toEqual(drafted.body);
    expect(issued.lines).toHaveLength(500);
    expect(issued.totals).toEqual({ net: '5000.00', tax: '1000.00', gross: '6000.00' });
    expect(paid.body.invoice).toMatchObject({ balanceDue: '0.00', paymentStatus: 'paid' });
    const billed = (await api.request('GET', `/v1/jobs/${jobId}`)).body;
    expect(billed).toMatchObject({ status: 'billed', billing: { invoicedToDate: '5000.00', remaining: '0.00' } });
    expect(billed.charges.every((c: { billedToDate: string }) => c.billedToDate === '10.00')).toBe(true);
    const listed = (await api.request('GET', `/v1/invoices?jobId=${jobId}`)).body.items;
    expect(listed.map((i: { id: string; lines: unknown[] }) => [i.id, i.lines.length])).toEqual([[issued.id, 500]]);
    const pdf = await api.request('GET', `/v1/invoices/${issued.id}`, undefined, { accept: 'application/pdf' });
    expect(pdf.status).toBe(200);
  }, 120_000);

  it('takes 500 charges of the heaviest text, where the 205th was a 500 before', async () => {
    // Prepare
    const api = await newTenant('Heavy charges', 'EUR');
    // Act
    const jobId = await jobOf(api, 500, heavyCharge);
    // Assess
    const job = (await api.request('GET', `/v1/jobs/${jobId}`)).body;
    expect(job.charges).toHaveLength(500);
    expect(job.charges[499].description).toBe(heavyCharge(499).description);
    const more = await api.request('POST', `/v1/jobs/${jobId}/charges`, heavyCharge(500));
    expect([more.status, more.body.code]).toEqual([422, 'TOO_MANY_CHARGES']);
    const page = (await api.request('GET', '/v1/jobs')).body;
    expect(page.items[0].charges).toHaveLength(500);
  }, 120_000);

  it('ends a page of large jobs early, within what one answer may carry, and pages on to the rest', async () => {
    // Prepare: four jobs of 500 of the heaviest charges (about 1.3 MB each), saved as 500 requests would leave them
    const api = await newTenant('Large pages', 'EUR');
    const ids: string[] = [];
    for (let n = 0; n < 4; n++) {
      ids.push(await fullJob(api, heavyCharge));
    }
    // Act
    const pages = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { items: { id: string; charges: unknown[] }[]; nextCursor: string | null } } =
        await api.request('GET', `/v1/jobs?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
      pages.push(page);
      cursor = page.body.nextCursor;
    } while (cursor);
    // Assess
    expect(pages.length).toBeGreaterThan(1);
    for (const page of pages) expect(Buffer.byteLength(JSON.stringify(page.body))).toBeLessThan(4_000_000);
    const listed = pages.flatMap((page) => page.body.items);
    expect(listed.map((job) => job.id)).toEqual([...ids].reverse());
    expect(listed.every((job) => job.charges.length === 500)).toBe(true);
  }, 120_000);
});
