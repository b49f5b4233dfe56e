import { describe, expect, it } from 'vitest';
import { draft, issue, jobWithCharges } from '../support/billing.js';

const fitOut = { description: 'Fit-out', quantity: '1', unitPrice: '2283.30', taxRate: '20' };

/** A job of 2,283.30 EUR, closed and billed by its final invoice. */
const billedJob = async () => {
  const { api, job } = await jobWithCharges([fitOut]);
  await api.request('POST', `/v1/jobs/${job.id}/close`);
  const final = await issue(api, (await draft(api, job.id, { policy: 'final' })).id);
  return { api, job, final };
};

describe('corrections never credit more than the job has invoiced', () => {
  it('refuses a credit past what the job invoiced: 422 JOB_OVERCREDITED naming lines, and the job keeps its billing', async () => {
    // Prepare
    const { api, job, final } = await billedJob();
    // Act
    const attempts = await Promise.all(
      [{}, { correctsInvoiceId: final.id }].map((against) =>
        api.request('POST', `/v1/jobs/${job.id}/invoices`, {
          policy: 'correction',
          lines: [{ description: 'x', amount: '-99999.00', ...against }],
        }),
      ),
    );
    // Assess
    for (const response of attempts) {
      expect([response.status, response.body.code, response.body.errors?.[0]?.field]).toEqual([422, 'JOB_OVERCREDITED', 'lines']);
    }
    expect((await api.request('GET', `/v1/jobs/${job.id}`)).body.billing).toMatchObject({ invoicedToDate: '2283.30', remaining: '0.00' });
  });

  it('checks again at issue: of two credits that each fit, the second is refused once the first is issued', async () => {
    // Prepare
    const { api, job } = await billedJob();
    const credit = { policy: 'correction', lines: [{ description: 'Goodwill', amount: '-2000.00', taxRate: '20' }] };
    const [first, second] = [await draft(api, job.id, credit), await draft(api, job.id, credit)];
    // Act
    await issue(api, first.id);
    const refused = await api.request('POST', `/v1/invoices/${second.id}/issue`);
    // Assess
    expect([refused.status, refused.body.code]).toEqual([422, 'JOB_OVERCREDITED']);
    expect((await api.request('GET', `/v1/jobs/${job.id}`)).body.billing).toMatchObject({ invoicedToDate: '283.30', remaining: '2000.00' });
    expect((await api.request('GET', `/v1/invoices/${second.id}`)).body).toMatchObject({ status: 'draft', number: null });
  });
});

describe('the final invoice after overbilling', () => {
  it('bills nothing more on a job billed past its price, and leaves taking it back to a correction', async () => {
    // Prepare: 1,200.00 billed on a price of 1,000.00
    const { api, job } = await jobWithCharges([{ description: 'Works', quantity: '1', unitPrice: '1000.00', taxRate: '20' }]);
    await issue(api, (await draft(api, job.id, { policy: 'progress_summary', amount: '1200.00', allowOverbilling: true })).id);
    await api.request('POST', `/v1/jobs/${job.id}/close`);
    // Act
    const final = await issue(api, (await draft(api, job.id, { policy: 'final' })).id);
    // Assess
    expect(final).toMatchObject({ type: 'complete', series: 'invoice', totals: { net: '0.00', gross: '0.00' } });
    expect((await api.request('GET', `/v1/jobs/${job.id}`)).body).toMatchObject({
      status: 'billed',
      billing: { invoicedToDate: '1200.00', remaining: '-200.00' },
    });
    const credit = await issue(
      api,
      (await draft(api, job.id, { policy: 'correction', lines: [{ description: 'Overbilled', amount: '-200.00', chargeId: job.charges[0].id }] })).id,
    );
    expect(credit).toMatchObject({ series: 'credit_note', totals: { net: '-200.00', tax: '-40.00', gross: '-240.00' } });
    expect((await api.request('GET', `/v1/jobs/${job.id}`)).body.billing).toMatchObject({ invoicedToDate: '1000.00', remaining: '0.00' });
  });
});

describe('tax on a correction of an invoice', () => {
  it("credits at the corrected invoice's one rate, refuses to guess among several, and keeps 0% for a free line", async () => {
    // Prepare: one job billed at 20%, another at 20% and 0%
    const { api, job, final } = await billedJob();
    const mixed = await jobWithCharges([fitOut, { description: 'Permits', quantity: '1', unitPrice: '100.00', taxRate: '0' }], {}, api);
    await api.request('POST', `/v1/jobs/${mixed.job.id}/close`);
    const mixedFinal = await issue(api, (await draft(api, mixed.job.id, { policy: 'final' })).id);
    const correct = (jobId: string, line: object) =>
      api.request('POST', `/v1/jobs/${jobId}/invoices`, { policy: 'correction', lines: [{ description: 'Goodwill', amount: '-100.00', ...line }] });
    // Act
    const [single, several, free, elsewhere] = await Promise.all([
      correct(job.id, { correctsInvoiceId: final.id }),
      correct(mixed.job.id, { correctsInvoiceId: mixedFinal.id }),
      correct(job.id, {}),
      correct(job.id, { correctsInvoiceId: mixedFinal.id }),
    ]);
    // Assess
    expect(single.status).toBe(201);
    expect(single.body).toMatchObject({ lines: [{ taxRate: '20', correctsInvoiceId: final.id }], totals: { net: '-100.00', tax: '-20.00', gross: '-120.00' } });
    expect([several.status, several.body.code, several.body.errors?.[0]?.field]).toEqual([422, 'TAX_RATE_AMBIGUOUS', 'lines.0.taxRate']);
    expect(free.body).toMatchObject({ lines: [{ taxRate: '0' }], totals: { tax: '0.00' } });
    expect([elsewhere.status, elsewhere.body.code, elsewhere.body.errors?.[0]?.field]).toEqual([422, 'INVOICE_NOT_FOUND', 'lines.0.correctsInvoiceId']);
  });
});

describe('credits against an invoice never take back more than its net', () => {
  /** A job of 2,000.00 billed 1,000.00 by a progress invoice and 1,000.00 by its final invoice. */
  const billedInTwo = async () => {
    const { api, job } = await jobWithCharges([{ description: 'Works', quantity: '1', unitPrice: '2000.00', taxRate: '20' }]);
    const progress = await issue(api, (await draft(api, job.id, { policy: 'progress_summary', amount: '1000.00' })).id);
    await api.request('POST', `/v1/jobs/${job.id}/close`);
    const final = await issue(api, (await draft(api, job.id, { policy: 'final' })).id);
    const credit = (invoice: { id: string }, value: string) => ({
      policy: 'correction',
      lines: [{ description: 'Credit', amount: value, correctsInvoiceId: invoice.id }],
    });
    return { api, job, progress, final, credit };
  };

  it('refuses a credit past the invoice net though the job invoiced enough: 422 INVOICE_OVERCREDITED naming lines', async () => {
    // Prepare
    const { api, job, progress, credit } = await billedInTwo();
    // Act
    const refused = await api.request('POST', `/v1/jobs/${job.id}/invoices`, credit(progress, '-1500.00'));
    // Assess
    expect([refused.status, refused.body.code, refused.body.errors?.[0]?.field]).toEqual([422, 'INVOICE_OVERCREDITED', 'lines']);
    expect((await api.request('GET', `/v1/invoices/${progress.id}`)).body).toMatchObject({
      creditedNet: '0.00',
      version: progress.version,
    });
  });

  it('credits exactly the net, then refuses any further credit, at draft and at issue', async () => {
    // Prepare: two drafts of 600.00 against the 1,000.00 progress invoice
    const { api, job, progress, credit } = await billedInTwo();
    const [first, second] = [
      await draft(api, job.id, credit(progress, '-600.00')),
      await draft(api, job.id, credit(progress, '-600.00')),
    ];
    // Act
    await issue(api, first.id);
    const late = await api.request('POST', `/v1/invoices/${second.id}/issue`);
    const rest = await issue(api, (await draft(api, job.id, credit(progress, '-400.00'))).id);
    const more = await api.request('POST', `/v1/jobs/${job.id}/invoices`, credit(progress, '-0.01'));
    // Assess
    expect([late.status, late.body.code, late.body.errors?.[0]?.field]).toEqual([422, 'INVOICE_OVERCREDITED', 'lines']);
    expect((await api.request('GET', `/v1/invoices/${second.id}`)).body).toMatchObject({ status: 'draft', number: null });
    expect(rest).toMatchObject({ status: 'invoiced', totals: { net: '-400.00' } });
    expect([more.status, more.body.code]).toEqual([422, 'INVOICE_OVERCREDITED']);
    expect((await api.request('GET', `/v1/invoices/${progress.id}`)).body.creditedNet).toBe('1000.00');
    expect((await api.request('GET', `/v1/jobs/${job.id}`)).body.billing).toMatchObject({ invoicedToDate: '1000.00' });
  });

  it('refuses to void a credited invoice (409 INVOICE_HAS_CREDITS) until its credit notes are voided, which gives the credit back', async () => {
    // Prepare
    const { api, job, final, credit } = await billedInTwo();
    const creditNote = await issue(api, (await draft(api, job.id, credit(final, '-250.00'))).id);
    // Act
    const refused = await api.request('POST', `/v1/invoices/${final.id}/void`);
    const creditVoided = await api.request('POST', `/v1/invoices/${creditNote.id}/void`);
    const restored = (await api.request('GET', `/v1/invoices/${final.id}`)).body;
    const finalVoided = await api.request('POST', `/v1/invoices/${final.id}/void`);
    // Assess
    expect([refused.status, refused.body.code]).toEqual([409, 'INVOICE_HAS_CREDITS']);
    expect(creditVoided.status).toBe(200);
    expect(restored).toMatchObject({ status: 'invoiced', creditedNet: '0.00' });
    expect([finalVoided.status, finalVoided.body.status]).toEqual([200, 'voided']);
    expect((await api.request('GET', `/v1/jobs/${job.id}`)).body).toMatchObject({
      status: 'closed',
      billing: { invoicedToDate: '1000.00' },
    });
  });

  it('refuses at issue a correction of an invoice voided since the draft: 422 naming lines.0.correctsInvoiceId', async () => {
    // Prepare: a credit note, a draft taking half of it back, then the credit note voided
    const { api, job, final, credit } = await billedInTwo();
    const creditNote = await issue(api, (await draft(api, job.id, credit(final, '-100.00'))).id);
    const takeBack = await draft(api, job.id, credit(creditNote, '50.00'));
    expect((await api.request('POST', `/v1/invoices/${creditNote.id}/void`)).status).toBe(200);
    // Act
    const refused = await api.request('POST', `/v1/invoices/${takeBack.id}/issue`);
    // Assess
    expect([refused.status, refused.body.code, refused.body.errors?.[0]?.field]).toEqual([
      422,
      'INVOICE_NOT_FOUND',
      'lines.0.correctsInvoiceId',
    ]);
    expect((await api.request('GET', `/v1/invoices/${takeBack.id}`)).body).toMatchObject({ status: 'draft', number: null });
  });
});
