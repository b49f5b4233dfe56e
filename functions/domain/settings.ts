import { DomainError, invalidField } from './errors.js';

/** A tenant's billing settings; every field has a default, so a new tenant can bill at once. */
export interface Settings {
  /** Number format of invoices: `{YYYY}`, `{YY}` and `{SEQ:n}` (the counter, zero-padded to n digits). */
  invoiceNumberFormat: string;
  creditNoteNumberFormat: string;
  /** How many days in the past an issue date may lie. */
  backdatingDays: number;
  /** On: invoiced -> approved -> exported -> posted. Off: invoiced -> posted. */
  accountingIntegration: boolean;
  defaultCurrency: string;
  defaultDueDays: number;
  /** How many days an emailed approval link (a milestone's, a change order's) can be used for. */
  approvalExpiryDays: number;
  /** After how many days a request still undecided is reminded, once, by email (null: never). */
  approvalReminderDays: number | null;
  /** After how many days a request still undecided counts as approved, recorded as deemed (null: never). */
  deemedAcceptanceDays: number | null;
  /** Partial invoices of booked expenditures (time and material) may be made. */
  partialInvoicing: boolean;
  /**
   * A partial invoice with no expenditure selected may be approved. Off by default: its amount would
   * go to P/L while the job's expenditures stay in WIP.
   */
  allowZeroSelectionApproval: boolean;
  /** The account Work in Process is kept on: settling expenditures credits it, at cost. */
  wipAccount: string;
  /** The account settled expenditures are expensed to (debited, at cost). */
  costOfSalesAccount: string;
  /**
   * The IANA zone of the tenant's calendar: what "today" is for issue and payment dates, and the
   * local midnight on which a profile's cycles and a late fee fall.
   */
  timeZone: string;
}

/** The longest an approval link may live: a link is a bearer secret in a mailbox. */
export const MAX_APPROVAL_EXPIRY_DAYS = 90;

/** The widest backdating window: the numbering check relies on it to know how far back a number can be dated. */
export const MAX_BACKDATING_DAYS = 3650;

export const defaultSettings = (defaultCurrency: string): Settings => ({
  invoiceNumberFormat: 'INV-{YYYY}-{SEQ:5}',
  creditNoteNumberFormat: 'CN-{YYYY}-{SEQ:5}',
  backdatingDays: 30,
  accountingIntegration: false,
  defaultCurrency,
  defaultDueDays: 30,
  approvalExpiryDays: 14,
  approvalReminderDays: null,
  deemedAcceptanceDays: null,
  partialInvoicing: true,
  allowZeroSelectionApproval: false,
  wipAccount: 'work_in_process',
  costOfSalesAccount: 'cost_of_sales',
  timeZone: 'UTC',
});

/**
 * The approval timers in their order: a reminder comes before the link expires and before the
 * request is deemed accepted, and acceptance is deemed while the link still works.
 */
export const checkApprovalTimers = (settings: Settings): void => {
  const { approvalExpiryDays: expiry, approvalReminderDays: reminder, deemedAcceptanceDays: deemed } = settings;
  if (reminder !== null && reminder >= (deemed ?? expiry)) {
    const limit = deemed === null ? 'approvalExpiryDays' : 'deemedAcceptanceDays';
    throw invalidField('approvalReminderDays', 'out_of_range', `must be less than ${limit} (${deemed ?? expiry})`);
  }
  if (deemed !== null && deemed > expiry) {
    throw invalidField('deemedAcceptanceDays', 'out_of_range', `must be at most approvalExpiryDays (${expiry})`);
  }
};

/** What an account code may look like: what ledgers take (letters, digits, `_ . : -`), 1 to 40 characters. */
export const ACCOUNT_CODE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,39}$/;

const TOKENS = /\{(YYYY|YY|SEQ(?::(\d{1,2}))?)\}/g;

/** A number format must count ({SEQ}) and may carry the year; anything else in braces is a typo. */
export const checkNumberFormat = (format: string, field: string): string => {
  const rest = format.replace(TOKENS, '');
  const sequences = [...format.matchAll(TOKENS)].filter(([, token]) => token?.startsWith('SEQ')).length;
  if (sequences !== 1 || /[{}]/.test(rest)) {
    throw new DomainError('invalid', 'VALIDATION_FAILED', `${field} needs exactly one {SEQ} or {SEQ:n} and no other braces`, [
      { field, code: 'invalid_format', message: 'needs exactly one {SEQ} or {SEQ:n}; may use {YYYY} and {YY}' },
    ]);
  }
  // A number must read as what it is: no invisible character, no space at either end.
  if (/\p{C}/u.test(format) || format.trim() !== format) {
    throw new DomainError('invalid', 'VALIDATION_FAILED', `${field} holds an invisible character or an outer space`, [
      { field, code: 'invalid_format', message: 'must not start or end with a space, nor hold control or invisible characters' },
    ]);
  }
  return format;
};

/** A format that shows the year counts per year. */
export const countsPerYear = (format: string): boolean => /\{YY(YY)?\}/.test(format);

/**
 * The counter a number is drawn from: one per series, and one per year when the format shows the
 * year, so that numbers restart each year without gaps.
 */
export const counterScope = (format: string, issueDate: string): string =>
  countsPerYear(format) ? issueDate.slice(0, 4) : 'all';

/** `{SEQ:0}` prints like `{SEQ}`: the counter has at least one digit. */
const seqWidth = (width: string | undefined): number => Math.max(1, Number(width ?? 1));

export const formatNumber = (format: string, sequence: number, issueDate: string): string =>
  format.replace(TOKENS, (_, token: string, width?: string) =>
    token === 'YYYY'
      ? issueDate.slice(0, 4)
      : token === 'YY'
        ? issueDate.slice(2, 4)
        : String(sequence).padStart(seqWidth(width), '0'),
  );

/**
 * One piece of a (checked) number format, as `formatNumber` prints it: a literal character, the
 * digits `from` to `from + length` of the issue year (`{YYYY}` 0+4, `{YY}` 2+2), or the counter,
 * zero-padded to `width` digits.
 */
export type NumberToken =
  { kind: 'text'; char: string } | { kind: 'year'; from: 0 | 2; length: 4 | 2 } | { kind: 'seq'; width: number };

export const numberTokens = (format: string): NumberToken[] => {
  const tokens: NumberToken[] = [];
  const text = (chunk: string) => tokens.push(...[...chunk].map((char) => ({ kind: 'text' as const, char })));
  let at = 0;
  for (const match of format.matchAll(TOKENS)) {
    text(format.slice(at, match.index));
    const [whole, token, width] = match;
    tokens.push(
      token === 'YYYY'
        ? { kind: 'year', from: 0, length: 4 }
        : token === 'YY'
          ? { kind: 'year', from: 2, length: 2 }
          : { kind: 'seq', width: seqWidth(width) },
    );
    at = match.index + whole.length;
  }
  text(format.slice(at));
  return tokens;
};
