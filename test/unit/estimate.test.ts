import { describe, expect, it } from 'vitest';
import type { DecisionEvidence } from '../../functions/domain/approval.js';
import {
  assertAsSent,
  assertDeletable,
  createEstimate,
  decideEstimate,
  estimateCharges,
  estimateTotals,
  isAsSent,
  isPastValidity,
  jobIdOf,
  jobOfAcceptance,
  sendEstimate,
  updateEstimate,
  type Estimate,
} from '../../functions/domain/estimate.js';
import { billingSummary } from '../../functions/domain/job.js';
import { expectDomainError } from '../support/domain-errors.js';

const T0 = new Date('2026-03-01T10:00:00.000Z');
const T1 = new Date('2026-03-02T10:00:00.000Z');
const ID = 'est_01JABCDEFGHJKMNPQRSTVWXYZ0';
const approval = { requestId: 'apr_1', recipient: 'client@example.com', expiresAt: '2026-03-15T10:00:00.000Z' };
const staff = (comment: string | null = null): DecisionEvidence => ({
  by: 'staff',
  at: T1.toISOString(),
  ip: null,
  userAgent: null,
  comment,
});

const draft = (validUntil: string | null = null): Estimate =>
  createEstimate(
    { customerId: 'cus_1', name: 'Kitchen', billingType: 'fixed_price', currency: 'EUR', retainagePercent: '5', validUntil },
    ID,
    T0,
  );

/** A draft with charges A (2 x 10 at 20%), B (1 x 5.55 at 7%), C (3 x 1.10 at 20%). */
const withCharges = (validUntil: string | null = null): Estimate =>
  [
    { description: 'A', quantity: '2', unitPrice: '10', taxRate: '20' },
    { description: 'B', quantity: '1', unitPrice: '5.55', taxRate: '7' },
    { description: 'C', quantity: '3', unitPrice: '1.10', taxRate: '20' },
  ].reduce((e, fields, i) => estimateCharges.addCharge(e, fields, `chg_${i + 1}`, T0), draft(validUntil));

describe('an estimate', () => {
  it('starts as a draft with no charges, no approval, decision or job', () => {
    expect(draft('2026-03-31')).toEqual({
      id: ID,
      customerId: 'cus_1',
      name: 'Kitchen',
      billingType: 'fixed_price',
      currency: 'EUR',
      retainagePercent: '5',
      validUntil: '2026-03-31',
      status: 'draft',
      charges: [],
      approval: null,
      decision: null,
      jobId: null,
      createdAt: T0.toISOString(),
      updatedAt: T0.toISOString(),
      version: 1,
    });
  });

  it('takes charges as a job does, priced in its currency, never billed, in the order they were added', () => {
    const estimate = withCharges();
    expect(estimate.charges.map((c) => [c.id, c.amount, c.billedToDate])).toEqual([
      ['chg_1', '20.00', '0.00'],
      ['chg_2', '5.55', '0.00'],
      ['chg_3', '3.30', '0.00'],
    ]);
    expect(estimate.version).toBe(4);
  });

  it('totals its charges with tax per rate on the sum of each rate (net + tax = gross)', () => {
    // 23.30 at 20% = 4.66; 5.55 at 7% = 0.3885 -> 0.39
    expect(estimateTotals(withCharges())).toEqual({
      totals: { net: '28.85', tax: '5.05', gross: '33.90' },
      taxes: [
        { rate: '7', base: '5.55', amount: '0.39' },
        { rate: '20', base: '23.30', amount: '4.66' },
      ],
    });
  });

  it('reorders its charges, the same charges in the order given', () => {
    const next = estimateCharges.reorderCharges(withCharges(), ['chg_3', 'chg_1', 'chg_2'], T1);
    expect(next.charges.map((c) => c.description)).toEqual(['C', 'A', 'B']);
    const error = expectDomainError(() => estimateCharges.reorderCharges(next, ['chg_1'], T1), 'invalid', 'VALIDATION_FAILED');
    expect(error.message).toContain("each of the estimate's charges exactly once (missing: chg_3, chg_2)");
  });

  it('changes its name, customer, retainage and validity while undecided, leaving what is not given', () => {
    const next = updateEstimate(withCharges(), { name: 'Kitchen and hall', validUntil: null, customerId: undefined }, T1);
    expect(next).toMatchObject({ name: 'Kitchen and hall', validUntil: null, customerId: 'cus_1', version: 5 });
  });

  it('is past its validity only after its last valid day', () => {
    const estimate = draft('2026-03-31');
    expect([isPastValidity(estimate, '2026-03-31'), isPastValidity(estimate, '2026-04-01')]).toEqual([false, true]);
    expect(isPastValidity(draft(null), '2999-01-01')).toBe(false);
  });
});

describe('a milestone estimate', () => {
  it('is refused (ESTIMATE_BILLING_TYPE_UNSUPPORTED naming billingType): its job would be priced by milestones it has none of', () => {
    const error = expectDomainError(
      () => createEstimate({ customerId: 'cus_1', name: 'Phased', billingType: 'milestone', currency: 'EUR' }, ID, T0),
      'rule',
      'ESTIMATE_BILLING_TYPE_UNSUPPORTED',
    );
    expect(error.errors?.map((e) => e.field)).toEqual(['billingType']);
  });
});

describe('sending', () => {
  it('makes it sent with the approval, and a new sending replaces the approval', () => {
    const once = sendEstimate(withCharges(), approval, '2026-03-01', T1);
    const again = sendEstimate(once, { ...approval, requestId: 'apr_2' }, '2026-03-01', T1);
    expect([once.status, once.approval?.requestId, again.status, again.approval?.requestId]).toEqual([
      'sent',
      'apr_1',
      'sent',
      'apr_2',
    ]);
  });

  it('records the version sent: any change after it (an edit, a charge, their order) is no longer as sent (ESTIMATE_CHANGED)', () => {
    const sent = sendEstimate(withCharges(), approval, '2026-03-01', T1);
    expect([sent.approval?.sentVersion, isAsSent(sent), isAsSent(withCharges())]).toEqual([sent.version, true, false]);
    const [first] = sent.charges;
    for (const changed of [
      updateEstimate(sent, { customerId: 'cus_2' }, T1),
      estimateCharges.updateCharge(sent, first!.id, { unitPrice: '10000' }, T1),
      estimateCharges.removeCharge(sent, first!.id, T1),
      estimateCharges.reorderCharges(sent, [...sent.charges.map((c) => c.id)].reverse(), T1),
    ]) {
      expect(isAsSent(changed)).toBe(false);
      expectDomainError(() => assertAsSent(changed), 'conflict', 'ESTIMATE_CHANGED');
    }
    expect(isAsSent(sendEstimate(updateEstimate(sent, { name: 'x' }, T1), approval, '2026-03-01', T1))).toBe(true);
  });

  it('refuses an estimate with no charges (ESTIMATE_EMPTY)', () => {
    expectDomainError(() => sendEstimate(draft(), approval, '2026-03-01', T1), 'rule', 'ESTIMATE_EMPTY');
  });

  it('refuses one past its validity (ESTIMATE_EXPIRED)', () => {
    expectDomainError(() => sendEstimate(withCharges('2026-02-28'), approval, '2026-03-01', T1), 'conflict', 'ESTIMATE_EXPIRED');
  });
});

describe('accepting', () => {
  it('makes it accepted with the decision and the job it makes, whose id is drawn from the estimate', () => {
    const accepted = decideEstimate(withCharges('2026-03-31'), 'approve', staff(), '2026-03-31', T1);
    expect(accepted).toMatchObject({
      status: 'accepted',
      jobId: 'job_01JABCDEFGHJKMNPQRSTVWXYZ0',
      decision: { outcome: 'approve', by: 'staff', comment: null },
      version: 5,
    });
    expect(jobIdOf(accepted)).toBe(accepted.jobId);
  });

  it('makes a job of the same customer, terms and charges in the same order, linked back', () => {
    // Prepare
    const estimate = estimateCharges.reorderCharges(withCharges(), ['chg_2', 'chg_3', 'chg_1'], T1);
    const accepted = decideEstimate(estimate, 'approve', staff(), '2026-03-02', T1);
    // Act
    const job = jobOfAcceptance(accepted, T1);
    // Assess
    expect(job).toMatchObject({
      id: accepted.jobId,
      customerId: 'cus_1',
      name: 'Kitchen',
      billingType: 'fixed_price',
      currency: 'EUR',
      retainagePercent: '5',
      status: 'open',
      estimateId: ID,
      invoiceCount: 0,
      version: 1,
    });
    expect(job.charges).toEqual(estimate.charges);
    expect(job.charges.map((c) => c.description)).toEqual(['B', 'C', 'A']);
    expect(billingSummary(job).suggestedPrice).toBe('28.85');
  });

  it('refuses one past its validity (ESTIMATE_EXPIRED) and one with no charges (ESTIMATE_EMPTY)', () => {
    expectDomainError(
      () => decideEstimate(withCharges('2026-03-01'), 'approve', staff(), '2026-03-02', T1),
      'conflict',
      'ESTIMATE_EXPIRED',
    );
    expectDomainError(() => decideEstimate(draft(), 'approve', staff(), '2026-03-02', T1), 'rule', 'ESTIMATE_EMPTY');
  });
});

describe('declining', () => {
  it('keeps the reason, trimmed, and makes no job', () => {
    const declined = decideEstimate(withCharges(), 'reject', staff('  Too dear  '), '2026-03-02', T1);
    expect(declined).toMatchObject({ status: 'declined', jobId: null, decision: { outcome: 'reject', comment: 'Too dear' } });
  });

  it('needs a reason (REASON_REQUIRED naming reason), also past its validity', () => {
    for (const reason of [null, '   ', '\u200b']) {
      const error = expectDomainError(
        () => decideEstimate(withCharges(), 'reject', staff(reason), '2026-03-02', T1),
        'invalid',
        'REASON_REQUIRED',
      );
      expect(error.errors).toEqual([expect.objectContaining({ field: 'reason' })]);
    }
    expect(decideEstimate(withCharges('2026-01-01'), 'reject', staff('Late'), '2026-03-02', T1).status).toBe('declined');
  });
});

describe('a decided estimate', () => {
  const decided = {
    accepted: () => decideEstimate(withCharges(), 'approve', staff(), '2026-03-02', T1),
    declined: () => decideEstimate(withCharges(), 'reject', staff('No'), '2026-03-02', T1),
  };

  it.each(Object.entries(decided))('%s is read-only (ESTIMATE_NOT_EDITABLE)', (_, make) => {
    const estimate = make();
    const edits = [
      () => updateEstimate(estimate, { name: 'x' }, T1),
      () => estimateCharges.addCharge(estimate, { description: 'D', quantity: '1', unitPrice: '1' }, 'chg_9', T1),
      () => estimateCharges.updateCharge(estimate, 'chg_1', { quantity: '9' }, T1),
      () => estimateCharges.removeCharge(estimate, 'chg_1', T1),
      () => estimateCharges.reorderCharges(estimate, ['chg_3', 'chg_2', 'chg_1'], T1),
      () => sendEstimate(estimate, approval, '2026-03-02', T1),
    ];
    for (const edit of edits) expectDomainError(edit, 'conflict', 'ESTIMATE_NOT_EDITABLE');
  });

  it.each(Object.entries(decided))('%s is decided once (APPROVAL_DECIDED)', (_, make) => {
    expectDomainError(() => decideEstimate(make(), 'approve', staff(), '2026-03-02', T1), 'conflict', 'APPROVAL_DECIDED');
    expectDomainError(() => decideEstimate(make(), 'reject', staff('x'), '2026-03-02', T1), 'conflict', 'APPROVAL_DECIDED');
  });

  it('may be deleted unless accepted (ESTIMATE_ACCEPTED): its job links to it', () => {
    expectDomainError(() => assertDeletable(decided.accepted()), 'conflict', 'ESTIMATE_ACCEPTED');
    expect(() => assertDeletable(decided.declined())).not.toThrow();
    expect(() => assertDeletable(withCharges())).not.toThrow();
  });
});
