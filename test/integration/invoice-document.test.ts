import { PDFParse } from 'pdf-parse';
import { describe, expect, it } from 'vitest';
import type { Customer } from '../../functions/domain/customer.js';
import { DomainError } from '../../functions/domain/errors.js';
import type { Invoice } from '../../functions/domain/invoice.js';
import { createCustomer } from '../../functions/services/customer.service.js';
import { renderInvoice, sendInvoice } from '../../functions/services/invoice-document.service.js';
import { createJob } from '../../functions/services/job.service.js';
import { newId } from '../../functions/services/ids.js';
import { registerTenant } from '../../functions/services/tenant.service.js';
import { insertDraft, saveInvoice } from '../../functions/store/invoice.store.js';
import { invoice as fixture } from '../support/invoice-fixture.js';
import { storedMail } from '../support/mail-store.js';

/** A tenant with a customer, a job and one invoice of the fixture's lines, in the given status. */
const setUp = async (status: Invoice['status'], customerFields: Partial<Customer> = {}) => {
  const { tenant } = await registerTenant({ name: 'Northwind Builders', defaultCurrency: 'EUR' });
  const customer = await createCustomer(tenant.id, {
    name: 'Harbour View Holdings Ltd',
    email: 'accounts@harbourview.example',
    billingAddress: { line1: '12 Quay Street', city: 'Bristol', postalCode: 'BS1 4DJ', country: 'GB' },
    taxId: 'GB123456789',
    ...customerFields,
  });
  const job = await createJob(tenant.id, { customerId: customer.id, name: 'Unit 4 fit-out', billingType: 'fixed_price' });
  const draft: Invoice = {
    ...fixture,
    id: newId('inv'),
    jobId: job.id,
    customerId: customer.id,
    status: 'draft',
    series: null,
    number: null,
    issueDate: null,
    issuedAt: null,
    version: 1,
  };
  await insertDraft(tenant.id, draft, job);
  if (status === 'draft') return { tenantId: tenant.id, invoice: draft };
  const number = `INV-${Date.now()}`;
  const issued: Invoice = {
    ...draft,
    status,
    series: 'invoice',
    number,
    issueDate: '2025-03-14',
    issuedAt: fixture.issuedAt,
    version: 2,
  };
  await saveInvoice(tenant.id, { next: issued, previous: draft });
  return { tenantId: tenant.id, invoice: issued };
};

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.unreachable('expected a refusal'),
    (error: unknown) => {
      expect(error).toBeInstanceOf(DomainError);
      return error as DomainError;
    },
  );

describe('invoice documents', () => {
  it('renders an invoice as HTML and as a PDF named after its number', async () => {
    // Prepare
    const { tenantId, invoice } = await setUp('invoiced');
    // Act
    const html = await renderInvoice(tenantId, invoice.id, 'html');
    const pdf = await renderInvoice(tenantId, invoice.id, 'pdf');
    // Assess
    expect(html).toMatchObject({ contentType: 'text/html; charset=utf-8', filename: `invoice-${invoice.number}.html` });
    expect(html.body).toContain('Harbour View Holdings Ltd');
    expect(html.body).toContain('Unit 4 fit-out');
    expect(html.body).toContain('15,983.02 EUR');
    expect(pdf).toMatchObject({ contentType: 'application/pdf', filename: `invoice-${invoice.number}.pdf` });
    expect(Buffer.isBuffer(pdf.body)).toBe(true);
  });

  it('renders a draft, marked as such', async () => {
    // Prepare
    const { tenantId, invoice } = await setUp('draft');
    // Act
    const html = await renderInvoice(tenantId, invoice.id, 'html');
    // Assess
    expect(html.filename).toBe(`invoice-draft-${invoice.id}.html`);
    expect(html.body).toContain('<div class="number">DRAFT</div>');
  });

  it("answers 404 for an unknown invoice and for another tenant's", async () => {
    // Prepare
    const { invoice } = await setUp('invoiced');
    const { tenant: other } = await registerTenant({ name: 'Other' });
    // Act
    const unknown = await refusal(renderInvoice(other.id, 'inv_nope', 'pdf'));
    const foreign = await refusal(sendInvoice(other.id, invoice.id, {}));
    // Assess
    expect([unknown.kind, unknown.code]).toEqual(['not_found', 'INVOICE_NOT_FOUND']);
    expect([foreign.kind, foreign.code]).toEqual(['not_found', 'INVOICE_NOT_FOUND']);
  });

  it("sends an issued invoice to the customer's email, with the PDF attached", async () => {
    // Prepare
    const { tenantId, invoice } = await setUp('invoiced');
    // Act
    const sent = await sendInvoice(tenantId, invoice.id, {
      cc: ['site@harbourview.example'],
      message: 'Hello,\n\nthe March invoice.',
    });
    // Assess
    expect(sent.to).toEqual(['accounts@harbourview.example']);
    const mail = await storedMail(sent.messageId);
    expect(mail).toMatchObject({
      from: 'billing@tally.local',
      subject: `Invoice ${invoice.number} from Northwind Builders`,
      destination: { to: ['accounts@harbourview.example'], cc: ['site@harbourview.example'] },
    });
    expect(mail?.body.text).toMatch(/^Hello,\n\nthe March invoice\.\n\n/);
    expect(mail?.attachments.map((a) => [a.filename, a.contentType])).toEqual([
      [`invoice-${invoice.number}.pdf`, 'application/pdf'],
    ]);
    const parser = new PDFParse({ data: new Uint8Array(Buffer.from(mail!.attachments[0]!.content, 'base64')) });
    const { text } = await parser.getText();
    await parser.destroy();
    expect(text).toContain(invoice.number!);
    expect(text).toContain('15,983.02 EUR');
  });

  it('sends to the given address instead, also when the customer has no email', async () => {
    // Prepare
    const { tenantId, invoice } = await setUp('posted', { email: null });
    // Act
    const sent = await sendInvoice(tenantId, invoice.id, { to: 'payables@elsewhere.example' });
    // Assess
    expect(sent.to).toEqual(['payables@elsewhere.example']);
    expect((await storedMail(sent.messageId))?.destination.to).toEqual(['payables@elsewhere.example']);
  });

  it('refuses to send without a recipient, naming the field', async () => {
    // Prepare
    const { tenantId, invoice } = await setUp('invoiced', { email: null });
    // Act
    const error = await refusal(sendInvoice(tenantId, invoice.id, {}));
    // Assess
    expect(error).toMatchObject({ kind: 'rule', code: 'NO_RECIPIENT', errors: [{ field: 'to' }] });
  });

  it('refuses to send a draft or a voided invoice', async () => {
    for (const status of ['draft', 'voided'] as const) {
      // Prepare
      const { tenantId, invoice } = await setUp(status);
      // Act
      const error = await refusal(sendInvoice(tenantId, invoice.id, { to: 'someone@example.com' }));
      // Assess
      expect(error, status).toMatchObject({ kind: 'conflict', code: 'INVOICE_NOT_ISSUED' });
    }
  });
});
