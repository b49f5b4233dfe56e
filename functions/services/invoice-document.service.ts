import { mailer } from '../adapters/mailer.js';
import { DomainError } from '../domain/errors.js';
import { isIssued } from '../domain/invoice.js';
import { masterJobIdOf } from '../domain/job.js';
import { mailConfig } from '../shared/config.js';
import { getCustomer } from '../store/customer.store.js';
import { getInvoice } from '../store/invoice.store.js';
import { getJob } from '../store/job.store.js';
import { getProfile } from '../store/profile.store.js';
import { getTenant } from '../store/tenant.store.js';
import { invoiceEmail } from './documents/invoice-email.js';
import { renderInvoiceHtml } from './documents/invoice-html.js';
import { renderInvoicePdf } from './documents/invoice-pdf.js';
import { documentFilename, invoiceView, type InvoiceView } from './documents/invoice-view.js';

export type DocumentFormat = 'html' | 'pdf';

export interface InvoiceDocument {
  contentType: string;
  body: string | Buffer;
  filename: string;
}

export interface SendInput {
  /** Default: the customer's email. */
  to?: string;
  cc?: string[];
  /** Put above the invoice summary in the mail. */
  message?: string;
}

/** The invoice with what its document shows: the tenant, the customer it bills and its job or profile. */
const loadView = async (tenantId: string, invoiceId: string): Promise<InvoiceView> => {
  const invoice = await getInvoice(tenantId, invoiceId);
  const [tenant, customer, job, profile] = await Promise.all([
    getTenant(tenantId),
    getCustomer(tenantId, invoice.customerId),
    invoice.jobId === null ? undefined : getJob(tenantId, invoice.jobId),
    invoice.profileId === null ? undefined : getProfile(tenantId, invoice.profileId),
  ]);
  const masterId = job && masterJobIdOf(job);
  const master = masterId ? await getJob(tenantId, masterId) : undefined;
  return invoiceView({ tenant, customer, invoice, job, profile, master });
};

const render = async (view: InvoiceView, format: DocumentFormat): Promise<InvoiceDocument> =>
  format === 'pdf'
    ? { contentType: 'application/pdf', body: await renderInvoicePdf(view), filename: documentFilename(view.invoice, 'pdf') }
    : {
        contentType: 'text/html; charset=utf-8',
        body: renderInvoiceHtml(view),
        filename: documentFilename(view.invoice, 'html'),
      };

/** The invoice as a document, in any status (a draft shows "DRAFT" and a stamp, a voided one "VOID"). */
export const renderInvoice = async (tenantId: string, invoiceId: string, format: DocumentFormat): Promise<InvoiceDocument> =>
  render(await loadView(tenantId, invoiceId), format);

/**
 * Whom an invoice is mailed to: `to`, else the customer's email; with neither, 422 `NO_RECIPIENT`
 * naming `field` (what the request can change to give one).
 */
export const invoiceRecipient = (to: string | undefined, customerEmail: string | null, field: string): string => {
  const recipient = to ?? customerEmail;
  if (!recipient) {
    const message = 'The customer has no email address; say whom to send the invoice to, or give the customer one';
    throw new DomainError('rule', 'NO_RECIPIENT', message, [
      { field, code: 'required', message: 'the customer has no email address' },
    ]);
  }
  return recipient;
};

/**
 * Emails an issued invoice with its PDF attached, to `to` or else the customer's email.
 * A draft or a voided invoice is refused (409 INVOICE_NOT_ISSUED); no recipient is 422 NO_RECIPIENT.
 */
export const sendInvoice = async (
  tenantId: string,
  invoiceId: string,
  input: SendInput,
): Promise<{ messageId: string; to: string[] }> => {
  const view = await loadView(tenantId, invoiceId);
  const { invoice } = view;
  if (!isIssued(invoice)) {
    throw new DomainError('conflict', 'INVOICE_NOT_ISSUED', `Only an issued invoice can be sent; this one is ${invoice.status}`);
  }
  const recipient = invoiceRecipient(input.to, view.billTo.email, 'to');
  const pdf = await renderInvoicePdf(view);
  const { subject, text, html } = invoiceEmail(view, input.message);
  const to = [recipient];
  const { messageId } = await mailer().send({
    from: mailConfig().mailFrom,
    to,
    ...(input.cc?.length ? { cc: input.cc } : {}),
    subject,
    text,
    html,
    attachments: [{ filename: documentFilename(invoice, 'pdf'), contentType: 'application/pdf', content: pdf }],
  });
  return { messageId, to };
};
