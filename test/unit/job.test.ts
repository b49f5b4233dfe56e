import { describe, expect, it } from 'vitest';
import { addCharge } from '../../functions/domain/charge.js';
import { expectDomainError } from '../support/domain-errors.js';
import {
  assertDeletable,
  billingSummary,
  closeJob,
  createJob,
  reopenJob,
  updateJob,
  type Job,
  type JobFields,
  type JobStatus,
} from '../../functions/domain/job.js';

const T0 = new Date('2025-03-01T10:00:00.000Z');
const minutesLater = (minutes: number): Date => new Date(T0.getTime() + minutes * 60_000);

const jobFields = (overrides: Partial<JobFields> = {}): JobFields => ({
  customerId: 'cus_1',
  name: 'Kitchen',
  billingType: 'fixed_price',
  currency: 'EUR',
  ...overrides,
});

const newJob = (overrides: Partial<JobFields> = {}): Job => createJob(jobFields(overrides), 'job_1', T0);

/** A job as storage would hand it back after invoices moved it: status, counters, ledger. */
const jobIn = (state: Partial<Job>, overrides: Partial<JobFields> = {}): Job => ({ ...newJob(overrides), ...state });

const withCharges = (job: Job, charges: { quantity: string; unitPrice: string }[]): Job =>
  charges.reduce((acc, charge, i) => addCharge(acc, { description: `charge ${i}`, ...charge }, `chg_${i}`, T0), job);

describe('createJob', () => {
  it('starts open, empty and at version 1, with a zero ledger', () => {
    // Act
    const job = createJob(jobFields({ currency: 'USD' }), 'job_42', T0);
    // Assess
    expect(job).toEqual({
      id: 'job_42',
      customerId: 'cus_1',
      name: 'Kitchen',
      billingType: 'fixed_price',
      currency: 'USD',
      retainagePercent: null,
      status: 'open',
      charges: [],
      milestonePlan: [],
      invoiceCount: 0,
      invoicedToDate: '0',
      paidToDate: '0',
      depositsInvoiced: '0',
      depositsHeld: {},
      retainageHeld: {},
      completeInvoiceId: null,
      ledgerVersion: 0,
      correctionsIssued: 0,
      createdAt: '2025-03-01T10:00:00.000Z',
      updatedAt: '2025-03-01T10:00:00.000Z',
      version: 1,
    });
  });

  it('keeps a given retainage percent and billing type', () => {
    const job = newJob({ retainagePercent: '5', billingType: 'milestone' });
    expect(job.retainagePercent).toBe('5');
    expect(job.billingType).toBe('milestone');
  });

  it.each(['QQQ', 'eur', 'EURO', ''])('refuses currency %j with a validation error naming the field', (currency) => {
    const error = expectDomainError(() => newJob({ currency }), 'invalid', 'VALIDATION_FAILED');
    expect(error.errors).toEqual([expect.objectContaining({ field: 'currency', code: 'invalid_currency' })]);
  });
});

describe('job status', () => {
  it('closes an open job and reopens a closed one, one version each', () => {
    // Prepare
    const open = newJob();
    // Act
    const closed = closeJob(open, minutesLater(1));
    const reopened = reopenJob(closed, minutesLater(2));
    // Assess
    expect(closed).toMatchObject({ status: 'closed', version: 2, updatedAt: minutesLater(1).toISOString(), createdAt: T0.toISOString() });
    expect(reopened).toMatchObject({ status: 'open', version: 3, updatedAt: minutesLater(2).toISOString(), createdAt: T0.toISOString() });
    expect(open).toMatchObject({ status: 'open', version: 1 });
  });

  it.each<JobStatus>(['closed', 'billed'])('refuses to close a %s job (JOB_NOT_OPEN)', (status) => {
    const error = expectDomainError(() => closeJob(jobIn({ status }), minutesLater(1)), 'conflict', 'JOB_NOT_OPEN');
    expect(error.message).toContain(status);
  });

  it.each<JobStatus>(['open', 'billed'])('refuses to reopen a %s job (JOB_NOT_CLOSED)', (status) => {
    const error = expectDomainError(() => reopenJob(jobIn({ status }), minutesLater(1)), 'conflict', 'JOB_NOT_CLOSED');
    expect(error.message).toContain(status);
  });
});

describe('updateJob', () => {
  it('renames a job, keeping what the patch leaves out', () => {
    // Prepare
    const job = newJob({ retainagePercent: '5' });
    // Act
    const renamed = updateJob(job, { name: 'Bathroom', customerId: undefined, retainagePercent: undefined }, minutesLater(5));
    // Assess
    expect(renamed).toEqual({ ...job, name: 'Bathroom', version: 2, updatedAt: minutesLater(5).toISOString() });
    expect(job.name).toBe('Kitchen');
  });

  it('changes customer and retainage while the job has no invoices', () => {
    const updated = updateJob(newJob(), { customerId: 'cus_2', retainagePercent: '10' }, minutesLater(1));
    expect(updated).toMatchObject({ customerId: 'cus_2', retainagePercent: '10', version: 2 });
  });

  it('clears the retainage with null', () => {
    expect(updateJob(newJob({ retainagePercent: '10' }), { retainagePercent: null }, minutesLater(1)).retainagePercent).toBeNull();
  });

  it.each([
    ['customerId', { customerId: 'cus_2' }],
    ['retainagePercent', { retainagePercent: '10' }],
    ['retainagePercent', { retainagePercent: null }],
  ] as const)('refuses a change of %s once the job has invoices (JOB_HAS_INVOICES)', (field, patch) => {
    // Prepare
    const invoiced = jobIn({ invoiceCount: 1 }, { retainagePercent: '5' });
    // Act
    const error = expectDomainError(() => updateJob(invoiced, patch, minutesLater(1)), 'conflict', 'JOB_HAS_INVOICES');
    // Assess
    expect(error.errors).toEqual([expect.objectContaining({ field, code: 'job_has_invoices' })]);
  });

  it('allows a name change, and the unchanged customer and retainage, once the job has invoices', () => {
    const invoiced = jobIn({ invoiceCount: 2 }, { retainagePercent: '5' });
    const renamed = updateJob(invoiced, { name: 'Phase 2', customerId: 'cus_1', retainagePercent: '5' }, minutesLater(1));
    expect(renamed).toMatchObject({ name: 'Phase 2', customerId: 'cus_1', retainagePercent: '5', invoiceCount: 2, version: 2 });
  });

  it('refuses any change to a billed job (JOB_BILLED)', () => {
    expectDomainError(() => updateJob(jobIn({ status: 'billed' }), { name: 'Renamed' }, minutesLater(1)), 'conflict', 'JOB_BILLED');
  });
});

describe('assertDeletable', () => {
  it('lets a job without invoices go', () => {
    expect(() => assertDeletable(newJob())).not.toThrow();
  });

  it('refuses a job with invoices (JOB_HAS_INVOICES)', () => {
    expectDomainError(() => assertDeletable(jobIn({ invoiceCount: 1 })), 'conflict', 'JOB_HAS_INVOICES');
  });
});

describe('billingSummary', () => {
  it('is all zeros, in the currency\'s format, for a new job', () => {
    const zeros = { suggestedPrice: '0.00', projectValue: '0.00', invoicedToDate: '0.00', paidToDate: '0.00', depositsHeld: '0.00', retainageHeld: '0.00', remaining: '0.00' };
    expect(billingSummary(newJob())).toEqual(zeros);
    expect(billingSummary(newJob({ currency: 'JPY' }))).toEqual(
      Object.fromEntries(Object.keys(zeros).map((key) => [key, '0'])),
    );
  });

  it('suggests the sum of the charge amounts and leaves that minus what was invoiced and withheld', () => {
    // Prepare: 2 x 50.25 + 1 x 19.999 (-> 20.00) = 120.50
    const job = { ...withCharges(newJob(), [{ quantity: '2', unitPrice: '50.25' }, { quantity: '1', unitPrice: '19.999' }]), invoicedToDate: '70.5' };
    // Act
    const summary = billingSummary({ ...job, paidToDate: '30', depositsHeld: { '20': '4', '0': '6' }, retainageHeld: { '20': '3.5' } });
    // Assess
    expect(summary).toEqual({
      suggestedPrice: '120.50',
      projectValue: '0.00',
      invoicedToDate: '70.50',
      paidToDate: '30.00',
      depositsHeld: '10.00',
      retainageHeld: '3.50',
      remaining: '46.50',
    });
  });

  it('shows a negative remainder when the job is billed past its price', () => {
    const job = { ...withCharges(newJob({ currency: 'JPY' }), [{ quantity: '3', unitPrice: '1000' }]), invoicedToDate: '3500' };
    expect(billingSummary(job)).toMatchObject({ suggestedPrice: '3000', invoicedToDate: '3500', remaining: '-500' });
  });
});

describe('versions', () => {
  it('go up by one per change, and updatedAt is the time passed in', () => {
    // Prepare
    const steps: [string, (job: Job, now: Date) => Job][] = [
      ['add charge', (job, now) => addCharge(job, { description: 'Tiles', quantity: '1', unitPrice: '10' }, 'chg_1', now)],
      ['rename', (job, now) => updateJob(job, { name: 'Renamed' }, now)],
      ['close', closeJob],
      ['reopen', reopenJob],
    ];
    // Act
    let job = newJob();
    const seen = steps.map(([label, step], i) => {
      job = step(job, minutesLater(i + 1));
      return { label, version: job.version, updatedAt: job.updatedAt, createdAt: job.createdAt };
    });
    // Assess
    expect(seen).toEqual(
      steps.map(([label], i) => ({ label, version: i + 2, updatedAt: minutesLater(i + 1).toISOString(), createdAt: T0.toISOString() })),
    );
  });
});
