import * as z from '../../shared/zod.js';
import type { Invoice } from '../../domain/invoice.js';
import { COPY_MODES, MAX_FREE_LINES, MAX_SELECTED_EXPENDITURES } from '../../domain/partial-invoice.js';
import { approvePartialInvoice } from '../../services/partial-invoice-finalization.service.js';
import { reversePartialInvoice } from '../../services/partial-invoice-reversal.service.js';
import { createPartialInvoice, updatePartialInvoice } from '../../services/partial-invoice.service.js';
import { created, route } from '../route.js';
import {
  atLeastOneField,
  decimalString,
  etag,
  idParams,
  percentString,
  positiveDecimalString,
  resourceId,
  text,
} from '../schemas.js';
import { common, invoiceSchema } from './invoice.schemas.js';

type IdParams = z.infer<typeof idParams>;

const freeLine = z.strictObject({
  description: text(500),
  quantity: z.withMeta(z.optional(positiveDecimalString), { description: 'Default 1' }),
  unitPrice: decimalString,
  taxRate: z.withMeta(z.optional(percentString), { description: "Default the draft's `taxRate`" }),
});

// Past the domain's limit, but bounded: a longer selection is refused as a rule (422 SELECTION_TOO_LARGE), naming its limit.
const selectionFields = {
  expenditureIds: z.withMeta(z.array(resourceId).check(z.maxLength(MAX_SELECTED_EXPENDITURES * 2)), {
    description: `The booked, unbilled expenditures of the job it selects, at most ${MAX_SELECTED_EXPENDITURES}`,
  }),
  lines: z.withMeta(z.array(freeLine).check(z.maxLength(MAX_FREE_LINES)), {
    description: 'Free lines beside the copied ones; they need not match the selection (a quoted price, say)',
  }),
  copy: z.withMeta(z.enum(COPY_MODES), {
    description:
      'How lines are copied from the selection: one per expenditure, one per kind, one for all, or none. Default `itemized` without free lines, `none` with them',
  }),
  taxRate: z.withMeta(percentString, {
    description: "The rate of copied lines; default the rate the job's charges share, else 0",
  }),
};

const newPartialInvoice = z.withMeta(
  z.strictObject({
    ...selectionFields,
    lines: z.optional(selectionFields.lines),
    copy: z.optional(selectionFields.copy),
    taxRate: z.optional(selectionFields.taxRate),
    ...common,
  }),
  { examples: [{ expenditureIds: ['exd_01J9Z3Q4R5S6T7V8W9X0Y1Z2A3'], copy: 'grouped_by_kind' }] },
);

const approval = z.optional(
  z.strictObject({
    send: z.withMeta(z.optional(z.boolean()), { description: 'Email the invoice once it is finalized (default false)' }),
  }),
);

const partialPatch = z.partial(z.strictObject(selectionFields)).check(z.refine(atLeastOneField, 'give at least one field'));

const draftResponse = {
  description: 'The draft: its `selection` with its totals (count, cost, sales value) beside the totals of its lines',
  schema: invoiceSchema,
  headers: ['ETag'],
} as const;

// What selecting refuses (domain/expenditure.ts, domain/partial-invoice.ts), for a new draft and a change.
const SELECTION_CONFLICTS = ['EXPENDITURE_NOT_BOOKED', 'EXPENDITURE_NOT_SELECTABLE', 'SELECTION_MOVED'] as const;
const SELECTION_RULES = [
  'PARTIAL_INVOICING_DISABLED',
  'EXPENDITURE_NOT_FOUND',
  'SELECTION_TOO_LARGE',
  'AMOUNT_TOO_LARGE',
  'INVOICE_TOO_LARGE',
  'JOB_TOO_LARGE',
] as const;

const reply = (invoice: Invoice) => ({ status: 200, body: invoice, headers: etag(invoice) });

export const partialInvoiceRoutes = [
  route<IdParams, object, z.infer<typeof newPartialInvoice>>({
    method: 'POST',
    path: '/v1/jobs/{id}/partial-invoices',
    operationId: 'createPartialInvoice',
    summary: "Drafts a time and material partial invoice of a selection of the job's booked expenditures",
    description: [
      'Only booked, unbilled expenditures of the job no other draft selects (409 naming `expenditureIds.<i>`); each expenditure',
      `lands in one selection only, also when two drafts race for it (the loser selects nothing). Up to ${MAX_SELECTED_EXPENDITURES}`,
      'expenditures, written in chunks; with an `Idempotency-Key`, a retry of a request cut off part-way completes the same draft.',
      'It is issued only through its finalization: `POST /v1/invoices/{id}/issue` answers 409 `FINALIZATION_REQUIRED`.',
      'With the setting `partialInvoicing` off, 422 `PARTIAL_INVOICING_DISABLED`.',
    ].join(' '),
    params: idParams,
    body: newPartialInvoice,
    errors: {
      404: ['JOB_NOT_FOUND'],
      409: ['JOB_BILLED', ...SELECTION_CONFLICTS],
      422: [
        'CUSTOMER_NOT_FOUND',
        'CURRENCY_MISMATCH',
        'JOB_OVERBILLED',
        'JOB_BILLED_BY_MILESTONES',
        'TAX_RATE_REQUIRED',
        ...SELECTION_RULES,
      ],
    },
    responses: { 201: draftResponse },
    handle: async ({ tenantId, params, body, headers }) => {
      const invoice = await createPartialInvoice(tenantId, params.id, body, headers['idempotency-key']);
      return created(`/v1/invoices/${invoice.id}`, invoice, etag(invoice));
    },
  }),
  route<IdParams, object, z.infer<typeof partialPatch>>({
    method: 'PATCH',
    path: '/v1/partial-invoices/{id}',
    operationId: 'updatePartialInvoice',
    summary: 'Changes the selection, copy mode, tax rate or free lines of a partial invoice draft (If-Match)',
    description:
      'Only while the draft is open (409 `SELECTION_NOT_OPEN` while its selection is written, `FINALIZATION_IN_PROGRESS` once finalizing). Copied lines are made again from the selection; `lines` replaces the free lines. An expenditure added that another draft holds leaves the selection as it was (409 naming it).',
    ifMatch: true,
    params: idParams,
    body: partialPatch,
    errors: {
      404: ['INVOICE_NOT_FOUND'],
      409: [
        'INVOICE_NOT_DRAFT',
        'NOT_A_PARTIAL_INVOICE',
        'SELECTION_NOT_OPEN',
        'FINALIZATION_IN_PROGRESS',
        ...SELECTION_CONFLICTS,
      ],
      422: SELECTION_RULES,
    },
    responses: { 200: draftResponse },
    handle: async ({ tenantId, params, body, expectedVersion }) =>
      reply(await updatePartialInvoice(tenantId, params.id, body, expectedVersion)),
  }),
  route<IdParams, object, z.infer<typeof approval>>({
    method: 'POST',
    path: '/v1/partial-invoices/{id}/approve',
    operationId: 'approvePartialInvoice',
    summary: 'Gives the go-ahead to finalize a partial invoice draft: settle its selection, copy its lines, issue it',
    description: [
      'Starts the partial-invoice workflow: it settles every selected expenditure (they leave Work in Process), copies the lines,',
      'issues the invoice (number, journal with its WIP entries) and, with `send`, emails it. The draft then shows',
      '`selection.state` `settling`, `settled`, and the invoice `invoiced` once done. A failure gives every expenditure back',
      'to the selection: the draft is `open` again, with `selection.error` saying why, and may be approved again. This go-ahead',
      "is not the accounting lifecycle's `approved` (POST /v1/invoices/{id}/approve): the draft stays a draft until finalized.",
      'An empty selection is refused (422 `EMPTY_SELECTION`) unless the setting `allowZeroSelectionApproval` is on. What would',
      'fail the issue is refused here, before anything starts: a billed job (409 `JOB_BILLED`: delete the draft to give its',
      'expenditures back), billing past the price (422 `JOB_OVERBILLED`), an issue date the backdating rules refuse (422), a due date before the issue date (422 `DUE_DATE_BEFORE_ISSUE_DATE`),',
      'and with `send` a customer without an email address',
      '(422 `NO_RECIPIENT`). A mail that fails later leaves the invoice finalized, with `selection.error` saying it was not sent.',
      'If-Match: the invoice ETag.',
    ].join(' '),
    ifMatch: true,
    params: idParams,
    body: approval,
    errors: {
      404: ['INVOICE_NOT_FOUND'],
      409: ['INVOICE_NOT_DRAFT', 'NOT_A_PARTIAL_INVOICE', 'SELECTION_NOT_OPEN', 'FINALIZATION_IN_PROGRESS', 'JOB_BILLED'],
      422: [
        'PARTIAL_INVOICING_DISABLED',
        'EMPTY_SELECTION',
        'NOTHING_TO_BILL',
        'JOB_OVERBILLED',
        'CHARGE_OVERBILLED',
        'ISSUE_DATE_IN_FUTURE',
        'ISSUE_DATE_BEFORE_LAST',
        'BACKDATING_WINDOW_EXCEEDED',
        'DUE_DATE_BEFORE_ISSUE_DATE',
        'NO_RECIPIENT',
      ],
    },
    responses: { 200: draftResponse },
    handle: async ({ tenantId, params, body, expectedVersion }) =>
      reply(await approvePartialInvoice(tenantId, params.id, { send: body?.send ?? false }, expectedVersion)),
  }),
  route<IdParams>({
    method: 'POST',
    path: '/v1/invoices/{id}/reverse',
    operationId: 'reversePartialInvoice',
    summary: 'Reverses (eliminates) a finalized partial invoice: a credit note for all of it, its expenditures billable again',
    description: [
      'Issues a credit note in the credit-note series negating every line of the invoice (`reversal.invoiceId` names it, the',
      "invoice's `reversedBy` the credit note, both in one transaction), then makes every expenditure it settled unbilled again,",
      'back in Work in Process, and answers 201 with the credit note (`reversal.state` `restored`) and its Location. Its journal',
      "entries undo the invoice's, WIP entries included. A reversal cut off part-way (the credit note still `restoring`) is",
      'completed by the next request, which answers 201 likewise (so do requests sent at once: they make one reversal);',
      'once complete, 409 `INVOICE_REVERSED`. Only an issued time',
      'and material partial invoice is reversed (409 `INVOICE_NOT_REVERSIBLE`), and only one without payments, as for a void',
      '(409 `INVOICE_HAS_PAYMENTS`: the money paid would be left on nothing due); it is never voided. Allowed whatever the setting',
      '`partialInvoicing`: what was billed can always be undone.',
    ].join(' '),
    params: idParams,
    errors: {
      404: ['INVOICE_NOT_FOUND'],
      409: ['INVOICE_NOT_REVERSIBLE', 'INVOICE_REVERSED', 'INVOICE_HAS_PAYMENTS', 'JOB_BILLED', 'INVOICE_NUMBER_TAKEN'],
    },
    responses: {
      201: { description: 'The credit note of the reversal, issued', schema: invoiceSchema, headers: ['ETag'] },
    },
    handle: async ({ tenantId, params }) => {
      const creditNote = await reversePartialInvoice(tenantId, params.id);
      return created(`/v1/invoices/${creditNote.id}`, creditNote, etag(creditNote));
    },
  }),
];
