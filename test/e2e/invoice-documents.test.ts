import { describe, expect, it } from 'vitest';
import { apiUrl } from '../support/api.js';
import { draft, issue, jobWithCharges } from '../support/billing.js';
import { storedMail } from '../support/mail-store.js';
import { pdfText } from '../support/pdf.js';

const charges = [{ description: 'Survey', quantity: '1', unitPrice: '1234.50', taxRate: '20' }];

describe('invoice documents over HTTP', () => {
  it('serves an invoice as JSON, HTML or PDF by its Accept header', async () => {
    // Prepare
    const { api, job } = await jobWithCharges(charges);
    const invoice = await issue(api, (await draft(api, job.id, { policy: 'progress_summary', amount: '1234.50' })).id);
    // Act
    const json = await api.request('GET', `/v1/invoices/${invoice.id}`, undefined, { accept: 'application/json' });
    const html = await api.request('GET', `/v1/invoices/${invoice.id}`, undefined, { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' });
    const pdf = await fetch(`${apiUrl()}/v1/invoices/${invoice.id}`, { headers: { authorization: `Bearer ${api.apiKey}`, accept: 'application/pdf' } });
    // Assess
    expect(json.body).toMatchObject({ id: invoice.id, number: invoice.number });
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html.body).toContain(invoice.number);
    expect(html.body).toContain('1,481.40 EUR');
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(pdf.headers.get('content-disposition')).toContain('.pdf');
    const { text } = await pdfText(new Uint8Array(await pdf.arrayBuffer()));
    expect(text).toContain(invoice.number);
    expect(text).toContain('1,481.40 EUR');
  });

  it('keeps an issued invoice\'s document as it was issued when later invoices move the job on', async () => {
    // Prepare
    const { api, job } = await jobWithCharges(charges);
    const first = await issue(api, (await draft(api, job.id, { policy: 'progress_summary', amount: '500.00' })).id);
    const page = async () => (await api.request('GET', `/v1/invoices/${first.id}`, undefined, { accept: 'text/html' })).body as string;
    const before = await page();
    // Act
    await issue(api, (await draft(api, job.id, { policy: 'progress_summary', amount: '500.00' })).id);
    // Assess: billed to date 500.00 and remaining 734.50, as at its issue
    const after = await page();
    expect(after).toBe(before);
    expect(after).toContain('<span>Billed to date</span><strong>500.00 EUR</strong>');
    expect(after).toContain('<span>Remaining to bill</span><strong>734.50 EUR</strong>');
    expect((await api.request('GET', `/v1/jobs/${job.id}`)).body.billing.remaining).toBe('234.50');
  });

  it('emails an issued invoice with its PDF to the customer, and refuses a draft', async () => {
    const { api, job, customer } = await jobWithCharges(charges);
    const pending = await draft(api, job.id, { policy: 'deposit', amount: '100' });
    const refused = await api.request('POST', `/v1/invoices/${pending.id}/send`);
    expect([refused.status, refused.body.code]).toEqual([409, 'INVOICE_NOT_ISSUED']);

    const invoice = await issue(api, pending.id);
    const sent = await api.request('POST', `/v1/invoices/${invoice.id}/send`, { cc: ['books@example.test'] });
    expect(sent.status).toBe(202);
    expect(sent.body.to).toEqual([customer.email]);
    const mail = await storedMail(sent.body.messageId);
    expect(mail?.destination).toMatchObject({ to: [customer.email], cc: ['books@example.test'] });
    expect(mail?.subject).toContain(invoice.number);
    expect(mail?.attachments.map((a) => [a.contentType, a.filename])).toEqual([['application/pdf', expect.stringContaining('.pdf')]]);
    const bad = await api.request('POST', `/v1/invoices/${invoice.id}/send`, { to: 'not-an-address' });
    expect([bad.status, bad.body.errors[0].field]).toEqual([400, 'to']);
  });
});
