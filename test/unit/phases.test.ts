import { describe, expect, it } from 'vitest';
import { addCharge, updateCharge } from '../../functions/domain/charge.js';
import { createJob, masterBilling, type Job } from '../../functions/domain/job.js';
import { amount, sumAmounts } from '../../functions/domain/money.js';
import {
  assertMasterDeletable,
  assertPhasesClosed,
  createPhase,
  givePhaseBack,
  MAX_PHASES,
  type PhaseTake,
} from '../../functions/domain/phases.js';
import { expectDomainError } from '../support/domain-errors.js';

const T0 = new Date('2025-03-01T10:00:00.000Z');
const T1 = new Date('2025-03-02T10:00:00.000Z');

/** A master with chg_a (3 x 33.33 at 19%), chg_b (1 x 1000.01) and chg_c (2 x 0.335 = 0.67). */
const master = (): Job =>
  [
    { description: 'Tiles', group: 'Floor', quantity: '3', unitPrice: '33.33', taxRate: '19' },
    { description: 'Works', quantity: '1', unitPrice: '1000.01' },
    { description: 'Screws', quantity: '2', unitPrice: '0.335' },
  ].reduce(
    (job, fields, i) => addCharge(job, fields, `chg_${'abc'[i]}`, T0),
    createJob(
      { customerId: 'cus_1', name: 'House', billingType: 'fixed_price', currency: 'EUR', retainagePercent: '5' },
      'job_m',
      T0,
    ),
  );

const split = (job: Job, charges: PhaseTake[], phaseId = 'job_p1') =>
  createPhase(job, { name: 'Phase 1', charges }, { phaseId, chargeIds: charges.map((_, i) => `chg_p${i}`) }, T1);

/** The amount of each charge (by the id of the master charge it is or came from), master and phase together. */
const amountsByOrigin = (...jobs: Job[]) => {
  const sums = new Map<string, string>();
  for (const c of jobs.flatMap((j) => j.charges)) {
    const origin = c.fromChargeId ?? c.id;
    sums.set(origin, sumAmounts([sums.get(origin) ?? '0', c.amount]).toFixed(2));
  }
  return Object.fromEntries(sums);
};

describe('createPhase', () => {
  it('moves a charge taken whole and halves another by quantity, exact to the cent', () => {
    // Prepare
    const before = master();
    // Act
    const { master: after, phase } = split(before, [{ chargeId: 'chg_b' }, { chargeId: 'chg_a', quantity: '1.5' }]);
    // Assess: the phase, an ordinary job of the master's customer, terms and currency
    expect(phase).toMatchObject({
      id: 'job_p1',
      masterJobId: 'job_m',
      phaseJobIds: [],
      customerId: 'cus_1',
      billingType: 'fixed_price',
      currency: 'EUR',
      retainagePercent: '5',
      status: 'open',
      version: 1,
      invoiceCount: 0,
    });
    expect(phase.charges).toEqual([
      { ...before.charges[1], id: 'chg_p0', fromChargeId: 'chg_b' },
      // 1.5 x 33.33 = 49.995, rounded once: 50.00 taken; the master keeps 99.99 - 50.00
      expect.objectContaining({ id: 'chg_p1', fromChargeId: 'chg_a', quantity: '1.5', unitPrice: '33.33', amount: '50.00' }),
    ]);
    expect(after.charges).toEqual([{ ...before.charges[0], quantity: '1.5', amount: '49.99' }, before.charges[2]]);
    expect(after).toMatchObject({ phaseJobIds: ['job_p1'], version: before.version + 1, updatedAt: T1.toISOString() });
    expect(amountsByOrigin(after, phase)).toEqual(amountsByOrigin(before));
    expect(before.charges).toHaveLength(3);
  });

  it('takes an amount as one unit at that amount, the master keeping one unit at the rest', () => {
    const before = master();
    const { master: after, phase } = split(before, [{ chargeId: 'chg_a', amount: '33.34' }]);
    expect(phase.charges[0]).toMatchObject({ quantity: '1', unitPrice: '33.34', amount: '33.34', billedToDate: '0.00' });
    expect(after.charges[0]).toMatchObject({ description: 'Tiles', quantity: '1', unitPrice: '66.65', amount: '66.65' });
    expect(amountsByOrigin(after, phase)).toEqual(amountsByOrigin(before));
  });

  it('takes what is unbilled of a partly billed charge; the master keeps what its invoices billed', () => {
    const billed = {
      ...master(),
      charges: master().charges.map((c) => (c.id === 'chg_b' ? { ...c, billedToDate: '400.00' } : c)),
    };
    const { master: after, phase } = split({ ...billed, invoicedToDate: '400.00' }, [{ chargeId: 'chg_b' }]);
    expect(phase.charges[0]).toMatchObject({ amount: '600.01', billedToDate: '0.00', fromChargeId: 'chg_b' });
    expect(after.charges[1]).toMatchObject({ id: 'chg_b', amount: '400.00', billedToDate: '400.00' });
  });

  it('sums many splits of one charge back to it exactly', () => {
    let job = master();
    const phases: Job[] = [];
    for (let i = 0; i < 7; i++) {
      const made = split(
        job,
        [
          { chargeId: 'chg_b', amount: '0.07' },
          { chargeId: 'chg_a', quantity: '0.3' },
        ],
        `job_p${i}`,
      );
      job = made.master;
      phases.push(made.phase);
    }
    expect(amountsByOrigin(job, ...phases)).toEqual(amountsByOrigin(master()));
    expect(job.phaseJobIds).toHaveLength(7);
  });

  it.each([
    ['more units than the charge has', { chargeId: 'chg_a', quantity: '3.01' }, 'charges.1.quantity'],
    ['more than is unbilled', { chargeId: 'chg_b', amount: '1000.02' }, 'charges.1.amount'],
  ])('refuses %s with 422 PHASE_EXCEEDS_CHARGE naming the field', (_, take, field) => {
    const before = master();
    const error = expectDomainError(() => split(before, [{ chargeId: 'chg_c' }, take]), 'rule', 'PHASE_EXCEEDS_CHARGE');
    expect(error.errors).toEqual([expect.objectContaining({ field })]);
  });

  it('refuses a charge billed in full, naming it', () => {
    const billed = { ...master(), charges: master().charges.map((c) => ({ ...c, billedToDate: c.amount })) };
    const error = expectDomainError(() => split(billed, [{ chargeId: 'chg_b' }]), 'rule', 'PHASE_EXCEEDS_CHARGE');
    expect(error.errors).toEqual([expect.objectContaining({ field: 'charges.0.chargeId' })]);
  });

  it.each([
    ['an unknown charge', [{ chargeId: 'chg_x' }], 'rule', 'CHARGE_NOT_FOUND', 'charges.0.chargeId'],
    [
      'a charge named twice',
      [{ chargeId: 'chg_a' }, { chargeId: 'chg_a', amount: '1' }],
      'invalid',
      'VALIDATION_FAILED',
      'charges.1.chargeId',
    ],
    ['quantity and amount', [{ chargeId: 'chg_a', quantity: '1', amount: '1' }], 'invalid', 'VALIDATION_FAILED', 'charges.0'],
    ['an amount finer than a cent', [{ chargeId: 'chg_a', amount: '1.005' }], 'invalid', 'VALIDATION_FAILED', 'charges.0.amount'],
    ['a zero quantity', [{ chargeId: 'chg_a', quantity: '0' }], 'invalid', 'VALIDATION_FAILED', 'charges.0.quantity'],
    ['no charges', [], 'invalid', 'VALIDATION_FAILED', 'charges'],
  ] as const)('refuses %s naming the field', (_, charges, kind, code, field) => {
    const error = expectDomainError(() => split(master(), [...charges]), kind, code);
    expect(error.errors).toEqual([expect.objectContaining({ field })]);
  });

  it('refuses a split that leaves the master billed past its price', () => {
    const deposited = { ...master(), invoicedToDate: '1100.00', depositsInvoiced: '1100.00', depositsHeld: { '0': '1100.00' } };
    expectDomainError(() => split(deposited, [{ chargeId: 'chg_a' }]), 'rule', 'PHASE_EXCEEDS_REMAINING');
  });

  it.each([
    ['a phase', (j: Job): Job => ({ ...j, masterJobId: 'job_other' }), 'PHASE_OF_PHASE'],
    ['a closed job', (j: Job): Job => ({ ...j, status: 'closed' }), 'JOB_NOT_OPEN'],
    ['a milestone job', (j: Job): Job => ({ ...j, billingType: 'milestone' }), 'PHASES_NEED_CHARGES'],
    [
      'a job with 50 phases',
      (j: Job): Job => ({ ...j, phaseJobIds: Array.from({ length: MAX_PHASES }, (_, i) => `job_${i}`) }),
      'TOO_MANY_PHASES',
    ],
  ])('refuses %s with 409', (_, state, code) => {
    expectDomainError(() => split(state(master()), [{ chargeId: 'chg_a' }]), 'conflict', code);
  });
});

describe('givePhaseBack', () => {
  it('gives each charge back to the one it came from, or back to the end when it left whole', () => {
    const before = master();
    const { master: after, phase } = split(before, [
      { chargeId: 'chg_b' },
      { chargeId: 'chg_a', quantity: '1.5' },
      { chargeId: 'chg_c', amount: '0.01' },
    ]);
    const back = givePhaseBack(after, phase, T1);
    expect(back.charges).toEqual([
      before.charges[0],
      { ...before.charges[2], quantity: '1', unitPrice: '0.67' },
      before.charges[1],
    ]);
    expect(back.phaseJobIds).toEqual([]);
    expect(back.version).toBe(after.version + 1);
  });

  it('refuses a phase with invoices, and a billed master', () => {
    const { master: after, phase } = split(master(), [{ chargeId: 'chg_a' }]);
    expectDomainError(() => givePhaseBack(after, { ...phase, invoiceCount: 1 }, T1), 'conflict', 'JOB_HAS_INVOICES');
    expectDomainError(() => givePhaseBack({ ...after, status: 'billed' }, phase, T1), 'conflict', 'JOB_BILLED');
  });
});

describe("a split charge's share", () => {
  /** A master of one charge, 7 x 14.285 = 100.00 (chg_w). */
  const walls = (): Job =>
    addCharge(
      createJob({ customerId: 'cus_1', name: 'Walls', billingType: 'fixed_price', currency: 'EUR' }, 'job_w', T0),
      { description: 'Walls', quantity: '7', unitPrice: '14.285' },
      'chg_w',
      T0,
    );
  /** The phase `n` of `job` taking `take`, and the master it leaves. */
  const phaseOf = (job: Job, n: number, take: PhaseTake) =>
    createPhase(job, { name: `Phase ${n}`, charges: [take] }, { phaseId: `job_p${n}`, chargeIds: [`chg_p${n}`] }, T1);
  /** `walls()` after `count` phases of one unit each (14.29 each). */
  const splitByUnits = (count: number): Job =>
    Array.from({ length: count }, (_, i) => i + 1).reduce(
      (job, n) => phaseOf(job, n, { chargeId: 'chg_w', quantity: '1' }).master,
      walls(),
    );

  it('stays exact through a change of its description, group or tax rate, and is priced again by its units', () => {
    // Three phases of one unit take 14.29 each; the master keeps the exact rest, 57.13.
    const job = splitByUnits(3);
    expect(job.charges[0]).toMatchObject({ quantity: '4', amount: '57.13' });

    const renamed = updateCharge(job, 'chg_w', { description: 'Walls, north' }, T1);
    const grouped = updateCharge(renamed, 'chg_w', { group: 'Rooms' }, T1);
    const taxed = updateCharge(grouped, 'chg_w', { taxRate: '7' }, T1);
    const sentBack = updateCharge(taxed, 'chg_w', { quantity: '4.0', unitPrice: '14.285' }, T1);
    const fewer = updateCharge(sentBack, 'chg_w', { quantity: '3' }, T1);

    expect([renamed, grouped, taxed, sentBack].map((j) => j.charges[0]!.amount)).toEqual(['57.13', '57.13', '57.13', '57.13']);
    expect(fewer.charges[0]!.amount).toBe('42.86'); // 3 x 14.285 = 42.855
  });

  it('goes whole, at its exact rest, to a phase that takes all its units; a take of units that come to 0.00 is refused', () => {
    const job = splitByUnits(6);
    expect(job.charges[0]).toMatchObject({ quantity: '1', amount: '14.26' }); // 100.00 - 6 x 14.29

    expectDomainError(() => phaseOf(job, 7, { chargeId: 'chg_w', quantity: '0.0000000001' }), 'invalid', 'VALIDATION_FAILED');
    const last = phaseOf(job, 7, { chargeId: 'chg_w', quantity: '1' });

    expect(last.master.charges).toEqual([]);
    expect(last.phase.charges[0]).toMatchObject({ quantity: '1', amount: '14.26', fromChargeId: 'chg_w' });
  });
});

describe('closing and deleting a master', () => {
  const phases = (...states: Partial<Job>[]) =>
    states.map((state, i) => ({
      ...split(master(), [{ chargeId: 'chg_a' }], `job_p${i}`).phase,
      name: `Phase ${i}`,
      ...state,
    }));

  it('refuses to close while a phase is open, naming it', () => {
    const error = expectDomainError(
      () => assertPhasesClosed(phases({ status: 'closed' }, {}, { status: 'billed' })),
      'conflict',
      'PHASES_OPEN',
    );
    expect(error.message).toContain('"Phase 1" (job_p1)');
    expect(error.message).not.toContain('job_p0');
    expect(() => assertPhasesClosed(phases({ status: 'closed' }, { status: 'billed' }))).not.toThrow();
  });

  it('refuses to delete while a phase has invoices, naming it', () => {
    const error = expectDomainError(
      () => assertMasterDeletable(master(), phases({}, { invoiceCount: 2 })),
      'conflict',
      'PHASES_HAVE_INVOICES',
    );
    expect(error.message).toContain('"Phase 1" (job_p1)');
    expect(() => assertMasterDeletable(master(), phases({}, {}))).not.toThrow();
  });
});

describe('masterBilling', () => {
  it('sums the phases and adds them to what the master holds, to the cent', () => {
    // Prepare: a master and two phases, with invoices, payments, deposits and retainage here and there
    const first = split(master(), [{ chargeId: 'chg_b' }], 'job_p1');
    const second = split(first.master, [{ chargeId: 'chg_a', quantity: '1' }], 'job_p2');
    const own = { ...second.master, invoicedToDate: '10.01', paidToDate: '5.00' };
    const p1 = {
      ...first.phase,
      invoicedToDate: '333.33',
      paidToDate: '333.33',
      depositsHeld: { '0': '100.00' },
      retainageHeld: { '0': '16.67' },
    };
    const p2 = { ...second.phase, invoicedToDate: '0.01', retainageHeld: { '19': '0.01' } };
    // Act
    const rollUp = masterBilling(own, [p1, p2]);
    // Assess
    expect(rollUp.phases).toEqual({
      count: 2,
      suggestedPrice: '1033.34',
      invoicedToDate: '333.34',
      paidToDate: '333.33',
      depositsHeld: '100.00',
      retainageHeld: '16.68',
      remaining: '683.32',
    });
    expect(rollUp.total).toEqual({
      suggestedPrice: '1100.67',
      invoicedToDate: '343.35',
      paidToDate: '338.33',
      depositsHeld: '100.00',
      retainageHeld: '16.68',
      remaining: '740.64',
    });
    expect(amount(rollUp.total.suggestedPrice).eq(sumAmounts(master().charges.map((c) => c.amount)))).toBe(true);
  });
});
