import { describe, expect, it } from 'vitest';
import { Dec } from '../../functions/domain/money.js';
import { apiUrl, type ApiClient } from '../support/api.js';
import { daysAgo, draft, issue, jobWithCharges } from '../support/billing.js';
import { pdfText } from '../support/pdf.js';

const FIGURES = ['suggestedPrice', 'invoicedToDate', 'paidToDate', 'depositsHeld', 'retainageHeld', 'remaining'] as const;

type Figures = Record<(typeof FIGURES)[number], string>;

const sum = (values: string[]): string => values.reduce((a, v) => a.plus(v), new Dec(0)).toFixed(2);

/**
 * The master as GET shows it, after checking its roll-up against its phases read one by one: each
 * figure of `phases` is the sum of the phases' own, and `total` is the master's own plus that, to the cent.
 */
const rolledUp = async (api: ApiClient, masterId: string) => {
  const master = (await api.request('GET', `/v1/jobs/${masterId}`)).body;
  const phases = await Promise.all(
    master.phaseJobIds.map(async (id: string) => (await api.request('GET', `/v1/jobs/${id}`)).body),
  );
  expect(master.phases.count).toBe(phases.length);
  for (const figure of FIGURES) {
    expect(master.phases[figure], figure).toBe(sum(phases.map((p) => p.billing[figure])));
    expect(master.total[figure], figure).toBe(sum([master.billing[figure], master.phases[figure]]));
  }
  return master as { billing: Figures; phases: Figures & { count: number }; total: Figures; version: number; charges: any[] };
};

/** Drafts, issues and pays an invoice of the job in full. */
const billAndPay = async (api: ApiClient, jobId: string, body: object) => {
  const invoice = await issue(api, (await draft(api, jobId, body)).id);
  const paid = await api.request('POST', `/v1/invoices/${invoice.id}/payments`, {
    amount: invoice.balanceDue,
    date: daysAgo(0),
    method: 'bank',
  });
  expect(paid.status, JSON.stringify(paid.body)).toBe(201);
  return invoice;
};

const close = async (api: ApiClient, jobId: string) => {
  const closed = await api.request('POST', `/v1/jobs/${jobId}/close`);
  expect(closed.status, JSON.stringify(closed.body)).toBe(200);
};

describe('a master job split into phase jobs', () => {
  it('bills each phase on its own while the master rolls them up to the cent at every step', async () => {
    // Prepare: 1,000.01 of works and 40 x 2.55 of tiles at 20%, 333.33 of paint at 0%: 1,435.34 in all
    const { api, customer, job } = await jobWithCharges(
      [
        { description: 'Works', quantity: '1', unitPrice: '1000.01', taxRate: '20' },
        { description: 'Tiles', quantity: '40', unitPrice: '2.55', taxRate: '20' },
        { description: 'Paint', quantity: '1', unitPrice: '333.33' },
      ],
      { name: 'Smith house', retainagePercent: '5' },
    );
    const [works, tiles] = job.charges;
    expect(job).toMatchObject({ masterJobId: null, phaseJobIds: [], phases: null, total: null });

    // Act 1: one phase takes the works whole, another half the tiles
    const first = await api.request(
      'POST',
      `/v1/jobs/${job.id}/phases`,
      { name: 'Structure', charges: [{ chargeId: works.id }] },
      { 'if-match': `"${job.version}"` },
    );
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.headers.get('location')).toBe(`/v1/jobs/${first.body.id}`);
    const second = await api.request('POST', `/v1/jobs/${job.id}/phases`, {
      name: 'Floors',
      charges: [{ chargeId: tiles.id, quantity: '20' }],
    });
    expect(second.status, JSON.stringify(second.body)).toBe(201);
    const [a, b] = [first.body, second.body];
    expect(a).toMatchObject({
      masterJobId: job.id,
      customerId: customer.id,
      status: 'open',
      retainagePercent: '5',
      phaseJobIds: [],
    });
    expect(a.charges).toEqual([expect.objectContaining({ description: 'Works', amount: '1000.01', fromChargeId: works.id })]);
    expect(b.charges).toEqual([
      expect.objectContaining({ description: 'Tiles', quantity: '20', amount: '51.00', fromChargeId: tiles.id }),
    ]);
    let master = await rolledUp(api, job.id);
    expect(master.charges.map((c) => [c.description, c.quantity, c.amount])).toEqual([
      ['Tiles', '20', '51.00'],
      ['Paint', '1', '333.33'],
    ]);
    expect(master.total).toMatchObject({ suggestedPrice: '1435.34', invoicedToDate: '0.00', remaining: '1435.34' });
    const listed = (await api.request('GET', `/v1/jobs?masterJobId=${job.id}`)).body.items.map((j: { id: string }) => j.id);
    expect(listed).toEqual([b.id, a.id]);

    // Act 2: the structure phase takes a deposit and half its progress, each paid
    await billAndPay(api, a.id, { policy: 'deposit', amount: '200.00' });
    master = await rolledUp(api, job.id);
    expect(master.phases).toMatchObject({ invoicedToDate: '200.00', depositsHeld: '200.00' });
    await billAndPay(api, a.id, {
      policy: 'progress_itemized',
      progress: [{ chargeId: a.charges[0].id, percentComplete: '50' }],
    });
    master = await rolledUp(api, job.id);

    // Act 3: the floors phase is closed, billed in full and paid; the master cannot close before the structure
    await close(api, b.id);
    await billAndPay(api, b.id, { policy: 'final' });
    master = await rolledUp(api, job.id);
    const early = await api.request('POST', `/v1/jobs/${job.id}/close`);
    expect(early.status).toBe(409);
    expect(early.body).toMatchObject({ code: 'PHASES_OPEN', detail: expect.stringContaining(a.id) });
    const deleting = await api.request('DELETE', `/v1/jobs/${job.id}`);
    expect([deleting.status, deleting.body.code]).toEqual([409, 'PHASES_HAVE_INVOICES']);

    // Act 4: the structure phase's final, then the master's own charges
    await close(api, a.id);
    const finalA = await billAndPay(api, a.id, { policy: 'final' });
    master = await rolledUp(api, job.id);
    await close(api, job.id);
    await billAndPay(api, job.id, { policy: 'final' });
    master = await rolledUp(api, job.id);
    // Assess: every cent of the price is billed once and paid, retainage still held until released
    expect(master.total).toMatchObject({ suggestedPrice: '1435.34', depositsHeld: '0.00', remaining: '0.00' });
    expect(sum([master.total.invoicedToDate, master.total.retainageHeld])).toBe('1435.34');
    expect(master.total.paidToDate).toBe(master.total.invoicedToDate);

    // The phase's documents name its master
    const html = (await api.request('GET', `/v1/invoices/${finalA.id}`, undefined, { accept: 'text/html' })).body as string;
    expect(html).toMatch(/Phase of.*Smith house/s);
    const pdf = await fetch(`${apiUrl()}/v1/invoices/${finalA.id}`, {
      headers: { authorization: `Bearer ${api.apiKey}`, accept: 'application/pdf' },
    });
    expect((await pdfText(new Uint8Array(await pdf.arrayBuffer()))).text).toMatch(/Phase of\s*Smith house/);
  }, 120_000);

  it('refuses what a split cannot take, with the field, and changes nothing', async () => {
    const { api, job } = await jobWithCharges([{ description: 'Works', quantity: '2', unitPrice: '100.00' }]);
    const [works] = job.charges;
    const attempts = await Promise.all([
      api.request('POST', `/v1/jobs/${job.id}/phases`, { name: 'A', charges: [{ chargeId: works.id, quantity: '2.5' }] }),
      api.request('POST', `/v1/jobs/${job.id}/phases`, { name: 'A', charges: [{ chargeId: works.id, amount: '200.01' }] }),
      api.request('POST', `/v1/jobs/${job.id}/phases`, { name: 'A', charges: [{ chargeId: 'chg_nope' }] }),
      api.request('POST', `/v1/jobs/${job.id}/phases`, {
        name: 'A',
        charges: [{ chargeId: works.id, amount: '1', quantity: '1' }],
      }),
      api.request('POST', `/v1/jobs/${job.id}/phases`, { name: 'A', charges: [] }),
    ]);
    expect(attempts.map((r) => [r.status, r.body.code, r.body.errors?.[0]?.field])).toEqual([
      [422, 'PHASE_EXCEEDS_CHARGE', 'charges.0.quantity'],
      [422, 'PHASE_EXCEEDS_CHARGE', 'charges.0.amount'],
      [422, 'CHARGE_NOT_FOUND', 'charges.0.chargeId'],
      [400, 'VALIDATION_FAILED', 'charges.0'],
      [400, 'VALIDATION_FAILED', 'charges'],
    ]);
    const after = (await api.request('GET', `/v1/jobs/${job.id}`)).body;
    expect(after).toMatchObject({ version: job.version, charges: job.charges, phaseJobIds: [] });
    const phase = (
      await api.request('POST', `/v1/jobs/${job.id}/phases`, { name: 'A', charges: [{ chargeId: works.id, amount: '50' }] })
    ).body;
    const nested = await api.request('POST', `/v1/jobs/${phase.id}/phases`, {
      name: 'B',
      charges: [{ chargeId: phase.charges[0].id }],
    });
    expect([nested.status, nested.body.code]).toEqual([409, 'PHASE_OF_PHASE']);
    // A deleted phase gives its charge back to the master
    expect((await api.request('DELETE', `/v1/jobs/${phase.id}`)).status).toBe(204);
    const back = (await api.request('GET', `/v1/jobs/${job.id}`)).body;
    expect(back).toMatchObject({ phaseJobIds: [], phases: null, total: null });
    expect(back.charges).toEqual([
      expect.objectContaining({ id: works.id, quantity: '1', amount: '200.00', billedToDate: '0.00' }),
    ]);
  }, 60_000);
});
