import { describe, expect, it } from 'vitest';
import { ownStack } from '../support/own-stack.js';
import { uniqueEmail } from '../support/portal.js';

// Invoices of accumulating profiles take the invoice lifecycle of every invoice, without a job.
// The test clock moves the time of a whole stack: this file runs its own.
const { request, ok, mailsTo } = ownStack();

const dayAfter = async (): Promise<string> =>
  new Date(Date.parse((await ok('GET', '/local/clock')).now) + 86_400_000).toISOString().slice(0, 10);

/** A profile of `customerId` with one item at 100.00 plus 20% VAT, its first invoice tomorrow. */
const profileOf = async (customerId: string, settings: Record<string, unknown>) => {
  const profile = await ok('POST', '/v1/profiles', {
    customerId,
    name: `Tab ${settings.invoiceMode}`,
    intervalDays: 30,
    firstCreationDate: await dayAfter(),
    keepDiscounts: false,
    keepTaxes: true,
    status: 'active',
    ...settings,
  });
  await ok('POST', `/v1/profiles/${profile.id}/taxes`, { name: 'VAT', rate: '20' });
  await ok('POST', `/v1/profiles/${profile.id}/items`, { description: 'Support hours', quantity: '4', unitPrice: '25.00' });
  return profile;
};

const onlyInvoiceOf = async (profileId: string) => {
  const { items } = await ok('GET', `/v1/invoices?profileId=${profileId}`);
  expect(items).toHaveLength(1);
  return items[0];
};

describe('an invoice of an accumulating profile', () => {
  it('is numbered in its own series, listed by profile and customer, paid, sent, shown, exported and posted like any other', async () => {
    // Prepare: the accounting integration on; a draft-mode profile with its own series, an open one in the tenant's
    await ok('PATCH', '/v1/settings', { accountingIntegration: true });
    const email = uniqueEmail('tab-invoices');
    const customer = await ok('POST', '/v1/customers', { name: 'Tab customer', email });
    const drafting = await profileOf(customer.id, { invoiceMode: 'draft', invoiceNumberFormat: 'TAB-{SEQ:4}', dueDays: 10 });
    const open = await profileOf(customer.id, { invoiceMode: 'open' });
    // Act: past the first cycle of both
    await ok('POST', '/local/clock', { advance: 'P1DT1H' });
    // Assess: a draft of no job, then issued in the profile's series
    const draft = await onlyInvoiceOf(drafting.id);
    expect(draft).toMatchObject({ jobId: null, profileId: drafting.id, status: 'draft', number: null, policy: 'accumulating' });
    await ok('PATCH', `/v1/invoices/${draft.id}`, { notes: 'Thank you' });
    const issued = await ok('POST', `/v1/invoices/${draft.id}/issue`);
    expect(issued).toMatchObject({ status: 'invoiced', number: 'TAB-0001', notes: 'Thank you', totals: { gross: '120.00' } });
    expect(issued.dueDate > issued.issueDate).toBe(true);
    const other = await onlyInvoiceOf(open.id);
    expect(other).toMatchObject({ status: 'invoiced', number: expect.not.stringMatching(/^TAB-/) });
    const byCustomer = (await ok('GET', `/v1/invoices?customerId=${customer.id}`)).items.map((i: { id: string }) => i.id);
    expect(byCustomer.sort()).toEqual([draft.id, other.id].sort());
    expect((await ok('GET', `/v1/invoices?profileId=${open.id}&jobId=job_01J0000000000000000000000`)).items).toEqual([]);

    // Act: a payment, the document, a send
    const paid = await ok('POST', `/v1/invoices/${draft.id}/payments`, {
      amount: '20.00',
      date: issued.issueDate,
      method: 'bank_transfer',
    });
    // Assess
    expect(paid.invoice).toMatchObject({ amountPaid: '20.00', balanceDue: '100.00', paymentStatus: 'partially_paid' });
    const html = await request('GET', `/v1/invoices/${draft.id}`, undefined, 'text/html');
    expect(html.status).toBe(200);
    expect(html.body).toContain('Tab: Tab draft');
    expect(html.body).toContain('TAB-0001');
    expect(html.body).not.toContain('Job summary');
    const pdf = await request('GET', `/v1/invoices/${draft.id}`, undefined, 'application/pdf');
    expect(pdf.status).toBe(200);
    expect(String(pdf.body).startsWith('%PDF')).toBe(true);
    expect((await request('POST', `/v1/invoices/${draft.id}/send`, {})).status).toBe(202);
    expect((await mailsTo(email)).filter((m) => m.subject.includes('TAB-0001'))).toHaveLength(1);

    // Act: the accounting workflow
    await ok('POST', `/v1/invoices/${draft.id}/approve`);
    const exported = await ok('POST', `/v1/invoices/${draft.id}/export`);
    await ok('POST', `/v1/invoices/${draft.id}/post`);
    // Assess: entries that balance, the journal and the events naming the profile
    const entries = exported.entries as { debit: string; credit: string; account: string }[];
    const sum = (field: 'debit' | 'credit') => entries.reduce((total, e) => total + Math.round(Number(e[field]) * 100), 0);
    expect(sum('debit')).toBe(12000);
    expect(sum('credit')).toBe(12000);
    expect(entries.map((e) => e.account)).toEqual(expect.arrayContaining(['accounts_receivable', 'revenue', 'tax_payable']));
    expect(await ok('GET', `/v1/invoices/${draft.id}`)).toMatchObject({ status: 'posted' });
    const journal = await ok('GET', `/v1/journal?from=${issued.issueDate}&to=${issued.issueDate}`);
    expect(journal.items).toEqual(
      expect.arrayContaining([expect.objectContaining({ number: 'TAB-0001', jobId: null, profileId: drafting.id })]),
    );
    const events = (await ok('GET', '/v1/events?limit=100')).items as { type: string; invoiceId: string; profileId: string }[];
    expect(events).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'invoice.issued', invoiceId: draft.id, profileId: drafting.id })]),
    );
  });

  it('is voided like any other, and refuses the partial-invoice actions', async () => {
    // Prepare
    await ok('PATCH', '/v1/settings', { accountingIntegration: false });
    const customer = await ok('POST', '/v1/customers', { name: 'Void customer' });
    const open = await profileOf(customer.id, { invoiceMode: 'open' });
    await ok('POST', '/local/clock', { advance: 'P1DT1H' });
    const invoice = await onlyInvoiceOf(open.id);
    // Act
    const voided = await ok('POST', `/v1/invoices/${invoice.id}/void`);
    // Assess
    expect(voided).toMatchObject({ status: 'voided', number: invoice.number });
    const approval = await request('POST', `/v1/partial-invoices/${invoice.id}/approve`);
    expect(approval.status).toBe(409);
    expect(approval.body.code).toBe('INVOICE_NOT_DRAFT');
  });
});
