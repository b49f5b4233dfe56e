import { DomainError, invalidField, unknownReference } from './errors.js';
import { selectExpenditure, type Expenditure } from './expenditure.js';
import { EXPENDITURE_KINDS, expenditureTotalsOf, type ExpenditureKind, type ExpenditureTotal } from './expenditure-totals.js';
import { assertDraft, isIssued, touchedInvoice, withTotals, type Invoice } from './invoice.js';
import { toLine, type LineDraft } from './invoice-lines.js';
import { chargeWeights, commonRate, draftInvoice } from './invoice-policies.js';
import { applyInvoice } from './job-ledger.js';
import type { Job } from './job.js';
import type { CopyMode, Selection, SelectionState, SelectionTotals } from './selection.js';
import {
  allocate,
  amount,
  assertPayable,
  assertWithinBound,
  Dec,
  roundMoney,
  sumAmounts,
  toAmountString,
  type Amount,
} from './money.js';

export { COPY_MODES, SELECTION_STATES } from './selection.js';
export type { CopyMode, Reversal, Selection, SelectionError, SelectionState, SelectionTotals } from './selection.js';

/** The most expenditures one partial invoice selects: its itemized lines stay far within what an invoice may weigh. */
export const MAX_SELECTED_EXPENDITURES = 1000;
/** The most free lines one partial invoice carries beside its copied ones. */
export const MAX_FREE_LINES = 100;

/** A line given with the draft, beside the copied ones: quantity default 1, tax rate default the draft's. */
export interface FreeLine {
  description: string;
  quantity?: string;
  unitPrice: string;
  taxRate?: string;
}

export interface PartialDraftInput {
  expenditureIds: string[];
  lines?: FreeLine[];
  /** Default: itemized without free lines, none with them (the lines given are then the invoice's). */
  copy?: CopyMode;
  /** Default: the rate the job's charges all share, else 0 (as for a deposit). */
  taxRate?: string;
  customerId: string;
  issueDate?: string | null;
  dueDate?: string | null;
  dueDays?: number | null;
  notes?: string | null;
  allowOverbilling?: boolean;
}

export interface PartialPatch {
  expenditureIds?: string[];
  lines?: FreeLine[];
  copy?: CopyMode;
  taxRate?: string;
}

const conflict = (code: string, message: string): DomainError => new DomainError('conflict', code, message);

const totalOf = (expenditures: Expenditure[], currency: string): ExpenditureTotal => ({
  count: expenditures.length,
  cost: toAmountString(sumAmounts(expenditures.map((e) => e.cost)), currency),
  salesValue: toAmountString(sumAmounts(expenditures.map((e) => e.salesValue)), currency),
});

/** What the selected expenditures add up to, in all and per kind. */
export const selectionTotals = (expenditures: Expenditure[], currency: string): SelectionTotals => ({
  ...totalOf(expenditures, currency),
  byKind: Object.fromEntries(
    EXPENDITURE_KINDS.map((kind) => [
      kind,
      totalOf(
        expenditures.filter((e) => e.kind === kind),
        currency,
      ),
    ]),
  ) as Record<ExpenditureKind, ExpenditureTotal>,
});

const KIND_LABELS: Record<ExpenditureKind, string> = { hours: 'Hours', material: 'Material', purchase: 'Purchases' };

const counted = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

// Read in any order (a batch read's), copied in one: by date, then id.
const byDateThenId = (a: Expenditure, b: Expenditure): number => a.date.localeCompare(b.date) || (a.id < b.id ? -1 : 1);

const sales = (expenditures: Expenditure[]) => sumAmounts(expenditures.map((e) => e.salesValue));

/**
 * The lines copied from the selection, each at `taxRate`: an itemized line bills its expenditure's
 * quantity at its unit price for its sales value; a grouped or summary line bills quantity 1 at the
 * sum of the sales values (hours summed in its text: hours at several rates have no exact unit
 * price). Every amount is a sum of sales values already rounded, so nothing is allocated.
 */
export const copiedLines = (expenditures: Expenditure[], copy: CopyMode, taxRate: string): LineDraft[] => {
  if (copy === 'none' || expenditures.length === 0) return [];
  if (copy === 'summary') {
    const description = `Time and material (${counted(expenditures.length, 'expenditure')})`;
    return [{ kind: 'work', description, amount: sales(expenditures), taxRate }];
  }
  if (copy === 'grouped_by_kind') {
    return EXPENDITURE_KINDS.flatMap((kind) => {
      const ofKind = expenditures.filter((e) => e.kind === kind);
      if (ofKind.length === 0) return [];
      const extent =
        kind === 'hours' ? `${sumAmounts(ofKind.map((e) => e.quantity)).toFixed()} h` : counted(ofKind.length, 'expenditure');
      const group = KIND_LABELS[kind];
      return [{ kind: 'work' as const, description: `${group} (${extent})`, amount: sales(ofKind), taxRate, group }];
    });
  }
  return [...expenditures].sort(byDateThenId).map((e) => ({
    kind: 'work' as const,
    description: `${e.date} ${e.description}${e.resource ? ` (${e.resource})` : ''}`,
    quantity: e.quantity,
    unitPrice: e.unitPrice,
    amount: amount(e.salesValue),
    taxRate,
    group: KIND_LABELS[e.kind],
  }));
};

const freeLine = (line: FreeLine, i: number, taxRate: string, currency: string): LineDraft => {
  const quantity = line.quantity ?? '1';
  const lineAmount = roundMoney(
    amount(quantity, `lines.${i}.quantity`).times(amount(line.unitPrice, `lines.${i}.unitPrice`)),
    currency,
  );
  assertWithinBound([lineAmount], currency, `Line ${i + 1}`, [`lines.${i}.quantity`, `lines.${i}.unitPrice`]);
  return {
    kind: 'work',
    description: line.description,
    quantity,
    unitPrice: line.unitPrice,
    amount: lineAmount,
    taxRate: line.taxRate ?? taxRate,
  };
};

/** The free lines of a partial invoice as they were given. */
const freeLinesOf = (invoice: Invoice, selection: Selection): FreeLine[] =>
  invoice.lines
    .slice(selection.copiedLines)
    .map(({ description, quantity, unitPrice, taxRate }) => ({ description, quantity, unitPrice, taxRate }));

/** Copied lines first, then the free ones; refused past the amount bound as any invoice is. */
const linesFor = (
  currency: string,
  selected: Expenditure[],
  copy: CopyMode,
  taxRate: string,
  free: FreeLine[],
  fields: string[],
): { drafts: LineDraft[]; copied: number } => {
  if (free.length > MAX_FREE_LINES) {
    throw invalidField('lines', 'too_many', `a partial invoice carries at most ${MAX_FREE_LINES} free lines`);
  }
  const copied = copiedLines(selected, copy, taxRate);
  const drafts = [...copied, ...free.map((line, i) => freeLine(line, i, taxRate, currency))];
  assertPayable(
    drafts.map((d) => ({ net: d.amount, taxRate: d.taxRate })),
    currency,
    'The invoice',
    fields,
  );
  return { drafts, copied: copied.length };
};

/**
 * The expenditures of a selection in its order, each checked as selecting it would be: listed
 * once, of the job, booked, and unbilled in no other selection (held by this draft already is
 * fine). A refusal names the entry of `expenditureIds`.
 */
const checkSelection = (job: Job, ids: string[], found: Expenditure[], invoiceId: string, now: Date): Expenditure[] => {
  if (ids.length > MAX_SELECTED_EXPENDITURES) {
    const message = `A partial invoice selects at most ${MAX_SELECTED_EXPENDITURES} expenditures, not ${ids.length}`;
    throw new DomainError('rule', 'SELECTION_TOO_LARGE', message, [{ field: 'expenditureIds', code: 'too_many', message }]);
  }
  const byId = new Map(found.map((e) => [e.id, e]));
  const seen = new Set<string>();
  return ids.map((id, i) => {
    const field = `expenditureIds.${i}`;
    if (seen.has(id)) throw invalidField(field, 'duplicate', 'each expenditure may be selected once');
    seen.add(id);
    const e = byId.get(id);
    if (!e || e.jobId !== job.id) throw unknownReference('expenditure', field);
    try {
      selectExpenditure(e, invoiceId, now);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      throw new DomainError(error.kind, error.code, error.message, [
        { field, code: error.code.toLowerCase(), message: error.message },
      ]);
    }
    return e;
  });
};

const amountFields = (given: { lines?: unknown }): string[] => ['expenditureIds', ...(given.lines ? ['lines'] : [])];

/** What is to be written to go from one selection to another: additions first (they can be refused), then releases. */
const pendingOf = (before: string[], after: string[]): Selection['pending'] => {
  const was = new Set(before);
  const is = new Set(after);
  const select = after.filter((id) => !was.has(id));
  const release = before.filter((id) => !is.has(id));
  return select.length + release.length > 0 ? { select, release } : null;
};

/**
 * A milestone job is priced by its milestones, which bill themselves: a partial invoice there would
 * bill that price twice (422 JOB_BILLED_BY_MILESTONES). Its expenditures are its cost, never billed.
 */
const assertBilledByPartialInvoices = (job: Job): void => {
  if (job.billingType !== 'milestone') return;
  throw new DomainError(
    'rule',
    'JOB_BILLED_BY_MILESTONES',
    `Job ${job.id} is billed by its milestones: a partial invoice of its expenditures would bill its price twice`,
  );
};

/**
 * A new partial invoice draft of the job selecting `input.expenditureIds` (`expenditures`: those
 * read for them), checked as issuing it would be (policy, price, amounts), and the job as issuing it
 * will leave it. It starts `selecting` (`open` when it selects none): the store marks the
 * expenditures of `selection.pending.select` as selected by it (selectExpenditure), then moves it
 * to open (`selectionWritten`).
 */
/**
 * The rate a draft's lines are taxed at unless it says: the one its job's charges share, else 0 (a
 * time and material job has no charges). A phase of a fixed-price job whose charges are taxed at
 * several rates must say which (422 TAX_RATE_REQUIRED): 0 would bill taxable work untaxed.
 */
const defaultRate = (job: Job): string => {
  const common = commonRate(job);
  if (common !== undefined || job.billingType !== 'fixed_price' || job.charges.length === 0) return common ?? '0';
  const message = "The job's charges are taxed at different rates: give the rate this phase is billed at";
  throw new DomainError('rule', 'TAX_RATE_REQUIRED', message, [{ field: 'taxRate', code: 'required', message }]);
};

export const draftPartialInvoice = (
  job: Job,
  input: PartialDraftInput,
  expenditures: Expenditure[],
  id: string,
  now: Date,
): { invoice: Invoice; job: Job } => {
  assertBilledByPartialInvoices(job);
  const selected = checkSelection(job, input.expenditureIds, expenditures, id, now);
  const free = input.lines ?? [];
  const copy = input.copy ?? (free.length > 0 ? 'none' : 'itemized');
  const taxRate = amount(input.taxRate ?? defaultRate(job), 'taxRate').toFixed();
  const { drafts, copied } = linesFor(job.currency, selected, copy, taxRate, free, amountFields(input));
  const { expenditureIds: _, lines: _lines, copy: _copy, taxRate: _rate, ...fields } = input;
  const drafted = draftInvoice(job, { ...fields, policy: 'time_and_material', partialLines: drafts }, id, now);
  const totals = selectionTotals(selected, job.currency);
  const pending = pendingOf([], input.expenditureIds);
  const selection: Selection = {
    state: pending ? 'selecting' : 'open',
    expenditureIds: input.expenditureIds,
    pending,
    totals,
    copy,
    taxRate,
    copiedLines: copied,
    finalization: { attempt: 0, requestedAt: null, send: false },
    error: null,
  };
  return {
    invoice: { ...drafted.invoice, selection, settledCost: totals.cost, reversal: null, reversedBy: null },
    job: drafted.job,
  };
};

/** The selection of a time and material partial invoice; any other invoice has none to work on (409). */
export const selectionOf = (invoice: Invoice): Selection => {
  if (invoice.policy !== 'time_and_material' || !invoice.selection) {
    throw conflict('NOT_A_PARTIAL_INVOICE', `Invoice ${invoice.id} is not a time and material partial invoice`);
  }
  return invoice.selection;
};

/**
 * Selection and lines change only while the draft is open: not while its selection is being
 * written or given back, nor once its finalization is requested. The service applies this to every
 * change of a partial invoice draft (its dates and notes too: finalizing issues what was authorized)
 * and to deleting it.
 */
export const assertSelectionOpen = (invoice: Invoice): Selection => {
  assertDraft(invoice);
  const selection = selectionOf(invoice);
  if (selection.state === 'settling' || selection.state === 'settled') {
    throw conflict('FINALIZATION_IN_PROGRESS', `Invoice ${invoice.id} is being finalized; it can change if that fails`);
  }
  if (selection.state !== 'open') {
    throw conflict('SELECTION_NOT_OPEN', `The selection of invoice ${invoice.id} is ${selection.state}; try again shortly`);
  }
  return selection;
};

/** The draft's lines and selection made again from `selected` (its copied lines, then its free lines), totals with them. */
const rebuilt = (
  invoice: Invoice,
  selection: Selection,
  ids: string[],
  selected: Expenditure[],
  change: Pick<Selection, 'copy' | 'taxRate' | 'pending' | 'state'>,
  free: FreeLine[],
  fields: string[],
  now: Date,
): Invoice => {
  const { currency } = invoice;
  const { drafts, copied } = linesFor(currency, selected, change.copy, change.taxRate, free, fields);
  const totals = selectionTotals(selected, currency);
  return withTotals(
    touchedInvoice(invoice, now, {
      lines: drafts.map((d, i) => toLine(d, i, currency)),
      selection: { ...selection, ...change, expenditureIds: ids, totals, copiedLines: copied },
      settledCost: totals.cost,
    }),
  );
};

/**
 * The draft with its selection, copy mode, tax rate or free lines changed (only while open).
 * `expenditures` are those read for the selection it is to have. A changed selection makes it
 * `selecting` again, with what the store must mark and give back in `selection.pending`.
 */
export const editPartialInvoice = (
  job: Job,
  invoice: Invoice,
  patch: PartialPatch,
  expenditures: Expenditure[],
  now: Date,
): { invoice: Invoice; job: Job } => {
  const selection = assertSelectionOpen(invoice);
  const ids = patch.expenditureIds ?? selection.expenditureIds;
  const selected = checkSelection(job, ids, expenditures, invoice.id, now);
  const pending = pendingOf(selection.expenditureIds, ids);
  const change = {
    copy: patch.copy ?? selection.copy,
    taxRate: patch.taxRate === undefined ? selection.taxRate : amount(patch.taxRate, 'taxRate').toFixed(),
    pending,
    state: pending ? ('selecting' as const) : ('open' as const),
  };
  const free = patch.lines ?? freeLinesOf(invoice, selection);
  const next = rebuilt(invoice, selection, ids, selected, change, free, amountFields(patch), now);
  return { invoice: next, job: applyInvoice(job, next, 1, now) };
};

const expectState = (invoice: Invoice, from: SelectionState, code: string): Selection => {
  assertDraft(invoice);
  const selection = selectionOf(invoice);
  if (selection.state !== from) {
    throw conflict(code, `The selection of invoice ${invoice.id} is ${selection.state}, not ${from}`);
  }
  return selection;
};

const moved = (invoice: Invoice, selection: Selection, change: Partial<Selection>, now: Date): Invoice =>
  touchedInvoice(invoice, now, { selection: { ...selection, ...change } });

/**
 * Every mark of the selection is written: the draft is open, its lines and totals made again from
 * `held`, the expenditures as marked (one changed after the draft read it and before it was marked
 * is billed as it is now, and shown so). Open already: the same object (a retried step writes nothing).
 */
export const selectionWritten = (invoice: Invoice, held: Expenditure[], now: Date): Invoice => {
  if (invoice.selection?.state === 'open') return invoice;
  const selection = expectState(invoice, 'selecting', 'SELECTION_NOT_SELECTING');
  const byId = new Map(held.map((e) => [e.id, e]));
  const selected = selection.expenditureIds.map((id) => {
    const e = byId.get(id);
    if (!e || e.selection !== invoice.id)
      throw conflict('SELECTION_MOVED', `Expenditure ${id} is not marked for invoice ${invoice.id}`);
    return e;
  });
  const change = { copy: selection.copy, taxRate: selection.taxRate, pending: null, state: 'open' as const };
  return rebuilt(invoice, selection, selection.expenditureIds, selected, change, freeLinesOf(invoice, selection), [], now);
};

/**
 * The draft giving its whole selection back, to be deleted: a change to none that checks nothing of
 * the job's ledger (deleting a draft bills nothing, so nothing the job became since refuses it).
 */
export const selectionEmptied = (invoice: Invoice, now: Date): Invoice => {
  const selection = assertSelectionOpen(invoice);
  const pending = pendingOf(selection.expenditureIds, []);
  const change = {
    copy: selection.copy,
    taxRate: selection.taxRate,
    pending,
    state: pending ? ('selecting' as const) : ('open' as const),
  };
  return rebuilt(invoice, selection, [], [], change, freeLinesOf(invoice, selection), [], now);
};

/**
 * A change of selection that cannot be completed (an expenditure it adds was taken by another
 * draft meanwhile): back to the selection before it, open, and what the store must give back (the
 * additions it may have marked: releasing one it did not mark changes nothing). `expenditures` are
 * those of the selection before. A new draft that is refused is deleted instead, once those are given back.
 */
export const revertSelection = (
  job: Job,
  invoice: Invoice,
  expenditures: Expenditure[],
  now: Date,
): { invoice: Invoice; release: string[] } => {
  const selection = expectState(invoice, 'selecting', 'SELECTION_NOT_SELECTING');
  const { select, release } = selection.pending ?? { select: [], release: [] };
  const added = new Set(select);
  const ids = [...selection.expenditureIds.filter((id) => !added.has(id)), ...release];
  const selected = checkSelection(job, ids, expenditures, invoice.id, now);
  const change = { copy: selection.copy, taxRate: selection.taxRate, pending: null, state: 'open' as const };
  const next = rebuilt(invoice, selection, ids, selected, change, freeLinesOf(invoice, selection), [], now);
  return { invoice: next, release: select };
};

/** The settings authorizing depends on (tenant settings). */
export interface AuthorizationSettings {
  /** On: a selection of no expenditures may be authorized (its amount goes to P/L with nothing leaving WIP). */
  allowZeroSelectionApproval: boolean;
}

/**
 * The go-ahead (`POST /v1/partial-invoices/{id}/approve`): an open draft that bills something
 * (net and gross above zero) and selects expenditures, or none where the tenant allows it, moves to
 * `settling`; its finalization is requested as attempt N, which names the workflow execution
 * (`finalizationKey`). The error of a failed attempt is cleared.
 */
export const authorizeSelection = (
  invoice: Invoice,
  settings: AuthorizationSettings,
  options: { send?: boolean },
  now: Date,
): Invoice => {
  const selection = assertSelectionOpen(invoice);
  if (selection.expenditureIds.length === 0 && !settings.allowZeroSelectionApproval) {
    const message = 'The selection is empty: select the expenditures this invoice settles';
    throw new DomainError('rule', 'EMPTY_SELECTION', message, [{ field: 'expenditureIds', code: 'empty', message }]);
  }
  if (!amount(invoice.totals.net).gt(0) || !amount(invoice.totals.gross).gt(0)) {
    const message = `The invoice bills ${invoice.totals.gross} ${invoice.currency}: give it lines, or copy them from its selection`;
    throw new DomainError('rule', 'NOTHING_TO_BILL', message, [{ field: 'lines', code: 'nothing_to_bill', message }]);
  }
  return moved(
    invoice,
    selection,
    {
      state: 'settling',
      finalization: { attempt: selection.finalization.attempt + 1, requestedAt: now.toISOString(), send: options.send ?? false },
      error: null,
    },
    now,
  );
};

/** The business key of a finalization: one workflow execution per requested attempt. */
export const finalizationKey = (invoice: Invoice): string => `${invoice.id}-${selectionOf(invoice).finalization.attempt}`;

/** Every expenditure of the selection is settled (settleExpenditure, in chunks): settled. Settled already: the same object. */
export const selectionSettled = (invoice: Invoice, now: Date): Invoice => {
  if (invoice.selection?.state === 'settled') return invoice;
  return moved(invoice, expectState(invoice, 'settling', 'SELECTION_NOT_SETTLING'), { state: 'settled' }, now);
};

/**
 * CopyLines: the copied lines made again from the settled expenditures (exactly the selection,
 * each settled by this invoice, else 409 SELECTION_NOT_SETTLED), free lines kept. They come out as
 * drafted, since a selected expenditure cannot change: the same object then, so that a retried step
 * writes nothing.
 */
export const copySettledLines = (job: Job, invoice: Invoice, settled: Expenditure[], now: Date): Invoice => {
  const selection = expectState(invoice, 'settled', 'SELECTION_NOT_SETTLED');
  const byId = new Map(settled.map((e) => [e.id, e]));
  const selected = selection.expenditureIds.map((id) => {
    const e = byId.get(id);
    if (!e || e.status !== 'settled' || e.settledBy !== invoice.id) {
      throw conflict('SELECTION_NOT_SETTLED', `Expenditure ${id} is not settled by invoice ${invoice.id}`);
    }
    return e;
  });
  const change = { copy: selection.copy, taxRate: selection.taxRate, pending: null, state: 'settled' as const };
  const free = freeLinesOf(invoice, selection);
  const next = rebuilt(invoice, selection, selection.expenditureIds, selected, change, free, [], now);
  const same = JSON.stringify(next.lines) === JSON.stringify(invoice.lines);
  return same ? invoice : next;
};

/**
 * On a job priced by its charges (fixed price), a partial invoice bills a phase of that price: the
 * net of its work lines is allocated to the charges as a milestone's is (chargeWeights: by what each
 * has left to bill), recorded as the lines' allocations, so that the final invoice bills only the
 * rest and billing past a charge or the price is refused as for any invoice. Made at issue, against
 * the job as it is then (a draft lives long). The lines, laid end to end, bill the charges' shares
 * laid end to end: each line the charges its stretch covers, so that per charge the lines add up
 * exactly to its share and a line touches few charges (an itemized invoice of 1,000 lines stays
 * small). Any other invoice or job, lines allocated already, or one billing nothing (no work lines:
 * the credit note of a reversal, which carries its invoice's allocations negated): the same object.
 */
export const allocatedToCharges = (job: Job, invoice: Invoice): Invoice => {
  const { currency, charges } = job;
  const total = sumAmounts(invoice.lines.filter((l) => l.kind === 'work').map((l) => l.amount));
  const phased = invoice.policy === 'time_and_material' && job.billingType === 'fixed_price' && charges.length > 0;
  if (!phased || invoice.lines.some((l) => l.allocations.length > 0) || !total.gt(0)) return invoice;
  const shares = allocate(total, chargeWeights(job, total), currency);
  const ends = shares.map((_, i) => sumAmounts(shares.slice(0, i + 1)));
  // What of the stretch from 0 to `at` falls on charge i: the first takes what lies before 0, the last what lies past the total.
  const covered = (at: Amount, i: number): Amount => {
    const upTo = i === charges.length - 1 ? at : Dec.min(at, ends[i]!);
    return i === 0 ? upTo : Dec.max(upTo, ends[i - 1]!).minus(ends[i - 1]!);
  };
  let at = amount(0);
  const lines = invoice.lines.map((line) => {
    if (line.kind !== 'work') return line;
    const from = at;
    at = at.plus(line.amount);
    const allocations = charges.flatMap((c, i) => {
      const part = covered(at, i).minus(covered(from, i));
      return part.isZero() ? [] : [{ chargeId: c.id, amount: toAmountString(part, currency) }];
    });
    return { ...line, allocations };
  });
  return { ...invoice, lines };
};

/**
 * A time and material job is priced by its booked expenditures: its complete invoice comes after
 * partial invoices settled every one (409 EXPENDITURES_UNBILLED, saying how many are left), or what
 * they are worth would stay in Work in Process with nothing left to bill them. Any other job, or
 * invoice, is not concerned: there expenditures are cost, not price.
 */
export const assertExpendituresBilled = (job: Job): void => {
  if (job.billingType !== 'time_and_material') return;
  const { booked } = expenditureTotalsOf(job);
  const unbilled = EXPENDITURE_KINDS.reduce((n, kind) => n + booked[kind].unbilled.count, 0);
  const selected = EXPENDITURE_KINDS.reduce((n, kind) => n + booked[kind].selected.count, 0);
  if (unbilled + selected === 0) return;
  const where = [
    ...(unbilled > 0 ? [`${unbilled} in no partial invoice`] : []),
    ...(selected > 0 ? [`${selected} selected by a partial invoice draft`] : []),
  ].join(', ');
  throw conflict(
    'EXPENDITURES_UNBILLED',
    `The job has ${counted(unbilled + selected, 'booked expenditure')} not billed (${where}): bill them with a partial invoice (POST /v1/jobs/${job.id}/partial-invoices; a draft is finalized by its approval), or delete them (a selected one once its draft gives it back)`,
  );
};

/**
 * The ordinary issue of a partial invoice draft is refused until its selection is settled
 * (409 FINALIZATION_REQUIRED): it is finalized only through its authorization, whose Finalize step
 * issues it. Other invoices, and the credit note of a reversal, are not concerned.
 */
export const assertIssuable = (invoice: Invoice): void => {
  const state = invoice.policy === 'time_and_material' ? invoice.selection?.state : undefined;
  if (state === undefined || state === 'settled') return;
  const why =
    state === 'settling'
      ? 'its finalization is settling the selection and will issue it'
      : 'authorize its selection with POST /v1/partial-invoices/{id}/approve: finalizing it issues it';
  throw conflict('FINALIZATION_REQUIRED', `A time and material partial invoice is not issued directly: ${why}`);
};

/**
 * The Catch of a finalization: the draft gives its selection back (`releasing`: the store moves each
 * expenditure this invoice settled back into its selection, then calls `selectionReleased`), and
 * keeps why it failed. An invoice that is issued has nothing to give back, and one releasing or
 * released already stays as it is: the same object.
 */
export const finalizationFailed = (invoice: Invoice, error: { code: string; message: string }, now: Date): Invoice => {
  const state = invoice.selection?.state;
  if (invoice.status !== 'draft' || (state !== 'settling' && state !== 'settled')) return invoice;
  const selection = selectionOf(invoice);
  return moved(invoice, selection, { state: 'releasing', error: { ...error, at: now.toISOString() } }, now);
};

/**
 * A finalized invoice whose mail failed: it stands, issued and settled; `selection.error` says it
 * was not sent (POST /v1/invoices/{id}/send sends it). Recorded already: the same object.
 */
export const sendFailed = (invoice: Invoice, error: { code: string; message: string }, now: Date): Invoice => {
  const selection = selectionOf(invoice);
  if (!isIssued(invoice) || selection.error?.code === error.code) return invoice;
  return moved(invoice, selection, { error: { ...error, at: now.toISOString() } }, now);
};

/** Every expenditure is back in the selection: the draft is open again, its error shown. Open already: the same object. */
export const selectionReleased = (invoice: Invoice, now: Date): Invoice => {
  if (invoice.selection?.state === 'open') return invoice;
  return moved(invoice, expectState(invoice, 'releasing', 'SELECTION_NOT_RELEASING'), { state: 'open' }, now);
};
