import { DomainError, invalidField, unknownReference } from './errors.js';
import { isIssued, touchedInvoice, type Invoice } from './invoice.js';
import { amount, sumAmounts, toAmountString } from './money.js';

/** Each corrected invoice is one more item in the issue and void transactions, which take 100 at most. */
export const MAX_CORRECTED_INVOICES = 20;

/** A line as drafted or as issued: either may name the invoice it corrects. */
export interface CorrectingLine {
  correctsInvoiceId?: string | null | undefined;
}

/** The invoices that lines correct, each once; more than MAX_CORRECTED_INVOICES is refused (400 naming lines). */
export const correctedIds = (lines: CorrectingLine[]): string[] => {
  const ids = [...new Set(lines.map((l) => l.correctsInvoiceId).filter((id): id is string => !!id))];
  if (ids.length > MAX_CORRECTED_INVOICES) {
    throw invalidField('lines', 'too_many_invoices', `may correct at most ${MAX_CORRECTED_INVOICES} invoices, not ${ids.length}`);
  }
  return ids;
};

/** A line may correct only an issued invoice of the same job (a void one only when a void gives its credit back). */
export const correctedInvoice = (
  jobId: string | null,
  corrected: Invoice[],
  id: string,
  line: number,
  mustBeIssued = true,
): Invoice => {
  const invoice = corrected.find((c) => c.id === id);
  if (!invoice || invoice.jobId !== jobId || (mustBeIssued && !isIssued(invoice))) {
    throw unknownReference('invoice', `lines.${line}.correctsInvoiceId`);
  }
  return invoice;
};

/** A refusal names the correction's lines while it is issued; a void has no lines to name. */
const refuse = (code: string, message: string, sign: 1 | -1): never => {
  throw new DomainError('rule', code, message, sign === 1 ? [{ field: 'lines', code: code.toLowerCase(), message }] : []);
};

/**
 * The corrected invoices once a correction is issued (`sign` 1) or voided (-1), each at its next
 * version with `creditedNet` moved by what the correction's lines against it take back (the
 * negated sum of those lines). What is credited stays between zero and the invoice's net, in the
 * net's direction: a credit note can be taken back, not deepened. Invoices the lines move by
 * nothing are left alone.
 */
export const applyCredits = (
  correction: Invoice,
  corrected: Invoice[],
  sign: 1 | -1,
  now: Date,
): { next: Invoice; previous: Invoice }[] =>
  correctedIds(correction.lines).flatMap((id) => {
    const line = correction.lines.findIndex((l) => l.correctsInvoiceId === id);
    const invoice = correctedInvoice(correction.jobId, corrected, id, line, sign === 1);
    const against = correction.lines.filter((l) => l.correctsInvoiceId === id).map((l) => l.amount);
    const moved = sumAmounts(against).negated().times(sign);
    if (moved.isZero()) return [];
    const net = amount(invoice.totals.net);
    const credited = amount(invoice.creditedNet).plus(moved);
    const direction = net.isNegative() ? -1 : 1;
    const money = (value: Parameters<typeof toAmountString>[0]) => toAmountString(value, invoice.currency);
    if (credited.times(direction).gt(net.abs())) {
      refuse(
        'INVOICE_OVERCREDITED',
        `This would credit ${money(credited)} against invoice ${invoice.number}, whose net is ${invoice.totals.net}: credits may take back at most its net`,
        sign,
      );
    }
    if (credited.times(direction).isNegative()) {
      refuse(
        'INVOICE_REBILLED_PAST_CREDITS',
        `Invoice ${invoice.number} has ${invoice.creditedNet} credited against it: corrections may bill back at most that (bill more without correctsInvoiceId; void a rebill before the credit it gives back)`,
        sign,
      );
    }
    const next = touchedInvoice(invoice, now, { creditedNet: money(credited), correctedBy: invoice.correctedBy + sign });
    return [{ next, previous: invoice }];
  });
