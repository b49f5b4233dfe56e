import { describe, expect, it } from 'vitest';
import { pdfText } from '../support/pdf.js';
import { withTotals, type Invoice } from '../../functions/domain/invoice.js';
import { invoiceEmail } from '../../functions/services/documents/invoice-email.js';
import { renderInvoiceHtml } from '../../functions/services/documents/invoice-html.js';
import { renderInvoicePdf } from '../../functions/services/documents/invoice-pdf.js';
import { documentFilename, invoiceView, money, type InvoiceView } from '../../functions/services/documents/invoice-view.js';
import { winAnsi } from '../../functions/services/documents/pdf-layout.js';
import { customer, invoice, job, tenant } from '../support/invoice-fixture.js';

const view = (change: { invoice?: Partial<Invoice>; customer?: Partial<typeof customer> } = {}): InvoiceView =>
  invoiceView({ tenant, job, customer: { ...customer, ...change.customer }, invoice: { ...invoice, ...change.invoice } });

describe('invoice view', () => {
  it('uses a fixture whose totals the domain agrees with', () => {
    // Assess: the hand-made figures are what withTotals derives from the lines and payments.
    expect(withTotals(invoice)).toEqual(invoice);
  });

  it('shows the job position: billed to date counts retainage held, and contract = billed + remaining', () => {
    // Act: a draft shows the job as it stands now
    const { position } = view({ invoice: { status: 'draft', number: null, jobStanding: undefined } }).job!;
    // Assess
    expect(position).toEqual({
      contract: '39000.00',
      billedToDate: '16500.50',
      thisInvoice: '13675.47',
      depositsApplied: '2000.00',
      retainageWithheld: '825.03',
      remaining: '22499.50',
      asOf: '2025-03-20',
    });
  });

  it('shows an issued invoice with the job as it stood at issue, however the job moved on', () => {
    // Prepare: a later invoice billed 5,000.00 more
    const later = { ...job, invoicedToDate: '19675.47', updatedAt: '2025-04-02T10:00:00.000Z' };
    // Act
    const { position } = invoiceView({ tenant, customer, invoice, job: later }).job!;
    const note = renderInvoiceHtml(invoiceView({ tenant, customer, invoice, job: later }));
    // Assess
    expect(position).toMatchObject({ contract: '39000.00', billedToDate: '16500.50', remaining: '22499.50', asOf: '2025-03-14' });
    expect(note).toContain('Job figures as this invoice was issued on 2025-03-14');
  });

  it('prints amounts as grouped strings with the currency code, without going through numbers', () => {
    // Assess
    expect(money('15983.02', 'EUR')).toBe('15,983.02 EUR');
    expect(money('-1234567.5', 'EUR')).toBe('-1,234,567.5 EUR');
    expect(money('999', 'JPY')).toBe('999 JPY');
    expect(money('12345678901234.567', 'BHD')).toBe('12,345,678,901,234.567 BHD');
    expect(money('0.00', 'USD')).toBe('0.00 USD');
  });

  it('names files after the number, or the id while draft, safely', () => {
    // Assess
    expect(documentFilename(invoice, 'pdf')).toBe('invoice-INV-2025-00042.pdf');
    expect(documentFilename({ ...invoice, number: 'INV/2025 "7"' }, 'pdf')).toBe('invoice-INV-2025-7-.pdf');
    expect(documentFilename({ ...invoice, number: null, status: 'draft' }, 'html')).toBe(`invoice-draft-${invoice.id}.html`);
    expect(documentFilename({ ...invoice, series: 'credit_note', number: 'CN-2025-00001' }, 'pdf')).toBe(
      'credit-note-CN-2025-00001.pdf',
    );
  });
});

describe('invoice HTML', () => {
  it('renders the invoice as the committed page', async () => {
    // Act
    const html = renderInvoiceHtml(view());
    // Assess
    await expect(html).toMatchFileSnapshot('./__snapshots__/invoice.html');
  });

  it('shows the parties, the number, the lines, the job summary, taxes and totals', () => {
    // Act
    const html = renderInvoiceHtml(view());
    // Assess
    expect(html).toMatch(/^<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">/);
    expect(html).not.toMatch(/<(link|script|img)\b|url\(|https?:/);
    for (const text of [
      'Northwind Builders',
      'Harbour View Holdings Ltd',
      'accounts@harbourview.example',
      '12 Quay Street',
      'BS1 4DJ Bristol',
      'Tax ID: GB123456789',
      'INV-2025-00042',
      'Issued',
      'Progress billing, itemized by group (partial invoice)',
      '2025-03-14',
      '2025-04-13',
      ...invoice.lines.map((l) => l.description),
      '<th>Group</th>',
      '39,000.00 EUR', // contract
      '16,500.50 EUR', // billed to date
      '13,675.47 EUR', // this invoice, net
      '2,000.00 EUR', // deposits applied
      '825.03 EUR', // retainage withheld
      '22,499.50 EUR', // remaining to bill
      '4,275.47 EUR', // tax base at 10%
      '427.55 EUR',
      '1,880.00 EUR',
      '2,307.55 EUR',
      '15,983.02 EUR', // gross
      '5,000.00 EUR', // paid
      '10,983.02 EUR', // balance due
      'Thank you for your business.',
    ]) {
      expect(html, text).toContain(text);
    }
  });

  it('escapes every value it prints', () => {
    // Act
    const html = renderInvoiceHtml(
      view({
        customer: { name: '<script>alert(1)</script>', taxId: '"><img src=x onerror=alert(2)>' },
        invoice: {
          notes: "</style><b>bold</b> & 'quoted'",
          lines: [{ ...invoice.lines[0]!, description: 'Tiles <10mm> & grout' }],
        },
      }),
    );
    // Assess
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(2)&gt;');
    expect(html).toContain('&lt;/style&gt;&lt;b&gt;bold&lt;/b&gt; &amp; &#39;quoted&#39;');
    expect(html).toContain('Tiles &lt;10mm&gt; &amp; grout');
    expect(html).not.toMatch(/<script|<img|<b>/);
  });

  it('says DRAFT with no number, and leaves out the group column when no line has a group', () => {
    // Act
    const html = renderInvoiceHtml(
      view({
        invoice: {
          status: 'draft',
          number: null,
          issueDate: null,
          dueDate: null,
          issuedAt: null,
          lines: invoice.lines.map((l) => ({ ...l, group: null })),
        },
      }),
    );
    // Assess
    expect(html).toContain('<div class="number">DRAFT</div>');
    expect(html).toContain('<div class="stamp" aria-hidden="true">DRAFT</div>');
    expect(html).toContain('not issued');
    expect(html).toContain('30 days after issue');
    expect(html).not.toContain('<th>Group</th>');
  });
});

describe('invoice PDF', () => {
  it('renders an A4 PDF whose text has the number and the gross total with its currency', async () => {
    // Act
    const pdf = await renderInvoicePdf(view());
    // Assess
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.toString('latin1')).toContain('/MediaBox [0 0 595.28 841.89]');
    const { text, pages } = await pdfText(pdf);
    expect(pages).toBe(1);
    expect(text).toContain('INV-2025-00042');
    expect(text).toContain('15,983.02 EUR');
    expect(text).toContain('22,499.50 EUR');
    for (const l of invoice.lines) expect(text).toContain(l.description);
    expect(text).toContain('Page 1 of 1');
  });

  it('renders the same bytes for the same invoice', async () => {
    // Act
    const [first, second] = await Promise.all([renderInvoicePdf(view()), renderInvoicePdf(view())]);
    // Assess
    expect(first.equals(second)).toBe(true);
  });

  it('prints what the standard fonts cannot as base letters or "?", never as other glyphs', async () => {
    // Prepare
    const named = invoiceView({
      tenant: { name: 'Łódź Budowa – “Ząb” €' },
      job,
      customer: { ...customer, name: 'Zoë Ørsted 東京' },
      invoice,
    });
    // Act
    const { text } = await pdfText(await renderInvoicePdf(named));
    // Assess
    expect(winAnsi('Łódź Żółć Đặng ß 東京 😀')).toBe('Lódz Zólc Dang ß ?? ?');
    expect(text).toContain('Lódz Budowa – “Zab” €');
    expect(text).toContain('Zoë Ørsted ??');
  });

  it('breaks long invoices over pages, numbering them', async () => {
    // Prepare
    const lines = Array.from({ length: 80 }, (_, i) => ({
      ...invoice.lines[0]!,
      id: `lin_${i}`,
      description: `Line ${i + 1}: work on floor ${i + 1}`,
      amount: '150.00',
      unitPrice: '150.00',
    }));
    const long = withTotals({ ...invoice, lines });
    // Act
    const { text, pages } = await pdfText(await renderInvoicePdf(view({ invoice: long })));
    // Assess
    expect(pages).toBeGreaterThan(1);
    expect(text).toContain('Line 80: work on floor 80');
    expect(text).toContain(`Page ${pages} of ${pages}`);
    expect(text).toContain(money(long.totals.gross, 'EUR'));
  });
});

describe('invoice email', () => {
  it('puts the message first, then what is owed and by when', () => {
    // Act
    const mail = invoiceEmail(view(), "Hello <Sam>,\n\nhere is this month's invoice.");
    // Assess
    expect(mail.subject).toBe('Invoice INV-2025-00042 from Northwind Builders');
    expect(mail.text).toBe(
      "Hello <Sam>,\n\nhere is this month's invoice.\n\nInvoice INV-2025-00042 from Northwind Builders is attached as a PDF.\n\n" +
        'Total: 15,983.02 EUR\nBalance due: 10,983.02 EUR by 2025-04-13\n',
    );
    expect(mail.html).toContain('<p>Hello &lt;Sam&gt;,</p>');
  });
});
