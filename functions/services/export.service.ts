import { createHash } from 'node:crypto';
import { clock } from '../adapters/clock.js';
import { DomainError, notFound, rangeTooWide } from '../domain/errors.js';
import {
  accountingExport,
  adjustmentKeys,
  assertExportsOn,
  exportedInvoice,
  type AccountingExport,
  type ExportedInvoice,
} from '../domain/journal-entries.js';
import type { Invoice } from '../domain/invoice.js';
import type { Settings } from '../domain/settings.js';
import { findExport, lastExportOfRange, saveExport, type DateRange } from '../store/export.store.js';
import { getInvoice, listInvoices } from '../store/invoice.store.js';
import { getTenant } from '../store/tenant.store.js';
import { retrying } from './retry.js';

/** One export is one transaction: the invoices and the export item, within DynamoDB's 100 actions. */
export const MAX_EXPORT_INVOICES = 99;

export type ExportRequest = { invoiceIds: string[] } | DateRange;

export interface ExportResult {
  export: AccountingExport;
  /** False when the batch had been exported before: the stored export is returned unchanged. */
  created: boolean;
}

/**
 * The same invoices are the same export, however they were asked for; exported again for the
 * adjustments added since (a late fee), they are another one, named by those adjustments too.
 */
const exportIdOf = (invoiceIds: string[], adjustments: string[]): string =>
  `exp_${createHash('sha256')
    .update(invoiceIds.join(',') + (adjustments.length ? `|${adjustments.join(',')}` : ''))
    .digest('hex')
    .slice(0, 40)}`;

/** Rethrows a refusal about one invoice of the batch as one that names it (field `invoiceIds`). */
const naming =
  (id: string) =>
  (error: unknown): never => {
    if (!(error instanceof DomainError)) throw error;
    throw new DomainError(error.kind === 'not_found' ? 'rule' : error.kind, error.code, `Invoice ${id}: ${error.message}`, [
      { field: 'invoiceIds', code: error.code.toLowerCase(), message: `${id}: ${error.message}` },
    ]);
  };

/** An invoice of the batch as the export takes it (domain/journal-entries.ts `exportedInvoice`). */
const exportedVersion = (invoice: Invoice, exportId: string, settings: Settings, now: Date): ExportedInvoice => {
  try {
    return exportedInvoice(invoice, exportId, settings, now);
  } catch (error) {
    return naming(invoice.id)(error);
  }
};

const readBatch = (tenantId: string, ids: string[]): Promise<Invoice[]> =>
  Promise.all(ids.map((id) => getInvoice(tenantId, id).catch(naming(id))));

/** The invoices a request names: its ids, or the approved invoices issued in its range. */
const resolve = async (
  tenantId: string,
  request: ExportRequest,
): Promise<{ invoices: Invoice[] } | { stored: AccountingExport }> => {
  if ('invoiceIds' in request) return { invoices: await readBatch(tenantId, [...new Set(request.invoiceIds)]) };
  const { items } = await listInvoices(tenantId, { status: 'approved', ...request }, MAX_EXPORT_INVOICES + 1);
  if (items.length > MAX_EXPORT_INVOICES)
    throw rangeTooWide('EXPORT_RANGE_TOO_WIDE', 'approved invoices', MAX_EXPORT_INVOICES, request);
  // The index can lag behind an export that has just moved some of them: only the still approved count.
  const invoices = (
    await readBatch(
      tenantId,
      items.map((i) => i.id),
    )
  ).filter((i) => i.status === 'approved');
  if (invoices.length > 0) return { invoices };
  // Nothing approved is left in the range: a repeat of the range gets the export it made.
  const stored = await lastExportOfRange(tenantId, request);
  if (stored) return { stored };
  throw new DomainError('rule', 'NOTHING_TO_EXPORT', `No approved invoice was issued from ${request.from} to ${request.to}`);
};

/**
 * Exports a batch of approved invoices to accounting: their journal entries are stored as one export
 * and the invoices move to exported, in one transaction. A batch exported before (the same invoice
 * ids) returns its stored export unchanged.
 */
export const createExport = (tenantId: string, request: ExportRequest): Promise<ExportResult> =>
  retrying(async () => {
    const { settings } = await getTenant(tenantId);
    assertExportsOn(settings);
    const resolved = await resolve(tenantId, request);
    if ('stored' in resolved) return { export: resolved.stored, created: false };
    const read = resolved.invoices.sort((a, b) => (a.id < b.id ? -1 : 1));
    const id = exportIdOf(
      read.map((invoice) => invoice.id),
      adjustmentKeys(read),
    );
    // Looked for after the invoices are read: an export of this batch that moved them is then seen.
    const stored = await findExport(tenantId, id);
    if (stored) return { export: stored, created: false };
    const now = clock.now();
    const invoices = read.map((invoice) => exportedVersion(invoice, id, settings, now));
    const batch = accountingExport(id, invoices, now);
    await saveExport(tenantId, batch, invoices, 'invoiceIds' in request ? undefined : request);
    return { export: batch, created: true };
  });

/** Exports one invoice, a batch of one; an unknown invoice is 404 (it is the resource asked for). */
export const exportInvoice = async (tenantId: string, invoiceId: string): Promise<ExportResult> => {
  await getInvoice(tenantId, invoiceId);
  return createExport(tenantId, { invoiceIds: [invoiceId] });
};

export const getExport = async (tenantId: string, id: string): Promise<AccountingExport> => {
  const found = await findExport(tenantId, id);
  if (!found) throw notFound('export');
  return found;
};
