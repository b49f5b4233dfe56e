import { concurrentWrite, DomainError, notFound } from '../domain/errors.js';
import type { Invoice, InvoiceStatus, InvoiceType, Series } from '../domain/invoice.js';
import type { BillingEvent } from '../domain/event.js';
import type { Job } from '../domain/job.js';
import { toAmountString } from '../domain/money.js';
import { putEvent } from './event.store.js';
import { mustExist, queryPage, type Page } from './aggregate.js';
import { tableName } from './client.js';
import { putJob } from './job.store.js';
import { keys } from './keys.js';
import { readItem } from './read.js';
import { deleteParts, getAggregate, putAggregate, withLists } from './parts.js';
import { write, type WriteAction } from './write.js';

/** Listings sort by the issue date, or for a draft by the day it was made. */
const listingDate = (invoice: Invoice): string => `${invoice.issueDate ?? invoice.createdAt.slice(0, 10)}#${invoice.id}`;

type NullableKeys<T> = { [K in keyof T]-?: null extends T[K] ? K : never }[keyof T];

/**
 * Every attribute of an invoice that may be null (the type makes this list complete). A null one is
 * stored absent and read back as null: an attribute costs its name's bytes too, and a draft of one
 * line then weighs under 1 KB (a write unit less, twice in a transaction).
 */
const NULLS: { [K in NullableKeys<Invoice>]: null } = {
  jobId: null,
  profileId: null,
  milestoneId: null,
  series: null,
  number: null,
  issueDate: null,
  dueDate: null,
  dueDays: null,
  notes: null,
  ledgerBasis: null,
  issuedAt: null,
  selection: null,
  settledCost: null,
  reversal: null,
  reversedBy: null,
};

const withoutNulls = (invoice: Invoice): Partial<Invoice> =>
  Object.fromEntries(Object.entries(invoice).filter(([, value]) => value !== null));

const invoiceItem = (tenantId: string, invoice: Invoice) => ({
  ...keys.invoice(tenantId, invoice.id),
  GSI1PK: invoice.jobId ? keys.jobInvoices(tenantId, invoice.jobId) : keys.profileInvoices(tenantId, invoice.profileId!),
  GSI1SK: listingDate(invoice),
  GSI2PK: keys.invoices(tenantId),
  GSI2SK: listingDate(invoice),
  GSI3PK: keys.customerInvoices(tenantId, invoice.customerId),
  GSI3SK: listingDate(invoice),
  ...withoutNulls(invoice),
});

/** The lists that grow with an invoice: past 64 KB their entries move to part items (store/parts.ts). */
const INVOICE_LISTS = ['lines', 'payments'] as const;

/** The invoice's next version (from `previous`, null when new) as actions; the first is the invoice item itself. */
export const putInvoice = (tenantId: string, invoice: Invoice, previous: Invoice | null): WriteAction[] =>
  putAggregate('invoice', invoiceItem(tenantId, invoice), previous && invoiceItem(tenantId, previous), INVOICE_LISTS);

/** The job gains an invoice: counted (a job with invoices stays), and a complete one is the job's only one. */
const countInvoice = (tenantId: string, job: Job, invoice: Invoice, delta: 1 | -1): WriteAction => {
  const complete = invoice.type === 'complete';
  return {
    Update: {
      TableName: tableName(),
      Key: keys.job(tenantId, job.id),
      UpdateExpression: `ADD invoiceCount :delta, version :one${complete ? ' SET completeInvoiceId = :complete' : ''}`,
      ConditionExpression: 'version = :version',
      ExpressionAttributeValues: {
        ':delta': delta,
        ':one': 1,
        ':version': job.version,
        ...(complete ? { ':complete': delta === 1 ? invoice.id : null } : {}),
      },
    },
    onConditionFailed: (old) => (old ? concurrentWrite('job') : notFound('job')),
  };
};

/**
 * An invoice as stored: its null attributes absent (`NULLS`). Invoices written before credits were
 * kept have nothing credited against them; those written before milestones, partial invoices and
 * profiles had no such attributes, which read as null.
 */
type StoredInvoice = Omit<Invoice, 'creditedNet' | 'correctedBy' | NullableKeys<Invoice>> &
  Partial<Pick<Invoice, 'creditedNet' | 'correctedBy' | NullableKeys<Invoice>>>;

const fromStored = (invoice: StoredInvoice): Invoice => ({
  ...NULLS,
  ...invoice,
  creditedNet: invoice.creditedNet ?? toAmountString(0, invoice.currency),
  correctedBy: invoice.correctedBy ?? 0,
});

/** A condition of a transaction: the invoice is still at the version read (else `moved()`). */
export const invoiceAtVersion = (tenantId: string, invoice: Invoice, moved: () => DomainError): WriteAction => ({
  ConditionCheck: {
    TableName: tableName(),
    Key: keys.invoice(tenantId, invoice.id),
    ConditionExpression: 'version = :version',
    ExpressionAttributeValues: { ':version': invoice.version },
  },
  onConditionFailed: moved,
});

export const getInvoice = async (tenantId: string, id: string): Promise<Invoice> =>
  fromStored(await getAggregate<StoredInvoice>(keys.invoice(tenantId, id), 'invoice', INVOICE_LISTS));

/**
 * Saves a new draft, counted on the job it was computed from (still at that version). Another
 * customer than the job's is checked to exist; the job's own is known to (customers are never
 * deleted), as is a profile's (`job` null: a profile keeps no count of its invoices).
 */
export const insertDraft = (tenantId: string, invoice: Invoice, job: Job | null): Promise<void> =>
  write(
    ...putInvoice(tenantId, invoice, null),
    ...(job ? [countInvoice(tenantId, job, invoice, 1)] : []),
    ...(!job || invoice.customerId === job.customerId
      ? []
      : [mustExist(keys.customer(tenantId, invoice.customerId), 'customer', 'customerId')]),
  );

export const deleteDraft = (tenantId: string, invoice: Invoice, job: Job | null): Promise<void> =>
  write(
    {
      Delete: {
        TableName: tableName(),
        Key: keys.invoice(tenantId, invoice.id),
        ConditionExpression: 'version = :version AND #status = :draft',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':version': invoice.version, ':draft': 'draft' },
      },
      onConditionFailed: (old) => (old ? concurrentWrite('invoice') : notFound('invoice')),
    },
    ...deleteParts(invoiceItem(tenantId, invoice), INVOICE_LISTS),
    ...(job ? [countInvoice(tenantId, job, invoice, -1)] : []),
  );

/** An aggregate's next version and the stored one it comes from (the write is conditional on it). */
export interface Versioned<T> {
  next: T;
  previous: T;
}

/**
 * Saves an invoice's next version, with the job's when the change moves the job's ledger too, the
 * invoices it corrects when it moves what is credited against them, what its billing source moves
 * (services/billing-source.ts), and the check that its customer exists when the change names another one.
 */
export const saveInvoice = (
  tenantId: string,
  invoice: Versioned<Invoice> & { customerChanged?: boolean },
  job?: Versioned<Job>,
  events: BillingEvent[] = [],
  corrected: Versioned<Invoice>[] = [],
  source: WriteAction[] = [],
): Promise<void> =>
  write(
    ...putInvoice(tenantId, invoice.next, invoice.previous),
    ...corrected.flatMap((c) => putInvoice(tenantId, c.next, c.previous)),
    ...source,
    ...events.map((event) => putEvent(tenantId, event)),
    ...(job ? putJob(tenantId, job.next, job.previous) : []),
    ...(invoice.customerChanged ? [mustExist(keys.customer(tenantId, invoice.next.customerId), 'customer', 'customerId')] : []),
  );

export interface Counter {
  last: number;
  lastIssueDate: string;
}

/** The last number drawn in a series and scope, and its date (strongly consistent: it is raced for). */
export const getCounter = async (tenantId: string, series: Series, scope: string): Promise<Counter | undefined> => {
  const item = await readItem(keys.counter(tenantId, series, scope));
  return item ? { last: item.last as number, lastIssueDate: item.lastIssueDate as string } : undefined;
};

export interface Issuing {
  invoice: Versioned<Invoice>;
  /** The job's ledger; absent for an invoice of a profile. */
  job?: Versioned<Job>;
  counter: { series: Series; scope: string; previous: Counter | undefined };
  event: BillingEvent;
  /** The invoices a correction credits, each still at the version read. */
  corrected: Versioned<Invoice>[];
  /** The tenant's version whose number formats made the number: a format changed meanwhile numbers anew. */
  settingsVersion: number;
  /** What the invoice's billing source moves (services/billing-source.ts). */
  source: WriteAction[];
}

/**
 * Issues an invoice in one transaction: the invoice (still the draft it was), the next number of
 * its counter (still at the number read), the number claimed (unique), the job's ledger, the
 * invoices it corrects, what its billing source moves, the event, and the check that the settings that made the number are still
 * the tenant's (a settings change decides on the counters, an issue on the formats: each sees the other).
 */
export const saveIssue = (
  tenantId: string,
  { invoice, job, counter, event, corrected, settingsVersion, source }: Issuing,
): Promise<void> => {
  const issued = invoice.next;
  return write(
    ...putInvoice(tenantId, issued, invoice.previous),
    ...corrected.flatMap((c) => putInvoice(tenantId, c.next, c.previous)),
    ...source,
    // The counter item is its keys, last and lastIssueDate only: put whole, cheaper for DynamoDB than an update expression.
    {
      Put: {
        TableName: tableName(),
        Item: {
          ...keys.counter(tenantId, counter.series, counter.scope),
          last: (counter.previous?.last ?? 0) + 1,
          lastIssueDate: issued.issueDate,
        },
        ...(counter.previous
          ? {
              ConditionExpression: '#last = :previous',
              ExpressionAttributeNames: { '#last': 'last' },
              ExpressionAttributeValues: { ':previous': counter.previous.last },
            }
          : { ConditionExpression: 'attribute_not_exists(PK)' }),
      },
      onConditionFailed: () => concurrentWrite('counter'),
    },
    {
      Put: {
        TableName: tableName(),
        Item: { ...keys.invoiceNumber(tenantId, issued.number!), invoiceId: issued.id },
        ConditionExpression: 'attribute_not_exists(PK)',
      },
      onConditionFailed: () =>
        new DomainError(
          'conflict',
          'INVOICE_NUMBER_TAKEN',
          `Number ${issued.number} is taken; check the number formats in the settings`,
        ),
    },
    ...(job ? putJob(tenantId, job.next, job.previous) : []),
    putEvent(tenantId, event),
    {
      ConditionCheck: {
        TableName: tableName(),
        Key: keys.tenant(tenantId),
        ConditionExpression: 'version = :settings',
        ExpressionAttributeValues: { ':settings': settingsVersion },
      },
      onConditionFailed: () => concurrentWrite('settings'),
    },
  );
};

export const findInvoiceByNumber = async (tenantId: string, number: string): Promise<Invoice | undefined> => {
  const item = await readItem(keys.invoiceNumber(tenantId, number));
  return item ? getInvoice(tenantId, item.invoiceId as string) : undefined;
};

export interface InvoiceFilter {
  jobId?: string | undefined;
  profileId?: string | undefined;
  customerId?: string | undefined;
  status?: InvoiceStatus | undefined;
  type?: InvoiceType | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

/** Invoices newest first, by job, profile, customer or tenant, in a date range: one key query each. */
export const listInvoices = async (
  tenantId: string,
  filter: InvoiceFilter,
  limit: number,
  cursor?: string,
): Promise<Page<Invoice>> => {
  const page = await queryPage<StoredInvoice>({
    tenantId,
    ...(filter.jobId
      ? { index: 'byOwner', partition: keys.jobInvoices(tenantId, filter.jobId) }
      : filter.profileId
        ? { index: 'byOwner', partition: keys.profileInvoices(tenantId, filter.profileId) }
        : filter.customerId
          ? { index: 'byCustomer', partition: keys.customerInvoices(tenantId, filter.customerId) }
          : { index: 'byTenant', partition: keys.invoices(tenantId) }),
    // The owner's partition is the key; the other filters are conditions (an invoice of a job has no profile).
    where: {
      status: filter.status,
      type: filter.type,
      ...(filter.jobId || filter.profileId ? { customerId: filter.customerId } : {}),
      ...(filter.jobId ? { profileId: filter.profileId } : {}),
    },
    ...(filter.from || filter.to ? { range: { from: filter.from, to: filter.to } } : {}),
    limit,
    cursor,
  });
  const items = await withLists(page.items, (invoice) => keys.invoice(tenantId, invoice.id), INVOICE_LISTS, 'invoice');
  return { ...page, items: items.map(fromStored) };
};
