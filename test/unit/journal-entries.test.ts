import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { withTotals, type Invoice, type InvoiceLine, type LineKind } from '../../functions/domain/invoice.js';
import { accountingExport, journalEntries, type JournalEntry } from '../../functions/domain/journal-entries.js';
import { journalOf, type Numbered } from '../../functions/domain/journal.js';
import { sumAmounts } from '../../functions/domain/money.js';

type LineInput = Pick<InvoiceLine, 'kind' | 'amount' | 'taxRate'>;

const invoiceOf = (lines: LineInput[], fields: Partial<Invoice> = {}): Numbered => {
  const currency = fields.currency ?? 'EUR';
  const invoice = withTotals({
    id: 'inv_1',
    jobId: 'job_1',
    profileId: null,
    customerId: 'cus_1',
    currency,
    policy: 'progress_itemized',
    type: 'partial',
    milestoneId: null,
    status: 'approved',
    series: 'invoice',
    number: 'INV-2026-00001',
    issueDate: '2026-03-14',
    dueDate: '2026-04-13',
    dueDays: 30,
    notes: null,
    allowOverbilling: false,
    ledgerBasis: null,
    lines: lines.map((l, i) => ({
      id: `L${i + 1}`,
      description: l.kind,
      quantity: '1',
      unitPrice: l.amount,
      group: null,
      allocations: [],
      correctsInvoiceId: null,
      ...l,
    })),
    payments: [],
    creditedNet: '0.00',
    correctedBy: 0,
    createdAt: '2026-03-13T10:00:00.000Z',
    updatedAt: '2026-03-14T10:00:00.000Z',
    issuedAt: '2026-03-14T10:00:00.000Z',
    version: 3,
    ...fields,
  });
  return invoice as Numbered;
};

const sides = (entries: JournalEntry[]) => ({
  debit: sumAmounts(entries.map((e) => e.debit)).toFixed(),
  credit: sumAmounts(entries.map((e) => e.credit)).toFixed(),
});

const brief = (entries: JournalEntry[]) => entries.map((e) => [e.account, e.debit, e.credit, e.description]);

// A progress invoice: work at two rates, less a deposit and 5% retainage.
const progress: LineInput[] = [
  { kind: 'work', amount: '12000.00', taxRate: '20' },
  { kind: 'work', amount: '4500.50', taxRate: '10' },
  { kind: 'deposit_applied', amount: '-2000.00', taxRate: '20' },
  { kind: 'retainage_withheld', amount: '-600.00', taxRate: '20' },
  { kind: 'retainage_withheld', amount: '-225.03', taxRate: '10' },
];

describe('journal entries of an invoice', () => {
  it('debits the receivable, deposits applied and retainage withheld; credits revenue and tax', () => {
    const invoice = invoiceOf(progress);
    expect(invoice.totals).toEqual({ net: '13675.47', tax: '2307.55', gross: '15983.02' });
    const entries = journalEntries(invoice);
    expect(brief(entries)).toEqual([
      ['accounts_receivable', '15983.02', '0.00', 'Customer cus_1'],
      ['revenue', '0.00', '16500.50', 'Work and corrections'],
      ['deposit_liability', '2000.00', '0.00', 'Deposit applied'],
      ['retainage_receivable', '825.03', '0.00', 'Retainage withheld'],
      ['tax_payable', '0.00', '2307.55', 'Tax'],
    ]);
    expect(entries[0]).toMatchObject({ date: '2026-03-14', invoiceNumber: 'INV-2026-00001', currency: 'EUR' });
    expect(sides(entries)).toEqual({ debit: '18808.05', credit: '18808.05' });
  });

  it('credits the deposit liability for a deposit and the retainage receivable for a release', () => {
    const deposit = invoiceOf([{ kind: 'deposit', amount: '500.00', taxRate: '20' }]);
    expect(brief(journalEntries(deposit)).map(([account, debit, credit]) => [account, debit, credit])).toEqual([
      ['accounts_receivable', '600.00', '0.00'],
      ['deposit_liability', '0.00', '500.00'],
      ['tax_payable', '0.00', '100.00'],
    ]);
    const release = invoiceOf([{ kind: 'retainage_release', amount: '825.03', taxRate: '0' }]);
    expect(brief(journalEntries(release)).map(([account, debit, credit]) => [account, debit, credit])).toEqual([
      ['accounts_receivable', '825.03', '0.00'],
      ['retainage_receivable', '0.00', '825.03'],
    ]);
  });

  it('posts a credit note as the mirror image', () => {
    const credit = invoiceOf(
      progress.map((l) => ({ ...l, amount: l.amount.startsWith('-') ? l.amount.slice(1) : `-${l.amount}` })),
      { series: 'credit_note', number: 'CN-2026-00001' },
    );
    const mirrored = journalEntries(invoiceOf(progress)).map((e) => ({
      ...e,
      debit: e.credit,
      credit: e.debit,
      invoiceNumber: 'CN-2026-00001',
    }));
    expect(journalEntries(credit)).toEqual(mirrored);
  });

  const kinds: LineKind[] = ['work', 'correction', 'deposit', 'deposit_applied', 'retainage_withheld', 'retainage_release'];
  const lines = (units: number) =>
    fc.array(
      fc.record({
        kind: fc.constantFrom(...kinds),
        amount: fc.integer({ min: -1e9, max: 1e9 }).map((n) => (units ? (n / 10 ** units).toFixed(units) : String(n))),
        taxRate: fc.constantFrom('0', '5.5', '7.25', '10', '20', '21'),
      }),
      { maxLength: 30 },
    );

  it('balances every invoice exactly: debits = credits, the receivable is the gross, one side per entry', () => {
    fc.assert(
      fc.property(
        fc
          .constantFrom(['EUR', 2] as const, ['JPY', 0] as const, ['BHD', 3] as const)
          .chain(([currency, units]) => lines(units).map((ls) => invoiceOf(ls, { currency }))),
        (invoice) => {
          const entries = journalEntries(invoice);
          const { debit, credit } = sides(entries);
          expect(debit).toBe(credit);
          for (const e of entries) expect([e.debit, e.credit].filter((v) => Number(v) !== 0)).toHaveLength(1);
          const receivable = sumAmounts(entries.filter((e) => e.account === 'accounts_receivable').map((e) => e.debit)).minus(
            sumAmounts(entries.filter((e) => e.account === 'accounts_receivable').map((e) => e.credit)),
          );
          expect(receivable.eq(invoice.totals.gross)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('an export of several invoices', () => {
  it('lists entries in issue order and totals them per currency', () => {
    const later = invoiceOf([{ kind: 'work', amount: '100.00', taxRate: '20' }], {
      id: 'inv_a',
      number: 'INV-10',
      issueDate: '2026-03-02',
    });
    const earlier = invoiceOf([{ kind: 'work', amount: '50.00', taxRate: '0' }], {
      id: 'inv_b',
      number: 'INV-9',
      issueDate: '2026-03-02',
    });
    const dollars = invoiceOf([{ kind: 'work', amount: '10', taxRate: '0' }], {
      id: 'inv_c',
      currency: 'USD',
      number: 'INV-8',
      issueDate: '2026-03-01',
    });
    const taken = [later, earlier, dollars].map((i) => ({ next: i, previous: i, entries: journalEntries(i) }));
    const batch = accountingExport('exp_x', taken, new Date('2026-03-05T12:00:00Z'));
    expect(batch.invoiceIds).toEqual(['inv_a', 'inv_b', 'inv_c']);
    expect([...new Set(batch.entries.map((e) => e.invoiceNumber))]).toEqual(['INV-8', 'INV-9', 'INV-10']);
    expect(batch.totals).toEqual([
      { currency: 'EUR', debit: '170.00', credit: '170.00' },
      { currency: 'USD', debit: '10.00', credit: '10.00' },
    ]);
    expect(batch.createdAt).toBe('2026-03-05T12:00:00.000Z');
  });
});

describe('the invoice journal', () => {
  it('lists numbered documents by date and number, and totals them per currency without the voided', () => {
    const work = [{ kind: 'work' as const, amount: '100.00', taxRate: '20' }];
    const journal = journalOf(
      [
        invoiceOf(work, { id: 'a', number: 'INV-10', issueDate: '2026-03-02' }),
        invoiceOf(work, { id: 'b', number: 'INV-9', issueDate: '2026-03-02', status: 'voided' }),
        invoiceOf(work, { id: 'c', number: 'INV-8', issueDate: '2026-03-01', currency: 'USD' }),
        invoiceOf(work, { id: 'd', number: null, issueDate: null, series: null, status: 'draft' }),
        invoiceOf([{ kind: 'correction', amount: '-10.00', taxRate: '20' }], {
          id: 'e',
          number: 'CN-1',
          series: 'credit_note',
          issueDate: '2026-03-03',
        }),
      ],
      '2026-03-01',
      '2026-03-31',
    );
    expect(journal.items.map((r) => [r.invoiceId, r.status, r.gross])).toEqual([
      ['c', 'approved', '120.00'],
      ['b', 'voided', '120.00'],
      ['a', 'approved', '120.00'],
      ['e', 'approved', '-12.00'],
    ]);
    expect(journal.totals).toEqual([
      { currency: 'EUR', net: '90.00', tax: '18.00', gross: '108.00' },
      { currency: 'USD', net: '100.00', tax: '20.00', gross: '120.00' },
    ]);
  });
});
