import * as z from '../../shared/zod.js';
import type { InvoicePolicy } from '../../domain/invoice.js';
import { COPY_MODES, SELECTION_STATES } from '../../domain/partial-invoice.js';
import { exactlyOneOf, oneOfFieldSets } from '../field-sets.js';
import {
  atLeastOneField,
  currencyCode,
  decimalString,
  exactlyOne,
  isoDate,
  percentString,
  positiveDecimalString,
  progressPercent,
} from '../schemas.js';

const id = z.string().check(z.minLength(1), z.maxLength(64));

/** Inputs every policy takes: whom to bill, when, and whether billing past the price is meant. */
export const common = {
  customerId: z.optional(id),
  issueDate: z.optional(isoDate),
  dueDate: z.optional(isoDate),
  dueDays: z.optional(z.number().check(z.int(), z.gte(0), z.lte(3650))),
  notes: z.optional(z.string().check(z.maxLength(4000))),
  allowOverbilling: z.optional(z.boolean()),
};

// Progress is cumulative: how much of a charge is done is never below zero. Only an amount is
// signed, as a discount charge progresses towards its negative amount.
const progressEntry = z.withMeta(
  z
    .strictObject({
      chargeId: id,
      percentComplete: z.optional(progressPercent),
      // As a pattern, so that the document says it: no minus sign but on a zero.
      quantity: z.optional(decimalString.check(z.regex(/^(?:[^-]|-0*(?:\.0*)?$)/, 'must be zero or more'))),
      amount: z.optional(decimalString),
    })
    .check(z.superRefine(exactlyOne('percentComplete', 'quantity', 'amount'))),
  exactlyOneOf('percentComplete', 'quantity', 'amount'),
);

const correctionLine = z.withMeta(
  z
    .strictObject({
      description: z.string().check(z.trim(), z.minLength(1), z.maxLength(500)),
      amount: z.optional(decimalString),
      quantity: z.optional(positiveDecimalString),
      unitPrice: z.optional(decimalString),
      taxRate: z.optional(percentString),
      chargeId: z.optional(id),
      correctsInvoiceId: z.optional(id),
      group: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(100))),
    })
    .check(
      z.superRefine((line, context) => {
        if ((line.amount === undefined) === (line.unitPrice === undefined)) {
          context.addIssue({ code: 'custom', path: ['amount'], message: 'give either amount or unitPrice (with quantity)' });
        }
        if (line.amount !== undefined && line.quantity !== undefined) {
          context.addIssue({ code: 'custom', path: ['quantity'], message: 'a quantity goes with unitPrice, not with amount' });
        }
      }),
    ),
  oneOfFieldSets({ required: ['amount'], absent: ['unitPrice', 'quantity'] }, { required: ['unitPrice'], absent: ['amount'] }),
);

// A deposit is an advance on the price: at most all of it. Progress past 100% bills past the price,
// which the domain refuses unless the draft says allowOverbilling, as it does for an amount.
const amountOrPercent = (percent: typeof percentString) => ({
  amount: z.optional(positiveDecimalString),
  percent: z.optional(percent),
});

/** One shape per policy, so that each says which inputs it needs (and a 400 names what is missing). */
export const newDraft = z.discriminatedUnion('policy', [
  z.withMeta(
    z
      .strictObject({
        policy: z.literal('deposit'),
        ...amountOrPercent(percentString),
        taxRate: z.optional(percentString),
        ...common,
      })
      .check(z.superRefine(exactlyOne('amount', 'percent'))),
    exactlyOneOf('amount', 'percent'),
  ),
  z.withMeta(
    z
      .strictObject({ policy: z.literal('progress_summary'), ...amountOrPercent(progressPercent), ...common })
      .check(z.superRefine(exactlyOne('amount', 'percent'))),
    exactlyOneOf('amount', 'percent'),
  ),
  ...(['progress_itemized', 'progress_itemized_grouped'] as const).map((policy) =>
    z.strictObject({
      policy: z.literal(policy),
      progress: z.array(progressEntry).check(z.minLength(1), z.maxLength(500)),
      ...common,
    }),
  ),
  ...(['final', 'final_grouped'] as const).map((policy) => z.strictObject({ policy: z.literal(policy), ...common })),
  ...(['correction', 'correction_grouped'] as const).map((policy) =>
    z.strictObject({
      policy: z.literal(policy),
      lines: z.array(correctionLine).check(z.minLength(1), z.maxLength(500)),
      ...common,
    }),
  ),
  z.strictObject({ policy: z.literal('retainage_release'), amount: z.optional(positiveDecimalString), ...common }),
]);

export const draftPatch = z
  .partial(
    z.strictObject({
      customerId: id,
      issueDate: z.nullable(isoDate),
      dueDate: z.nullable(isoDate),
      dueDays: z.nullable(z.number().check(z.int(), z.gte(0), z.lte(3650))),
      notes: z.nullable(z.string().check(z.maxLength(4000))),
      lines: z
        .array(
          z.strictObject({
            id: z.string().check(z.maxLength(10)),
            description: z.string().check(z.trim(), z.minLength(1), z.maxLength(500)),
          }),
        )
        .check(z.maxLength(500)),
    }),
  )
  .check(z.refine(atLeastOneField, 'give at least one field'));

/** The payment methods most clients name; any other text of up to 50 characters is taken as it is. */
const PAYMENT_METHODS = [
  'bank_transfer',
  'card',
  'cash',
  'check',
  'direct_debit',
  'ach',
  'sepa_credit_transfer',
  'sepa_direct_debit',
  'wire',
  'paypal',
  'other',
] as const;

export const newPayment = z.strictObject({
  amount: positiveDecimalString,
  date: isoDate,
  method: z.withMeta(
    z.string().check(z.trim(), z.minLength(1), z.maxLength(50), z.regex(/^\P{C}*$/u, 'must be one line of visible text')),
    {
      description: `How it was paid, as free text (trimmed, 1 to 50 characters). Common methods: ${PAYMENT_METHODS.join(', ')}`,
      examples: ['bank_transfer', 'ach', 'card'],
    },
  ),
  reference: z.pipe(
    z.nullish(z.string().check(z.trim(), z.minLength(1), z.maxLength(200))),
    z.transform((v) => v ?? null),
  ),
  note: z.pipe(
    z.nullish(z.string().check(z.maxLength(2000))),
    z.transform((v) => v ?? null),
  ),
});

const money = z.string();

// A milestone invoice is drafted by the milestone-billing workflow, a time and material one by
// POST /v1/jobs/{id}/partial-invoices, an accumulating one by its profile's snapshot, never through
// POST /v1/jobs/{id}/invoices.
const POLICIES = [
  ...newDraft._zod.def.options.map((o) => o.shape.policy._zod.def.values[0]),
  'milestone',
  'time_and_material',
  'accumulating',
] as InvoicePolicy[] as [InvoicePolicy, ...InvoicePolicy[]];

const selectionTotal = z.object({ count: z.number().check(z.int(), z.gte(0)), cost: money, salesValue: money });

/** A time and material partial invoice's selection of expenditures (domain/partial-invoice.ts). */
const selectionSchema = z.withMeta(
  z.object({
    state: z.withMeta(z.enum(SELECTION_STATES), {
      description:
        '`selecting` while its expenditures are being marked, `open` to change, `settling` and `settled` while it is finalized, `releasing` while a failed finalization gives the selection back',
    }),
    expenditureIds: z.array(z.string()),
    pending: z.withMeta(z.nullable(z.object({ select: z.array(z.string()), release: z.array(z.string()) })), {
      description: 'While selecting: the expenditures still to mark, and to give back',
    }),
    totals: z.withMeta(
      z.extend(selectionTotal, {
        byKind: z.object({ hours: selectionTotal, material: selectionTotal, purchase: selectionTotal }),
      }),
      { description: 'The selected expenditures: how many, at cost and at sales value, in all and per kind' },
    ),
    copy: z.enum(COPY_MODES),
    taxRate: z.string(),
    copiedLines: z.withMeta(z.number().check(z.int(), z.gte(0)), {
      description: 'The first lines, copied from the selection; the rest are free lines',
    }),
    finalization: z.object({ attempt: z.number().check(z.int()), requestedAt: z.nullable(z.iso.datetime()), send: z.boolean() }),
    error: z.nullable(z.object({ code: z.string(), message: z.string(), at: z.iso.datetime() })),
  }),
  { id: 'Selection' },
);

export const invoiceSchema = z.withMeta(
  z.object({
    id: z.string(),
    number: z.nullable(z.string()),
    status: z.enum(['draft', 'invoiced', 'approved', 'exported', 'posted', 'voided']),
    type: z.enum(['partial', 'complete', 'correction']),
    policy: z.enum(POLICIES),
    series: z.nullable(z.enum(['invoice', 'credit_note'])),
    jobId: z.withMeta(z.nullable(z.string()), { description: 'The job it bills; null on an invoice of an accumulating profile' }),
    profileId: z.withMeta(z.nullable(z.string()), {
      description: 'The accumulating profile it bills; null on an invoice of a job',
    }),
    milestoneId: z.withMeta(z.nullable(z.string()), { description: 'The milestone it bills (policy milestone), else null' }),
    customerId: z.string(),
    currency: currencyCode,
    issueDate: z.nullable(isoDate),
    dueDate: z.nullable(isoDate),
    dueDays: z.nullable(z.number()),
    notes: z.nullable(z.string()),
    allowOverbilling: z.boolean(),
    lines: z.array(
      z.object({
        id: z.string(),
        kind: z.enum([
          'work',
          'deposit',
          'deposit_applied',
          'retainage_withheld',
          'retainage_release',
          'correction',
          'discount',
          'late_fee',
        ]),
        description: z.string(),
        quantity: z.string(),
        unitPrice: money,
        amount: money,
        taxRate: z.string(),
        group: z.nullable(z.string()),
        allocations: z.array(z.object({ chargeId: z.string(), amount: money })),
        correctsInvoiceId: z.nullable(z.string()),
        date: z.withMeta(z._default(z.nullable(isoDate), null), {
          description: 'The day a line added after issue (a late fee) took effect; null on the lines it was issued with',
        }),
        exportId: z.withMeta(z._default(z.nullable(z.string()), null), {
          description:
            'On a line added after issue: the accounting export that took its entry; null until one has (and on the others)',
        }),
      }),
    ),
    totals: z.object({ net: money, tax: money, gross: money }),
    taxes: z.array(z.object({ rate: z.string(), base: money, amount: money })),
    depositApplied: money,
    retainageWithheld: money,
    payments: z.array(
      z.object({
        id: z.string(),
        amount: money,
        date: isoDate,
        method: z.string(),
        reference: z.nullable(z.string()),
        note: z.nullable(z.string()),
        recordedAt: z.iso.datetime(),
      }),
    ),
    amountPaid: money,
    balanceDue: money,
    paymentStatus: z.enum(['unpaid', 'partially_paid', 'paid']),
    creditedNet: money,
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    issuedAt: z.nullable(z.iso.datetime()),
    selection: z.withMeta(z._default(z.nullable(selectionSchema), null), {
      description: 'A time and material partial invoice: its selection of expenditures, else null',
    }),
    settledCost: z.withMeta(z._default(z.nullable(money), null), {
      description: 'A time and material invoice: the Work in Process it moves at cost, else null',
    }),
    reversal: z.withMeta(
      z._default(z.nullable(z.object({ invoiceId: z.string(), state: z.enum(['restoring', 'restored']) })), null),
      { description: 'A credit note reversing a partial invoice: which, and whether its expenditures are billable again' },
    ),
    reversedBy: z.withMeta(z._default(z.nullable(z.string()), null), {
      description: 'The credit note that reversed it, else null',
    }),
    version: z.number().check(z.int()),
  }),
  { id: 'Invoice' },
);
