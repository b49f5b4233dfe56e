import type { ExpenditureKind, ExpenditureTotal } from './expenditure-totals.js';

/**
 * A time and material partial invoice (seed 002, policy `time_and_material`): a draft selects booked
 * expenditures of its job and has lines, copied from the selection or given free (they need not
 * match it). Authorized (the staff's or client's go-ahead: never "approved", which is the accounting
 * lifecycle's word), its finalization settles the selection (the expenditures leave Work in
 * Process), copies the lines and issues it; a failure gives the selection back to the draft.
 *
 *   selecting -> open -> settling -> settled -> (issued by Finalize)
 *                  ^         |          |
 *                  +-- releasing <------+   (a failed finalization; the error stays on the draft)
 *
 * `selecting` and `releasing` are the status markers of work done in chunks (a selection of 1,000
 * is more than one transaction): a retry resumes them.
 */
export const SELECTION_STATES = ['selecting', 'open', 'settling', 'settled', 'releasing'] as const;
export type SelectionState = (typeof SELECTION_STATES)[number];

/** How lines are made from the selection: one per expenditure, one per kind, one for all, or none. */
export const COPY_MODES = ['itemized', 'grouped_by_kind', 'summary', 'none'] as const;
export type CopyMode = (typeof COPY_MODES)[number];

/** How many expenditures, at what cost and sales value, in all and per kind; exact sums of amounts already rounded. */
export interface SelectionTotals extends ExpenditureTotal {
  byKind: Record<ExpenditureKind, ExpenditureTotal>;
}

/** Why the last finalization failed, kept on the draft until the next one is requested. */
export interface SelectionError {
  code: string;
  message: string;
  at: string;
}

export interface Selection {
  state: SelectionState;
  /** The selection as it is to be (while selecting, as its marks are being written). */
  expenditureIds: string[];
  /** While selecting: the expenditures still to mark as selected by this draft, then those to give back. */
  pending: { select: string[]; release: string[] } | null;
  totals: SelectionTotals;
  copy: CopyMode;
  /** The rate copied lines are taxed at. */
  taxRate: string;
  /** The invoice's first `copiedLines` lines are copied from the selection; the rest are free lines. */
  copiedLines: number;
  /** The go-ahead: how many finalizations were requested (each one workflow execution), the last when, and whether to send. */
  finalization: { attempt: number; requestedAt: string | null; send: boolean };
  error: SelectionError | null;
}

/** On the credit note reversing a partial invoice: which, and whether its expenditures are billable again. */
export interface Reversal {
  invoiceId: string;
  state: 'restoring' | 'restored';
}
