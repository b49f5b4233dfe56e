import { DomainError } from './errors.js';

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
}

export const defaultSettings = (defaultCurrency: string): Settings => ({
  invoiceNumberFormat: 'INV-{YYYY}-{SEQ:5}',
  creditNoteNumberFormat: 'CN-{YYYY}-{SEQ:5}',
  backdatingDays: 30,
  accountingIntegration: false,
  defaultCurrency,
  defaultDueDays: 30,
});

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
  return format;
};

/**
 * The counter a number is drawn from: one per series, and one per year when the format shows the
 * year, so that numbers restart each year without gaps.
 */
export const counterScope = (format: string, issueDate: string): string =>
  /\{YY(YY)?\}/.test(format) ? issueDate.slice(0, 4) : 'all';

export const formatNumber = (format: string, sequence: number, issueDate: string): string =>
  format.replace(TOKENS, (_, token: string, width?: string) =>
    token === 'YYYY'
      ? issueDate.slice(0, 4)
      : token === 'YY'
        ? issueDate.slice(2, 4)
        : String(sequence).padStart(Number(width ?? 1), '0'),
  );

/** The format with every token as one placeholder: two formats of one shape can print the same number. */
export const numberShape = (format: string): string => format.replace(TOKENS, '\u0000');
