import { describe, expect, it } from 'vitest';
import { addCharge, MAX_CHARGES, removeCharge, updateCharge, type ChargeFields } from '../../functions/domain/charge.js';
import { domainErrorOf, expectDomainError } from '../support/domain-errors.js';
import { createJob, type Job } from '../../functions/domain/job.js';

type Charge = Job['charges'][number];

const T0 = new Date('2025-03-01T10:00:00.000Z');
const minutesLater = (minutes: number): Date => new Date(T0.getTime() + minutes * 60_000);

const newJob = (currency = 'EUR'): Job =>
  createJob({ customerId: 'cus_1', name: 'Kitchen', billingType: 'fixed_price', currency }, 'job_1', T0);

const chargeFields = (overrides: Partial<ChargeFields> = {}): ChargeFields => ({
  description: 'Tiles',
  quantity: '2',
  unitPrice: '10',
  ...overrides,
});

/** A job with one charge `chg_1` per given fields, added at T0. */
const jobWith = (charges: Partial<ChargeFields>[], currency = 'EUR'): Job =>
  charges.reduce((job, fields, i) => addCharge(job, chargeFields(fields), `chg_${i + 1}`, T0), newJob(currency));

/** The job as storage hands it back once invoices billed part of a charge. */
const billed = (job: Job, chargeId: string, billedToDate: string): Job => ({
  ...job,
  charges: job.charges.map((c) => (c.id === chargeId ? { ...c, billedToDate } : c)),
});

const chargeOf = (job: Job, id: string): Charge => {
  const charge = job.charges.find((c) => c.id === id);
  if (!charge) throw new Error(`no charge ${id}`);
  return charge;
};

describe('addCharge', () => {
  it('appends a priced charge with defaults, as the next version of the job', () => {
    // Prepare
    const job = jobWith([{ description: 'First' }]);
    // Act
    const next = addCharge(job, { description: 'Labour', quantity: '1.5', unitPrice: '80' }, 'chg_9', minutesLater(3));
    // Assess
    expect(next.charges.map((c) => c.id)).toEqual(['chg_1', 'chg_9']);
    expect(chargeOf(next, 'chg_9')).toEqual({
      id: 'chg_9',
      description: 'Labour',
      group: null,
      quantity: '1.5',
      unitPrice: '80',
      taxRate: '0',
      amount: '120.00',
      billedToDate: '0.00',
    });
    expect(next).toMatchObject({ version: job.version + 1, updatedAt: minutesLater(3).toISOString() });
    expect(job.charges).toHaveLength(1);
  });

  it('keeps a given group and tax rate', () => {
    const job = jobWith([{ group: 'Materials', taxRate: '20' }]);
    expect(chargeOf(job, 'chg_1')).toMatchObject({ group: 'Materials', taxRate: '20' });
  });

  it.each([
    ['EUR', '3', '0.335', '1.01'],
    ['EUR', '1', '0.005', '0.01'],
    ['EUR', '1', '-0.005', '-0.01'],
    ['EUR', '3', '0.3349', '1.00'],
    ['EUR', '0.5', '0.01', '0.01'],
    ['JPY', '1', '2.5', '3'],
    ['JPY', '3', '0.5', '2'],
    ['JPY', '1', '-2.5', '-3'],
    ['JPY', '2', '1000', '2000'],
    ['JPY', '1', '1.49', '1'],
    ['BHD', '1', '1.0005', '1.001'],
    ['BHD', '1', '1.0004', '1.000'],
  ])('prices %s %s x %s as %s (half away from zero, in the currency\'s minor unit)', (currency, quantity, unitPrice, expected) => {
    const job = jobWith([{ quantity, unitPrice }], currency);
    expect(chargeOf(job, 'chg_1').amount).toBe(expected);
  });

  it.each([
    ['EUR', '0.00'],
    ['JPY', '0'],
    ['BHD', '0.000'],
  ])('starts a %s charge at %s billed, in the currency\'s minor unit like every amount', (currency, zero) => {
    expect(chargeOf(jobWith([{}], currency), 'chg_1').billedToDate).toBe(zero);
  });

  it('never prices a charge as negative zero', () => {
    expect(chargeOf(jobWith([{ quantity: '1', unitPrice: '-0.004' }]), 'chg_1').amount).toBe('0.00');
  });

  it(`takes charges up to ${MAX_CHARGES} and refuses one more (TOO_MANY_CHARGES)`, () => {
    // Prepare
    const almostFull = jobWith(Array.from({ length: MAX_CHARGES - 1 }, () => ({})));
    // Act
    const full = addCharge(almostFull, chargeFields(), 'chg_last', minutesLater(1));
    // Assess
    expect(full.charges).toHaveLength(MAX_CHARGES);
    expectDomainError(() => addCharge(full, chargeFields(), 'chg_over', minutesLater(2)), 'rule', 'TOO_MANY_CHARGES');
  });
});

describe('updateCharge', () => {
  it('reprices the charge in the job\'s currency and keeps the rest', () => {
    // Prepare
    const job = jobWith([{ description: 'A' }, { description: 'B', group: 'G', taxRate: '7' }], 'JPY');
    // Act
    const next = updateCharge(job, 'chg_2', { quantity: '3', unitPrice: '33.5', description: undefined }, minutesLater(4));
    // Assess
    expect(chargeOf(next, 'chg_2')).toEqual({ ...chargeOf(job, 'chg_2'), quantity: '3', unitPrice: '33.5', amount: '101' });
    expect(chargeOf(next, 'chg_1')).toEqual(chargeOf(job, 'chg_1'));
    expect(next.charges.map((c) => c.id)).toEqual(['chg_1', 'chg_2']);
    expect(next).toMatchObject({ version: job.version + 1, updatedAt: minutesLater(4).toISOString() });
  });

  it('refuses an unknown charge (CHARGE_NOT_FOUND)', () => {
    expectDomainError(() => updateCharge(jobWith([{}]), 'chg_nope', { quantity: '1' }, minutesLater(1)), 'not_found', 'CHARGE_NOT_FOUND');
  });

  it('refuses to lower a charge below what was billed (CHARGE_BELOW_BILLED)', () => {
    // Prepare: 2 x 10 = 20.00, of which 15 billed
    const job = billed(jobWith([{}]), 'chg_1', '15');
    // Act / Assess
    expectDomainError(() => updateCharge(job, 'chg_1', { unitPrice: '7.49' }, minutesLater(1)), 'rule', 'CHARGE_BELOW_BILLED');
    expectDomainError(() => updateCharge(job, 'chg_1', { quantity: '1' }, minutesLater(1)), 'rule', 'CHARGE_BELOW_BILLED');
  });

  it('lets a billed charge go down to exactly what was billed, or up, or change its wording', () => {
    const job = billed(jobWith([{}]), 'chg_1', '15');
    expect(chargeOf(updateCharge(job, 'chg_1', { unitPrice: '7.5' }, minutesLater(1)), 'chg_1').amount).toBe('15.00');
    expect(chargeOf(updateCharge(job, 'chg_1', { quantity: '3' }, minutesLater(1)), 'chg_1').amount).toBe('30.00');
    expect(chargeOf(updateCharge(job, 'chg_1', { description: 'Floor tiles' }, minutesLater(1)), 'chg_1')).toMatchObject({
      description: 'Floor tiles',
      billedToDate: '15',
    });
  });
});

describe('removeCharge', () => {
  it('removes the charge and keeps the others in order', () => {
    const job = jobWith([{ description: 'A' }, { description: 'B' }, { description: 'C' }]);
    const next = removeCharge(job, 'chg_2', minutesLater(2));
    expect(next.charges.map((c) => c.description)).toEqual(['A', 'C']);
    expect(next).toMatchObject({ version: job.version + 1, updatedAt: minutesLater(2).toISOString() });
  });

  it('refuses an unknown charge (CHARGE_NOT_FOUND)', () => {
    expectDomainError(() => removeCharge(jobWith([{}]), 'chg_nope', minutesLater(1)), 'not_found', 'CHARGE_NOT_FOUND');
  });

  it('refuses a charge that invoices have billed (CHARGE_BILLED)', () => {
    const job = billed(jobWith([{}, {}]), 'chg_2', '0.01');
    expectDomainError(() => removeCharge(job, 'chg_2', minutesLater(1)), 'rule', 'CHARGE_BILLED');
    expect(removeCharge(job, 'chg_1', minutesLater(1)).charges.map((c) => c.id)).toEqual(['chg_2']);
  });
});

describe('a billed job', () => {
  const billedJob = (): Job => ({ ...jobWith([{}]), status: 'billed' });

  it.each([
    ['add', (job: Job) => addCharge(job, chargeFields(), 'chg_2', minutesLater(1))],
    ['update', (job: Job) => updateCharge(job, 'chg_1', { description: 'x' }, minutesLater(1))],
    ['remove', (job: Job) => removeCharge(job, 'chg_1', minutesLater(1))],
  ])('refuses to %s a charge (JOB_BILLED, conflict)', (_, act) => {
    expectDomainError(() => act(billedJob()), 'conflict', 'JOB_BILLED');
  });

  it('is refused before the charge is looked up', () => {
    expectDomainError(() => updateCharge(billedJob(), 'chg_nope', { quantity: '1' }, minutesLater(1)), 'conflict', 'JOB_BILLED');
  });
});

describe('versions', () => {
  it('go up by one per charge change, each stamped with the time passed in', () => {
    // Act
    const added = addCharge(newJob(), chargeFields(), 'chg_1', minutesLater(1));
    const updated = updateCharge(added, 'chg_1', { quantity: '5' }, minutesLater(2));
    const removed = removeCharge(updated, 'chg_1', minutesLater(3));
    // Assess
    expect([added, updated, removed].map((j) => [j.version, j.updatedAt, j.createdAt])).toEqual([
      [2, minutesLater(1).toISOString(), T0.toISOString()],
      [3, minutesLater(2).toISOString(), T0.toISOString()],
      [4, minutesLater(3).toISOString(), T0.toISOString()],
    ]);
  });

  it.each([
    ['quantity', { quantity: 'abc', unitPrice: '1' }],
    ['unitPrice', { quantity: '1', unitPrice: 'abc' }],
  ] as const)('refuses a bad %s with a validation error naming it', (field, fields) => {
    const error = domainErrorOf(() => addCharge(newJob(), chargeFields(fields), 'chg_1', minutesLater(1)));
    expect({ kind: error.kind, field: error.errors[0]?.field }).toEqual({ kind: 'invalid', field });
  });
});
