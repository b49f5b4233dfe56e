import { z } from 'zod';
import type { Invoice } from '../../domain/invoice.js';
import {
  createDraft,
  deleteDraft,
  findInvoiceByNumber,
  getInvoice,
  listInvoices,
  updateDraft,
} from '../../services/invoice.service.js';
import { issueInvoice } from '../../services/issue-invoice.service.js';
import {
  getPayment,
  moveInvoice,
  recordPayment,
  voidInvoice,
  type RecordedPayment,
} from '../../services/invoice-status.service.js';
import { preferredType } from '../representations.js';
import { created, route } from '../route.js';
import { renderInvoice, sendInvoice } from '../../services/invoice-document.service.js';
import { actionRoute, etag, idParams, ifMatchVersion, pageOf, pageQuery, rangeInOrder, resourceId } from '../schemas.js';
import { billingSchema } from './jobs.routes.js';
import { draftPatch, invoiceSchema, isoDate, newDraft, newPayment } from './invoice.schemas.js';

type IdParams = z.infer<typeof idParams>;

const invoiceQuery = pageQuery
  .extend({
    number: z.string().min(1).max(100).optional(),
    customerId: resourceId.optional(),
    jobId: resourceId.optional(),
    status: z.enum(['draft', 'invoiced', 'approved', 'exported', 'posted', 'voided']).optional(),
    type: z.enum(['partial', 'complete', 'correction']).optional(),
    from: isoDate.optional(),
    to: isoDate.optional(),
  })
  .superRefine(rangeInOrder);

const reply = (status: number, invoice: Invoice, headers: Record<string, string> = {}) => ({
  status,
  body: invoice,
  headers: { ...etag(invoice), ...headers },
});

const sendRequest = z
  .strictObject({
    to: z.email().max(254).optional(),
    cc: z.array(z.email().max(254)).max(10).optional(),
    message: z.string().max(10_000).optional(),
  })
  .optional();
const invoiceResponse = { description: 'The invoice', schema: invoiceSchema };

const paymentParams = idParams.extend({ paymentId: resourceId });
type PaymentParams = z.infer<typeof paymentParams>;

const paymentSchema = invoiceSchema.shape.payments.element
  .extend({
    invoiceId: z.string(),
    invoice: invoiceSchema.pick({ id: true, amountPaid: true, balanceDue: true, paymentStatus: true, version: true }),
  })
  .meta({ id: 'Payment', description: 'A payment, and the balance it leaves on its invoice' });
const paymentResponse = { description: 'The payment and the invoice balance', schema: paymentSchema };

const paymentView = ({ payment, invoice }: RecordedPayment) => ({ ...payment, invoiceId: invoice.id, invoice });

/** POST /v1/invoices/{id}/<action>: one state change each. */
const action = (
  name: 'issue' | 'void' | 'approve' | 'post',
  summary: string,
  run: (tenantId: string, id: string, version?: number) => Promise<Invoice>,
) => actionRoute({ path: `/v1/invoices/{id}/${name}`, operationId: `${name}Invoice`, summary, response: invoiceResponse, run });

export const invoiceRoutes = [
  route<IdParams, object, z.infer<typeof newDraft>>({
    method: 'POST',
    path: '/v1/jobs/{id}/invoices',
    operationId: 'createInvoice',
    summary: 'Creates a draft invoice of the job, as its policy computes it',
    params: idParams,
    body: newDraft,
    responses: {
      201: {
        description: 'The draft, with the job billing it leads to',
        schema: invoiceSchema.extend({ jobBilling: billingSchema }),
      },
    },
    handle: async ({ tenantId, params, body }) => {
      const { invoice, billing } = await createDraft(tenantId, params.id, body);
      return created(`/v1/invoices/${invoice.id}`, { ...invoice, jobBilling: billing }, etag(invoice));
    },
  }),
  route<object, z.infer<typeof invoiceQuery>>({
    method: 'GET',
    path: '/v1/invoices',
    operationId: 'listInvoices',
    summary: 'Finds invoices by number, customer, job, status, type and issue date range, newest first',
    query: invoiceQuery,
    responses: { 200: { description: 'A page of invoices', schema: pageOf(invoiceSchema) } },
    handle: async ({ tenantId, query }) => {
      if (query.number) {
        const found = await findInvoiceByNumber(tenantId, query.number);
        return { status: 200, body: { items: found ? [found] : [], nextCursor: null } };
      }
      return { status: 200, body: await listInvoices(tenantId, query, query.limit, query.cursor) };
    },
  }),
  route<IdParams>({
    method: 'GET',
    path: '/v1/invoices/{id}',
    operationId: 'getInvoice',
    summary: 'Gets an invoice: JSON, or the document as HTML (Accept: text/html) or PDF (Accept: application/pdf)',
    params: idParams,
    responses: {
      200: {
        description: 'The invoice',
        content: {
          'application/json': invoiceSchema,
          'text/html': z.string(),
          'application/pdf': z.string().meta({ format: 'binary' }),
        },
      },
    },
    handle: async ({ tenantId, params, headers }) => {
      const type = preferredType(headers, ['application/json', 'text/html', 'application/pdf']);
      if (type === 'application/json') return reply(200, await getInvoice(tenantId, params.id), { vary: 'accept' });
      const document = await renderInvoice(tenantId, params.id, type === 'application/pdf' ? 'pdf' : 'html');
      return {
        status: 200,
        body: document.body,
        headers: {
          'content-type': document.contentType,
          'content-disposition': `inline; filename="${document.filename}"`,
          vary: 'accept',
        },
      };
    },
  }),
  route<IdParams, object, z.infer<typeof draftPatch>>({
    method: 'PATCH',
    path: '/v1/invoices/{id}',
    operationId: 'updateInvoice',
    summary: 'Changes a draft: customer, dates, notes, line texts',
    params: idParams,
    body: draftPatch,
    responses: { 200: invoiceResponse },
    handle: async ({ tenantId, params, body, headers }) =>
      reply(200, await updateDraft(tenantId, params.id, body, ifMatchVersion(headers))),
  }),
  route<IdParams>({
    method: 'DELETE',
    path: '/v1/invoices/{id}',
    operationId: 'deleteInvoice',
    summary: 'Deletes a draft',
    params: idParams,
    responses: { 204: { description: 'Deleted' } },
    handle: async ({ tenantId, params, headers }) => {
      await deleteDraft(tenantId, params.id, ifMatchVersion(headers));
      return { status: 204 };
    },
  }),
  action('issue', 'Issues a draft: numbers it and moves the job billing', issueInvoice),
  action('void', 'Voids an issued invoice that is not exported; it keeps its number', voidInvoice),
  action('approve', 'Approves an invoice for export (accounting integration)', (t, id, v) => moveInvoice(t, id, 'approve', v)),
  action('post', 'Posts an invoice', (t, id, v) => moveInvoice(t, id, 'post', v)),
  route<IdParams, object, z.infer<typeof sendRequest>>({
    method: 'POST',
    path: '/v1/invoices/{id}/send',
    operationId: 'sendInvoice',
    summary: 'Emails an issued invoice with its PDF attached, to the customer unless `to` says otherwise',
    params: idParams,
    body: sendRequest,
    responses: {
      202: { description: 'Accepted for delivery', schema: z.object({ messageId: z.string(), to: z.array(z.string()) }) },
    },
    handle: async ({ tenantId, params, body }) => ({ status: 202, body: await sendInvoice(tenantId, params.id, body ?? {}) }),
  }),
  route<IdParams, object, z.infer<typeof newPayment>>({
    method: 'POST',
    path: '/v1/invoices/{id}/payments',
    operationId: 'recordPayment',
    summary: "Records a payment against an issued invoice (ETag: the invoice's version)",
    params: idParams,
    body: newPayment,
    responses: { 201: paymentResponse },
    handle: async ({ tenantId, params, body, headers }) => {
      const recorded = await recordPayment(tenantId, params.id, { ...body, idempotencyKey: headers['idempotency-key'] ?? null });
      return created(
        `/v1/invoices/${recorded.invoice.id}/payments/${recorded.payment.id}`,
        paymentView(recorded),
        etag(recorded.invoice),
      );
    },
  }),
  route<PaymentParams>({
    method: 'GET',
    path: '/v1/invoices/{id}/payments/{paymentId}',
    operationId: 'getPayment',
    summary: 'Gets a payment of an invoice, with the invoice balance',
    params: paymentParams,
    responses: { 200: paymentResponse },
    handle: async ({ tenantId, params }) => {
      const recorded = await getPayment(tenantId, params.id, params.paymentId);
      return { status: 200, body: paymentView(recorded), headers: etag(recorded.invoice) };
    },
  }),
];
