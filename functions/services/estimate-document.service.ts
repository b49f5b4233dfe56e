import { getCustomer } from '../store/customer.store.js';
import { getEstimate } from '../store/estimate.store.js';
import { getTenant } from '../store/tenant.store.js';
import { estimateDocument, estimateFilename } from './documents/estimate-view.js';
import { renderDocumentHtml } from './documents/invoice-html.js';
import { renderDocumentPdf } from './documents/invoice-pdf.js';
import type { DocumentFormat, InvoiceDocument } from './invoice-document.service.js';

/** The estimate as a document (HTML or PDF), in any status, laid out as an invoice is. */
export const renderEstimate = async (tenantId: string, id: string, format: DocumentFormat): Promise<InvoiceDocument> => {
  const estimate = await getEstimate(tenantId, id);
  const [tenant, customer] = await Promise.all([getTenant(tenantId), getCustomer(tenantId, estimate.customerId)]);
  const doc = estimateDocument({ tenant, customer, estimate });
  return format === 'pdf'
    ? { contentType: 'application/pdf', body: await renderDocumentPdf(doc), filename: estimateFilename(estimate, 'pdf') }
    : { contentType: 'text/html; charset=utf-8', body: renderDocumentHtml(doc), filename: estimateFilename(estimate, 'html') };
};
