import { describe, expect, it } from 'vitest';
import {
  applyExpenditureChanges,
  createExpenditure,
  selectExpenditure,
  settleExpenditure,
  type Expenditure,
  type ExpenditureFields,
} from '../../functions/domain/expenditure.js';
import type { Invoice } from '../../functions/domain/invoice.js';
import { issue, seriesOf } from '../../functions/domain/invoice-lifecycle.js';
import { applyInvoice } from '../../functions/domain/job-ledger.js';
import { closeJob, type Job } from '../../functions/domain/job.js';
import { journalEntries, type JournalEntry } from '../../functions/domain/journal-entries.js';
import type { Numbered } from '../../functions/domain/journal.js';
import { amount, sumAmounts, toAmountString } from '../../functions/domain/money.js';
import {
  assertIssuable,
  authorizeSelection,
  copySettledLines,
  draftPartialInvoice,
  editPartialInvoice,
  finalizationFailed,
  finalizationKey,
  MAX_SELECTED_EXPENDITURES,
  revertSelection,
  selectionReleased,
  selectionSettled,
  selectionTotals,
  selectionWritten,
  type PartialDraftInput,
} from '../../functions/domain/partial-invoice.js';
import {
  assertMayVoid,
  assertReversible,
  reversalOf,
  reversalRestored,
  reversedInvoice,
} from '../../functions/domain/partial-invoice-reversal.js';
import { itemSize, MAX_ITEM_BYTES } from '../../functions/store/item-size.js';
import { layout, MAX_AGGREGATE_BYTES } from '../../functions/store/parts.js';
import { newJob, refused, SETTINGS, T0, TODAY } from '../support/invoice-domain.js';

const ZERO_OFF = { allowZeroSelectionApproval: false };

const spend = (fields: Partial<ExpenditureFields> = {}): ExpenditureFields => ({
  kind: 'hours',
  date: '2025-02-10',
  description: 'Site work',
  resource: 'J. Smith',
  quantity: '1',
  unitCost: '50',
  unitPrice: '80',
  booked: true,
  ...fields,
});

/** A time and material job with its expenditures booked (ids `exd_1`, ...), their totals on the job. */
const bookedJob = (items: Partial<ExpenditureFields>[], job: Job = newJob({ billingType: 'time_and_material' })) => {
  const expenditures = items.map((item, i) => createExpenditure(job, spend(item), `exd_${i + 1}`, T0));
  const withTotals = applyExpenditureChanges(
    job,
    expenditures.map((e) => ({ previous: null, next: e })),
    T0,
  );
  return { job: withTotals, expenditures };
};

/** net = the sum of the lines, tax = the sum of the tax per rate, net + tax = gross, exactly. */
const expectBalanced = (invoice: Invoice): void => {
  const money = (value: Parameters<typeof toAmountString>[0]) => toAmountString(value, invoice.currency);
  const { net, tax, gross } = invoice.totals;
  expect(money(sumAmounts(invoice.lines.map((l) => l.amount)))).toBe(net);
  expect(money(sumAmounts(invoice.taxes.map((t) => t.amount)))).toBe(tax);
  expect(money(amount(net).plus(tax))).toBe(gross);
};

const draftOf = (job: Job, expenditures: Expenditure[], input: Partial<PartialDraftInput> = {}, id = 'inv_1') => {
  const { invoice } = draftPartialInvoice(
    job,
    { customerId: 'cus_1', expenditureIds: expenditures.map((e) => e.id), ...input },
    expenditures,
    id,
    T0,
  );
  expectBalanced(invoice);
  return invoice;
};

/** The draft's selection written as the store does: each expenditure marked selected by it. */
const written = (invoice: Invoice, expenditures: Expenditure[]) =>
  selectionWritten(
    invoice,
    expenditures.map((e) => selectExpenditure(e, invoice.id, T0)),
    T0,
  );

/** Drafted, its selection written and authorized, settled, and issued as the Finalize step does. */
const finalized = (job: Job, expenditures: Expenditure[], input: Partial<PartialDraftInput> = {}, id = 'inv_1') => {
  const open = written(draftOf(job, expenditures, input, id), expenditures);
  const settled = selectionSettled(authorizeSelection(open, ZERO_OFF, {}, T0), T0);
  assertIssuable(settled);
  const invoice = issue(settled, `INV-${id}`, TODAY, SETTINGS, T0);
  return { invoice, job: applyInvoice(job, invoice, 1, T0) };
};

const rows = (invoice: Invoice) => invoice.lines.map((l) => [l.description, l.quantity, l.unitPrice, l.amount, l.taxRate]);

const balanceOf = (entries: JournalEntry[]) => ({
  debit: sumAmounts(entries.map((e) => e.debit)).toFixed(2),
  credit: sumAmounts(entries.map((e) => e.credit)).toFixed(2),
});

// Amounts whose float sums are off: 0.1 + 0.2, and a third of a cent in each unit cost.
const mixed: Partial<ExpenditureFields>[] = [
  { kind: 'hours', date: '2025-02-12', description: 'Wiring', quantity: '1.5', unitCost: '40.1', unitPrice: '80.10' },
  {
    kind: 'material',
    date: '2025-02-10',
    description: 'Cable',
    resource: null,
    quantity: '3',
    unitCost: '0.1',
    unitPrice: '0.2',
  },
  { kind: 'hours', date: '2025-02-10', description: 'Survey', quantity: '2.25', unitCost: '40.1', unitPrice: '95' },
  {
    kind: 'purchase',
    date: '2025-02-11',
    description: 'Crane hire',
    resource: 'Lift Ltd',
    quantity: '1',
    unitCost: '333.3333',
    unitPrice: '450',
  },
];

describe('selection totals', () => {
  it('adds count, cost and sales value exactly, in all and per kind', () => {
    const { job, expenditures } = bookedJob(mixed);
    // cost: 60.15 + 0.30 + 90.23 (90.225 rounded) + 333.33; sales: 120.15 + 0.60 + 213.75 + 450.00
    expect(selectionTotals(expenditures, job.currency)).toEqual({
      count: 4,
      cost: '484.01',
      salesValue: '784.50',
      byKind: {
        hours: { count: 2, cost: '150.38', salesValue: '333.90' },
        material: { count: 1, cost: '0.30', salesValue: '0.60' },
        purchase: { count: 1, cost: '333.33', salesValue: '450.00' },
      },
    });
    expect(selectionTotals([], 'JPY')).toMatchObject({ count: 0, cost: '0', salesValue: '0' });
  });

  it('shows on the draft beside the totals of its lines, which need not match', () => {
    const { job, expenditures } = bookedJob(mixed);
    const invoice = draftOf(job, expenditures, { lines: [{ description: 'As quoted', unitPrice: '700' }], taxRate: '20' });
    expect(invoice.selection?.totals).toMatchObject({ count: 4, cost: '484.01', salesValue: '784.50' });
    expect(invoice.totals).toEqual({ net: '700.00', tax: '140.00', gross: '840.00' });
    expect(invoice.settledCost).toBe('484.01');
  });
});

describe('copy modes', () => {
  it('itemized: a line per expenditure by date then id, its quantity at its unit price for its sales value', () => {
    const { job, expenditures } = bookedJob(mixed);
    const invoice = draftOf(job, expenditures, { copy: 'itemized', taxRate: '20' });
    expect(rows(invoice)).toEqual([
      ['2025-02-10 Cable', '3', '0.2', '0.60', '20'],
      ['2025-02-10 Survey (J. Smith)', '2.25', '95', '213.75', '20'],
      ['2025-02-11 Crane hire (Lift Ltd)', '1', '450', '450.00', '20'],
      ['2025-02-12 Wiring (J. Smith)', '1.5', '80.10', '120.15', '20'],
    ]);
    expect(invoice.lines.map((l) => [l.kind, l.group, l.allocations])).toEqual([
      ['work', 'Material', []],
      ['work', 'Hours', []],
      ['work', 'Purchases', []],
      ['work', 'Hours', []],
    ]);
    expect(invoice.totals).toEqual({ net: '784.50', tax: '156.90', gross: '941.40' });
  });

  it('itemized lines come out the same whatever order the expenditures are read in', () => {
    const { job, expenditures } = bookedJob(mixed);
    const ids = expenditures.map((e) => e.id);
    const a = draftOf(job, expenditures, { expenditureIds: ids });
    const b = draftOf(job, [...expenditures].reverse(), { expenditureIds: ids });
    expect(b.lines).toEqual(a.lines);
  });

  it('grouped_by_kind: a line per kind (hours, material, purchases) at the sum of their sales values, hours summed in the text', () => {
    const { job, expenditures } = bookedJob(mixed);
    const invoice = draftOf(job, expenditures, { copy: 'grouped_by_kind', taxRate: '20' });
    expect(rows(invoice)).toEqual([
      ['Hours (3.75 h)', '1', '333.90', '333.90', '20'],
      ['Material (1 expenditure)', '1', '0.60', '0.60', '20'],
      ['Purchases (1 expenditure)', '1', '450.00', '450.00', '20'],
    ]);
    expect(invoice.totals.net).toBe('784.50');
  });

  it('summary: one line for all of them', () => {
    const { job, expenditures } = bookedJob(mixed);
    expect(rows(draftOf(job, expenditures, { copy: 'summary' }))).toEqual([
      ['Time and material (4 expenditures)', '1', '784.50', '784.50', '0'],
    ]);
  });

  it('keeps free lines after the copied ones, each at its own rate or the draft one, a negative one too', () => {
    const { job, expenditures } = bookedJob(mixed);
    const invoice = draftOf(job, expenditures.slice(0, 2), {
      copy: 'summary',
      taxRate: '20',
      lines: [
        { description: 'Travel', quantity: '3', unitPrice: '12.345', taxRate: '7' },
        { description: 'Goodwill discount', unitPrice: '-10' },
      ],
    });
    expect(rows(invoice)).toEqual([
      ['Time and material (2 expenditures)', '1', '120.75', '120.75', '20'],
      ['Travel', '3', '12.345', '37.04', '7'],
      ['Goodwill discount', '1', '-10', '-10.00', '20'],
    ]);
    expect(invoice.taxes).toEqual([
      { rate: '7', base: '37.04', amount: '2.59' },
      { rate: '20', base: '110.75', amount: '22.15' },
    ]);
    expect(invoice.totals).toEqual({ net: '147.79', tax: '24.74', gross: '172.53' });
  });

  it('none: only the free lines; without copy, free lines mean none and no free lines mean itemized', () => {
    const { job, expenditures } = bookedJob(mixed);
    const free = [{ description: 'Fixed fee', unitPrice: '500' }];
    expect(rows(draftOf(job, expenditures, { copy: 'none', lines: free }))).toEqual([['Fixed fee', '1', '500', '500.00', '0']]);
    expect(draftOf(job, expenditures, { lines: free }).selection?.copy).toBe('none');
    expect(draftOf(job, expenditures).selection?.copy).toBe('itemized');
    expect(draftOf(job, expenditures, { copy: 'none' }).lines).toEqual([]);
  });

  it('taxes copied lines at the rate the job charges share by default, else at 0%', () => {
    const { job, expenditures } = bookedJob(mixed.slice(0, 1));
    expect(draftOf(job, expenditures).lines[0]!.taxRate).toBe('0');
    const charged = { ...job, charges: [{ ...chargeAt('19.0') }] };
    expect(draftOf(charged, expenditures).lines[0]!.taxRate).toBe('19');
  });

  it('taxes per rate on the sum of the lines (EN 16931), not line by line', () => {
    // Three lines of 0.05 at 10%: 0.015 on their sum is 0.02; rounded per line it would be 0.03.
    const { job, expenditures } = bookedJob([0, 1, 2].map(() => ({ quantity: '1', unitPrice: '0.05', unitCost: '0.01' })));
    const invoice = draftOf(job, expenditures, { taxRate: '10' });
    expect(invoice.totals).toEqual({ net: '0.15', tax: '0.02', gross: '0.17' });
  });

  it('1,000 itemized lines of the longest texts stay within what the invoice store writes', () => {
    const long = { description: 'd'.repeat(500), resource: 'r'.repeat(200), quantity: '9999.9999', unitPrice: '99999.9999' };
    const { job, expenditures } = bookedJob(Array.from({ length: MAX_SELECTED_EXPENDITURES }, () => long));
    const invoice = draftOf(job, expenditures, { lines: [], copy: 'itemized' });
    expect(invoice.lines).toHaveLength(1000);
    expect(invoice.totals.net).toBe('999999989000.00');
    // As store/invoice.store.ts lays the invoice out: a header and parts of its lines, within every limit.
    const { header, parts } = layout({ PK: 'T#t#INV#inv_1', SK: 'INV', ...invoice }, ['lines', 'payments']);
    expect(itemSize({ PK: 'T#t#INV#inv_1', SK: 'INV', ...invoice })).toBeLessThan(MAX_AGGREGATE_BYTES);
    expect(itemSize(header)).toBeLessThan(MAX_ITEM_BYTES);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(itemSize(part)).toBeLessThan(MAX_ITEM_BYTES);
  });
});

const chargeAt = (taxRate: string) => ({
  id: 'chg_1',
  description: 'Call-out',
  group: null,
  quantity: '1',
  unitPrice: '0',
  amount: '0.00',
  taxRate,
  billedToDate: '0.00',
});

describe('selecting', () => {
  it('refuses an expenditure not booked, held by another draft, of another job or listed twice, naming it', () => {
    const { job, expenditures } = bookedJob([{}, {}, { booked: false }]);
    const [first, second, unbooked] = expenditures as [Expenditure, Expenditure, Expenditure];
    const draft = (ids: string[], found = expenditures) =>
      draftPartialInvoice(job, { customerId: 'cus_1', expenditureIds: ids }, found, 'inv_2', T0);
    refused(() => draft([first.id, unbooked.id]), 'conflict', 'EXPENDITURE_NOT_BOOKED', 'expenditureIds.1');
    const taken = selectExpenditure(second, 'inv_1', T0);
    const error = refused(() => draft([taken.id], [taken]), 'conflict', 'EXPENDITURE_NOT_SELECTABLE', 'expenditureIds.0');
    expect(error.message).toContain(taken.id);
    refused(() => draft([first.id, first.id]), 'invalid', 'VALIDATION_FAILED', 'expenditureIds.1');
    refused(() => draft([first.id], [{ ...first, jobId: 'job_2' }]), 'rule', 'EXPENDITURE_NOT_FOUND', 'expenditureIds.0');
    refused(() => draft(['exd_missing']), 'rule', 'EXPENDITURE_NOT_FOUND', 'expenditureIds.0');
  });

  it(`refuses more than ${MAX_SELECTED_EXPENDITURES} expenditures: SELECTION_TOO_LARGE`, () => {
    const { job, expenditures } = bookedJob(Array.from({ length: MAX_SELECTED_EXPENDITURES + 1 }, () => ({})));
    refused(() => draftOf(job, expenditures), 'rule', 'SELECTION_TOO_LARGE', 'expenditureIds');
  });

  it('refuses lines that bill past the job price unless overbilling is allowed, as any invoice', () => {
    const { job, expenditures } = bookedJob(mixed);
    const lines = [{ description: 'Fee', unitPrice: '10000' }];
    refused(() => draftOf(job, expenditures, { lines }), 'rule', 'JOB_OVERBILLED');
    expect(draftOf(job, expenditures, { lines, allowOverbilling: true }).totals.net).toBe('10000.00');
  });

  it('starts selecting with its marks to write, and is open once they are (at once when it selects none)', () => {
    const { job, expenditures } = bookedJob(mixed);
    const invoice = draftOf(job, expenditures);
    expect(invoice).toMatchObject({ status: 'draft', policy: 'time_and_material', type: 'partial', ledgerBasis: null });
    expect(invoice.selection).toMatchObject({
      state: 'selecting',
      pending: { select: ['exd_1', 'exd_2', 'exd_3', 'exd_4'], release: [] },
      finalization: { attempt: 0, requestedAt: null },
      error: null,
    });
    const open = written(invoice, expenditures);
    expect(open.selection).toMatchObject({ state: 'open', pending: null });
    expect(open.version).toBe(invoice.version + 1);
    expect(written(open, expenditures)).toBe(open);
    expect(draftOf(job, [], { lines: [{ description: 'Fee', unitPrice: '1' }] }).selection?.state).toBe('open');
  });

  it('edits selection and lines only while open; a new selection is written again (additions, then releases)', () => {
    const { job, expenditures } = bookedJob(mixed);
    const [a, b, c, d] = expenditures as [Expenditure, Expenditure, Expenditure, Expenditure];
    const selecting = draftOf(job, [a, b], { copy: 'grouped_by_kind', lines: [{ description: 'Travel', unitPrice: '25' }] });
    refused(() => editPartialInvoice(job, selecting, { copy: 'summary' }, [a, b], T0), 'conflict', 'SELECTION_NOT_OPEN');
    const open = written(selecting, [a, b]);
    const edited = editPartialInvoice(job, open, { expenditureIds: [b.id, c.id, d.id] }, [b, c, d], T0).invoice;
    expect(edited.selection).toMatchObject({
      state: 'selecting',
      expenditureIds: [b.id, c.id, d.id],
      pending: { select: [c.id, d.id], release: [a.id] },
      totals: { count: 3, salesValue: '664.35' },
      copy: 'grouped_by_kind',
      copiedLines: 3,
    });
    expect(rows(edited).map((r) => r[0])).toEqual([
      'Hours (2.25 h)',
      'Material (1 expenditure)',
      'Purchases (1 expenditure)',
      'Travel',
    ]);
    expect(edited.totals.net).toBe('689.35');
    // Lines alone: open still, free lines replaced, the copied ones made in the new mode.
    const relined = editPartialInvoice(job, open, { copy: 'summary', lines: [] }, [a, b], T0).invoice;
    expect(relined.selection).toMatchObject({ state: 'open', pending: null, copiedLines: 1 });
    expect(rows(relined)).toEqual([['Time and material (2 expenditures)', '1', '120.75', '120.75', '0']]);
    const settling = authorizeSelection(open, ZERO_OFF, {}, T0);
    refused(() => editPartialInvoice(job, settling, { lines: [] }, [a, b], T0), 'conflict', 'FINALIZATION_IN_PROGRESS');
  });

  it('reverts a selection change that cannot be completed: the selection before, and the additions to give back', () => {
    const { job, expenditures } = bookedJob(mixed);
    const [a, b, c] = expenditures as [Expenditure, Expenditure, Expenditure];
    const open = written(draftOf(job, [a, b], { copy: 'summary' }), [a, b]);
    const changing = editPartialInvoice(job, open, { expenditureIds: [b.id, c.id] }, [b, c], T0).invoice;
    const { invoice, release } = revertSelection(job, changing, [a, b], T0);
    expect(release).toEqual([c.id]);
    expect(invoice.selection).toMatchObject({ state: 'open', pending: null, expenditureIds: [b.id, a.id] });
    expect(invoice.totals).toEqual(open.totals);
    expect(invoice.settledCost).toBe(open.settledCost);
  });
});

describe('authorizing and finalizing', () => {
  it('refuses an empty selection (422 EMPTY_SELECTION) unless the tenant allows it', () => {
    const { job } = bookedJob(mixed);
    const open = draftOf(job, [], { lines: [{ description: 'Fee', unitPrice: '100' }] });
    refused(() => authorizeSelection(open, ZERO_OFF, {}, T0), 'rule', 'EMPTY_SELECTION', 'expenditureIds');
    const settling = authorizeSelection(open, { allowZeroSelectionApproval: true }, {}, T0);
    expect(settling.selection?.state).toBe('settling');
    expect(settling.settledCost).toBe('0.00');
  });

  it('refuses a draft that bills nothing (422 NOTHING_TO_BILL), and one not open', () => {
    const { job, expenditures } = bookedJob(mixed);
    const nothing = written(draftOf(job, expenditures, { copy: 'none' }), expenditures);
    refused(() => authorizeSelection(nothing, ZERO_OFF, {}, T0), 'rule', 'NOTHING_TO_BILL', 'lines');
    refused(() => authorizeSelection(draftOf(job, expenditures), ZERO_OFF, {}, T0), 'conflict', 'SELECTION_NOT_OPEN');
    const settling = authorizeSelection(written(draftOf(job, expenditures), expenditures), ZERO_OFF, {}, T0);
    refused(() => authorizeSelection(settling, ZERO_OFF, {}, T0), 'conflict', 'FINALIZATION_IN_PROGRESS');
  });

  it('requests finalization attempt 1, named by its key, and never calls that state approved', () => {
    const { job, expenditures } = bookedJob(mixed);
    const open = written(draftOf(job, expenditures), expenditures);
    const settling = authorizeSelection(open, ZERO_OFF, { send: true }, T0);
    expect(settling.status).toBe('draft');
    expect(settling.selection).toMatchObject({
      state: 'settling',
      finalization: { attempt: 1, requestedAt: T0.toISOString(), send: true },
    });
    expect(finalizationKey(settling)).toBe('inv_1-1');
    expect(JSON.stringify(settling.selection)).not.toMatch(/approv/i);
  });

  it('is issued only once its selection is settled (409 FINALIZATION_REQUIRED before)', () => {
    const { job, expenditures } = bookedJob(mixed);
    const open = written(draftOf(job, expenditures), expenditures);
    refused(() => assertIssuable(open), 'conflict', 'FINALIZATION_REQUIRED');
    const settling = authorizeSelection(open, ZERO_OFF, {}, T0);
    refused(() => assertIssuable(settling), 'conflict', 'FINALIZATION_REQUIRED');
    const settled = selectionSettled(settling, T0);
    expect(selectionSettled(settled, T0)).toBe(settled);
    expect(() => assertIssuable(settled)).not.toThrow();
    const issued = issue(settled, 'INV-1', TODAY, SETTINGS, T0);
    expect(issued).toMatchObject({ status: 'invoiced', series: 'invoice', number: 'INV-1' });
    expect(applyInvoice(job, issued, 1, T0).invoicedToDate).toBe('784.50');
  });

  it('a failed finalization gives the selection back and shows why; authorizing again is attempt 2', () => {
    const { job, expenditures } = bookedJob(mixed);
    const settled = selectionSettled(authorizeSelection(written(draftOf(job, expenditures), expenditures), ZERO_OFF, {}, T0), T0);
    const later = new Date(T0.getTime() + 60_000);
    const releasing = finalizationFailed(
      settled,
      { code: 'ISSUE_DATE_BEFORE_LAST', message: 'numbers must follow dates' },
      later,
    );
    const error = { code: 'ISSUE_DATE_BEFORE_LAST', message: 'numbers must follow dates', at: later.toISOString() };
    expect(releasing.selection).toMatchObject({ state: 'releasing', error });
    expect(finalizationFailed(releasing, { code: 'X', message: 'again' }, later)).toBe(releasing);
    refused(() => editPartialInvoice(job, releasing, {}, expenditures, later), 'conflict', 'SELECTION_NOT_OPEN');
    const open = selectionReleased(releasing, later);
    expect(open.selection).toMatchObject({ state: 'open', error });
    expect(selectionReleased(open, later)).toBe(open);
    const again = authorizeSelection(open, ZERO_OFF, {}, later);
    expect(again.selection).toMatchObject({ state: 'settling', error: null, finalization: { attempt: 2 } });
    expect(finalizationKey(again)).toBe('inv_1-2');
    // Once issued there is nothing to give back: a late Catch changes nothing.
    const { invoice } = finalized(job, expenditures);
    expect(finalizationFailed(invoice, { code: 'SEND_FAILED', message: 'mail down' }, later)).toBe(invoice);
  });

  it('CopyLines makes the same lines from the settled expenditures (a retry writes nothing), and refuses one not settled', () => {
    const { job, expenditures } = bookedJob(mixed);
    const settled = selectionSettled(
      authorizeSelection(written(draftOf(job, expenditures, { copy: 'grouped_by_kind' }), expenditures), ZERO_OFF, {}, T0),
      T0,
    );
    const settledExpenditures = expenditures.map((e) => settleExpenditure(selectExpenditure(e, 'inv_1', T0), 'inv_1', T0));
    expect(copySettledLines(job, settled, [...settledExpenditures].reverse(), T0)).toBe(settled);
    const others = settledExpenditures.slice(1);
    const onlySelected = selectExpenditure(expenditures[0]!, 'inv_1', T0);
    refused(() => copySettledLines(job, settled, [onlySelected, ...others], T0), 'conflict', 'SELECTION_NOT_SETTLED');
    refused(() => copySettledLines(job, settled, others, T0), 'conflict', 'SELECTION_NOT_SETTLED');
  });
});

describe('WIP journal entries', () => {
  it('moves the settled cost from WIP to cost of sales beside receivable, revenue and tax, balanced, at the tenant codes', () => {
    const { job, expenditures } = bookedJob(mixed);
    const { invoice } = finalized(job, expenditures, { taxRate: '20' });
    const entries = journalEntries(invoice as Numbered, { wipAccount: '1450', costOfSalesAccount: '4400' });
    expect(entries.map((e) => [e.account, e.accountCode ?? null, e.debit, e.credit])).toEqual([
      ['accounts_receivable', null, '941.40', '0.00'],
      ['revenue', null, '0.00', '784.50'],
      ['tax_payable', null, '0.00', '156.90'],
      ['cost_of_sales', '4400', '484.01', '0.00'],
      ['work_in_process', '1450', '0.00', '484.01'],
    ]);
    expect(balanceOf(entries)).toEqual({ debit: '1425.41', credit: '1425.41' });
  });

  it('takes nothing out of WIP for a zero selection: only the invoice is posted', () => {
    const { job } = bookedJob(mixed);
    const open = draftOf(job, [], { lines: [{ description: 'Fee', unitPrice: '100' }] });
    const settled = selectionSettled(authorizeSelection(open, { allowZeroSelectionApproval: true }, {}, T0), T0);
    const invoice = issue(settled, 'INV-1', TODAY, SETTINGS, T0) as Numbered;
    expect(journalEntries(invoice).map((e) => e.account)).toEqual(['accounts_receivable', 'revenue']);
  });
});

describe('reversal', () => {
  const reversed = () => {
    const { job, expenditures } = bookedJob(mixed);
    const { invoice, job: billed } = finalized(job, expenditures.slice(0, 3), {
      copy: 'itemized',
      taxRate: '19',
      lines: [{ description: 'Travel', quantity: '3', unitPrice: '12.345', taxRate: '7' }],
    });
    const draft = reversalOf(invoice, 'inv_cn', T0);
    const creditNote = issue(draft, 'CN-1', TODAY, SETTINGS, T0);
    return { job, billed, invoice, draft, creditNote };
  };

  it('credits all of it: every line negated, its tax per rate exactly negated, in the credit-note series', () => {
    const { invoice, draft, creditNote } = reversed();
    expectBalanced(draft);
    expect(draft.lines.map((l) => [l.kind, l.quantity, l.unitPrice, l.amount, l.correctsInvoiceId])).toEqual(
      invoice.lines.map((l) => [
        'correction',
        l.quantity === '0' ? '0' : `-${l.quantity}`,
        l.unitPrice,
        `-${l.amount}`,
        invoice.id,
      ]),
    );
    expect(draft.taxes).toEqual(invoice.taxes.map((t) => ({ rate: t.rate, base: `-${t.base}`, amount: `-${t.amount}` })));
    expect(draft.totals).toEqual({
      net: `-${invoice.totals.net}`,
      tax: `-${invoice.totals.tax}`,
      gross: `-${invoice.totals.gross}`,
    });
    expect(draft).toMatchObject({ policy: 'time_and_material', type: 'partial', selection: null, settledCost: '-150.68' });
    expect(draft.reversal).toEqual({ invoiceId: invoice.id, state: 'restoring' });
    expect(seriesOf(draft)).toBe('credit_note');
    expect(creditNote.series).toBe('credit_note');
    expect(() => assertIssuable(draft)).not.toThrow();
  });

  it('posts the mirror of the invoice: WIP restored (debit WIP, credit cost of sales); both sets balance and net to zero', () => {
    const { invoice, creditNote } = reversed();
    const original = journalEntries(invoice as Numbered);
    const undo = journalEntries(creditNote as Numbered);
    expect(
      undo
        .filter((e) => e.account === 'work_in_process' || e.account === 'cost_of_sales')
        .map((e) => [e.account, e.debit, e.credit]),
    ).toEqual([
      ['cost_of_sales', '0.00', '150.68'],
      ['work_in_process', '150.68', '0.00'],
    ]);
    expect(undo.map((e) => [e.account, e.credit, e.debit])).toEqual(original.map((e) => [e.account, e.debit, e.credit]));
    const sides = balanceOf(undo);
    expect(sides.debit).toBe(sides.credit);
    const byAccount = new Map<string, string>();
    for (const e of [...original, ...undo]) {
      byAccount.set(
        e.account,
        sumAmounts([byAccount.get(e.account) ?? '0', e.debit])
          .minus(e.credit)
          .toFixed(2),
      );
    }
    expect([...byAccount.values()].every((v) => v === '0.00')).toBe(true);
  });

  it('takes the job back to what it had invoiced before the partial invoice', () => {
    const { job, billed, creditNote } = reversed();
    expect(billed.invoicedToDate).toBe('371.54');
    expect(applyInvoice(billed, creditNote, 1, T0).invoicedToDate).toBe(toAmountString(job.invoicedToDate, 'EUR'));
  });

  it('marks the invoice reversed and fully credited; a second reversal is refused (409 INVOICE_REVERSED)', () => {
    const { invoice, creditNote } = reversed();
    const after = reversedInvoice(invoice, creditNote, T0);
    expect(after).toMatchObject({
      reversedBy: 'inv_cn',
      creditedNet: invoice.totals.net,
      correctedBy: 1,
      version: invoice.version + 1,
    });
    refused(() => reversalOf(after, 'inv_cn2', T0), 'conflict', 'INVOICE_REVERSED');
    refused(() => reversedInvoice(after, creditNote, T0), 'conflict', 'INVOICE_REVERSED');
    const restored = reversalRestored(creditNote, T0);
    expect(restored.reversal?.state).toBe('restored');
    expect(reversalRestored(restored, T0)).toBe(restored);
  });

  it('reverses only an issued partial invoice; neither it nor its credit note is voided (409 REVERSAL_REQUIRED)', () => {
    const { job, expenditures } = bookedJob(mixed);
    const { invoice, creditNote } = reversed();
    refused(() => assertReversible(draftOf(job, expenditures)), 'conflict', 'INVOICE_NOT_REVERSIBLE');
    refused(() => assertReversible(creditNote), 'conflict', 'INVOICE_NOT_REVERSIBLE');
    refused(() => assertReversible({ ...invoice, status: 'voided' }), 'conflict', 'INVOICE_NOT_REVERSIBLE');
    refused(() => assertMayVoid(invoice), 'conflict', 'REVERSAL_REQUIRED');
    refused(() => assertMayVoid(creditNote), 'conflict', 'REVERSAL_REQUIRED');
  });

  it('is refused on a billed job, as every partial invoice (409 JOB_BILLED)', () => {
    const { billed, creditNote } = reversed();
    const done = { ...closeJob(billed, T0), status: 'billed' as const };
    refused(() => applyInvoice(done, creditNote, 1, T0), 'conflict', 'JOB_BILLED');
  });
});
