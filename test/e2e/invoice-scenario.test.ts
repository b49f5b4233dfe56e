import { describe, expect, it } from 'vitest';
import { newTenant } from '../support/api.js';
import { draft as draftInvoice, issue as issueInvoice } from '../support/billing.js';

const year = new Date().getUTCFullYear();

describe('a job billed in phases, from deposit to correction', () => {
  it('bills exactly the suggested price, to the cent, with the job status following each step', async () => {
    // Prepare: a fixed-price job of 5,500.00 EUR in three charges
    const api = await newTenant('Builder', 'EUR');
    const customer = (await api.request('POST', '/v1/customers', { name: 'Homeowner', email: 'owner@home.test' })).body;
    const job = (await api.request('POST', '/v1/jobs', { customerId: customer.id, name: 'Extension', billingType: 'fixed_price' })).body;
    const charge = async (description: string, group: string, quantity: string, unitPrice: string, taxRate: string) =>
      (await api.request('POST', `/v1/jobs/${job.id}/charges`, { description, group, quantity, unitPrice, taxRate })).body;
    await charge('Demolition', 'Site', '1', '2000.00', '20');
    await charge('Framing', 'Structure', '40', '75.00', '20');
    await charge('Permits', 'Admin', '1', '500.00', '0');
    const withCharges = (await api.request('GET', `/v1/jobs/${job.id}`)).body;
    const [demolition, framing] = withCharges.charges;
    expect(withCharges.billing.suggestedPrice).toBe('5500.00');

    const draft = (body: object) => draftInvoice(api, job.id, body);
    const issue = (id: string) => issueInvoice(api, id);
    const jobNow = async () => (await api.request('GET', `/v1/jobs/${job.id}`)).body;

    // Act / Assess 1: a 10% deposit at 20% VAT
    const depositDraft = await draft({ policy: 'deposit', percent: '10', taxRate: '20' });
    expect(depositDraft).toMatchObject({ status: 'draft', number: null, type: 'partial', totals: { net: '550.00', tax: '110.00', gross: '660.00' } });
    expect(depositDraft.jobBilling).toMatchObject({ invoicedToDate: '550.00', depositsHeld: '550.00', remaining: '4950.00' });
    const deposit = await issue(depositDraft.id);
    expect(deposit).toMatchObject({ status: 'invoiced', number: `INV-${year}-00001`, series: 'invoice' });
    // Shaped by the published schema: its field order, nothing internal
    expect(Object.keys(deposit).slice(0, 3)).toEqual(['id', 'number', 'status']);
    expect(deposit).not.toHaveProperty('ledgerBasis');
    expect((await jobNow()).status).toBe('open');

    // 2: progress, summary, to 40% complete: 2,200.00 of work, 220.00 of the deposit applied
    const summary = await issue((await draft({ policy: 'progress_summary', percent: '40' })).id);
    expect(summary.lines.map((l: { kind: string; amount: string; taxRate: string }) => [l.kind, l.amount, l.taxRate])).toEqual([
      ['work', '2000.00', '20'],
      ['work', '200.00', '0'],
      ['deposit_applied', '-220.00', '20'],
    ]);
    expect(summary.lines[0].allocations).toEqual([
      { chargeId: demolition.id, amount: '800.00' },
      { chargeId: framing.id, amount: '1200.00' },
    ]);
    expect(summary).toMatchObject({
      number: `INV-${year}-00002`,
      totals: { net: '1980.00', tax: '356.00', gross: '2336.00' },
      taxes: [
        { rate: '0', base: '200.00', amount: '0.00' },
        { rate: '20', base: '1780.00', amount: '356.00' },
      ],
      depositApplied: '220.00',
    });

    // 3: progress, itemized: demolition done, framing at 30 of 40
    const itemized = await issue(
      (
        await draft({
          policy: 'progress_itemized',
          progress: [
            { chargeId: demolition.id, percentComplete: '100' },
            { chargeId: framing.id, quantity: '30' },
          ],
        })
      ).id,
    );
    expect(itemized.lines.map((l: { amount: string }) => l.amount)).toEqual(['1200.00', '1050.00', '-225.00']);
    expect(itemized).toMatchObject({ totals: { net: '2025.00', tax: '405.00', gross: '2430.00' }, depositApplied: '225.00' });
    expect((await jobNow()).billing).toMatchObject({ invoicedToDate: '4555.00', depositsHeld: '105.00', remaining: '945.00' });

    // 4: close, then the final invoice bills every remainder and applies the rest of the deposit
    expect((await api.request('POST', `/v1/jobs/${job.id}/close`)).body.status).toBe('closed');
    const finalDraft = await draft({ policy: 'final' });
    expect(finalDraft).toMatchObject({ type: 'complete', totals: { net: '945.00', tax: '129.00', gross: '1074.00' }, depositApplied: '105.00' });
    const final = await issue(finalDraft.id);
    const billed = await jobNow();
    expect(billed.status).toBe('billed');
    expect(billed.billing).toMatchObject({ suggestedPrice: '5500.00', invoicedToDate: '5500.00', depositsHeld: '0.00', remaining: '0.00' });
    const nets = [deposit, summary, itemized, final].map((i) => Number(i.totals.net.replace('.', '')));
    expect(nets.reduce((a, b) => a + b, 0)).toBe(550000);
    expect(billed.charges.map((c: { billedToDate: string; amount: string }) => c.billedToDate === c.amount)).toEqual([true, true, true]);

    // 5: payments, one partial, and an overpayment refused
    const pay = (id: string, amount: string) =>
      api.request('POST', `/v1/invoices/${id}/payments`, { amount, date: new Date().toISOString().slice(0, 10), method: 'bank_transfer' });
    expect((await pay(deposit.id, '660.00')).body.invoice).toMatchObject({ amountPaid: '660.00', balanceDue: '0.00', paymentStatus: 'paid' });
    expect((await pay(summary.id, '2336.00')).body.invoice.paymentStatus).toBe('paid');
    expect((await pay(itemized.id, '1000.00')).body.invoice).toMatchObject({ balanceDue: '1430.00', paymentStatus: 'partially_paid' });
    const over = await pay(final.id, '1074.01');
    expect(over.status).toBe(422);
    expect(over.body).toMatchObject({ code: 'OVERPAYMENT', errors: [{ field: 'amount' }] });
    expect((await pay(final.id, '1074.00')).body.invoice.paymentStatus).toBe('paid');
    expect((await jobNow()).billing.paidToDate).toBe('4308.33');

    // 6: a correction on the billed job: a credit on framing, numbered as a credit note
    const credit = await issue(
      (await draft({ policy: 'correction', lines: [{ description: 'Goodwill discount', amount: '-100.00', chargeId: framing.id }] })).id,
    );
    expect(credit).toMatchObject({ type: 'correction', series: 'credit_note', number: `CN-${year}-00001`, totals: { net: '-100.00', tax: '-20.00', gross: '-120.00' } });
    expect((await jobNow())).toMatchObject({ status: 'billed', billing: { invoicedToDate: '5400.00', remaining: '100.00' } });
    const partial = await api.request('POST', `/v1/jobs/${job.id}/invoices`, { policy: 'progress_summary', amount: '10' });
    expect(partial.status).toBe(409);
    expect(partial.body.code).toBe('JOB_BILLED');
  });
});
