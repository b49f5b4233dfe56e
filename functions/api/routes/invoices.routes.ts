import * as z from '../../shared/zod.js';
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
import { documentReply, preferredType } from '../representations.js';
import { created, route, type ProblemCodes } from '../route.js';
import { renderInvoice, sendInvoice } from '../../services/invoice-document.service.js';
import { actionRoute, etag, idParams, isoDate, pageOf, pageQuery, rangeInOrder, resourceId } from '../schemas.js';
import { billingSchema } from './job.schemas.js';
import { draftPatch, invoiceSchema, newDraft, newPayment } from './invoice.schemas.js';

type IdParams = z.infer<typeof idParams>;

const invoiceQuery = z
  .extend(pageQuery, {
    number: z.optional(z.string().check(z.minLength(1), z.maxLength(100))),
    customerId: z.optional(resourceId),
    jobId: z.optional(resourceId),
    profileId: z.optional(resourceId),
    status: z.optional(z.enum(['draft', 'invoiced', 'approved', 'exported', 'posted', 'voided'])),
    type: z.optional(z.enum(['partial', 'complete', 'correction'])),
    from: z.optional(isoDate),
    to: z.optional(isoDate),
  })
  .check(z.superRefine(rangeInOrder));

const reply = (status: number, invoice: Invoice, headers: Record<string, string> = {}) => ({
  status,
  body: invoice,
  headers: { ...etag(invoice), ...headers },
});

const sendRequest = z.optional(
  z.strictObject({
    to: z.optional(z.email().check(z.maxLength(254))),
    cc: z.optional(z.array(z.email().check(z.maxLength(254))).check(z.maxLength(10))),
    message: z.optional(z.string().check(z.maxLength(10_000))),
  }),
);
const invoiceResponse = { description: 'The invoice', schema: invoiceSchema, headers: ['ETag'] } as const;

// What the job's ledger and the invoices a correction names refuse when an invoice is drafted,
// issued or voided (domain/job-ledger.ts, domain/invoice-credits.ts).
const LEDGER_RULES = [
  'JOB_OVERBILLED',
  'CHARGE_OVERBILLED',
  'CHARGE_OVERCREDITED',
  'JOB_OVERCREDITED',
  'INVOICE_OVERCREDITED',
  'INVOICE_REBILLED_PAST_CREDITS',
] as const;
// Which invoices a job takes in its status (domain/invoice-rules.ts), and what its complete invoice
// waits for (services/billing-source.ts).
const POLICY_RULES = [
  'JOB_BILLED',
  'JOB_NOT_BILLED',
  'JOB_NOT_CLOSED',
  'COMPLETE_INVOICE_EXISTS',
  'MILESTONES_NOT_INVOICED',
  'EXPENDITURES_UNBILLED',
] as const;
// What the store refuses before writing an item or transaction DynamoDB would refuse for its size.
const ITEM_LIMITS = ['INVOICE_TOO_LARGE', 'JOB_TOO_LARGE'] as const;

// A time and material partial draft changes and goes only while its selection is open (domain/partial-invoice.ts).
const SELECTION_STATES_REFUSED = ['SELECTION_NOT_OPEN', 'FINALIZATION_IN_PROGRESS'] as const;

const paymentParams = z.extend(idParams, { paymentId: resourceId });
type PaymentParams = z.infer<typeof paymentParams>;

const paymentSchema = z.withMeta(
  z.extend(invoiceSchema.shape.payments._zod.def.element, {
    invoiceId: z.string(),
    invoice: z.pick(invoiceSchema, { id: true, amountPaid: true, balanceDue: true, paymentStatus: true, version: true }),
  }),
  { id: 'Payment', description: 'A payment, and the balance it leaves on its invoice' },
);
const paymentResponse = { description: 'The payment and the invoice balance', schema: paymentSchema, headers: ['ETag'] } as const;

const paymentView = ({ payment, invoice }: RecordedPayment) => ({ ...payment, invoiceId: invoice.id, invoice });

/** POST /v1/invoices/{id}/<action>: one state change each. */
const action = (
  name: 'issue' | 'void' | 'approve' | 'post',
  summary: string,
  run: (tenantId: string, id: string, version?: number) => Promise<Invoice>,
  about: { description: string; errors: Omit<ProblemCodes, 404> },
) =>
  actionRoute({
    path: `/v1/invoices/{id}/${name}`,
    operationId: `${name}Invoice`,
    summary,
    description: about.description,
    errors: { 404: ['INVOICE_NOT_FOUND'], ...about.errors },
    response: invoiceResponse,
    run,
  });

export const invoiceRoutes = [
  route<IdParams, object, z.infer<typeof newDraft>>({
    method: 'POST',
    path: '/v1/jobs/{id}/invoices',
    operationId: 'createInvoice',
    summary: 'Creates a draft invoice of the job, as its policy computes it',
    description: [
      '`policy` decides the other fields: `deposit` and `progress_summary` take exactly one of `amount` and `percent`;',
      '`progress_itemized(_grouped)` a cumulative `progress` entry per charge (exactly one of `percentComplete`, `quantity`,',
      '`amount`); `final(_grouped)` nothing more (the job must be closed); `correction(_grouped)` `lines` (the job must be billed);',
      '`retainage_release` an optional `amount`. The draft is checked as issuing it would be: billing past the price is 422',
      'unless `allowOverbilling` is true. It has no number until it is issued.',
    ].join(' '),
    params: idParams,
    body: newDraft,
    errors: {
      404: ['JOB_NOT_FOUND'],
      409: POLICY_RULES,
      422: [
        'CUSTOMER_NOT_FOUND',
        'CURRENCY_MISMATCH',
        'CHARGE_NOT_FOUND',
        'INVOICE_NOT_FOUND',
        'NOTHING_TO_BILL',
        'PROGRESS_BEHIND',
        'RETAINAGE_EXCEEDED',
        'TAX_RATE_AMBIGUOUS',
        'AMOUNT_TOO_LARGE',
        ...ITEM_LIMITS,
        ...LEDGER_RULES,
      ],
    },
    responses: {
      201: {
        description: 'The draft, with the job billing it leads to',
        schema: z.withMeta(z.extend(invoiceSchema, { jobBilling: billingSchema }), { id: 'Draft' }),
        headers: ['ETag'],
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
    description:
      'Filters combine; `number` finds the one invoice with that number; `from` and `to` are issue dates, both inclusive.',
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
    description: 'A draft shows "DRAFT" in its document, a voided invoice "VOID". The JSON carries the `ETag`.',
    params: idParams,
    errors: { 404: ['INVOICE_NOT_FOUND'] },
    responses: {
      200: {
        description: 'The invoice',
        content: {
          'application/json': invoiceSchema,
          'text/html': z.withMeta(z.string(), { contentMediaType: 'text/html' }),
          'application/pdf': z.withMeta(z.string(), { format: 'binary', contentMediaType: 'application/pdf' }),
        },
        headers: ['ETag', 'Content-Disposition'],
      },
    },
    handle: async ({ tenantId, params, headers }) => {
      const type = preferredType(headers, ['application/json', 'text/html', 'application/pdf']);
      if (type === 'application/json') return reply(200, await getInvoice(tenantId, params.id), { vary: 'accept' });
      return documentReply(await renderInvoice(tenantId, params.id, type === 'application/pdf' ? 'pdf' : 'html'));
    },
  }),
  route<IdParams, object, z.infer<typeof draftPatch>>({
    method: 'PATCH',
    path: '/v1/invoices/{id}',
    operationId: 'updateInvoice',
    summary: 'Changes a draft: customer, dates, notes, line texts',
    description: 'Only a draft changes (409 `INVOICE_NOT_DRAFT`); amounts are not edited: delete the draft and draft it again.',
    ifMatch: true,
    params: idParams,
    body: draftPatch,
    errors: {
      404: ['INVOICE_NOT_FOUND'],
      409: ['INVOICE_NOT_DRAFT', ...SELECTION_STATES_REFUSED, 'INVOICE_NOT_OF_JOB'],
      422: ['CUSTOMER_NOT_FOUND', 'CURRENCY_MISMATCH', 'INVOICE_TOO_LARGE'],
    },
    responses: { 200: invoiceResponse },
    handle: async ({ tenantId, params, body, expectedVersion }) =>
      reply(200, await updateDraft(tenantId, params.id, body, expectedVersion)),
  }),
  route<IdParams>({
    method: 'DELETE',
    path: '/v1/invoices/{id}',
    operationId: 'deleteInvoice',
    summary: 'Deletes a draft',
    description: 'An issued invoice is voided instead (409 `INVOICE_NOT_DRAFT`).',
    ifMatch: true,
    params: idParams,
    errors: { 404: ['INVOICE_NOT_FOUND'], 409: ['INVOICE_NOT_DRAFT', ...SELECTION_STATES_REFUSED, 'SELECTION_MOVED'] },
    responses: { 204: { description: 'Deleted' } },
    handle: async ({ tenantId, params, expectedVersion }) => {
      await deleteDraft(tenantId, params.id, expectedVersion);
      return { status: 204 };
    },
  }),
  action('issue', 'Issues a draft: numbers it and moves the job billing', issueInvoice, {
    description:
      "The next gap-free number of its series, its issue date (today, or the draft's within the backdating window and not before the series' last) and the job's ledger move in one transaction.",
    errors: {
      409: ['INVOICE_NOT_DRAFT', ...POLICY_RULES, 'INVOICE_STALE', 'INVOICE_NUMBER_TAKEN', 'FINALIZATION_REQUIRED'],
      422: [
        'ISSUE_DATE_IN_FUTURE',
        'BACKDATING_WINDOW_EXCEEDED',
        'ISSUE_DATE_BEFORE_LAST',
        'DUE_DATE_BEFORE_ISSUE_DATE',
        'INVOICE_NOT_FOUND',
        ...ITEM_LIMITS,
        ...LEDGER_RULES,
      ],
    },
  }),
  action('void', 'Voids an issued invoice that is not exported; it keeps its number', voidInvoice, {
    description:
      'The job forgets what the invoice billed. An invoice with payments or with corrections against it stays; on a billed job only corrections and the complete invoice (after its corrections) are voided.',
    errors: {
      409: [
        'INVOICE_NOT_VOIDABLE',
        'REVERSAL_REQUIRED',
        'INVOICE_HAS_PAYMENTS',
        'INVOICE_HAS_CREDITS',
        'JOB_BILLED',
        'VOID_CORRECTIONS_FIRST',
        'DEPOSIT_ALREADY_APPLIED',
        'RETAINAGE_ALREADY_RELEASED',
      ],
      422: [...ITEM_LIMITS, ...LEDGER_RULES],
    },
  }),
  action('approve', 'Approves an invoice for export (accounting integration)', (t, id, v) => moveInvoice(t, id, 'approve', v), {
    description: 'Only with the accounting integration on (409 `ACCOUNTING_INTEGRATION_OFF`), and only an invoiced invoice.',
    errors: { 409: ['ACCOUNTING_INTEGRATION_OFF', 'INVOICE_NOT_APPROVABLE'] },
  }),
  action('post', 'Posts an invoice', (t, id, v) => moveInvoice(t, id, 'post', v), {
    description: 'With the accounting integration on, an exported invoice; without it, any issued invoice not voided.',
    errors: { 409: ['INVOICE_NOT_POSTABLE'] },
  }),
  route<IdParams, object, z.infer<typeof sendRequest>>({
    method: 'POST',
    path: '/v1/invoices/{id}/send',
    operationId: 'sendInvoice',
    summary: 'Emails an issued invoice with its PDF attached, to the customer unless `to` says otherwise',
    description:
      'A draft or a voided invoice is not sent (409 `INVOICE_NOT_ISSUED`); a customer without email needs `to` (422 `NO_RECIPIENT`).',
    params: idParams,
    body: sendRequest,
    errors: { 404: ['INVOICE_NOT_FOUND'], 409: ['INVOICE_NOT_ISSUED'], 422: ['NO_RECIPIENT'] },
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
    description:
      "Answers with the payment and the invoice's new balance. Dated from the issue date to today; at most the balance due (422 `OVERPAYMENT`), in the currency's minor units. With `Idempotency-Key` a retry records nothing more.",
    params: idParams,
    body: newPayment,
    errors: {
      404: ['INVOICE_NOT_FOUND'],
      409: ['INVOICE_NOT_PAYABLE', 'INVOICE_REVERSED'],
      422: ['PAYMENT_BEFORE_ISSUE_DATE', 'PAYMENT_DATE_IN_FUTURE', 'OVERPAYMENT', 'INVOICE_TOO_LARGE'],
    },
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
    description: "The `ETag` is the invoice's version.",
    params: paymentParams,
    errors: { 404: ['INVOICE_NOT_FOUND', 'PAYMENT_NOT_FOUND'] },
    responses: { 200: paymentResponse },
    handle: async ({ tenantId, params }) => {
      const recorded = await getPayment(tenantId, params.id, params.paymentId);
      return { status: 200, body: paymentView(recorded), headers: etag(recorded.invoice) };
    },
  }),
];
