import { describe, expect, it } from 'vitest';
import { addCharge, reorderCharges, type ChargeFields } from '../../functions/domain/charge.js';
import { createJob, type Job } from '../../functions/domain/job.js';
import { domainErrorOf, expectDomainError } from '../support/domain-errors.js';

const T0 = new Date('2025-03-01T10:00:00.000Z');
const T1 = new Date('2025-03-01T10:05:00.000Z');

/** A job with charges chg_1..chg_n (descriptions A, B, ...), the second one partly billed. */
const jobOf = (n: number): Job => {
  const job = Array.from({ length: n }, (_, i): ChargeFields => ({
    description: String.fromCharCode(65 + i),
    quantity: '1',
    unitPrice: '10',
  })).reduce(
    (j, fields, i) => addCharge(j, fields, `chg_${i + 1}`, T0),
    createJob({ customerId: 'cus_1', name: 'Kitchen', billingType: 'fixed_price', currency: 'EUR' }, 'job_1', T0),
  );
  return { ...job, charges: job.charges.map((c) => (c.id === 'chg_2' ? { ...c, billedToDate: '4.00' } : c)) };
};

describe('reorderCharges', () => {
  it('puts the same charges in the order given, billed to date and all, as the next version', () => {
    // Prepare
    const job = jobOf(3);
    // Act
    const next = reorderCharges(job, ['chg_3', 'chg_1', 'chg_2'], T1);
    // Assess
    expect(next.charges.map((c) => c.description)).toEqual(['C', 'A', 'B']);
    expect(next.charges.find((c) => c.id === 'chg_2')).toEqual(job.charges[1]);
    expect(next).toMatchObject({ version: job.version + 1, updatedAt: T1.toISOString() });
    expect(job.charges.map((c) => c.id)).toEqual(['chg_1', 'chg_2', 'chg_3']);
  });

  it('answers the job itself when the order is the one it has', () => {
    const job = jobOf(3);
    expect(reorderCharges(job, ['chg_1', 'chg_2', 'chg_3'], T1)).toBe(job);
  });

  it.each([
    ['an unknown id', ['chg_1', 'chg_2', 'chg_3', 'chg_9'], 'not charges of the job: chg_9'],
    ['a repeated id', ['chg_1', 'chg_2', 'chg_2', 'chg_3'], 'listed more than once: chg_2'],
    ['a missing id', ['chg_3', 'chg_1'], 'missing: chg_2'],
  ])('refuses %s with 400 naming ids and saying which', (_, ids, says) => {
    const error = expectDomainError(() => reorderCharges(jobOf(3), ids, T1), 'invalid', 'VALIDATION_FAILED');
    expect(error.errors).toEqual([expect.objectContaining({ field: 'ids', code: 'not_the_charges' })]);
    expect(error.message).toContain(says);
  });

  it('says every fault at once', () => {
    const error = domainErrorOf(() => reorderCharges(jobOf(3), ['chg_9', 'chg_1', 'chg_1'], T1));
    expect(error.message).toMatch(/not charges of the job: chg_9; listed more than once: chg_1; missing: chg_2, chg_3/);
  });

  it('refuses a billed job (JOB_BILLED) before it looks at the ids', () => {
    expectDomainError(() => reorderCharges({ ...jobOf(2), status: 'billed' }, ['nope'], T1), 'conflict', 'JOB_BILLED');
  });
});
