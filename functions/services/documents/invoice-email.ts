import escapeHtml from 'escape-html';
import { money, numberOrDraft, title, type InvoiceView } from './invoice-view.js';

export interface InvoiceEmail {
  subject: string;
  text: string;
  html: string;
}

/** The mail that carries an invoice: the sender's message, if any, then what is owed and by when. */
export const invoiceEmail = (view: InvoiceView, message?: string): InvoiceEmail => {
  const { invoice } = view;
  const name = `${title(invoice)} ${numberOrDraft(invoice)}`;
  const fee = invoice.lines.find((line) => line.kind === 'late_fee' && line.date);
  const paragraphs = [
    ...(message?.trim() ? message.trim().split(/\n\s*\n/) : []),
    `${name} from ${view.seller.name} is attached as a PDF.`,
    ...(fee
      ? [`It was not paid by its due date: a late fee of ${money(fee.amount, invoice.currency)} was added on ${fee.date}.`]
      : []),
    [
      `Total: ${money(invoice.totals.gross, invoice.currency)}`,
      // Past its due date (a late fee added), the balance is due now, not by a day gone.
      `Balance due: ${money(invoice.balanceDue, invoice.currency)}${fee ? ' now' : invoice.dueDate ? ` by ${invoice.dueDate}` : ''}`,
    ].join('\n'),
  ];
  return {
    subject: `${name} from ${view.seller.name}`,
    text: `${paragraphs.join('\n\n')}\n`,
    html: paragraphs.map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`).join('\n'),
  };
};
