import { describe, expect, it } from 'vitest';
import type { DecisionEvidence } from '../../functions/domain/approval.js';
import {
  applyChangeOrder,
  assertDeletable,
  decideChangeOrder,
  draftChangeOrder,
  sendChangeOrder,
  type ChangeOrder,
  type ChangeOrderInput,
  type ScopeChangeInput,
} from '../../functions/domain/change-order.js';
import { billingSummary, createJob, milestonePlanOf, type Job } from '../../functions/domain/job.js';
import {
  createMilestone,
  invoiceMilestone,
  MAX_MILESTONES,
  removeMilestone,
  type Milestone,
  type MilestoneFields,
} from '../../functions/domain/milestone.js';
import { domainErrorOf, expectDomainError } from '../support/domain-errors.js';

const T0 = new Date('2025-03-01T10:00:00.000Z');
const later = new Date('2025-03-05T09:30:00.000Z');

const fields = (overrides: Partial<MilestoneFields> = {}): MilestoneFields => ({
  name: 'Phase',
  amount: '1000',
  requiresClientApproval: false,
  ...overrides,
});

/** A milestone job with `mil_N` per given fields, its milestones by id. */
const jobWith = (given: Partial<MilestoneFields>[]): { job: Job; milestones: Map<string, Milestone> } => {
  let job = createJob({ customerId: 'cus_1', name: 'House', billingType: 'milestone', currency: 'EUR' }, 'job_1', T0);
  const milestones = new Map<string, Milestone>();
  given.forEach((overrides, i) => {
    const made = createMilestone(job, fields(overrides), `mil_${i + 1}`, T0);
    job = made.job;
    milestones.set(made.milestone.id, made.milestone);
  });
  return { job, milestones };
};

const ids = (() => {
  let n = 0;
  return () => `mil_new${++n}`;
})();

const draft = (job: Job, milestones: Map<string, Milestone>, changes: ScopeChangeInput[]): ChangeOrder =>
  draftChangeOrder(job, milestones, { description: 'Scope change', changes }, 'co_1', ids, T0);

const staff = (comment: string | null = null): DecisionEvidence => ({
  by: 'staff',
  at: later.toISOString(),
  ip: null,
  userAgent: null,
  comment,
});

const fieldsOfError = (act: () => unknown): string[] => domainErrorOf(act).errors.map((e) => e.field);

describe('draftChangeOrder', () => {
  it('keeps the changes in the change order alone, each added milestone with its id and the amounts in the currency format', () => {
    // Prepare
    const { job, milestones } = jobWith([{ name: 'Demolition' }, { name: 'Framing', amount: '2500' }, { name: 'Roof' }]);
    const before = structuredClone(job);
    // Act
    const co = draft(job, milestones, [
      { op: 'add', milestone: fields({ name: 'Skylight', amount: '1800.5', taxRate: '19', requiresClientApproval: true }) },
      { op: 'modify', milestoneId: 'mil_2', fields: { amount: '3000', description: null } },
      { op: 'remove', milestoneId: 'mil_3' },
    ]);
    // Assess
    expect(co).toEqual({
      id: 'co_1',
      jobId: 'job_1',
      description: 'Scope change',
      status: 'draft',
      changes: [
        {
          op: 'add',
          milestoneId: expect.stringMatching(/^mil_new/),
          milestone: {
            name: 'Skylight',
            description: null,
            amount: '1800.50',
            taxRate: '19',
            completionCriteria: null,
            requiresClientApproval: true,
            approverEmail: null,
          },
        },
        { op: 'modify', milestoneId: 'mil_2', fields: { amount: '3000.00', description: null } },
        { op: 'remove', milestoneId: 'mil_3' },
      ],
      approval: null,
      decision: null,
      createdAt: T0.toISOString(),
      updatedAt: T0.toISOString(),
      version: 1,
    } satisfies ChangeOrder);
    expect(job).toEqual(before);
    expect(billingSummary(job).projectValue).toBe('4500.00');
  });

  it('refuses a milestone that is not the job (422 MILESTONE_NOT_FOUND naming the change) or named twice (400)', () => {
    const { job, milestones } = jobWith([{}, {}]);
    const other = jobWith([{}]);
    const foreign = new Map([...milestones, ['mil_x', { ...other.milestones.get('mil_1')!, id: 'mil_x', jobId: 'job_2' }]]);
    const unknown = expectDomainError(
      () =>
        draft(job, foreign, [
          { op: 'remove', milestoneId: 'mil_1' },
          { op: 'modify', milestoneId: 'mil_x', fields: { name: 'X' } },
        ]),
      'rule',
      'MILESTONE_NOT_FOUND',
    );
    expect(unknown.errors.map((e) => e.field)).toEqual(['changes.1.milestoneId']);
    const twice = expectDomainError(
      () =>
        draft(job, milestones, [
          { op: 'modify', milestoneId: 'mil_2', fields: { name: 'X' } },
          { op: 'add', milestone: fields() },
          { op: 'remove', milestoneId: 'mil_2' },
        ]),
      'invalid',
      'VALIDATION_FAILED',
    );
    expect(twice.errors.map((e) => e.field)).toEqual(['changes.2.milestoneId']);
  });

  it('refuses to modify or remove an invoiced milestone (409 MILESTONE_INVOICED naming the change)', () => {
    const { job, milestones } = jobWith([{}, {}]);
    const done = { ...milestones.get('mil_2')!, status: 'completed' as const };
    milestones.set('mil_2', invoiceMilestone(done, 'inv_1', T0));
    for (const change of [
      { op: 'remove', milestoneId: 'mil_2' },
      { op: 'modify', milestoneId: 'mil_2', fields: { name: 'Renamed' } },
    ] as const) {
      const error = expectDomainError(
        () => draft(job, milestones, [{ op: 'modify', milestoneId: 'mil_1', fields: { name: 'Fine' } }, change]),
        'conflict',
        'MILESTONE_INVOICED',
      );
      expect(error.errors).toEqual([{ field: 'changes.1', code: 'milestone_invoiced', message: expect.any(String) }]);
    }
  });

  it("names a milestone's field under its change: changes.<i>.milestone.<field>, changes.<i>.fields.<field>", () => {
    const { job, milestones } = jobWith([{ requiresClientApproval: false }]);
    milestones.set('mil_1', { ...milestones.get('mil_1')!, status: 'completed' });
    expect(fieldsOfError(() => draft(job, milestones, [{ op: 'add', milestone: fields({ amount: '1.005' }) }]))).toEqual([
      'changes.0.milestone.amount',
    ]);
    const fixed = () =>
      draft(job, milestones, [
        { op: 'add', milestone: fields() },
        { op: 'modify', milestoneId: 'mil_1', fields: { requiresClientApproval: true } },
      ]);
    expectDomainError(fixed, 'conflict', 'MILESTONE_APPROVAL_FIXED');
    expect(fieldsOfError(fixed)).toEqual(['changes.1.fields.requiresClientApproval']);
    const tooMuch = () => draft(job, milestones, [{ op: 'add', milestone: fields({ amount: '999999999999999' }) }]);
    expectDomainError(tooMuch, 'rule', 'AMOUNT_TOO_LARGE');
    expect(fieldsOfError(tooMuch)).toEqual(['changes.0.milestone.amount']);
  });

  it(`keeps the job within ${MAX_MILESTONES} milestones, counting what the change order removes first`, () => {
    const { job, milestones } = jobWith(Array.from({ length: MAX_MILESTONES }, () => ({ amount: '1' })));
    const full = expectDomainError(
      () => draft(job, milestones, [{ op: 'add', milestone: fields() }]),
      'rule',
      'TOO_MANY_MILESTONES',
    );
    expect(full.errors.map((e) => e.field)).toEqual(['changes.0']);
    // A replacement fits: the removal is made before the addition, whatever their order in the request.
    const co = draft(job, milestones, [
      { op: 'add', milestone: fields() },
      { op: 'remove', milestoneId: 'mil_7' },
    ]);
    const applied = applyChangeOrder(co, job, milestones, later);
    expect(milestonePlanOf(applied.job)).toHaveLength(MAX_MILESTONES);
  });

  it('refuses a billed job (409 JOB_BILLED)', () => {
    const { job, milestones } = jobWith([{}]);
    expectDomainError(
      () => draft({ ...job, status: 'billed' }, milestones, [{ op: 'add', milestone: fields() }]),
      'conflict',
      'JOB_BILLED',
    );
  });
});

describe('applyChangeOrder', () => {
  const scenario = () => {
    const { job, milestones } = jobWith([{ name: 'Demolition' }, { name: 'Framing', amount: '2500' }, { name: 'Roof' }]);
    const input: ChangeOrderInput['changes'] = [
      { op: 'add', milestone: fields({ name: 'Skylight', amount: '1800' }) },
      { op: 'modify', milestoneId: 'mil_2', fields: { amount: '3000', name: 'Framing and insulation' } },
      { op: 'remove', milestoneId: 'mil_1' },
      { op: 'add', milestone: fields({ name: 'Gutters', amount: '200' }) },
    ];
    return { job, milestones, co: draft(job, milestones, input) };
  };

  it('makes every change in one new job version: the price moves, added milestones are pending and last', () => {
    // Prepare
    const { job, milestones, co } = scenario();
    // Act
    const applied = applyChangeOrder(co, job, milestones, later);
    // Assess
    const [skylight, gutters] = [co.changes[0]!.milestoneId, co.changes[3]!.milestoneId];
    expect(applied.job.version).toBe(job.version + 1);
    expect(applied.job.updatedAt).toBe(later.toISOString());
    expect(milestonePlanOf(applied.job).map((m) => [m.id, m.amount])).toEqual([
      ['mil_2', '3000.00'],
      ['mil_3', '1000.00'],
      [skylight, '1800.00'],
      [gutters, '200.00'],
    ]);
    expect(billingSummary(applied.job).projectValue).toBe('6000.00');
    expect(applied.added.map((m) => [m.id, m.name, m.status, m.version, m.createdAt])).toEqual([
      [skylight, 'Skylight', 'pending', 1, later.toISOString()],
      [gutters, 'Gutters', 'pending', 1, later.toISOString()],
    ]);
    expect(applied.modified).toEqual([
      {
        previous: milestones.get('mil_2'),
        milestone: {
          ...milestones.get('mil_2'),
          name: 'Framing and insulation',
          amount: '3000.00',
          updatedAt: later.toISOString(),
          version: 2,
        },
      },
    ]);
    expect(applied.removed).toEqual([milestones.get('mil_1')]);
  });

  it('leaves the job as it is when no price or order changes (a rename)', () => {
    const { job, milestones } = jobWith([{}]);
    const co = draft(job, milestones, [{ op: 'modify', milestoneId: 'mil_1', fields: { name: 'Renamed' } }]);
    const applied = applyChangeOrder(co, job, milestones, later);
    expect(applied.job).toBe(job);
    expect(applied.modified[0]!.milestone.name).toBe('Renamed');
  });

  it('refuses all of it when a milestone it changes was invoiced since it was drafted (409 MILESTONE_INVOICED)', () => {
    const { job, milestones, co } = scenario();
    const invoiced = invoiceMilestone({ ...milestones.get('mil_2')!, status: 'completed' }, 'inv_9', later);
    const error = expectDomainError(
      () => applyChangeOrder(co, job, new Map([...milestones, ['mil_2', invoiced]]), later),
      'conflict',
      'MILESTONE_INVOICED',
    );
    expect(error.errors.map((e) => e.field)).toEqual(['changes.1']);
  });

  it('refuses it when a milestone it changes was deleted since (422) or the job got billed (409)', () => {
    const { job, milestones, co } = scenario();
    const without = removeMilestone(job, milestones.get('mil_1')!, later);
    const gone = expectDomainError(() => applyChangeOrder(co, without, milestones, later), 'rule', 'MILESTONE_NOT_FOUND');
    expect(gone.errors.map((e) => e.field)).toEqual(['changes.2.milestoneId']);
    expectDomainError(() => applyChangeOrder(co, { ...job, status: 'billed' }, milestones, later), 'conflict', 'JOB_BILLED');
  });
});

describe('deciding a change order', () => {
  const { job, milestones } = jobWith([{}]);
  const co = draft(job, milestones, [{ op: 'remove', milestoneId: 'mil_1' }]);
  const approval = { requestId: 'apr_1', recipient: 'client@example.test', expiresAt: '2025-03-20T00:00:00.000Z' };

  it('approves or rejects a draft or a sent one, recording the evidence', () => {
    const sent = sendChangeOrder(co, approval, T0);
    expect(sent).toMatchObject({ status: 'sent', approval, version: 2 });
    for (const from of [co, sent]) {
      expect(decideChangeOrder(from, 'approve', staff(' Fine by phone '), later)).toMatchObject({
        status: 'approved',
        decision: {
          outcome: 'approve',
          by: 'staff',
          at: later.toISOString(),
          ip: null,
          userAgent: null,
          comment: 'Fine by phone',
        },
        updatedAt: later.toISOString(),
        version: from.version + 1,
      });
      expect(decideChangeOrder(from, 'reject', staff('Too expensive'), later)).toMatchObject({
        status: 'rejected',
        decision: { outcome: 'reject', comment: 'Too expensive' },
      });
    }
    expect(decideChangeOrder(co, 'approve', staff('  '), later).decision?.comment).toBeNull();
  });

  it('decides once (409 APPROVAL_DECIDED): neither a second decision nor a new sending', () => {
    for (const decided of [
      decideChangeOrder(co, 'approve', staff(), later),
      decideChangeOrder(co, 'reject', staff('No'), later),
    ]) {
      expectDomainError(() => decideChangeOrder(decided, 'approve', staff(), later), 'conflict', 'APPROVAL_DECIDED');
      expectDomainError(() => decideChangeOrder(decided, 'reject', staff('No'), later), 'conflict', 'APPROVAL_DECIDED');
      expectDomainError(() => sendChangeOrder(decided, approval, later), 'conflict', 'APPROVAL_DECIDED');
    }
  });

  it('wants a reason to reject (400 naming comment)', () => {
    for (const comment of [null, '', '  ']) {
      const error = expectDomainError(
        () => decideChangeOrder(co, 'reject', staff(comment), later),
        'invalid',
        'COMMENT_REQUIRED',
      );
      expect(error.errors.map((e) => e.field)).toEqual(['comment']);
    }
  });

  it('sends a sent one again with the new approval in place of the old', () => {
    const again = sendChangeOrder(sendChangeOrder(co, approval, T0), { ...approval, requestId: 'apr_2' }, later);
    expect(again).toMatchObject({ status: 'sent', approval: { requestId: 'apr_2' }, version: 3 });
  });

  it('deletes only a draft (409 CHANGE_ORDER_NOT_DRAFT)', () => {
    expect(() => assertDeletable(co)).not.toThrow();
    for (const kept of [sendChangeOrder(co, approval, T0), decideChangeOrder(co, 'reject', staff('No'), later)]) {
      expectDomainError(() => assertDeletable(kept), 'conflict', 'CHANGE_ORDER_NOT_DRAFT');
    }
  });
});
