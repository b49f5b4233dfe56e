import { describe, expect, it } from 'vitest';
import { addDays } from '../../functions/domain/dates.js';
import { paidNet, type Invoice, type InvoiceStatus } from '../../functions/domain/invoice.js';
import {
  editDraft,
  issue,
  issueDateFor,
  recordPayment,
  seriesOf,
  transition,
  type NewPayment,
} from '../../functions/domain/invoice-lifecycle.js';
import { checkNumberFormat, counterScope, formatNumber, type Settings } from '../../functions/domain/settings.js';
import { domainErrorOf } from '../support/domain-errors.js';
import {
  T0,
  TODAY,
  SETTINGS,
  withSettings,
  jobWith,
  scenarioJob,
  draft,
  billedScenarioJob,
  refused,
} from '../support/invoice-domain.js';

/** An issued deposit invoice of 500.00 + 20% = 600.00, moved to `status` directly. */
const issuedInvoice = (status: InvoiceStatus = 'invoiced'): Invoice => {
  const issued = issue(
    draft(jobWith([{ unitPrice: '1000', taxRate: '20' }]), { policy: 'deposit', amount: '500' }),
    'INV-2025-00001',
    TODAY,
    SETTINGS,
    T0,
  );
  return { ...issued, status };
};

const payment = (value: string): NewPayment => ({
  amount: value,
  date: TODAY,
  method: 'bank_transfer',
  reference: null,
  note: null,
});

describe('issue', () => {
  it("numbers and dates the draft, due after the tenant's default days", () => {
    // Prepare
    const invoice = draft(jobWith([{ unitPrice: '1000' }]), { policy: 'deposit', amount: '500' });
    // Act
    const issued = issue(invoice, 'INV-2025-00007', '2025-02-20', SETTINGS, T0);
    // Assess
    expect(issued).toMatchObject({
      status: 'invoiced',
      series: 'invoice',
      number: 'INV-2025-00007',
      issueDate: '2025-02-20',
      dueDate: '2025-03-22',
      issuedAt: T0.toISOString(),
      version: invoice.version + 1,
      totals: invoice.totals,
      lines: invoice.lines,
    });
  });

  it("is due after the draft's dueDays, or on its dueDate", () => {
    const job = jobWith([{ unitPrice: '1000' }]);
    expect(issue(draft(job, { policy: 'deposit', amount: '5', dueDays: 14 }), 'N1', TODAY, SETTINGS, T0).dueDate).toBe(
      '2025-03-15',
    );
    expect(issue(draft(job, { policy: 'deposit', amount: '5', dueDays: 0 }), 'N1', TODAY, SETTINGS, T0).dueDate).toBe(TODAY);
    expect(issue(draft(job, { policy: 'deposit', amount: '5', dueDate: '2025-04-30' }), 'N1', TODAY, SETTINGS, T0).dueDate).toBe(
      '2025-04-30',
    );
  });

  it('refuses a due date before the issue date, and an invoice that is not a draft', () => {
    const job = jobWith([{ unitPrice: '1000' }]);
    refused(
      () => draft(job, { policy: 'deposit', amount: '5', issueDate: '2025-03-01', dueDate: '2025-02-28' }),
      'invalid',
      'VALIDATION_FAILED',
      'dueDate',
    );
    refused(
      () => issue(draft(job, { policy: 'deposit', amount: '5', dueDate: '2025-02-28' }), 'N1', TODAY, SETTINGS, T0),
      'rule',
      'DUE_DATE_BEFORE_ISSUE_DATE',
    );
    refused(() => issue(issuedInvoice(), 'N2', TODAY, SETTINGS, T0), 'conflict', 'INVOICE_NOT_DRAFT');
  });

  it('puts invoices with a negative gross in the credit note series, zero and positive in the invoice series', () => {
    const job = billedScenarioJob();
    const lines = (...amounts: string[]) => amounts.map((a) => ({ description: 'c', amount: a }));
    expect(seriesOf(draft(job, { policy: 'correction', lines: lines('-0.01') }))).toBe('credit_note');
    expect(seriesOf(draft(job, { policy: 'correction', lines: lines('-10', '10') }))).toBe('invoice');
    expect(issue(draft(job, { policy: 'correction', lines: lines('-10') }), 'CN-1', TODAY, SETTINGS, T0).series).toBe(
      'credit_note',
    );
  });
});

describe('transition', () => {
  const off = SETTINGS;
  const on = withSettings({ accountingIntegration: true });
  type Action = Parameters<typeof transition>[1];

  it.each<[string, Settings, InvoiceStatus, Action, InvoiceStatus]>([
    ['off', off, 'invoiced', 'post', 'posted'],
    ['off', off, 'invoiced', 'void', 'voided'],
    ['on', on, 'invoiced', 'approve', 'approved'],
    ['on', on, 'approved', 'export', 'exported'],
    ['on', on, 'exported', 'post', 'posted'],
    ['on', on, 'invoiced', 'void', 'voided'],
    ['on', on, 'approved', 'void', 'voided'],
  ])('integration %s: %s -%s-> %s', (_, settings, from, action, to) => {
    // Prepare
    const invoice = issuedInvoice(from);
    // Act
    const next = transition(invoice, action, settings, T0);
    // Assess: the number and the amounts stay
    expect(next).toMatchObject({ status: to, number: invoice.number, totals: invoice.totals, version: invoice.version + 1 });
  });

  it.each<[string, Settings, InvoiceStatus, Action, string]>([
    ['off', off, 'invoiced', 'approve', 'ACCOUNTING_INTEGRATION_OFF'],
    ['off', off, 'invoiced', 'export', 'ACCOUNTING_INTEGRATION_OFF'],
    ['off', off, 'posted', 'void', 'INVOICE_NOT_VOIDABLE'],
    ['off', off, 'voided', 'void', 'INVOICE_NOT_VOIDABLE'],
    ['off', off, 'draft', 'void', 'INVOICE_NOT_VOIDABLE'],
    ['off', off, 'posted', 'post', 'INVOICE_NOT_POSTABLE'],
    ['off', off, 'draft', 'post', 'INVOICE_NOT_POSTABLE'],
    ['off', off, 'voided', 'post', 'INVOICE_NOT_POSTABLE'],
    ['on', on, 'exported', 'void', 'INVOICE_NOT_VOIDABLE'],
    ['on', on, 'posted', 'void', 'INVOICE_NOT_VOIDABLE'],
    ['on', on, 'invoiced', 'post', 'INVOICE_NOT_POSTABLE'],
    ['on', on, 'approved', 'post', 'INVOICE_NOT_POSTABLE'],
    ['on', on, 'invoiced', 'export', 'INVOICE_NOT_EXPORTABLE'],
    ['on', on, 'exported', 'export', 'INVOICE_NOT_EXPORTABLE'],
  ])('integration %s: %s, %s is refused: %s', (_, settings, from, action, code) => {
    refused(() => transition(issuedInvoice(from), action, settings, T0), 'conflict', code);
  });

  it.each(['approved', 'exported', 'posted', 'voided', 'draft'] as const)(
    'integration on: approving a %s invoice is refused (conflict)',
    (from) => {
      const error = domainErrorOf(() => transition(issuedInvoice(from), 'approve', on, T0));
      expect(error.kind).toBe('conflict');
      expect(error.code).toMatch(/^INVOICE_NOT_APPROV/);
    },
  );

  it('refuses to approve twice with INVOICE_NOT_APPROVABLE, "cannot be approved"', () => {
    const error = domainErrorOf(() => transition(issuedInvoice('posted'), 'approve', on, T0));
    expect(error.message).toBe('An invoice that is posted cannot be approved');
  });

  it.each([
    ['off', off],
    ['on', on],
  ])('integration %s: an invoice with payments cannot be voided: INVOICE_HAS_PAYMENTS', (_, settings) => {
    const paid = recordPayment(issuedInvoice(), payment('1.00'), 'pay_1', T0, 'UTC');
    const error = refused(() => transition(paid, 'void', settings, T0), 'conflict', 'INVOICE_HAS_PAYMENTS');
    // Corrections follow the complete invoice: on an open job, "issue a correction instead" cannot be followed.
    expect(error.message).toBe('An invoice with payments cannot be voided; once the job is billed, credit it with a correction');
  });
});

describe('issueDateFor', () => {
  const context = (overrides: Partial<Parameters<typeof issueDateFor>[1]> = {}) => ({
    settings: SETTINGS,
    lastIssueDate: null,
    now: T0,
    ...overrides,
  });
  const dated = (issueDate: string | null): Invoice => ({
    ...draft(jobWith([{}]), { policy: 'deposit', amount: '1' }),
    issueDate,
  });

  it('is today when the draft has no date', () => {
    expect(issueDateFor(dated(null), context())).toBe(TODAY);
  });

  it("is today in the tenant's time zone", () => {
    // At 10:00 UTC on 1 March it is already the 2nd 14 hours ahead, and still the 28th 11 hours behind
    const at = (timeZone: string) => context({ settings: withSettings({ timeZone }) });
    expect(issueDateFor(dated(null), at('Pacific/Kiritimati'))).toBe('2025-03-02');
    expect(issueDateFor(dated(null), at('Pacific/Pago_Pago'))).toBe('2025-02-28');
    refused(() => issueDateFor(dated('2025-03-01'), at('Pacific/Pago_Pago')), 'rule', 'ISSUE_DATE_IN_FUTURE', 'issueDate');
  });

  it('refuses a future date: ISSUE_DATE_IN_FUTURE naming issueDate', () => {
    refused(() => issueDateFor(dated('2025-03-02'), context()), 'rule', 'ISSUE_DATE_IN_FUTURE', 'issueDate');
  });

  it("takes a past date within the backdating window, the window's last day included", () => {
    expect(issueDateFor(dated(addDays(TODAY, -30)), context())).toBe('2025-01-30');
    expect(issueDateFor(dated('2025-02-28'), context({ settings: withSettings({ backdatingDays: 1 }) }))).toBe('2025-02-28');
  });

  it('refuses a date before the window: BACKDATING_WINDOW_EXCEEDED', () => {
    refused(() => issueDateFor(dated(addDays(TODAY, -31)), context()), 'rule', 'BACKDATING_WINDOW_EXCEEDED', 'issueDate');
    refused(
      () => issueDateFor(dated('2025-02-28'), context({ settings: withSettings({ backdatingDays: 0 }) })),
      'rule',
      'BACKDATING_WINDOW_EXCEEDED',
    );
  });

  it('refuses a date before the last issued invoice of the series: ISSUE_DATE_BEFORE_LAST; the same day is fine', () => {
    refused(
      () => issueDateFor(dated('2025-02-19'), context({ lastIssueDate: '2025-02-20' })),
      'rule',
      'ISSUE_DATE_BEFORE_LAST',
      'issueDate',
    );
    expect(issueDateFor(dated('2025-02-20'), context({ lastIssueDate: '2025-02-20' }))).toBe('2025-02-20');
    expect(issueDateFor(dated(null), context({ lastIssueDate: '2025-02-20' }))).toBe(TODAY);
  });
});

describe('number formats', () => {
  it.each([
    ['INV-{YYYY}-{SEQ:5}', 42, 'INV-2025-00042'],
    ['{YY}/{SEQ:3}', 7, '25/007'],
    ['CN{SEQ}', 12, 'CN12'],
    ['A-{SEQ:2}', 123, 'A-123'],
    ['{SEQ:1}-{YYYY}', 1, '1-2025'],
  ])('formatNumber(%s, %i) = %s', (format, sequence, expected) => {
    expect(formatNumber(format, sequence, '2025-03-01')).toBe(expected);
  });

  it('counts per year when the format shows the year, else in one counter', () => {
    expect(counterScope('INV-{YYYY}-{SEQ:5}', '2025-03-01')).toBe('2025');
    expect(counterScope('{YY}/{SEQ}', '2026-01-01')).toBe('2026');
    expect(counterScope('INV-{SEQ:5}', '2025-03-01')).toBe('all');
  });

  it.each(['INV-{YYYY}-{SEQ:5}', '{SEQ}', 'X{YY}{SEQ:10}'])('accepts %s', (format) => {
    expect(checkNumberFormat(format, 'invoiceNumberFormat')).toBe(format);
  });

  it.each(['INV-{YYYY}', '{SEQ}-{SEQ:2}', 'INV-{MM}-{SEQ}', 'INV-{SEQ', 'INV}{SEQ}', '{SEQ:123}', ''])(
    'refuses %j, naming the field',
    (format) => {
      refused(
        () => checkNumberFormat(format, 'creditNoteNumberFormat'),
        'invalid',
        'VALIDATION_FAILED',
        'creditNoteNumberFormat',
      );
    },
  );
});

describe('recordPayment', () => {
  it('moves the invoice from unpaid to partially paid to paid', () => {
    // Prepare
    const invoice = issuedInvoice();
    expect(invoice).toMatchObject({ paymentStatus: 'unpaid', amountPaid: '0.00', balanceDue: '600.00' });
    // Act
    const part = recordPayment(invoice, payment('200'), 'pay_1', T0, 'UTC');
    const full = recordPayment(part, payment('400.00'), 'pay_2', T0, 'UTC');
    // Assess
    expect(part).toMatchObject({ paymentStatus: 'partially_paid', amountPaid: '200.00', balanceDue: '400.00' });
    expect(full).toMatchObject({ paymentStatus: 'paid', amountPaid: '600.00', balanceDue: '0.00', totals: invoice.totals });
    expect(full.payments.map((p) => [p.id, p.amount, p.recordedAt])).toEqual([
      ['pay_1', '200.00', T0.toISOString()],
      ['pay_2', '400.00', T0.toISOString()],
    ]);
    expect(paidNet(part).toFixed(2)).toBe('166.67');
    expect(paidNet(full).toFixed(2)).toBe('500.00');
  });

  it('refuses more than the balance due: OVERPAYMENT naming amount', () => {
    refused(() => recordPayment(issuedInvoice(), payment('600.01'), 'pay_1', T0, 'UTC'), 'rule', 'OVERPAYMENT', 'amount');
    const part = recordPayment(issuedInvoice(), payment('200'), 'pay_1', T0, 'UTC');
    refused(() => recordPayment(part, payment('400.01'), 'pay_2', T0, 'UTC'), 'rule', 'OVERPAYMENT', 'amount');
  });

  it('takes a payment dated from the issue date to today, in UTC days; refuses one before or after, naming date', () => {
    // Prepare: issued on 2025-03-01; now is 2025-03-05 in UTC, still the 4th in New York
    const invoice = issuedInvoice();
    const now = new Date('2025-03-05T02:00:00.000Z');
    const dated = (date: string): NewPayment => ({ ...payment('1'), date });
    // Act / Assess
    refused(() => recordPayment(invoice, dated('1999-01-01'), 'pay_1', now, 'UTC'), 'rule', 'PAYMENT_BEFORE_ISSUE_DATE', 'date');
    refused(() => recordPayment(invoice, dated('2025-02-28'), 'pay_1', now, 'UTC'), 'rule', 'PAYMENT_BEFORE_ISSUE_DATE', 'date');
    refused(() => recordPayment(invoice, dated('2025-03-06'), 'pay_1', now, 'UTC'), 'rule', 'PAYMENT_DATE_IN_FUTURE', 'date');
    refused(() => recordPayment(invoice, dated('2099-01-01'), 'pay_1', now, 'UTC'), 'rule', 'PAYMENT_DATE_IN_FUTURE', 'date');
    const paid = ['2025-03-01', '2025-03-05'].reduce(
      (inv, date, i) => recordPayment(inv, dated(date), `pay_${i}`, now, 'UTC'),
      invoice,
    );
    expect(paid.payments.map((p) => p.date)).toEqual(['2025-03-01', '2025-03-05']);
    // In New York it is still the 4th: the 5th is in the future there
    refused(
      () => recordPayment(invoice, dated('2025-03-05'), 'pay_1', now, 'America/New_York'),
      'rule',
      'PAYMENT_DATE_IN_FUTURE',
      'date',
    );
    expect(recordPayment(invoice, dated('2025-03-04'), 'pay_1', now, 'America/New_York').payments).toHaveLength(1);
  });

  it.each(['0', '-5', '1.001'])('refuses an amount of %s: VALIDATION_FAILED', (value) => {
    refused(() => recordPayment(issuedInvoice(), payment(value), 'pay_1', T0, 'UTC'), 'invalid', 'VALIDATION_FAILED', 'amount');
  });

  it.each(['draft', 'voided'] as const)('refuses a payment on a %s invoice: INVOICE_NOT_PAYABLE', (status) => {
    refused(() => recordPayment(issuedInvoice(status), payment('1'), 'pay_1', T0, 'UTC'), 'conflict', 'INVOICE_NOT_PAYABLE');
  });

  it.each(['approved', 'exported', 'posted'] as const)('takes a payment on a %s invoice', (status) => {
    expect(recordPayment(issuedInvoice(status), payment('600'), 'pay_1', T0, 'UTC').paymentStatus).toBe('paid');
  });
});

describe('editDraft', () => {
  it('changes who, when, notes and line texts, never amounts', () => {
    // Prepare
    const invoice = draft(scenarioJob(), { policy: 'progress_summary', percent: '40' });
    // Act
    const edited = editDraft(
      invoice,
      { customerId: 'cus_2', notes: 'Phase 1', dueDays: 10, lines: [{ id: 'L2', description: 'Permits' }] },
      T0,
    );
    // Assess
    expect(edited).toMatchObject({ customerId: 'cus_2', notes: 'Phase 1', dueDays: 10, totals: invoice.totals, version: 2 });
    expect(edited.lines.map((l) => l.description)).toEqual(['Progress billing to 40% complete', 'Permits']);
    expect(edited.lines.map((l) => l.amount)).toEqual(invoice.lines.map((l) => l.amount));
  });

  it('refuses an unknown line (VALIDATION_FAILED) and an issued invoice (INVOICE_NOT_DRAFT)', () => {
    const invoice = draft(scenarioJob(), { policy: 'progress_summary', percent: '40' });
    refused(() => editDraft(invoice, { lines: [{ id: 'L9', description: 'x' }] }, T0), 'invalid', 'VALIDATION_FAILED', 'lines');
    refused(() => editDraft(issuedInvoice(), { notes: 'x' }, T0), 'conflict', 'INVOICE_NOT_DRAFT');
  });
});

describe('payments retried', () => {
  it('records a payment once however often it comes with the same Idempotency-Key', () => {
    const keyed = { ...payment('100.00'), idempotencyKey: 'pay-once' };
    const first = recordPayment(issuedInvoice(), keyed, 'pay_1', T0, 'UTC');
    const again = recordPayment(first, keyed, 'pay_2', T0, 'UTC');
    const another = recordPayment(first, { ...keyed, idempotencyKey: 'pay-twice' }, 'pay_3', T0, 'UTC');
    expect(again).toBe(first);
    expect([first.payments.length, another.payments.length]).toEqual([1, 2]);
  });
});

describe('editDraft: another customer', () => {
  // A deposit draft of an EUR job of cus_1.
  const eurDraft = () => draft(jobWith([{ unitPrice: '1000', taxRate: '20' }]), { policy: 'deposit', amount: '500' });
  const change = (currency: string | null) => ({ customer: currency ? { currency } : null, jobCustomerId: 'cus_1' });

  it('moves a draft to a customer billing in its currency, and back to its job customer whatever that one bills in', () => {
    const moved = editDraft(eurDraft(), { customerId: 'cus_2' }, T0, change('EUR'));
    expect(moved).toMatchObject({ customerId: 'cus_2', currency: 'EUR', version: 2 });
    // The job may name its currency: its own customer is billed in it (docs/domain.md, Jobs).
    expect(editDraft(moved, { customerId: 'cus_1' }, T0, change('JPY'))).toMatchObject({ customerId: 'cus_1', currency: 'EUR' });
  });

  it('refuses a customer of another currency (CURRENCY_MISMATCH) and one that does not exist, naming customerId', () => {
    const error = refused(
      () => editDraft(eurDraft(), { customerId: 'cus_2' }, T0, change('JPY')),
      'rule',
      'CURRENCY_MISMATCH',
      'customerId',
    );
    expect(error.message).toBe('The customer bills in JPY; the invoice is in EUR');
    refused(() => editDraft(eurDraft(), { customerId: 'cus_9' }, T0, change(null)), 'rule', 'CUSTOMER_NOT_FOUND', 'customerId');
  });

  it("keeps a profile's draft on the profile's customer (INVOICE_NOT_OF_JOB), whatever the other bills in", () => {
    const ofProfile: Invoice = { ...eurDraft(), policy: 'accumulating', jobId: null, profileId: 'prf_1' };
    const unchecked = { customer: { currency: 'EUR' }, jobCustomerId: null };
    refused(() => editDraft(ofProfile, { customerId: 'cus_2' }, T0, unchecked), 'conflict', 'INVOICE_NOT_OF_JOB');
    refused(() => editDraft(ofProfile, { customerId: 'cus_2' }, T0), 'conflict', 'INVOICE_NOT_OF_JOB');
    // Naming its own customer changes nothing, so it is no change of customer.
    expect(editDraft(ofProfile, { customerId: 'cus_1', notes: 'x' }, T0)).toMatchObject({ customerId: 'cus_1', notes: 'x' });
  });
});
