import { describe, expect, it } from 'vitest';
import type { ApiClient } from '../support/api.js';
import { daysAgo, draft, issue, jobWithCharges, type Charge } from '../support/billing.js';

const MAX = '999999999999999.99';
const HUGE = '999999999999999.9999999999';

const fields = (body: { errors?: { field: string }[] }) => body.errors?.map((e) => e.field);

/** A job with the given charges, read back as it is stored. */
const jobOf = async (charges: Charge[]) => {
  const { api, job } = await jobWithCharges([]);
  for (const charge of charges) {
    const added = await api.request('POST', `/v1/jobs/${job.id}/charges`, charge);
    expect(added.status, JSON.stringify(added.body)).toBe(201);
  }
  return { api, job: (await api.request('GET', `/v1/jobs/${job.id}`)).body };
};

/** The issued final invoice of a job of one charge of the largest amount, untaxed. */
const largestInvoice = async () => {
  const { api, job } = await jobOf([{ description: 'Everything', quantity: '1', unitPrice: MAX, taxRate: '0' }]);
  expect((await api.request('POST', `/v1/jobs/${job.id}/close`)).status).toBe(200);
  return { api, invoice: await issue(api, (await draft(api, job.id, { policy: 'final' })).id) };
};

const pay = (api: ApiClient, invoiceId: string, amount: string, method = 'bank_transfer') =>
  api.request('POST', `/v1/invoices/${invoiceId}/payments`, { amount, date: daysAgo(0), method });

describe('amounts stay payable', () => {
  it('refuses a charge whose amount no payment could pay with 422 naming quantity and unitPrice, and writes nothing', async () => {
    // Prepare
    const { api, job } = await jobOf([{ description: 'Tiles', quantity: '2', unitPrice: '10.00' }]);
    // Act
    const huge = await api.request('POST', `/v1/jobs/${job.id}/charges`, {
      description: 'Huge',
      quantity: HUGE,
      unitPrice: HUGE,
    });
    const taxed = await api.request('POST', `/v1/jobs/${job.id}/charges`, {
      description: 'Taxed past it',
      quantity: '1',
      unitPrice: MAX,
      taxRate: '20',
    });
    const patched = await api.request('PATCH', `/v1/jobs/${job.id}/charges/${job.charges[0].id}`, { unitPrice: HUGE });
    const tooLong = await api.request('POST', `/v1/jobs/${job.id}/charges`, {
      description: 'Long',
      quantity: '1',
      unitPrice: '1000000000000000',
    });
    // Assess
    expect([huge.status, huge.body.code, fields(huge.body)]).toEqual([422, 'AMOUNT_TOO_LARGE', ['quantity', 'unitPrice']]);
    expect([taxed.status, taxed.body.code, fields(taxed.body)]).toEqual([
      422,
      'AMOUNT_TOO_LARGE',
      ['quantity', 'unitPrice', 'taxRate'],
    ]);
    expect([patched.status, patched.body.code, fields(patched.body)]).toEqual([422, 'AMOUNT_TOO_LARGE', ['unitPrice']]);
    expect([tooLong.status, fields(tooLong.body)]).toEqual([400, ['unitPrice']]);
    const after = (await api.request('GET', `/v1/jobs/${job.id}`)).body;
    expect(after).toMatchObject({ version: job.version, charges: job.charges, billing: { suggestedPrice: '20.00' } });
  });

  it('refuses a draft past the bound with 422 naming the percent, and writes nothing', async () => {
    // Prepare
    const { api, job } = await jobOf([{ description: 'Half of it', quantity: '1', unitPrice: '500000000000000.00' }]);
    // Act
    const refused = await api.request('POST', `/v1/jobs/${job.id}/invoices`, {
      policy: 'progress_summary',
      percent: '200',
      allowOverbilling: true,
    });
    // Assess
    expect([refused.status, refused.body.code, fields(refused.body)]).toEqual([422, 'AMOUNT_TOO_LARGE', ['percent']]);
    expect((await api.request('GET', `/v1/invoices?jobId=${job.id}`)).body.items).toEqual([]);
  });

  it('keeps what a job has billed within the bound however many invoices overbill it', async () => {
    // Prepare: an invoice of 900 trillion issued on a job priced at 1
    const { api, job } = await jobOf([{ description: 'Token', quantity: '1', unitPrice: '1' }]);
    const overbill = { policy: 'progress_summary', amount: '900000000000000', allowOverbilling: true };
    await issue(api, (await draft(api, job.id, overbill)).id);
    // Act
    const third = await api.request('POST', `/v1/jobs/${job.id}/invoices`, overbill);
    // Assess: a second one would make the job have billed 1.8 quadrillion
    expect([third.status, third.body.code]).toEqual([422, 'AMOUNT_TOO_LARGE']);
    const after = (await api.request('GET', `/v1/jobs/${job.id}`)).body;
    expect(after.billing.invoicedToDate).toBe('900000000000000.00');
    expect((await api.request('GET', `/v1/invoices?jobId=${job.id}`)).body.items).toHaveLength(1);
  });

  it('pays the largest invoice Tally issues in full with one payment', async () => {
    // Prepare
    const { api, invoice } = await largestInvoice();
    // Act
    const paid = await pay(api, invoice.id, MAX, 'wire');
    // Assess
    expect(invoice.totals).toEqual({ net: MAX, tax: '0.00', gross: MAX });
    expect(paid.status, JSON.stringify(paid.body)).toBe(201);
    const after = (await api.request('GET', `/v1/invoices/${invoice.id}`)).body;
    expect(after).toMatchObject({ amountPaid: MAX, balanceDue: '0.00', paymentStatus: 'paid' });
  });

  it('pays the largest invoice in full with several payments, and no more', async () => {
    // Prepare
    const { api, invoice } = await largestInvoice();
    // Act
    const payments = [await pay(api, invoice.id, '500000000000000.00'), await pay(api, invoice.id, '499999999999999.99')];
    const more = await pay(api, invoice.id, '0.01');
    // Assess
    expect(payments.map((p) => p.status)).toEqual([201, 201]);
    expect([more.status, more.body.code]).toEqual([422, 'OVERPAYMENT']);
    const after = (await api.request('GET', `/v1/invoices/${invoice.id}`)).body;
    expect(after).toMatchObject({ amountPaid: MAX, balanceDue: '0.00', paymentStatus: 'paid' });
  });
});

describe('payment methods as people write them', () => {
  it('takes ach and free text of up to 50 characters, trimmed; refuses 51 characters and blanks with 400 naming method', async () => {
    // Prepare
    const { api, job } = await jobOf([{ description: 'Works', quantity: '1', unitPrice: '1000.00' }]);
    const invoice = await issue(api, (await draft(api, job.id, { policy: 'deposit', amount: '100.00' })).id);
    const fifty = 'Chèque n° 4711, Crédit Agricole, agence Lyon-Nord.';
    // Act
    const taken = [await pay(api, invoice.id, '1.00', 'ach'), await pay(api, invoice.id, '1.00', `  ${fifty}  `)];
    const refused = [await pay(api, invoice.id, '1.00', `${fifty}!`), await pay(api, invoice.id, '1.00', '   ')];
    // Assess
    expect(fifty).toHaveLength(50);
    expect(taken.map((r) => r.status)).toEqual([201, 201]);
    expect(refused.map((r) => [r.status, fields(r.body)])).toEqual([
      [400, ['method']],
      [400, ['method']],
    ]);
    const after = (await api.request('GET', `/v1/invoices/${invoice.id}`)).body;
    expect(after.payments.map((p: { method: string }) => p.method)).toEqual(['ach', fifty]);
  });
});

describe('progress percents past 100', () => {
  it('drafts 150% with allowOverbilling; without it refuses with the overbilling code the amount gets', async () => {
    // Prepare
    const { api, job } = await jobOf([{ description: 'Works', quantity: '1', unitPrice: '1000.00' }]);
    const path = `/v1/jobs/${job.id}/invoices`;
    // Act
    const byPercent = await api.request('POST', path, { policy: 'progress_summary', percent: '150' });
    const byAmount = await api.request('POST', path, { policy: 'progress_summary', amount: '1500.00' });
    const allowed = await api.request('POST', path, { policy: 'progress_summary', percent: '150', allowOverbilling: true });
    const pastBound = await api.request('POST', path, { policy: 'progress_summary', percent: '1000.5', allowOverbilling: true });
    const deposit = await api.request('POST', path, { policy: 'deposit', percent: '150', allowOverbilling: true });
    // Assess
    expect([byPercent.status, byPercent.body.code]).toEqual([422, 'JOB_OVERBILLED']);
    expect([byAmount.status, byAmount.body.code]).toEqual([422, 'JOB_OVERBILLED']);
    expect(allowed.status, JSON.stringify(allowed.body)).toBe(201);
    expect(allowed.body).toMatchObject({ allowOverbilling: true, totals: { net: '1500.00' } });
    expect([pastBound.status, fields(pastBound.body)]).toEqual([400, ['percent']]);
    expect([deposit.status, fields(deposit.body)]).toEqual([400, ['percent']]);
  });
});
