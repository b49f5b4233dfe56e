import { describe, expect, it } from 'vitest';
import {
  billingSummary,
  createJob,
  projectValue,
  suggestedPrice,
  type BillingType,
  type Job,
} from '../../functions/domain/job.js';
import {
  approveMilestone,
  completeMilestone,
  createMilestone,
  invoiceMilestone,
  markPaid,
  MAX_MILESTONES,
  MILESTONE_STATUSES,
  nextStatus,
  positionOf,
  releaseInvoice,
  removeMilestone,
  reorderMilestones,
  requestApproval,
  requestRevision,
  startBilling,
  updateMilestone,
  type Milestone,
  type MilestoneEvent,
  type MilestoneFields,
  type MilestoneStatus,
} from '../../functions/domain/milestone.js';
import { domainErrorOf, expectDomainError } from '../support/domain-errors.js';

const T0 = new Date('2025-03-01T10:00:00.000Z');
const later = new Date('2025-03-02T09:30:00.000Z');

const newJob = (billingType: BillingType = 'milestone', currency = 'EUR'): Job =>
  createJob({ customerId: 'cus_1', name: 'House', billingType, currency }, 'job_1', T0);

const fields = (overrides: Partial<MilestoneFields> = {}): MilestoneFields => ({
  name: 'Framing',
  amount: '1000',
  requiresClientApproval: false,
  ...overrides,
});

/** A job with a milestone `mil_N` per given fields, and the milestones. */
const jobWith = (given: Partial<MilestoneFields>[], job = newJob()): { job: Job; milestones: Milestone[] } =>
  given.reduce<{ job: Job; milestones: Milestone[] }>(
    (acc, overrides, i) => {
      const made = createMilestone(acc.job, fields(overrides), `mil_${i + 1}`, T0);
      return { job: made.job, milestones: [...acc.milestones, made.milestone] };
    },
    { job, milestones: [] },
  );

const milestoneIn = (status: MilestoneStatus, overrides: Partial<Milestone> = {}): Milestone => ({
  ...jobWith([{}]).milestones[0]!,
  status,
  ...overrides,
});

describe('the milestone state machine', () => {
  const EVENTS: MilestoneEvent[] = [
    'complete',
    'request_approval',
    'approve',
    'request_revision',
    'invoice',
    'void_invoice',
    'pay',
  ];
  // Every status x event, with and without client approval: where it leads, or the code that refuses it.
  const WITH_APPROVAL: Record<MilestoneStatus, Partial<Record<MilestoneEvent, MilestoneStatus | string>>> = {
    pending: { complete: 'completed' },
    completed: { request_approval: 'awaiting_approval', invoice: 'MILESTONE_NEEDS_APPROVAL' },
    // Asked again (a new link) while it awaits approval.
    awaiting_approval: { approve: 'approved', request_revision: 'revision_requested', request_approval: 'awaiting_approval' },
    approved: { invoice: 'invoiced' },
    revision_requested: { complete: 'completed' },
    invoiced: { pay: 'paid', void_invoice: 'approved' },
    paid: { void_invoice: 'approved' },
  };
  const WITHOUT_APPROVAL: Record<MilestoneStatus, Partial<Record<MilestoneEvent, MilestoneStatus | string>>> = {
    ...WITH_APPROVAL,
    completed: { request_approval: 'MILESTONE_NEEDS_NO_APPROVAL', invoice: 'invoiced' },
    awaiting_approval: { ...WITH_APPROVAL.awaiting_approval, request_approval: 'MILESTONE_NEEDS_NO_APPROVAL' },
    invoiced: { pay: 'paid', void_invoice: 'completed' },
    paid: { void_invoice: 'completed' },
  };
  const cases = [true, false].flatMap((requiresClientApproval) =>
    MILESTONE_STATUSES.flatMap((status) =>
      EVENTS.map((event) => ({
        requiresClientApproval,
        status,
        event,
        expected:
          (requiresClientApproval ? WITH_APPROVAL : WITHOUT_APPROVAL)[status][event] ?? 'MILESTONE_TRANSITION_NOT_ALLOWED',
      })),
    ),
  );

  it.for(cases)(
    'approval $requiresClientApproval: $status --$event--> $expected',
    ({ requiresClientApproval, status, event, expected }) => {
      const m = milestoneIn(status, { requiresClientApproval });
      if ((MILESTONE_STATUSES as readonly string[]).includes(expected)) {
        expect(nextStatus(m, event)).toBe(expected);
      } else {
        expectDomainError(() => nextStatus(m, event), 'conflict', expected);
      }
    },
  );

  it('walks the approval path, recording what happened at each step, each a new version', () => {
    // Prepare
    const m = milestoneIn('pending', { requiresClientApproval: true });
    // Act
    const completed = completeMilestone(m, 'Walls up', T0);
    const awaiting = requestApproval(completed, T0);
    const revised = requestRevision(awaiting, 'Window frame is crooked', T0);
    const again = completeMilestone(revised, 'Fixed', later);
    const approved = approveMilestone(requestApproval(again, later), later);
    const invoiced = invoiceMilestone(approved, 'inv_1', later);
    const paid = markPaid(invoiced, later);
    // Assess
    expect(completed).toMatchObject({ status: 'completed', completedAt: T0.toISOString(), completionNote: 'Walls up' });
    expect(revised).toMatchObject({ status: 'revision_requested', revisionComment: 'Window frame is crooked' });
    expect(again).toMatchObject({ status: 'completed', completedAt: later.toISOString(), completionNote: 'Fixed' });
    expect(approved).toMatchObject({ status: 'approved', approvedAt: later.toISOString() });
    expect(invoiced).toMatchObject({ status: 'invoiced', invoiceId: 'inv_1' });
    expect(paid).toMatchObject({ status: 'paid', invoiceId: 'inv_1', version: m.version + 8 });
    expect(m.status).toBe('pending');
  });

  it('goes from completed straight to invoiced without client approval, and back when the invoice is voided', () => {
    const invoiced = invoiceMilestone(completeMilestone(milestoneIn('pending'), null, T0), 'inv_7', T0);
    expect(invoiced).toMatchObject({ status: 'invoiced', invoiceId: 'inv_7' });
    expect(releaseInvoice(invoiced, later)).toMatchObject({ status: 'completed', invoiceId: null });
  });

  it('wants a reason for a revision (400 naming comment)', () => {
    const error = expectDomainError(
      () => requestRevision(milestoneIn('awaiting_approval'), '  ', T0),
      'invalid',
      'VALIDATION_FAILED',
    );
    expect(error.errors.map((e) => e.field)).toEqual(['comment']);
  });
});

describe('billing rounds', () => {
  const round = (state: 'running' | 'failed', invoiceId = 'inv_1') => ({
    round: 1,
    invoiceId,
    state,
    startedAt: T0.toISOString(),
  });

  it('refuses a second round while one runs, whatever the status: MILESTONE_BILLING_RUNNING', () => {
    const approved = milestoneIn('approved', { billing: round('running') });
    // A retry of a round that issued its invoice and failed to send it: the milestone is invoiced.
    const invoiced = milestoneIn('invoiced', { invoiceId: 'inv_1', billing: round('running') });

    for (const m of [approved, invoiced])
      expectDomainError(() => startBilling(m, 'inv_2', later), 'conflict', 'MILESTONE_BILLING_RUNNING');
    expect(
      startBilling(milestoneIn('invoiced', { invoiceId: 'inv_1', billing: round('failed') }), 'inv_2', later).billing,
    ).toMatchObject({
      round: 2,
      invoiceId: 'inv_1',
      state: 'running',
    });
  });
});

describe('createMilestone', () => {
  it('adds a pending, active milestone last in the job order, in the currency format, and moves the job on', () => {
    // Prepare
    const { job } = jobWith([{ name: 'Demolition' }]);
    // Act
    const { job: next, milestone } = createMilestone(
      job,
      fields({ amount: '2500.5', taxRate: '19', approverEmail: 'owner@example.test', requiresClientApproval: true }),
      'mil_9',
      later,
    );
    // Assess
    expect(milestone).toEqual({
      id: 'mil_9',
      jobId: 'job_1',
      name: 'Framing',
      description: null,
      amount: '2500.50',
      taxRate: '19',
      completionCriteria: null,
      requiresClientApproval: true,
      approverEmail: 'owner@example.test',
      status: 'pending',
      invoiceId: null,
      completedAt: null,
      completionNote: null,
      approvedAt: null,
      revisionComment: null,
      approval: null,
      billing: null,
      billingError: null,
      createdAt: later.toISOString(),
      updatedAt: later.toISOString(),
      version: 1,
    });
    expect(next.milestonePlan).toEqual([
      { id: 'mil_1', amount: '1000.00', taxRate: '0' },
      { id: 'mil_9', amount: '2500.50', taxRate: '19' },
    ]);
    expect(next.version).toBe(job.version + 1);
    expect(positionOf(next, 'mil_9')).toBe(2);
  });

  it('refuses an amount with more decimals than the currency has (400 naming amount), and zero', () => {
    const precise = expectDomainError(
      () => createMilestone(newJob('milestone', 'JPY'), fields({ amount: '10.5' }), 'mil_1', T0),
      'invalid',
      'VALIDATION_FAILED',
    );
    expect(precise.errors).toMatchObject([{ field: 'amount', code: 'too_precise' }]);
    const zero = expectDomainError(
      () => createMilestone(newJob(), fields({ amount: '0.00' }), 'mil_1', T0),
      'invalid',
      'VALIDATION_FAILED',
    );
    expect(zero.errors).toMatchObject([{ field: 'amount', code: 'too_small' }]);
  });

  it('keeps the milestones with their tax within the amount bound (422 AMOUNT_TOO_LARGE naming the fields given)', () => {
    const { job } = jobWith([{ amount: '900000000000000' }]);
    const error = expectDomainError(
      () => createMilestone(job, fields({ amount: '90000000000000', taxRate: '20' }), 'mil_2', T0),
      'rule',
      'AMOUNT_TOO_LARGE',
    );
    expect(error.errors.map((e) => e.field)).toEqual(['amount', 'taxRate']);
    // Just within, with its tax: 833333333333333.32 + 166666666666666.66 = 999999999999999.98
    expect(() => createMilestone(newJob(), fields({ amount: '833333333333333.32', taxRate: '20' }), 'mil_1', T0)).not.toThrow();
  });

  it(`holds at most ${MAX_MILESTONES} (422 TOO_MANY_MILESTONES)`, () => {
    const { job } = jobWith(Array.from({ length: MAX_MILESTONES }, () => ({})));
    expect(job.milestonePlan).toHaveLength(MAX_MILESTONES);
    expectDomainError(() => createMilestone(job, fields(), 'mil_x', T0), 'rule', 'TOO_MANY_MILESTONES');
  });

  it('refuses a billed job (409 JOB_BILLED)', () => {
    expectDomainError(() => createMilestone({ ...newJob(), status: 'billed' }, fields(), 'mil_1', T0), 'conflict', 'JOB_BILLED');
  });
});

describe('updateMilestone', () => {
  it('changes the job only when its price moves: a new name is the milestone alone', () => {
    // Prepare
    const { job, milestones } = jobWith([{}, {}]);
    // Act
    const renamed = updateMilestone(job, milestones[0]!, { name: 'Roof', description: 'Rafters', amount: '1000.00' }, later);
    const repriced = updateMilestone(job, milestones[0]!, { amount: '1200', taxRate: '7' }, later);
    // Assess
    expect(renamed.job).toBe(job);
    expect(renamed.milestone).toMatchObject({ name: 'Roof', description: 'Rafters', version: 2, updatedAt: later.toISOString() });
    expect(repriced.job.version).toBe(job.version + 1);
    expect(repriced.job.milestonePlan![0]).toEqual({ id: 'mil_1', amount: '1200.00', taxRate: '7' });
    expect(repriced.milestone).toMatchObject({ amount: '1200.00', taxRate: '7' });
    expect(suggestedPrice(repriced.job).toFixed(2)).toBe('2200.00');
  });

  it('clears optional text given as null', () => {
    const { job, milestones } = jobWith([{ description: 'Old', completionCriteria: 'Inspected' }]);
    const { milestone } = updateMilestone(job, milestones[0]!, { description: null, completionCriteria: null }, later);
    expect(milestone).toMatchObject({ description: null, completionCriteria: null });
  });

  it.for(['invoiced', 'paid'] as const)('refuses a milestone that is %s (409 MILESTONE_INVOICED), as delete does', (status) => {
    const { job } = jobWith([{}]);
    const m = milestoneIn(status, { invoiceId: 'inv_1' });
    expectDomainError(() => updateMilestone(job, m, { name: 'x' }, later), 'conflict', 'MILESTONE_INVOICED');
    expectDomainError(() => removeMilestone(job, m, later), 'conflict', 'MILESTONE_INVOICED');
  });

  it('keeps whether the client approves from completion until a revision (409 MILESTONE_APPROVAL_FIXED)', () => {
    const { job } = jobWith([{}]);
    for (const status of ['completed', 'awaiting_approval', 'approved'] as const) {
      const error = domainErrorOf(() => updateMilestone(job, milestoneIn(status), { requiresClientApproval: true }, later));
      expect({ code: error.code, fields: error.errors.map((e) => e.field) }).toEqual({
        code: 'MILESTONE_APPROVAL_FIXED',
        fields: ['requiresClientApproval'],
      });
      // The same value is no change, and other fields may change.
      expect(() =>
        updateMilestone(job, milestoneIn(status), { requiresClientApproval: false, name: 'New' }, later),
      ).not.toThrow();
    }
    for (const status of ['pending', 'revision_requested'] as const) {
      expect(
        updateMilestone(job, milestoneIn(status), { requiresClientApproval: true }, later).milestone.requiresClientApproval,
      ).toBe(true);
    }
  });

  it('refuses a billed job (409 JOB_BILLED)', () => {
    const { job, milestones } = jobWith([{}]);
    expectDomainError(
      () => updateMilestone({ ...job, status: 'billed' }, milestones[0]!, { name: 'x' }, later),
      'conflict',
      'JOB_BILLED',
    );
    expectDomainError(() => removeMilestone({ ...job, status: 'billed' }, milestones[0]!, later), 'conflict', 'JOB_BILLED');
  });
});

describe('removeMilestone', () => {
  it('takes the milestone out of the order and the price', () => {
    const { job, milestones } = jobWith([{ amount: '100' }, { amount: '200' }, { amount: '300' }]);
    const next = removeMilestone(job, milestones[1]!, later);
    expect(next.milestonePlan!.map((m) => m.id)).toEqual(['mil_1', 'mil_3']);
    expect(positionOf(next, 'mil_3')).toBe(2);
    expect(positionOf(next, 'mil_2')).toBeUndefined();
    expect(suggestedPrice(next).toFixed(2)).toBe('400.00');
  });
});

describe('reorderMilestones', () => {
  const three = () => jobWith([{ amount: '100' }, { amount: '200', taxRate: '19' }, { amount: '300' }]).job;

  it('moves positions only: each milestone keeps its terms, and the price stays', () => {
    // Prepare
    const job = three();
    // Act
    const next = reorderMilestones(job, ['mil_3', 'mil_1', 'mil_2'], later);
    // Assess
    expect(next.milestonePlan).toEqual([job.milestonePlan![2], job.milestonePlan![0], job.milestonePlan![1]]);
    expect([1, 2, 3].map((n) => positionOf(next, `mil_${n}`))).toEqual([2, 3, 1]);
    expect(next.version).toBe(job.version + 1);
    expect(suggestedPrice(next)).toEqual(suggestedPrice(job));
  });

  it('changes nothing for the order it already has (the job keeps its version)', () => {
    const job = three();
    expect(reorderMilestones(job, ['mil_1', 'mil_2', 'mil_3'], later)).toBe(job);
  });

  it.for([
    { ids: ['mil_1', 'mil_2'], why: 'missing: mil_3' },
    { ids: ['mil_1', 'mil_2', 'mil_3', 'mil_3'], why: 'listed more than once: mil_3' },
    { ids: ['mil_1', 'mil_2', 'mil_4'], why: 'not milestones of the job: mil_4' },
    { ids: ['mil_1', 'mil_1', 'mil_2'], why: 'listed more than once: mil_1; missing: mil_3' },
    { ids: [], why: 'missing: mil_1, mil_2, mil_3' },
  ])('refuses $ids: 400 naming ids ($why)', ({ ids, why }) => {
    const error = expectDomainError(() => reorderMilestones(three(), ids, later), 'invalid', 'VALIDATION_FAILED');
    expect(error.errors).toMatchObject([{ field: 'ids', code: 'not_the_milestones' }]);
    expect(error.message).toContain(why);
  });

  it('refuses a billed job (409 JOB_BILLED)', () => {
    expectDomainError(
      () => reorderMilestones({ ...three(), status: 'billed' }, ['mil_1', 'mil_2', 'mil_3'], later),
      'conflict',
      'JOB_BILLED',
    );
  });
});

describe('the price of a job with milestones', () => {
  it('is the sum of the milestones for a milestone job, whatever its charges', () => {
    // Prepare
    const { job } = jobWith([{ amount: '1000' }, { amount: '250.25' }, { amount: '99.75' }]);
    const withCharges: Job = {
      ...job,
      charges: [
        {
          id: 'chg_1',
          description: 'x',
          group: null,
          quantity: '1',
          unitPrice: '5',
          taxRate: '0',
          amount: '5.00',
          billedToDate: '0',
        },
      ],
    };
    // Act
    const summary = billingSummary({ ...withCharges, invoicedToDate: '1000' });
    // Assess
    expect(summary).toMatchObject({
      suggestedPrice: '1350.00',
      projectValue: '1350.00',
      invoicedToDate: '1000.00',
      remaining: '350.00',
    });
  });

  it('is the charges for another billing type, beside which the project value shows the milestones', () => {
    const fixed = newJob('fixed_price');
    const { job } = jobWith([{ amount: '300' }], {
      ...fixed,
      charges: [
        {
          id: 'chg_1',
          description: 'x',
          group: null,
          quantity: '2',
          unitPrice: '50',
          taxRate: '0',
          amount: '100.00',
          billedToDate: '0',
        },
      ],
    });
    expect(billingSummary(job)).toMatchObject({ suggestedPrice: '100.00', projectValue: '300.00' });
  });

  it('is zero for a job stored before milestones existed (no plan)', () => {
    const { milestonePlan: _, ...old } = newJob();
    expect(projectValue(old as Job).toFixed()).toBe('0');
    expect(billingSummary(old as Job).projectValue).toBe('0.00');
  });
});
