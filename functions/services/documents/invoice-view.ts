import type { Address, Customer } from '../../domain/customer.js';
import type { Invoice, InvoiceLine, InvoicePolicy, InvoiceStatus, InvoiceType } from '../../domain/invoice.js';
import { jobStanding, type Job, type JobStanding } from '../../domain/job.js';
import type { Profile } from '../../domain/profile.js';
import type { Tenant } from '../../domain/tenant.js';

/**
 * Where the job stands, net amounts in the job's currency. An issued invoice shows the job as it
 * stood once it was issued (its document never changes); a draft shows the job as it is now.
 */
export interface JobPosition extends JobStanding {
  /** This invoice's net total. */
  thisInvoice: string;
  depositsApplied: string;
  retainageWithheld: string;
  /** The issue date, or for a draft the day of the job's last change. */
  asOf: string;
}

/** Everything an invoice document shows; the renderers are pure functions of it. */
export interface InvoiceView {
  seller: { name: string };
  billTo: { name: string; email: string | null; address: Address | null; taxId: string | null };
  invoice: Invoice;
  /** What it bills, as its header names it: `Job: <name>`, or `Tab: <name>` for an accumulating profile. */
  source: { label: 'Job' | 'Tab'; name: string };
  /** A phase job's master, by name: the document says what the phase is a phase of. */
  phaseOf?: string;
  /** The job summary; null on an invoice of a profile, which has no job to sum up. */
  job: { name: string; currency: string; position: JobPosition } | null;
}

export interface InvoiceSources {
  tenant: Pick<Tenant, 'name'>;
  customer: Pick<Customer, 'name' | 'email' | 'billingAddress' | 'taxId'>;
  invoice: Invoice;
  /** Its billing source: the job, or for an invoice of an accumulating profile the profile. */
  job?: Job;
  profile?: Pick<Profile, 'name'>;
  /** The job's master, when the job is a phase. */
  master?: Pick<Job, 'name'>;
}

export const invoiceView = ({ tenant, customer, invoice, job, profile, master }: InvoiceSources): InvoiceView => ({
  seller: { name: tenant.name },
  billTo: { name: customer.name, email: customer.email, address: customer.billingAddress, taxId: customer.taxId },
  invoice,
  source: job ? { label: 'Job', name: job.name } : { label: 'Tab', name: profile?.name ?? '' },
  ...(master ? { phaseOf: master.name } : {}),
  job: job
    ? {
        name: job.name,
        currency: job.currency,
        position: {
          ...(invoice.jobStanding ?? jobStanding(job)),
          thisInvoice: invoice.totals.net,
          depositsApplied: invoice.depositApplied,
          retainageWithheld: invoice.retainageWithheld,
          asOf: invoice.jobStanding && invoice.issueDate ? invoice.issueDate : job.updatedAt.slice(0, 10),
        },
      }
    : null,
});

// Formatting shared by the HTML and the PDF: amounts stay strings, grouped by text, never by number.

/** `"-12345.50", "EUR"` -> `"-12,345.50 EUR"`. */
export const money = (value: string, currency: string): string =>
  `${value.replace(/^(-?)(\d+)/, (_, sign: string, whole: string) => sign + whole.replace(/\B(?=(\d{3})+$)/g, ','))} ${currency}`;

export const percent = (rate: string): string => `${rate}%`;

const POLICIES: Record<InvoicePolicy, string> = {
  deposit: 'Deposit',
  progress_summary: 'Progress billing, summary',
  progress_itemized: 'Progress billing, itemized',
  progress_itemized_grouped: 'Progress billing, itemized by group',
  final: 'Final invoice',
  final_grouped: 'Final invoice, by group',
  correction: 'Correction',
  correction_grouped: 'Correction, by group',
  retainage_release: 'Retainage release',
  milestone: 'Milestone billing',
  time_and_material: 'Time and material',
  accumulating: 'Running tab',
};

const TYPES: Record<InvoiceType, string> = { partial: 'partial invoice', complete: 'complete invoice', correction: 'correction' };

const STATUSES: Record<InvoiceStatus, string> = {
  draft: 'Draft',
  invoiced: 'Issued',
  approved: 'Approved',
  exported: 'Exported',
  posted: 'Posted',
  voided: 'Void',
};

export const policyWords = (invoice: Invoice): string => `${POLICIES[invoice.policy]} (${TYPES[invoice.type]})`;
export const statusWords = (invoice: Invoice): string => STATUSES[invoice.status];
export const title = (invoice: Invoice): string => (invoice.series === 'credit_note' ? 'Credit note' : 'Invoice');
export const numberOrDraft = (invoice: Invoice): string => invoice.number ?? 'DRAFT';
/** A stamp across the document when it is not (or no longer) a valid invoice. */
export const stamp = (invoice: Invoice): string | null =>
  invoice.status === 'draft' ? 'DRAFT' : invoice.status === 'voided' ? 'VOID' : null;

export const addressLines = (address: Address | null): string[] =>
  address
    ? [
        address.line1,
        address.line2,
        [address.postalCode, address.city].filter(Boolean).join(' '),
        address.region,
        address.country,
      ].filter((line): line is string => Boolean(line))
    : [];

/** A file name safe in a Content-Disposition header and on any file system. */
export const documentFilename = (invoice: Invoice, extension: 'html' | 'pdf'): string =>
  `${title(invoice).toLowerCase().replace(' ', '-')}-${(invoice.number ?? `draft-${invoice.id}`).replace(/[^A-Za-z0-9._-]+/g, '-')}.${extension}`;

/** A line as the document describes it: one added after issue (a late fee) says the day it was added. */
export const lineDescription = (line: Pick<InvoiceLine, 'description' | 'date'>): string =>
  line.date ? `${line.description}, added ${line.date}` : line.description;

export type Row = [label: string, value: string];

export const headerRows = (view: InvoiceView): Row[] => {
  const { invoice } = view;
  return [
    ...(view.phaseOf === undefined ? [] : [['Phase of', view.phaseOf] as Row]),
    ['Number', numberOrDraft(invoice)],
    ['Status', statusWords(invoice)],
    ['Type', policyWords(invoice)],
    ['Issue date', invoice.issueDate ?? 'not issued'],
    ['Due date', invoice.dueDate ?? (invoice.dueDays !== null ? `${invoice.dueDays} days after issue` : 'on receipt')],
    ['Currency', invoice.currency],
  ];
};

/** The job summary's figures; none for an invoice without a job. */
export const positionRows = (view: InvoiceView): Row[] => {
  if (!view.job) return [];
  const { position: p, currency } = view.job;
  return [
    ['Contract', money(p.contract, currency)],
    ['Billed to date', money(p.billedToDate, currency)],
    ['This invoice (net)', money(p.thisInvoice, view.invoice.currency)],
    ['Deposits applied', money(p.depositsApplied, view.invoice.currency)],
    ['Retainage withheld', money(p.retainageWithheld, view.invoice.currency)],
    ['Remaining to bill', money(p.remaining, currency)],
  ];
};

export const totalRows = (invoice: Invoice): Row[] => {
  const m = (value: string) => money(value, invoice.currency);
  return [
    ['Net', m(invoice.totals.net)],
    ['Tax', m(invoice.totals.tax)],
    ['Total', m(invoice.totals.gross)],
    ['Paid', m(invoice.amountPaid)],
    ['Balance due', m(invoice.balanceDue)],
  ];
};

export const positionNote = ({ invoice, job }: InvoiceView): string =>
  !job
    ? ''
    : invoice.jobStanding
      ? `Job figures as this invoice was issued on ${job.position.asOf}; billed to date counts it, the invoices issued before it and the retainage held.`
      : `Job figures as of ${job.position.asOf}; billed to date counts the issued invoices of the job and the retainage held, and will count this one once it is issued.`;

/** A line of a document: an invoice's line, an estimate's charge. Amounts in the document's currency. */
export interface DocumentLine {
  description: string;
  group: string | null;
  quantity: string;
  unitPrice: string;
  taxRate: string;
  amount: string;
  /** A deduction (a deposit applied, retainage withheld), set in a muted style. */
  muted: boolean;
}

/**
 * What a billing document shows, whatever it is (an invoice, a credit note, an estimate): the HTML and
 * PDF renderers are pure functions of it, so every kind of document is laid out by the same code.
 */
export interface DocumentView {
  seller: { name: string };
  /** Whom it is for, under its heading ("Bill to", "Prepared for"). */
  party: { heading: string; name: string; email: string | null; address: Address | null; taxId: string | null };
  /** What it is of, as its header names it: `Job: <name>`. */
  source: { label: string; name: string };
  title: string;
  /** Its number (or `DRAFT`), or the estimate's reference. */
  reference: string;
  stamp: string | null;
  details: Row[];
  /** A box of figures under a heading, with a note saying what they mean (an invoice's job summary); null for none. */
  summary: { heading: string; rows: Row[]; note: string } | null;
  currency: string;
  lines: DocumentLine[];
  taxes: { rate: string; base: string; amount: string }[];
  /** Label and formatted amount; `Total` and `Balance due` are set strong. */
  totals: Row[];
  notes: string | null;
  /** ISO time the PDF is dated (and its file ID seeded) with: the same document renders the same bytes. */
  datedAt: string;
}

const DEDUCTIONS = new Set<InvoiceLine['kind']>(['deposit_applied', 'retainage_withheld']);

/** The invoice as a document. */
export const invoiceDocument = (view: InvoiceView): DocumentView => {
  const { invoice } = view;
  const to = view.billTo;
  return {
    seller: view.seller,
    party: { heading: 'Bill to', name: to.name, email: to.email, address: to.address, taxId: to.taxId },
    source: view.source,
    title: title(invoice),
    reference: numberOrDraft(invoice),
    stamp: stamp(invoice),
    details: headerRows(view),
    summary: view.job ? { heading: 'Job summary', rows: positionRows(view), note: positionNote(view) } : null,
    currency: invoice.currency,
    lines: invoice.lines.map((line) => ({
      description: lineDescription(line),
      group: line.group,
      quantity: line.quantity,
      unitPrice: line.unitPrice,
      taxRate: line.taxRate,
      amount: line.amount,
      muted: DEDUCTIONS.has(line.kind),
    })),
    taxes: invoice.taxes,
    totals: totalRows(invoice),
    notes: invoice.notes,
    datedAt: invoice.issuedAt ?? invoice.createdAt,
  };
};

/** The group column is shown only when some line has a group. */
export const showsGroups = (doc: DocumentView): boolean => doc.lines.some((line) => line.group !== null);
