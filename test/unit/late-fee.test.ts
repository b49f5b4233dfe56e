import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertSchedulable } from '../../functions/adapters/scheduler.js';
import { withTotals, type Invoice, type InvoiceLine, type Payment } from '../../functions/domain/invoice.js';
import { accountingExport, journalEntries } from '../../functions/domain/journal-entries.js';
import type { Numbered } from '../../functions/domain/journal.js';
import { lateFeeDate, withLateFee, type LateFeeOutcome } from '../../functions/domain/late-fee.js';
import { sumAmounts } from '../../functions/domain/money.js';
import { invoiceEmail } from '../../functions/services/documents/invoice-email.js';
import { renderInvoiceHtml } from '../../functions/services/documents/invoice-html.js';
import { renderInvoicePdf } from '../../functions/services/documents/invoice-pdf.js';
import { invoiceView } from '../../functions/services/documents/invoice-view.js';
import { lateFeeSchedule, lateFeeScheduleName } from '../../functions/services/late-fee-schedule.js';
import { pdfText } from '../support/pdf.js';

const NOW = new Date('2026-04-05T00:03:00.000Z');
const DUE = '2026-04-04';
const AFTER_DUE = '2026-04-05';

const line = (id: string, description: string, amount: string, taxRate: string): InvoiceLine => ({
  id,
  kind: 'work',
  description,
  quantity: '1',
  unitPrice: amount,
  amount,
  taxRate,
  group: null,
  allocations: [],
  correctsInvoiceId: null,
});

const payment = (amount: string): Payment => ({
  id: `pay_${amount}`,
  amount,
  date: '2026-03-20',
  method: 'bank_transfer',
  reference: null,
  note: null,
  idempotencyKey: null,
  recordedAt: '2026-03-20T09:00:00.000Z',
});

/** An issued invoice of a profile: 100.00 + 30.00 at 20% and 17.00 untaxed, gross 173.00, due on DUE. */
const issued = (fields: Partial<Invoice> = {}): Invoice =>
  withTotals({
    id: 'inv_1',
    jobId: null,
    profileId: 'prf_1',
    customerId: 'cus_1',
    currency: 'EUR',
    policy: 'accumulating',
    type: 'complete',
    milestoneId: null,
    status: 'invoiced',
    series: 'invoice',
    number: 'INV-2026-00007',
    issueDate: '2026-03-14',
    dueDate: DUE,
    dueDays: 21,
    notes: null,
    allowOverbilling: false,
    ledgerBasis: null,
    lines: [line('L1', 'Lawn', '100.00', '20'), line('L2', 'Hedge', '30.00', '20'), line('L3', 'Permit', '17.00', '0')],
    payments: [],
    creditedNet: '0.00',
    correctedBy: 0,
    createdAt: '2026-03-14T00:00:00.000Z',
    updatedAt: '2026-03-14T00:00:00.000Z',
    issuedAt: '2026-03-14T00:00:00.000Z',
    version: 2,
    ...fields,
  });

const added = (outcome: LateFeeOutcome) => {
  if ('skip' in outcome) throw new Error(`no fee: ${outcome.skip} (${outcome.why})`);
  return outcome;
};

const skipped = (outcome: LateFeeOutcome) => ('skip' in outcome ? outcome.skip : 'added');

describe('a late fee', () => {
  it('adds one dated, untaxed late_fee line of the amount; totals and balance follow, the issued lines stay', () => {
    // Prepare
    const invoice = issued({ payments: [payment('73.00')] });
    expect(invoice).toMatchObject({ totals: { gross: '173.00' }, balanceDue: '100.00', paymentStatus: 'partially_paid' });
    // Act
    const { invoice: fined, line: fee } = added(withLateFee(invoice, { amount: '25.00' }, NOW, AFTER_DUE));
    // Assess
    expect(fee).toEqual({
      id: 'L4',
      kind: 'late_fee',
      description: 'Late fee',
      quantity: '1',
      unitPrice: '25.00',
      amount: '25.00',
      taxRate: '0',
      group: null,
      allocations: [],
      correctsInvoiceId: null,
      date: '2026-04-05',
    });
    expect(fined.lines).toEqual([...invoice.lines, fee]);
    expect(fined).toMatchObject({
      totals: { net: '172.00', tax: '26.00', gross: '198.00' },
      amountPaid: '73.00',
      balanceDue: '125.00',
      paymentStatus: 'partially_paid',
      version: invoice.version + 1,
      updatedAt: NOW.toISOString(),
      status: 'invoiced',
      number: invoice.number,
    });
    // The tax it was issued with is unchanged; the fee is a base of its own at 0%.
    expect(fined.taxes).toEqual([
      { rate: '0', base: '42.00', amount: '0.00' },
      { rate: '20', base: '130.00', amount: '26.00' },
    ]);
    expect(invoice.taxes.find((t) => t.rate === '20')).toEqual(fined.taxes[1]);
  });

  it('falls on the day after the due date, whatever day it is added', () => {
    // Assess
    expect(lateFeeDate('2026-02-28')).toBe('2026-03-01');
    expect(lateFeeDate('2028-02-28')).toBe('2028-02-29');
    expect(lateFeeDate('2026-12-31')).toBe('2027-01-01');
    const late = added(withLateFee(issued(), { amount: '25.00' }, new Date('2026-04-20T10:00:00Z'), '2026-04-20'));
    expect(late.line.date).toBe('2026-04-05');
  });

  it('computes a percent on the balance due now, rounded half away from zero to the currency', () => {
    // Prepare: 173.00 less 162.90 paid leaves 10.10; 5% of it is 0.505
    const invoice = issued({ payments: [payment('162.90')] });
    // Act
    const { line: fee, invoice: fined } = added(withLateFee(invoice, { percent: '5' }, NOW, AFTER_DUE));
    // Assess
    expect(fee).toMatchObject({ amount: '0.51', unitPrice: '0.51', description: 'Late fee, 5% of 10.10 due' });
    expect(fined.balanceDue).toBe('10.61');
    // A currency without minor units: 1.5% of 1,234 JPY is 18.51
    const yen = issued({
      currency: 'JPY',
      lines: [line('L1', 'Lawn', '1234', '0')],
      number: 'INV-1',
    });
    expect(added(withLateFee(yen, { percent: '1.5' }, NOW, AFTER_DUE)).line.amount).toBe('19');
    // Unpaid, the base is the gross: 2.5% of 173.00 is 4.325
    expect(added(withLateFee(issued(), { percent: '2.5' }, NOW, AFTER_DUE)).line.amount).toBe('4.33');
  });

  it('is added once: an invoice with its fee gets no other, whatever the fee says now', () => {
    // Prepare
    const { invoice: fined } = added(withLateFee(issued(), { amount: '25.00' }, NOW, AFTER_DUE));
    // Act
    const again = withLateFee(fined, { percent: '10' }, new Date('2026-04-06T00:00:00Z'), '2026-04-06');
    // Assess
    expect(again).toEqual({ skip: 'fee_added', why: 'its late fee was added on 2026-04-05' });
  });

  it('is not added before the day after the due date', () => {
    // Assess
    expect(skipped(withLateFee(issued(), { amount: '25.00' }, NOW, DUE))).toBe('not_overdue');
    expect(skipped(withLateFee(issued(), { amount: '25.00' }, NOW, '2026-03-30'))).toBe('not_overdue');
    expect(skipped(withLateFee(issued({ dueDate: null }), { amount: '25.00' }, NOW, AFTER_DUE))).toBe('not_overdue');
    expect(skipped(withLateFee(issued(), { amount: '25.00' }, NOW, AFTER_DUE))).toBe('added');
  });

  it('is not added to a paid, draft, voided or reversed invoice, nor when it comes to nothing', () => {
    // Prepare
    const fee = { amount: '25.00' };
    const cases: [Invoice, string][] = [
      [issued({ payments: [payment('173.00')] }), 'paid'],
      [issued({ status: 'draft', number: null, series: null }), 'not_issued'],
      [issued({ status: 'voided' }), 'not_issued'],
      [issued({ reversedBy: 'inv_cn' }), 'reversed'],
    ];
    // Assess
    for (const [invoice, reason] of cases) expect(skipped(withLateFee(invoice, fee, NOW, AFTER_DUE)), reason).toBe(reason);
    expect(skipped(withLateFee(issued(), { percent: '0' }, NOW, AFTER_DUE))).toBe('no_fee');
    // Approved, exported or posted, an unpaid invoice is still owed: it takes the fee.
    for (const status of ['approved', 'exported', 'posted'] as const) {
      expect(skipped(withLateFee(issued({ status }), fee, NOW, AFTER_DUE)), status).toBe('added');
    }
  });

  it('refuses a fee that would take the invoice past what one payment can carry', () => {
    // Prepare
    const huge = issued({ lines: [line('L1', 'Everything', '999999999999990.00', '0')] });
    // Assess
    expect(() => withLateFee(huge, { amount: '25.00' }, NOW, AFTER_DUE)).toThrow(
      expect.objectContaining({ code: 'AMOUNT_TOO_LARGE' }),
    );
  });
});

describe('the journal of an invoice with its late fee', () => {
  const fined = added(withLateFee(issued(), { amount: '25.00' }, NOW, AFTER_DUE)).invoice as Numbered;
  const brief = (invoice: Numbered) => journalEntries(invoice).map((e) => [e.date, e.account, e.debit, e.credit, e.description]);

  it('posts the fee as an entry of its own on its date: receivable against late fee income', () => {
    // Assess: the entries as issued are those of the invoice without its fee
    const asIssued = brief(issued() as Numbered);
    expect(asIssued).toEqual([
      ['2026-03-14', 'accounts_receivable', '173.00', '0.00', 'Customer cus_1'],
      ['2026-03-14', 'revenue', '0.00', '147.00', 'Work and corrections'],
      ['2026-03-14', 'tax_payable', '0.00', '26.00', 'Tax'],
    ]);
    expect(brief(fined)).toEqual([
      ...asIssued,
      ['2026-04-05', 'accounts_receivable', '25.00', '0.00', 'Customer cus_1'],
      ['2026-04-05', 'late_fee_income', '0.00', '25.00', 'Late fee'],
    ]);
  });

  it('balances in an export, and its receivables add up to the gross', () => {
    // Act
    const batch = accountingExport('exp_1', [{ next: fined, previous: fined, entries: journalEntries(fined) }], NOW);
    // Assess
    expect(batch.totals).toEqual([{ currency: 'EUR', debit: '198.00', credit: '198.00' }]);
    expect(batch.entries.every((e) => e.invoiceNumber === 'INV-2026-00007')).toBe(true);
  });

  it('balances any invoice with a late fee, in any currency', () => {
    const amounts = (units: number) =>
      fc.integer({ min: 1, max: 1e9 }).map((n) => (units ? (n / 10 ** units).toFixed(units) : String(n)));
    fc.assert(
      fc.property(
        fc.constantFrom(['EUR', 2] as const, ['JPY', 0] as const, ['BHD', 3] as const).chain(([currency, units]) =>
          fc.record({
            currency: fc.constant(currency),
            lines: fc.array(fc.tuple(amounts(units), fc.constantFrom('0', '7.25', '10', '20')), { minLength: 1, maxLength: 20 }),
            fee: fc.oneof(
              amounts(units).map((amount) => ({ amount })),
              fc.constantFrom('1', '2.5', '12.75').map((percent) => ({ percent })),
            ),
          }),
        ),
        ({ currency, lines, fee }) => {
          const invoice = issued({ currency, lines: lines.map(([amount, rate], i) => line(`L${i + 1}`, 'Work', amount, rate)) });
          const outcome = withLateFee(invoice, fee, NOW, AFTER_DUE);
          // A percent of a few minor units may come to nothing: then there is no fee to post.
          if ('skip' in outcome) {
            expect(outcome.skip).toBe('no_fee');
            return;
          }
          const withFee = outcome.invoice;
          const entries = journalEntries(withFee as Numbered);
          expect(sumAmounts(entries.map((e) => e.debit)).eq(sumAmounts(entries.map((e) => e.credit)))).toBe(true);
          const receivable = entries.filter((e) => e.account === 'accounts_receivable');
          expect(sumAmounts(receivable.map((e) => e.debit)).eq(withFee.totals.gross)).toBe(true);
          expect(entries.filter((e) => e.date === AFTER_DUE).map((e) => e.account)).toEqual([
            'accounts_receivable',
            'late_fee_income',
          ]);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('the documents of an invoice with its late fee', () => {
  const fined = added(withLateFee(issued(), { amount: '25.00' }, NOW, AFTER_DUE)).invoice;
  const view = invoiceView({
    tenant: { name: 'Green Thumb Ltd' },
    customer: { name: 'Tab client', email: 'client@example.com', billingAddress: null, taxId: null },
    invoice: fined,
    profile: { name: 'Site maintenance' },
  });

  it('shows the fee line with the day it was added, and the balance with it', async () => {
    // Act
    const html = renderInvoiceHtml(view);
    const { text: pdf } = await pdfText(await renderInvoicePdf(view));
    // Assess
    expect(html).toContain('<td>Late fee, added 2026-04-05</td>');
    expect(html).toContain('198.00 EUR');
    expect(pdf).toContain('Late fee, added 2026-04-05');
    expect(pdf).toContain('198.00 EUR');
  });

  it('says in the mail that a late fee was added, and what is due now', () => {
    // Act
    const { text } = invoiceEmail(view);
    // Assess
    expect(text).toContain('It was not paid by its due date: a late fee of 25.00 EUR was added on 2026-04-05.');
    expect(text).toContain('Balance due: 198.00 EUR now');
    expect(invoiceEmail({ ...view, invoice: issued() }).text).not.toContain('late fee');
  });
});

describe('the late fee schedule', () => {
  it('fires once at the first moment of the day after the due date (UTC), for the invoice', () => {
    // Act
    const spec = lateFeeSchedule('ten_1', issued(), { lateFee: { amount: '25.00' } }, 'UTC');
    // Assess
    expect(spec).toEqual({
      name: lateFeeScheduleName('inv_1'),
      target: 'late-fee',
      input: { tenantId: 'ten_1', invoiceId: 'inv_1' },
      timing: { at: new Date('2026-04-05T00:00:00.000Z') },
    });
    expect(lateFeeScheduleName('inv_1')).toBe('inv_1-late-fee');
    // A name Scheduler takes, for an invoice id of any length: the same for the same invoice.
    const long = `inv_${'X'.repeat(80)}`;
    expect(lateFeeScheduleName(long)).toBe(lateFeeScheduleName(long));
    expect(() =>
      assertSchedulable(lateFeeSchedule('ten_1', { ...issued(), id: long }, { lateFee: { percent: '2' } }, 'UTC')!),
    ).not.toThrow();
  });

  it('put again by its fire (the zone moved west), is named by its new time too, not as the one-time schedule that fired', () => {
    // Act: the fee's day in Pago Pago (UTC-11), put by the fire at the UTC midnight
    const again = lateFeeSchedule('ten_1', issued(), { lateFee: { amount: '25.00' } }, 'Pacific/Pago_Pago', true)!;
    // Assess
    expect(again.timing).toEqual({ at: new Date('2026-04-05T11:00:00.000Z') });
    expect(again.name).not.toBe(lateFeeScheduleName('inv_1'));
    expect(again.name).toBe(lateFeeScheduleName('inv_1', new Date('2026-04-05T11:00:00.000Z')));
    expect(() => assertSchedulable(again)).not.toThrow();
  });

  it("fires at the tenant's midnight of that day in its zone", () => {
    // Assess: 2026-04-05 begins at 04:00 UTC in New York (EDT, UTC-4), at 15:00 UTC the day before in Tokyo
    const at = (timeZone: string) => lateFeeSchedule('ten_1', issued(), { lateFee: { amount: '25.00' } }, timeZone)?.timing;
    expect(at('America/New_York')).toEqual({ at: new Date('2026-04-05T04:00:00.000Z') });
    expect(at('Asia/Tokyo')).toEqual({ at: new Date('2026-04-04T15:00:00.000Z') });
  });

  it('is none for a profile without a late fee or an invoice without a due date', () => {
    // Assess
    expect(lateFeeSchedule('ten_1', issued(), { lateFee: null }, 'UTC')).toBeNull();
    expect(lateFeeSchedule('ten_1', issued({ dueDate: null }), { lateFee: { amount: '25.00' } }, 'UTC')).toBeNull();
  });
});
