import { z } from 'zod';
import type { InvoicePolicy } from '../../domain/invoice.js';
import { COPY_MODES, SELECTION_STATES } from '../../domain/partial-invoice.js';
import { exactlyOneOf, oneOfFieldSets } from '../openapi.js';
import {
  atLeastOneField,
  currencyCode,
  decimalString,
  percentString,
  positiveDecimalString,
  progressPercent,
} from '../schemas.js';

export const isoDate = z.iso.date();

const id = z.string().min(1).max(64);

/** Inputs every policy takes: whom to bill, when, and whether billing past the price is meant. */
export const common = {
  customerId: id.optional(),
  issueDate: isoDate.optional(),
  dueDate: isoDate.optional(),
  dueDays: z.number().int().min(0).max(3650).optional(),
  notes: z.string().max(4000).optional(),
  allowOverbilling: z.boolean().optional(),
};

export const exactlyOne =
  (...fields: string[]) =>
  (value: Record<string, unknown>, context: z.core.$RefinementCtx) => {
    if (fields.filter((f) => value[f] !== undefined).length !== 1) {
      context.addIssue({ code: 'custom', path: [fields[0]!], message: `give exactly one of ${fields.join(', ')}` });
    }
  };

// Progress is cumulative: how much of a charge is done is never below zero. Only an amount is
// signed, as a discount charge progresses towards its negative amount.
const progressEntry = z
  .strictObject({
    chargeId: id,
    percentComplete: progressPercent.optional(),
    // As a pattern, so that the document says it: no minus sign but on a zero.
    quantity: decimalString.regex(/^(?:[^-]|-0*(?:\.0*)?$)/, 'must be zero or more').optional(),
    amount: decimalString.optional(),
  })
  .superRefine(exactlyOne('percentComplete', 'quantity', 'amount'))
  .meta(exactlyOneOf('percentComplete', 'quantity', 'amount'));

const correctionLine = z
  .strictObject({
    description: z.string().trim().min(1).max(500),
    amount: decimalString.optional(),
    quantity: positiveDecimalString.optional(),
    unitPrice: decimalString.optional(),
    taxRate: percentString.optional(),
    chargeId: id.optional(),
    correctsInvoiceId: id.optional(),
    group: z.string().trim().min(1).max(100).optional(),
  })
  .superRefine((line, context) => {
    if ((line.amount === undefined) === (line.unitPrice === undefined)) {
      context.addIssue({ code: 'custom', path: ['amount'], message: 'give either amount or unitPrice (with quantity)' });
    }
    if (line.amount !== undefined && line.quantity !== undefined) {
      context.addIssue({ code: 'custom', path: ['quantity'], message: 'a quantity goes with unitPrice, not with amount' });
    }
  })
  .meta(
    oneOfFieldSets({ required: ['amount'], absent: ['unitPrice', 'quantity'] }, { required: ['unitPrice'], absent: ['amount'] }),
  );

// A deposit is an advance on the price: at most all of it. Progress past 100% bills past the price,
// which the domain refuses unless the draft says allowOverbilling, as it does for an amount.
const amountOrPercent = (percent: typeof percentString) => ({
  amount: positiveDecimalString.optional(),
  percent: percent.optional(),
});

/** One shape per policy, so that each says which inputs it needs (and a 400 names what is missing). */
export const newDraft = z.discriminatedUnion('policy', [
  z
    .strictObject({
      policy: z.literal('deposit'),
      ...amountOrPercent(percentString),
      taxRate: percentString.optional(),
      ...common,
    })
    .superRefine(exactlyOne('amount', 'percent'))
    .meta(exactlyOneOf('amount', 'percent')),
  z
    .strictObject({ policy: z.literal('progress_summary'), ...amountOrPercent(progressPercent), ...common })
    .superRefine(exactlyOne('amount', 'percent'))
    .meta(exactlyOneOf('amount', 'percent')),
  ...(['progress_itemized', 'progress_itemized_grouped'] as const).map((policy) =>
    z.strictObject({ policy: z.literal(policy), progress: z.array(progressEntry).min(1).max(500), ...common }),
  ),
  ...(['final', 'final_grouped'] as const).map((policy) => z.strictObject({ policy: z.literal(policy), ...common })),
  ...(['correction', 'correction_grouped'] as const).map((policy) =>
    z.strictObject({ policy: z.literal(policy), lines: z.array(correctionLine).min(1).max(500), ...common }),
  ),
  z.strictObject({ policy: z.literal('retainage_release'), amount: positiveDecimalString.optional(), ...common }),
]);

export const draftPatch = z
  .strictObject({
    customerId: id,
    issueDate: isoDate.nullable(),
    dueDate: isoDate.nullable(),
    dueDays: z.number().int().min(0).max(3650).nullable(),
    notes: z.string().max(4000).nullable(),
    lines: z.array(z.strictObject({ id: z.string().max(10), description: z.string().trim().min(1).max(500) })).max(500),
  })
  .partial()
  .refine(atLeastOneField, 'give at least one field');

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
  method: z
    .string()
    .trim()
    .min(1)
    .max(50)
    .regex(/^\P{C}*$/u, 'must be one line of visible text')
    .meta({
      description: `How it was paid, as free text (trimmed, 1 to 50 characters). Common methods: ${PAYMENT_METHODS.join(', ')}`,
      examples: ['bank_transfer', 'ach', 'card'],
    }),
  reference: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .nullish()
    .transform((v) => v ?? null),
  note: z
    .string()
    .max(2000)
    .nullish()
    .transform((v) => v ?? null),
});

const money = z.string();

// A milestone invoice is drafted by the milestone-billing workflow, a time and material one by
// POST /v1/jobs/{id}/partial-invoices, an accumulating one by its profile's snapshot, never through
// POST /v1/jobs/{id}/invoices.
const POLICIES = [
  ...newDraft.options.map((o) => o.shape.policy.value),
  'milestone',
  'time_and_material',
  'accumulating',
] as InvoicePolicy[] as [InvoicePolicy, ...InvoicePolicy[]];

const selectionTotal = z.object({ count: z.number().int().min(0), cost: money, salesValue: money });

/** A time and material partial invoice's selection of expenditures (domain/partial-invoice.ts). */
const selectionSchema = z
  .object({
    state: z.enum(SELECTION_STATES).meta({
      description:
        '`selecting` while its expenditures are being marked, `open` to change, `settling` and `settled` while it is finalized, `releasing` while a failed finalization gives the selection back',
    }),
    expenditureIds: z.array(z.string()),
    pending: z
      .object({ select: z.array(z.string()), release: z.array(z.string()) })
      .nullable()
      .meta({ description: 'While selecting: the expenditures still to mark, and to give back' }),
    totals: selectionTotal
      .extend({ byKind: z.object({ hours: selectionTotal, material: selectionTotal, purchase: selectionTotal }) })
      .meta({ description: 'The selected expenditures: how many, at cost and at sales value, in all and per kind' }),
    copy: z.enum(COPY_MODES),
    taxRate: z.string(),
    copiedLines: z
      .number()
      .int()
      .min(0)
      .meta({ description: 'The first lines, copied from the selection; the rest are free lines' }),
    finalization: z.object({ attempt: z.number().int(), requestedAt: z.iso.datetime().nullable(), send: z.boolean() }),
    error: z.object({ code: z.string(), message: z.string(), at: z.iso.datetime() }).nullable(),
  })
  .meta({ id: 'Selection' });

export const invoiceSchema = z
  .object({
    id: z.string(),
    number: z.string().nullable(),
    status: z.enum(['draft', 'invoiced', 'approved', 'exported', 'posted', 'voided']),
    type: z.enum(['partial', 'complete', 'correction']),
    policy: z.enum(POLICIES),
    series: z.enum(['invoice', 'credit_note']).nullable(),
    jobId: z.string().nullable().meta({ description: 'The job it bills; null on an invoice of an accumulating profile' }),
    profileId: z.string().nullable().meta({ description: 'The accumulating profile it bills; null on an invoice of a job' }),
    milestoneId: z.string().nullable().meta({ description: 'The milestone it bills (policy milestone), else null' }),
    customerId: z.string(),
    currency: currencyCode,
    issueDate: isoDate.nullable(),
    dueDate: isoDate.nullable(),
    dueDays: z.number().nullable(),
    notes: z.string().nullable(),
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
        group: z.string().nullable(),
        allocations: z.array(z.object({ chargeId: z.string(), amount: money })),
        correctsInvoiceId: z.string().nullable(),
        date: isoDate.nullable().default(null).meta({
          description: 'The day a line added after issue (a late fee) took effect; null on the lines it was issued with',
        }),
        exportId: z.string().nullable().default(null).meta({
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
        reference: z.string().nullable(),
        note: z.string().nullable(),
        recordedAt: z.iso.datetime(),
      }),
    ),
    amountPaid: money,
    balanceDue: money,
    paymentStatus: z.enum(['unpaid', 'partially_paid', 'paid']),
    creditedNet: money,
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    issuedAt: z.iso.datetime().nullable(),
    selection: selectionSchema
      .nullable()
      .default(null)
      .meta({ description: 'A time and material partial invoice: its selection of expenditures, else null' }),
    settledCost: money
      .nullable()
      .default(null)
      .meta({ description: 'A time and material invoice: the Work in Process it moves at cost, else null' }),
    reversal: z
      .object({ invoiceId: z.string(), state: z.enum(['restoring', 'restored']) })
      .nullable()
      .default(null)
      .meta({ description: 'A credit note reversing a partial invoice: which, and whether its expenditures are billable again' }),
    reversedBy: z.string().nullable().default(null).meta({ description: 'The credit note that reversed it, else null' }),
    version: z.number().int(),
  })
  .meta({ id: 'Invoice' });
