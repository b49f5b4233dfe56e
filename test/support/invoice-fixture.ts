import type { Customer } from '../../functions/domain/customer.js';
import type { Invoice, InvoiceLine } from '../../functions/domain/invoice.js';
import type { Job } from '../../functions/domain/job.js';
import type { Tenant } from '../../functions/domain/tenant.js';
import { defaultSettings } from '../../functions/domain/settings.js';

const line = (
  id: string,
  fields: Partial<InvoiceLine> & Pick<InvoiceLine, 'kind' | 'description' | 'unitPrice' | 'amount' | 'taxRate'>,
): InvoiceLine => ({
  id,
  quantity: '1',
  group: null,
  allocations: [],
  correctsInvoiceId: null,
  ...fields,
});

/**
 * A progress invoice by group, worked out by hand: 12,000.00 at 20% and 4,500.50 at 10%, less a
 * 2,000.00 deposit and 5% retainage (600.00 at 20%, 225.03 at 10%), with 5,000.00 paid.
 * Tax: 20% of 9,400.00 = 1,880.00; 10% of 4,275.47 = 427.547 -> 427.55.
 */
export const invoice: Invoice = {
  id: 'inv_01JQ7ZK4B0V5R6S7T8W9X0Y1Z2',
  jobId: 'job_01JQ7Z0000AAAABBBBCCCCDDDD',
  profileId: null,
  customerId: 'cus_01JQ7Y0000AAAABBBBCCCCDDDD',
  currency: 'EUR',
  policy: 'progress_itemized_grouped',
  type: 'partial',
  milestoneId: null,
  status: 'invoiced',
  series: 'invoice',
  number: 'INV-2025-00042',
  issueDate: '2025-03-14',
  dueDate: '2025-04-13',
  dueDays: 30,
  notes: 'Thank you for your business.\nPlease pay by bank transfer, quoting the invoice number.',
  allowOverbilling: false,
  ledgerBasis: 1,
  lines: [
    line('lin_1', {
      kind: 'work',
      description: 'Labour: framing and drywall, 40% complete',
      group: 'Labour',
      unitPrice: '12000.00',
      amount: '12000.00',
      taxRate: '20',
    }),
    line('lin_2', {
      kind: 'work',
      description: 'Materials: timber, boards and fixings',
      group: 'Material',
      unitPrice: '4500.50',
      amount: '4500.50',
      taxRate: '10',
    }),
    line('lin_3', {
      kind: 'deposit_applied',
      description: 'Deposit applied (INV-2025-00017)',
      unitPrice: '-2000.00',
      amount: '-2000.00',
      taxRate: '20',
    }),
    line('lin_4', {
      kind: 'retainage_withheld',
      description: 'Retainage withheld, 5% (Labour)',
      unitPrice: '-600.00',
      amount: '-600.00',
      taxRate: '20',
    }),
    line('lin_5', {
      kind: 'retainage_withheld',
      description: 'Retainage withheld, 5% (Material)',
      unitPrice: '-225.03',
      amount: '-225.03',
      taxRate: '10',
    }),
  ],
  totals: { net: '13675.47', tax: '2307.55', gross: '15983.02' },
  taxes: [
    { rate: '10', base: '4275.47', amount: '427.55' },
    { rate: '20', base: '9400.00', amount: '1880.00' },
  ],
  depositApplied: '2000.00',
  retainageWithheld: '825.03',
  payments: [
    {
      id: 'pay_1',
      idempotencyKey: null,
      amount: '5000.00',
      date: '2025-03-20',
      method: 'bank_transfer',
      reference: 'HV-8812',
      note: null,
      recordedAt: '2025-03-20T09:00:00.000Z',
    },
  ],
  amountPaid: '5000.00',
  balanceDue: '10983.02',
  paymentStatus: 'partially_paid',
  creditedNet: '0.00',
  correctedBy: 0,
  createdAt: '2025-03-13T16:20:00.000Z',
  updatedAt: '2025-03-20T09:00:00.000Z',
  issuedAt: '2025-03-14T08:00:00.000Z',
  jobStanding: { contract: '39000.00', billedToDate: '16500.50', remaining: '22499.50' },
  version: 3,
};

/** The job after the deposit invoice (2,000.00 net) and this one were issued. */
export const job: Job = {
  id: invoice.jobId!,
  customerId: invoice.customerId,
  name: 'Harbour View: unit 4 fit-out',
  billingType: 'fixed_price',
  currency: 'EUR',
  retainagePercent: '5',
  status: 'open',
  charges: [
    {
      id: 'chg_1',
      description: 'Framing and drywall',
      group: 'Labour',
      quantity: '1',
      unitPrice: '30000.00',
      taxRate: '20',
      amount: '30000.00',
      billedToDate: '12000.00',
    },
    {
      id: 'chg_2',
      description: 'Timber, boards and fixings',
      group: 'Material',
      quantity: '1',
      unitPrice: '9000.00',
      taxRate: '10',
      amount: '9000.00',
      billedToDate: '4500.50',
    },
  ],
  invoiceCount: 2,
  invoicedToDate: '15675.47',
  paidToDate: '4278.31',
  depositsInvoiced: '2000.00',
  depositsHeld: {},
  retainageHeld: { '10': '225.03', '20': '600.00' },
  completeInvoiceId: null,
  ledgerVersion: 2,
  correctionsIssued: 0,
  createdAt: '2025-02-01T10:00:00.000Z',
  updatedAt: '2025-03-20T09:00:00.000Z',
  version: 9,
};

export const customer: Customer = {
  id: invoice.customerId,
  name: 'Harbour View Holdings Ltd',
  email: 'accounts@harbourview.example',
  currency: 'EUR',
  billingAddress: { line1: '12 Quay Street', line2: 'Suite 4', city: 'Bristol', postalCode: 'BS1 4DJ', country: 'GB' },
  taxId: 'GB123456789',
  createdAt: '2025-01-10T10:00:00.000Z',
  updatedAt: '2025-01-10T10:00:00.000Z',
  version: 1,
};

export const tenant: Tenant = {
  id: 'ten_01JQ7X0000AAAABBBBCCCCDDDD',
  name: 'Northwind Builders',
  settings: defaultSettings('EUR'),
  retiredNumberFormats: { invoice: [], credit_note: [] },
  createdAt: '2025-01-01T00:00:00.000Z',
  updatedAt: '2025-01-01T00:00:00.000Z',
  version: 1,
};
