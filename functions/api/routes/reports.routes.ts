import type * as z from '../../shared/zod.js';
import { createExport, exportInvoice, getExport, type ExportResult } from '../../services/export.service.js';
import { unbilledExpenditures, workInProcess, type ReportQuery } from '../../services/expenditure-report.service.js';
import { getJournal } from '../../services/journal.service.js';
import type { AccountingExport } from '../../domain/journal-entries.js';
import { acceptsCsv, csvReply, jsonOrCsv } from '../representations.js';
import { route, type Reply, type ResponseSpec } from '../route.js';
import { idParams } from '../schemas.js';
import {
  dateRange,
  ENTRY_COLUMNS,
  exportRequest,
  exportSchema,
  jobReportQuery,
  JOURNAL_COLUMNS,
  journalSchema,
  UNBILLED_COLUMNS,
  unbilledReportSchema,
  WIP_COLUMNS,
  wipReportSchema,
} from './report.schemas.js';

type IdParams = z.infer<typeof idParams>;
type Headers = Record<string, string | undefined>;

const CSV_TOO = 'as JSON, or as CSV with Accept: text/csv';

const exportReply = (status: number, batch: AccountingExport, headers: Headers): Reply =>
  acceptsCsv(headers) ? csvReply(status, ENTRY_COLUMNS, batch.entries) : { status, body: batch };

/** 201 for a new export (and where it lives); 200 and the stored export, unchanged, for a batch exported before. */
const exportResult = ({ export: batch, created }: ExportResult, headers: Headers): Reply => {
  const reply = exportReply(created ? 201 : 200, batch, headers);
  const location = { [created ? 'location' : 'content-location']: `/v1/exports/${batch.id}` };
  return { ...reply, headers: { ...reply.headers, ...location } };
};

const exportResponses: Record<200 | 201, ResponseSpec> = {
  200: {
    description: `The batch was exported before: the stored export, ${CSV_TOO}`,
    content: jsonOrCsv(exportSchema),
    headers: ['Content-Location'],
  },
  201: { description: `The export, ${CSV_TOO}`, content: jsonOrCsv(exportSchema) },
};

type Row = object;
type JobReport = { items: Row[]; totals: Row[]; nextCursor: string | null };

/**
 * A report of jobs (one, or a page of the tenant's), as JSON or CSV: the rows, then a `Total` row per
 * currency; a CSV page that is not the last says where the next is (`Link`, rel="next").
 */
const jobReportRoute = (spec: {
  path: string;
  operationId: string;
  summary: string;
  description: string;
  schema: z.ZodMiniType;
  columns: readonly string[];
  run: (tenantId: string, query: ReportQuery) => Promise<JobReport>;
}) =>
  route<object, z.infer<typeof jobReportQuery>>({
    method: 'GET',
    path: spec.path,
    operationId: spec.operationId,
    summary: spec.summary,
    description: spec.description,
    query: jobReportQuery,
    errors: { 404: ['JOB_NOT_FOUND'] },
    responses: {
      200: {
        description: `The report, ${CSV_TOO} (totals as the last rows)`,
        content: jsonOrCsv(spec.schema),
        headers: ['Link'],
      },
    },
    handle: async ({ tenantId, query, headers }) => {
      const report = await spec.run(tenantId, query);
      if (!acceptsCsv(headers)) return { status: 200, body: report };
      const text = (row: Row) => Object.fromEntries(Object.entries(row).map(([name, value]) => [name, String(value)]));
      const rows = [...report.items, ...report.totals.map((t) => ({ jobId: 'Total', ...t }))].map(text);
      const reply = csvReply(200, spec.columns, rows);
      if (report.nextCursor === null) return reply;
      const next = `${spec.path}?${new URLSearchParams({ limit: String(query.limit), cursor: report.nextCursor })}`;
      return { ...reply, headers: { ...reply.headers, link: `<${next}>; rel="next"` } };
    },
  });

export const reportRoutes = [
  jobReportRoute({
    path: '/v1/reports/unbilled-expenditures',
    operationId: 'getUnbilledExpenditures',
    summary: 'Booked expenditures not billed yet, per job and kind: count, cost and sales value, with totals',
    description:
      "Not billed: booked, and not settled by a partial invoice (those a draft's selection holds count, until it is approved). Kinds with none are left out. Without `jobId`, the tenant's jobs a page at a time (`limit` jobs; totals are the page's, per currency).",
    schema: unbilledReportSchema,
    columns: UNBILLED_COLUMNS,
    run: unbilledExpenditures,
  }),
  jobReportRoute({
    path: '/v1/reports/wip',
    operationId: 'getWorkInProcess',
    summary: 'Work in Process per job, at cost: booked, settled by partial invoices, and the balance',
    description:
      "`wipBalance` = `bookedCost` - `settledCost`. Without `jobId`, the tenant's jobs a page at a time (`limit` jobs), those with nothing booked left out; totals are the page's, per currency.",
    schema: wipReportSchema,
    columns: WIP_COLUMNS,
    run: workInProcess,
  }),
  route<object, z.infer<typeof dateRange>>({
    method: 'GET',
    path: '/v1/journal',
    operationId: 'getJournal',
    summary: 'The invoice journal: numbered invoices and credit notes issued from `from` to `to`, with totals per currency',
    description:
      'Both dates inclusive, at most 366 days apart. Voided documents are listed but count in no total. More than 10,000 documents is 422 `JOURNAL_RANGE_TOO_WIDE`: narrow the range.',
    query: dateRange,
    errors: { 422: ['JOURNAL_RANGE_TOO_WIDE'] },
    responses: { 200: { description: `The journal, ${CSV_TOO} (totals as the last rows)`, content: jsonOrCsv(journalSchema) } },
    handle: async ({ tenantId, query, headers }) => {
      const journal = await getJournal(tenantId, query.from, query.to);
      if (!acceptsCsv(headers)) return { status: 200, body: journal };
      const totals = journal.totals.map((t) => ({ number: 'Total', ...t }));
      return csvReply(200, JOURNAL_COLUMNS, [...journal.items, ...totals]);
    },
  }),
  route<object, object, z.infer<typeof exportRequest>>({
    method: 'POST',
    path: '/v1/exports',
    operationId: 'createExport',
    summary: 'Exports approved invoices (by id, or those issued in a date range) to accounting as journal entries',
    description:
      'At most 99 invoices at once; they move to `exported` in the same transaction. The same invoices are the same export: a repeat answers 200 with the stored one.',
    body: exportRequest,
    errors: {
      409: ['ACCOUNTING_INTEGRATION_OFF', 'INVOICE_NOT_EXPORTABLE'],
      422: ['INVOICE_NOT_FOUND', 'EXPORT_RANGE_TOO_WIDE', 'NOTHING_TO_EXPORT', 'EXPORT_TOO_LARGE'],
    },
    responses: exportResponses,
    handle: async ({ tenantId, body, headers }) => exportResult(await createExport(tenantId, body), headers),
  }),
  route<IdParams>({
    method: 'GET',
    path: '/v1/exports/{id}',
    operationId: 'getExport',
    summary: 'Gets an export',
    description: 'Its journal entries and totals per currency, as they were exported.',
    params: idParams,
    errors: { 404: ['EXPORT_NOT_FOUND'] },
    responses: { 200: { description: `The export, ${CSV_TOO}`, content: jsonOrCsv(exportSchema) } },
    handle: async ({ tenantId, params, headers }) => exportReply(200, await getExport(tenantId, params.id), headers),
  }),
  route<IdParams>({
    method: 'POST',
    path: '/v1/invoices/{id}/export',
    operationId: 'exportInvoice',
    summary: 'Exports one approved invoice to accounting (a batch of one)',
    description: 'As `POST /v1/exports` with this invoice alone; an unknown invoice is 404.',
    params: idParams,
    errors: {
      404: ['INVOICE_NOT_FOUND'],
      409: ['ACCOUNTING_INTEGRATION_OFF', 'INVOICE_NOT_EXPORTABLE'],
      422: ['EXPORT_TOO_LARGE'],
    },
    responses: exportResponses,
    handle: async ({ tenantId, params, headers }) => exportResult(await exportInvoice(tenantId, params.id), headers),
  }),
];
