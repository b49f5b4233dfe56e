import type { DecisionEvidence } from '../../domain/approval.js';
import type { Customer } from '../../domain/customer.js';
import { localDate } from '../../domain/dates.js';
import { estimateTotals, type Estimate, type EstimateStatus } from '../../domain/estimate.js';
import type { BillingType } from '../../domain/job.js';
import type { Tenant } from '../../domain/tenant.js';
import { money, type DocumentView, type Row } from './invoice-view.js';

const STATUSES: Record<EstimateStatus, string> = { draft: 'Draft', sent: 'Sent', accepted: 'Accepted', declined: 'Declined' };

const BILLING: Record<BillingType, string> = {
  fixed_price: 'Fixed price',
  time_and_material: 'Time and material',
  milestone: 'Milestones',
};

export interface EstimateSources {
  tenant: Pick<Tenant, 'name'> & { settings: Pick<Tenant['settings'], 'timeZone'> };
  customer: Pick<Customer, 'name' | 'email' | 'billingAddress' | 'taxId'>;
  estimate: Estimate;
}

const DECIDED_BY: Record<DecisionEvidence['by'], string> = {
  client: 'by the client',
  staff: 'for the client',
  deemed: 'as deemed',
};

/** Until it is decided, what accepting it means; then the decision, on the tenant's calendar day, as the document's last word. */
const notesOf = (estimate: Estimate, timeZone: string): string => {
  const { status, decision, validUntil } = estimate;
  if ((status === 'accepted' || status === 'declined') && decision) {
    return `${STATUSES[status]} ${DECIDED_BY[decision.by]} on ${localDate(new Date(decision.at), timeZone)}.`;
  }
  return validUntil
    ? `This estimate can be accepted until ${validUntil}. Nothing is ordered until it is accepted.`
    : 'Nothing is ordered until this estimate is accepted.';
};

/**
 * The estimate as a document, laid out as an invoice is (invoice-html.ts, invoice-pdf.ts): every
 * charge in the estimate's order, tax per rate and the totals; a declined one is stamped so.
 */
export const estimateDocument = ({ tenant, customer, estimate }: EstimateSources): DocumentView => {
  const { totals, taxes } = estimateTotals(estimate);
  const m = (value: string) => money(value, estimate.currency);
  const details: Row[] = [
    ['Status', STATUSES[estimate.status]],
    ['Date', estimate.createdAt.slice(0, 10)],
    ['Valid until', estimate.validUntil ?? 'no limit'],
    ['Billing', BILLING[estimate.billingType]],
    ...(estimate.retainagePercent !== null ? [['Retainage', `${estimate.retainagePercent}%`] as Row] : []),
    ['Currency', estimate.currency],
  ];
  return {
    seller: { name: tenant.name },
    party: {
      heading: 'Prepared for',
      name: customer.name,
      email: customer.email,
      address: customer.billingAddress,
      taxId: customer.taxId,
    },
    source: { label: 'Estimate', name: estimate.name },
    title: 'Estimate',
    reference: estimate.id,
    stamp: estimate.status === 'declined' ? 'DECLINED' : null,
    details,
    summary: null,
    currency: estimate.currency,
    lines: estimate.charges.map((c) => ({
      description: c.description,
      group: c.group,
      quantity: c.quantity,
      unitPrice: c.unitPrice,
      taxRate: c.taxRate,
      amount: c.amount,
      muted: false,
    })),
    taxes,
    totals: [
      ['Net', m(totals.net)],
      ['Tax', m(totals.tax)],
      ['Total', m(totals.gross)],
    ],
    notes: notesOf(estimate, tenant.settings.timeZone),
    datedAt: estimate.updatedAt,
  };
};

/** A file name safe in a Content-Disposition header and on any file system. */
export const estimateFilename = (estimate: Pick<Estimate, 'id'>, extension: 'html' | 'pdf'): string =>
  `estimate-${estimate.id.replace(/[^A-Za-z0-9._-]+/g, '-')}.${extension}`;
