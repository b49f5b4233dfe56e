import * as z from '../../shared/zod.js';
import type { Account } from '../../domain/journal-entries.js';
import { daysBetween } from '../../domain/dates.js';
import { MAX_EXPORT_INVOICES } from '../../services/export.service.js';
import { oneOfFieldSets } from '../field-sets.js';
import { currencyCode, isoDate, pageQuery, rangeInOrder, resourceId } from '../schemas.js';
import { EXPENDITURE_KINDS } from '../../domain/expenditure-totals.js';

const MAX_RANGE_DAYS = 366;

/** `from` and `to` both inclusive, `to` not before `from`, at most a year (and a day) apart. */
const checkRange = (range: { from?: string | undefined; to?: string | undefined }, context: z.core.$RefinementCtx) => {
  rangeInOrder(range, context);
  const { from, to } = range;
  if (from !== undefined && to !== undefined && daysBetween(from, to) > MAX_RANGE_DAYS) {
    context.addIssue({ code: 'custom', path: ['to'], message: `must be at most ${MAX_RANGE_DAYS} days after from` });
  }
};

export const dateRange = z.object({ from: isoDate, to: isoDate }).check(z.superRefine(checkRange));

export const exportRequest = z.pipe(
  z.withMeta(
    z
      .strictObject({
        invoiceIds: z.optional(
          z.array(z.string().check(z.minLength(1), z.maxLength(64))).check(z.minLength(1), z.maxLength(MAX_EXPORT_INVOICES)),
        ),
        from: z.optional(isoDate),
        to: z.optional(isoDate),
      })
      .check(
        z.superRefine((value, context) => {
          if (value.invoiceIds === undefined && value.from === undefined && value.to === undefined) {
            context.addIssue({ code: 'custom', path: ['invoiceIds'], message: 'give invoiceIds, or from and to' });
          } else if (value.invoiceIds !== undefined && (value.from !== undefined || value.to !== undefined)) {
            context.addIssue({ code: 'custom', path: ['invoiceIds'], message: 'give invoiceIds or a date range, not both' });
          } else if (value.invoiceIds === undefined) {
            for (const field of ['from', 'to'] as const) {
              if (value[field] === undefined)
                context.addIssue({ code: 'custom', path: [field], message: 'is required with a date range' });
            }
            checkRange(value, context);
          }
        }),
      ),
    oneOfFieldSets({ required: ['invoiceIds'], absent: ['from', 'to'] }, { required: ['from', 'to'], absent: ['invoiceIds'] }),
  ),
  z.transform(({ invoiceIds, from, to }) => (invoiceIds ? { invoiceIds } : { from: from!, to: to! })),
);

export const JOURNAL_COLUMNS = [
  'number',
  'series',
  'issueDate',
  'customerId',
  'jobId',
  'profileId',
  'invoiceId',
  'currency',
  'status',
  'net',
  'tax',
  'gross',
] as const;

export const ENTRY_COLUMNS = [
  'date',
  'invoiceNumber',
  'currency',
  'account',
  'accountCode',
  'debit',
  'credit',
  'description',
] as const;

/** Every account an entry posts to: the accounting export's chart (domain/journal-entries.ts). */
const ACCOUNTS = [
  'accounts_receivable',
  'revenue',
  'tax_payable',
  'deposit_liability',
  'retainage_receivable',
  'work_in_process',
  'cost_of_sales',
  'late_fee_income',
] as const satisfies readonly Account[];

const money = z.string();

export const journalSchema = z.withMeta(
  z.object({
    from: isoDate,
    to: isoDate,
    items: z.array(
      z.object({
        number: z.string(),
        series: z.enum(['invoice', 'credit_note']),
        issueDate: isoDate,
        customerId: z.string(),
        jobId: z.withMeta(z.nullable(z.string()), {
          description: 'The job it bills; null for an invoice of an accumulating profile',
        }),
        profileId: z.withMeta(z.nullable(z.string()), {
          description: 'The accumulating profile it bills; null for an invoice of a job',
        }),
        invoiceId: z.string(),
        currency: currencyCode,
        status: z.enum(['invoiced', 'approved', 'exported', 'posted', 'voided']),
        net: money,
        tax: money,
        gross: money,
      }),
    ),
    totals: z.array(z.object({ currency: currencyCode, net: money, tax: money, gross: money })),
  }),
  { id: 'Journal' },
);

export const exportSchema = z.withMeta(
  z.object({
    id: z.string(),
    invoiceIds: z.array(z.string()),
    createdAt: z.iso.datetime(),
    entries: z.array(
      z.object({
        date: isoDate,
        invoiceNumber: z.string(),
        currency: currencyCode,
        account: z.enum(ACCOUNTS),
        accountCode: z.withMeta(z.optional(z.string()), {
          description: "The tenant's code of the account (settings wipAccount, costOfSalesAccount), where it sets one",
        }),
        debit: money,
        credit: money,
        description: z.string(),
      }),
    ),
    totals: z.array(z.object({ currency: currencyCode, debit: money, credit: money })),
  }),
  { id: 'AccountingExport' },
);

/** A report of one job (`jobId`), or of the tenant's jobs a page at a time. */
export const jobReportQuery = z.extend(pageQuery, {
  jobId: z.withMeta(z.optional(resourceId), {
    description: 'The job to report on; without it, every job of the tenant, a page of jobs at a time',
  }),
});

const page = { nextCursor: z.withMeta(z.nullable(z.string()), { description: 'The next page of jobs; null on the last one' }) };

export const UNBILLED_COLUMNS = ['jobId', 'jobName', 'currency', 'kind', 'count', 'cost', 'salesValue'] as const;

export const unbilledReportSchema = z.withMeta(
  z.object({
    items: z.array(
      z.object({
        jobId: z.string(),
        jobName: z.string(),
        currency: currencyCode,
        kind: z.enum(EXPENDITURE_KINDS),
        count: z.number().check(z.int(), z.gte(1)),
        cost: money,
        salesValue: money,
      }),
    ),
    totals: z.array(
      z.object({ currency: currencyCode, count: z.number().check(z.int(), z.gte(0)), cost: money, salesValue: money }),
    ),
    ...page,
  }),
  { id: 'UnbilledExpenditures' },
);

export const WIP_COLUMNS = ['jobId', 'jobName', 'currency', 'bookedCost', 'settledCost', 'wipBalance'] as const;

export const wipReportSchema = z.withMeta(
  z.object({
    items: z.array(
      z.object({
        jobId: z.string(),
        jobName: z.string(),
        currency: currencyCode,
        bookedCost: money,
        settledCost: money,
        wipBalance: money,
      }),
    ),
    totals: z.array(z.object({ currency: currencyCode, bookedCost: money, settledCost: money, wipBalance: money })),
    ...page,
  }),
  { id: 'WorkInProcess' },
);
