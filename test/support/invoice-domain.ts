// Fixtures of the invoice domain tests: a job, its charges, and invoices drafted and issued as the services do.
import { expect } from 'vitest';
import { addCharge, type ChargeFields } from '../../functions/domain/charge.js';
import type { DomainError, ErrorKind } from '../../functions/domain/errors.js';
import type { Invoice } from '../../functions/domain/invoice.js';
import { issue } from '../../functions/domain/invoice-lifecycle.js';
import { draftInvoice, type DraftInput } from '../../functions/domain/invoice-policies.js';
import { applyInvoice } from '../../functions/domain/job-ledger.js';
import { closeJob, createJob, type Job, type JobFields } from '../../functions/domain/job.js';
import { amount, sumAmounts, toAmountString } from '../../functions/domain/money.js';
import { defaultSettings, type Settings } from '../../functions/domain/settings.js';
import { expectDomainError } from './domain-errors.js';

export const T0 = new Date('2025-03-01T10:00:00.000Z');
export const TODAY = '2025-03-01';
export const SETTINGS: Settings = defaultSettings('EUR');
export const withSettings = (overrides: Partial<Settings>): Settings => ({ ...SETTINGS, ...overrides });

export type Input = Omit<DraftInput, 'customerId'> & { customerId?: string };

export const newJob = (fields: Partial<JobFields> = {}): Job =>
  createJob({ customerId: 'cus_1', name: 'Extension', billingType: 'fixed_price', currency: 'EUR', ...fields }, 'job_1', T0);

/** A job with charges `chg_1`, `chg_2`, ... in the order given. */
export const jobWith = (charges: Partial<ChargeFields>[], fields: Partial<JobFields> = {}): Job =>
  charges.reduce(
    (job, charge, i) =>
      addCharge(job, { description: `Charge ${i + 1}`, quantity: '1', unitPrice: '100', ...charge }, `chg_${i + 1}`, T0),
    newJob(fields),
  );

/** The worked example of the seeds: 5,500.00 EUR, two charges at 20% VAT and one at 0%. */
export const scenarioJob = (fields: Partial<JobFields> = {}): Job =>
  jobWith(
    [
      { description: 'Demolition', group: 'Site', quantity: '1', unitPrice: '2000.00', taxRate: '20' },
      { description: 'Framing', group: 'Structure', quantity: '40', unitPrice: '75.00', taxRate: '20' },
      { description: 'Permits', group: 'Admin', quantity: '1', unitPrice: '500.00', taxRate: '0' },
    ],
    fields,
  );

/** Every invoice a test drafts is checked for the invariants that hold for all of them. */
export const expectBalanced = (invoice: Invoice): void => {
  const { net, tax, gross } = invoice.totals;
  const money = (value: Parameters<typeof toAmountString>[0]) => toAmountString(value, invoice.currency);
  expect(money(amount(net).plus(tax)), `net ${net} + tax ${tax} = gross ${gross}`).toBe(gross);
  expect(money(sumAmounts(invoice.lines.map((l) => l.amount))), 'net = sum of the lines').toBe(net);
  expect(money(sumAmounts(invoice.taxes.map((t) => t.amount))), 'tax = sum of the tax per rate').toBe(tax);
  // A milestone's work bills the milestone, no charge.
  const chargedWork = invoice.policy === 'milestone' ? [] : invoice.lines.filter((l) => l.kind === 'work');
  for (const line of chargedWork) {
    expect(money(sumAmounts(line.allocations.map((a) => a.amount))), `allocations of ${line.id}`).toBe(line.amount);
  }
};

export const draft = (job: Job, input: Input, id = 'inv_1', corrected: Invoice[] = []): Invoice => {
  const { invoice } = draftInvoice(job, { customerId: 'cus_1', ...input }, id, T0, corrected);
  expectBalanced(invoice);
  return invoice;
};

let sequence = 0;
/** Drafts, issues (numbered, dated today) and applies an invoice to the job, as the issue service does. */
export const bill = (job: Job, input: Input, id = `inv_${++sequence}`): { invoice: Invoice; job: Job } => {
  const issued = issue(draft(job, input, id), `N-${id}`, TODAY, SETTINGS, T0);
  return { invoice: issued, job: applyInvoice(job, issued, 1, T0) };
};

/** Bills each input in turn; the job after all of them, with the invoices. */
export const billAll = (job: Job, ...inputs: Input[]): { invoices: Invoice[]; job: Job } =>
  inputs.reduce<{ invoices: Invoice[]; job: Job }>(
    (acc, input) => {
      const { invoice, job: next } = bill(acc.job, input);
      return { invoices: [...acc.invoices, invoice], job: next };
    },
    { invoices: [], job },
  );

/** The scenario job closed and billed by its final invoice (taxed at 20% and 0%). */
export const billedScenario = (fields: Partial<JobFields> = {}): { invoice: Invoice; job: Job } =>
  bill(closeJob(scenarioJob(fields), T0), { policy: 'final' });
export const billedScenarioJob = (fields: Partial<JobFields> = {}): Job => billedScenario(fields).job;

export const rows = (invoice: Invoice) => invoice.lines.map((l) => [l.kind, l.amount, l.taxRate]);
export const sortedRows = (invoice: Invoice) => rows(invoice).sort((a, b) => `${a}`.localeCompare(`${b}`));
export const allocations = (invoice: Invoice) => invoice.lines.map((l) => l.allocations.map((a) => [a.chargeId, a.amount]));
export const billed = (job: Job) => job.charges.map((c) => c.billedToDate);

export const cents = (value: string): string => toAmountString(value, 'EUR');
const centsByRate = (byRate: Record<string, string>) =>
  Object.fromEntries(Object.entries(byRate).map(([rate, v]) => [rate, cents(v)]));

/** What invoices move on a job (amounts normalised: a new job says "0"): voiding must put every bit of it back. */
export const ledgerOf = (job: Job) => ({
  status: job.status,
  completeInvoiceId: job.completeInvoiceId,
  invoicedToDate: cents(job.invoicedToDate),
  paidToDate: cents(job.paidToDate),
  depositsInvoiced: cents(job.depositsInvoiced),
  depositsHeld: centsByRate(job.depositsHeld),
  retainageHeld: centsByRate(job.retainageHeld),
  billed: job.charges.map((c) => cents(c.billedToDate)),
});

/** The DomainError of `act`, checked for kind and code, and for naming `field` when one is given. */
export const refused = (act: () => unknown, kind: ErrorKind, code: string, field?: string): DomainError => {
  const error = expectDomainError(act, kind, code);
  if (field !== undefined) expect(error.errors.map((e) => e.field)).toContain(field);
  return error;
};
