import type { ApprovalRequest } from './approval.js';
import { DomainError, invalidField } from './errors.js';
import { assertModifiable, milestonePlanOf, touched, type Job, type PlannedMilestone } from './job.js';
import type { MilestoneToBill } from './invoice-policies.js';
import { amount, assertPayable, assertMinorUnits, sumAmounts, toAmountString } from './money.js';

/**
 * A phase of a job, billed when it is done: `pending -> completed -> awaiting_approval -> approved |
 * revision_requested -> invoiced -> paid`; `revision_requested` goes back to work and is completed
 * again; without client approval `completed -> invoiced` directly.
 */
export const MILESTONE_STATUSES = [
  'pending',
  'completed',
  'awaiting_approval',
  'approved',
  'revision_requested',
  'invoiced',
  'paid',
] as const;

export type MilestoneStatus = (typeof MILESTONE_STATUSES)[number];

/** The client's approval the milestone was last asked for: its request, and the decision once made (the evidence). */
export type MilestoneApproval = Pick<ApprovalRequest, 'recipient' | 'status' | 'expiresAt' | 'decision'> & {
  requestId: string;
  requestedAt: string;
};

/**
 * A run of the billing workflow for the milestone. Each run is a round; its invoice id is drawn when
 * the round starts, so every retry and rerun of the round drafts, issues and sends that one invoice.
 */
export interface MilestoneBilling {
  round: number;
  invoiceId: string;
  /** `voided`: the round's invoice was voided, and the milestone is billable again, by a new round and invoice. */
  state: 'running' | 'done' | 'failed' | 'voided';
  startedAt: string;
}

/** Why the last billing round failed, until a new round starts. */
export interface BillingError {
  code: string;
  message: string;
  at: string;
}

export interface Milestone {
  id: string;
  jobId: string;
  name: string;
  description: string | null;
  /** Net, in the currency's minor units, greater than zero. */
  amount: string;
  /** Percent string ("20" = 20%). */
  taxRate: string;
  completionCriteria: string | null;
  requiresClientApproval: boolean;
  /** Who approves instead of the job's customer. */
  approverEmail: string | null;
  status: MilestoneStatus;
  /** The invoice that bills it, once there is one. */
  invoiceId: string | null;
  completedAt: string | null;
  completionNote: string | null;
  approvedAt: string | null;
  /** The last revision the approver asked for. */
  revisionComment: string | null;
  approval: MilestoneApproval | null;
  billing: MilestoneBilling | null;
  billingError: BillingError | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface MilestoneFields {
  name: string;
  description?: string | null;
  amount: string;
  taxRate?: string;
  completionCriteria?: string | null;
  requiresClientApproval: boolean;
  approverEmail?: string | null;
}

export type MilestonePatch = Partial<MilestoneFields>;

/**
 * A job holds at most this many milestones: its plan (order and amounts) is in the job item, and its
 * balance tracker lists them all in one answer.
 */
export const MAX_MILESTONES = 200;

/** What a milestone may do next, by what happens to it. */
export type MilestoneEvent =
  'complete' | 'request_approval' | 'approve' | 'request_revision' | 'invoice' | 'void_invoice' | 'pay';

/** The state machine: for each event, the statuses it may happen in and where it leads. */
const TRANSITIONS: Record<MilestoneEvent, Partial<Record<MilestoneStatus, (m: Milestone) => MilestoneStatus>>> = {
  complete: { pending: () => 'completed', revision_requested: () => 'completed' },
  // Asked again while awaiting approval: a new link in place of the last one.
  request_approval: { completed: () => 'awaiting_approval', awaiting_approval: () => 'awaiting_approval' },
  approve: { awaiting_approval: () => 'approved' },
  request_revision: { awaiting_approval: () => 'revision_requested' },
  invoice: { completed: () => 'invoiced', approved: () => 'invoiced' },
  // A voided invoice leaves the milestone billable again, where it stood before it was invoiced.
  void_invoice: {
    invoiced: (m) => (m.requiresClientApproval ? 'approved' : 'completed'),
    paid: (m) => (m.requiresClientApproval ? 'approved' : 'completed'),
  },
  pay: { invoiced: () => 'paid' },
};

const illegal = (m: Milestone, event: MilestoneEvent): DomainError =>
  new DomainError(
    'conflict',
    'MILESTONE_TRANSITION_NOT_ALLOWED',
    `A milestone that is ${m.status} cannot ${event.replace('_', ' ')}`,
  );

/**
 * The status `event` leads the milestone to, or a 409 that says why it may not happen:
 * `MILESTONE_TRANSITION_NOT_ALLOWED` from a status the event does not leave, `MILESTONE_NEEDS_APPROVAL`
 * to invoice a completed milestone that the client must approve first, `MILESTONE_NEEDS_NO_APPROVAL` to ask for an approval it does not need.
 */
export const nextStatus = (m: Milestone, event: MilestoneEvent): MilestoneStatus => {
  const to = TRANSITIONS[event][m.status];
  if (!to) throw illegal(m, event);
  if (event === 'invoice' && m.status === 'completed' && m.requiresClientApproval) {
    throw new DomainError('conflict', 'MILESTONE_NEEDS_APPROVAL', 'The client must approve the milestone before it is invoiced');
  }
  if (event === 'request_approval' && !m.requiresClientApproval) {
    throw new DomainError('conflict', 'MILESTONE_NEEDS_NO_APPROVAL', 'The milestone does not require client approval');
  }
  return to(m);
};

const milestoneTouched = (m: Milestone, now: Date, change: Partial<Milestone>): Milestone => ({
  ...m,
  ...change,
  updatedAt: now.toISOString(),
  version: m.version + 1,
});

const moved = (m: Milestone, event: MilestoneEvent, now: Date, change: Partial<Milestone> = {}): Milestone =>
  milestoneTouched(m, now, { ...change, status: nextStatus(m, event) });

/** Work is done (again, after a revision); `note` says what was done. */
export const completeMilestone = (m: Milestone, note: string | null, now: Date): Milestone =>
  moved(m, 'complete', now, { completedAt: now.toISOString(), completionNote: note });

/** The client is asked to approve the completed work. */
export const requestApproval = (m: Milestone, now: Date): Milestone => moved(m, 'request_approval', now);

export const approveMilestone = (m: Milestone, now: Date): Milestone =>
  moved(m, 'approve', now, { approvedAt: now.toISOString() });

/** The approver sends the work back, saying why (400 naming `comment` without a reason). */
export const requestRevision = (m: Milestone, comment: string, now: Date): Milestone => {
  if (!comment.trim()) throw invalidField('comment', 'required', 'say what should be revised');
  return moved(m, 'request_revision', now, { revisionComment: comment });
};

/** The invoice `invoiceId` bills the milestone. */
export const invoiceMilestone = (m: Milestone, invoiceId: string, now: Date): Milestone =>
  moved(m, 'invoice', now, { invoiceId });

/** Its invoice was voided: the milestone may be billed (and changed) again, by a new round with a new invoice. */
export const releaseInvoice = (m: Milestone, now: Date): Milestone =>
  moved(m, 'void_invoice', now, { invoiceId: null, billing: m.billing && { ...m.billing, state: 'voided' } });

/** A billing round started whose invoice still stands (a draft, or issued): the milestone is what it bills. */
const isBeingBilled = (m: Milestone): boolean => m.billing !== null && m.billing.state !== 'voided';

/** The request's state as the milestone shows it. */
const approvalOf = (request: ApprovalRequest): MilestoneApproval => ({
  requestId: request.id,
  recipient: request.recipient,
  status: request.status,
  requestedAt: request.createdAt,
  expiresAt: request.expiresAt,
  decision: request.decision,
});

/** The milestone showing its request as it is now (expired, say); a request not its own: the same object. */
export const showApproval = (m: Milestone, request: ApprovalRequest, now: Date): Milestone =>
  m.approval?.requestId === request.id ? milestoneTouched(m, now, { approval: approvalOf(request) }) : m;

/** The client is asked to approve the completed work by `request` (its link emailed). */
export const askApproval = (m: Milestone, request: ApprovalRequest, now: Date): Milestone =>
  moved(m, 'request_approval', now, { approval: approvalOf(request) });

/** The milestone's request, decided (decide() in approval.ts): approved, or sent back with the comment. */
export const applyDecision = (m: Milestone, request: ApprovalRequest, now: Date): Milestone => {
  if (m.approval?.requestId !== request.id || !request.decision) {
    throw new DomainError('conflict', 'APPROVAL_DECIDED', "The approval request is not the milestone's open request");
  }
  const decided = { ...m, approval: approvalOf(request) };
  return request.decision.outcome === 'approve'
    ? approveMilestone(decided, now)
    : requestRevision(decided, request.decision.comment ?? '', now);
};

/**
 * A billing round starts: the milestone may be invoiced now (approved, or completed when it needs no
 * approval; else nextStatus' 409), or its last round failed after issuing its invoice; and no round is
 * running (409 `MILESTONE_BILLING_RUNNING`). The round bills `invoiceId`, but a round after a failed
 * one keeps the invoice that one may have drafted or issued.
 */
export const startBilling = (m: Milestone, invoiceId: string, now: Date): Milestone => {
  // A round that failed after its invoice was issued (sending it, say) is run again to finish it.
  // First: a round running is the answer whatever the status (a retry of a round that issued its invoice is invoiced).
  if (m.billing?.state === 'running') {
    throw new DomainError('conflict', 'MILESTONE_BILLING_RUNNING', 'The milestone is being billed: wait for its invoice');
  }
  const finishesIssued = m.billing?.state === 'failed' && m.invoiceId !== null && m.invoiceId === m.billing.invoiceId;
  if (!finishesIssued) nextStatus(m, 'invoice');
  return milestoneTouched(m, now, {
    billing: {
      // Rounds count on after a void: each round's execution is named by its number.
      round: (m.billing?.round ?? 0) + 1,
      invoiceId: isBeingBilled(m) ? m.billing!.invoiceId : invoiceId,
      state: 'running',
      startedAt: now.toISOString(),
    },
    billingError: null,
  });
};

/** True while `round` is the milestone's current billing round: a step of an older one changes nothing. */
export const isCurrentRound = (m: Milestone, round: number): boolean => m.billing?.round === round;

/** The round ended: `done` once its invoice is issued and sent, `failed` with why (the milestone shows it as `billingError`). */
export const endBilling = (
  m: Milestone,
  round: number,
  outcome: { error: Omit<BillingError, 'at'> } | 'done',
  now: Date,
): Milestone => {
  const billing = m.billing;
  if (!billing || billing.round !== round || billing.state !== 'running') return m;
  return outcome === 'done'
    ? milestoneTouched(m, now, { billing: { ...billing, state: 'done' } })
    : milestoneTouched(m, now, {
        billing: { ...billing, state: 'failed' },
        billingError: { ...outcome.error, at: now.toISOString() },
      });
};

/** Its invoice is paid in full. */
export const markPaid = (m: Milestone, now: Date): Milestone => moved(m, 'pay', now);

/**
 * Once an invoice bills it, or a billing round drafts one, a milestone is what is billed: it neither
 * changes nor goes (409 `MILESTONE_INVOICED`).
 */
export const assertUninvoiced = (m: Milestone): void => {
  if (m.invoiceId !== null || isBeingBilled(m) || m.status === 'invoiced' || m.status === 'paid') {
    throw new DomainError(
      'conflict',
      'MILESTONE_INVOICED',
      'An invoice bills the milestone: it can be neither changed nor deleted',
    );
  }
};

// Whether the client approves is fixed from completion until the milestone is back in work: the
// state machine's path (completed -> awaiting_approval, or completed -> invoiced) depends on it.
const APPROVAL_FIXED_IN: readonly MilestoneStatus[] = ['completed', 'awaiting_approval', 'approved'];

const checkAmount = (value: string, currency: string): string => {
  const parsed = assertMinorUnits(value, currency, 'amount');
  if (!parsed.gt(0)) throw invalidField('amount', 'too_small', 'must be more than zero');
  return toAmountString(parsed, currency);
};

/** The request fields that make a milestone's price. */
const PRICING_FIELDS = ['amount', 'taxRate'] as const;

// The client is asked to approve, or approved, the milestone at its amount and tax rate.
const TERMS_APPROVED_IN: readonly MilestoneStatus[] = ['awaiting_approval', 'approved'];

/**
 * What the client is asked to approve, or approved, is what is billed: a milestone awaiting approval
 * or approved keeps its amount and tax rate (409 `MILESTONE_TERMS_APPROVED` naming them; a revision
 * asked for sends it back to work, where they may change, and it is approved anew).
 */
const assertTermsKept = (m: Milestone, next: Milestone): void => {
  if (!m.requiresClientApproval || !TERMS_APPROVED_IN.includes(m.status)) return;
  const changed = PRICING_FIELDS.filter((field) => !amount(next[field]).eq(m[field]));
  if (changed.length) {
    throw new DomainError(
      'conflict',
      'MILESTONE_TERMS_APPROVED',
      `The client is asked to approve, or approved, the milestone at its ${changed.join(' and ')}: it cannot change while ${m.status}`,
      changed.map((field) => ({ field, code: 'terms_approved', message: `cannot change while the milestone is ${m.status}` })),
    );
  }
};

/**
 * The job's milestones, each with its tax, taken as one invoice, stay within the amount bound
 * (else 422 `AMOUNT_TOO_LARGE` naming `fields`), so that the price, and every invoice that bills them, can be paid.
 */
const assertPlanPayable = (job: Job, fields: string[]): Job => {
  const lines = milestonePlanOf(job).map((m) => ({ net: m.amount, taxRate: m.taxRate }));
  assertPayable(lines, job.currency, "The job's milestones with tax", fields);
  return job;
};

const termsOf = (m: Milestone): PlannedMilestone => ({ id: m.id, amount: m.amount, taxRate: m.taxRate });

const samePlan = (a: PlannedMilestone, b: PlannedMilestone): boolean =>
  a.id === b.id && a.amount === b.amount && amount(a.taxRate).eq(b.taxRate);

export interface MilestoneOfJob {
  job: Job;
  milestone: Milestone;
}

/** A new milestone, last in the job's order. */
export const createMilestone = (job: Job, input: MilestoneFields, id: string, now: Date): MilestoneOfJob => {
  assertModifiable(job);
  if (milestonePlanOf(job).length >= MAX_MILESTONES) {
    throw new DomainError('rule', 'TOO_MANY_MILESTONES', `A job holds at most ${MAX_MILESTONES} milestones`);
  }
  const at = now.toISOString();
  const milestone: Milestone = {
    id,
    jobId: job.id,
    name: input.name,
    description: input.description ?? null,
    amount: checkAmount(input.amount, job.currency),
    taxRate: input.taxRate ?? '0',
    completionCriteria: input.completionCriteria ?? null,
    requiresClientApproval: input.requiresClientApproval,
    approverEmail: input.approverEmail ?? null,
    status: 'pending',
    invoiceId: null,
    completedAt: null,
    completionNote: null,
    approvedAt: null,
    revisionComment: null,
    approval: null,
    billing: null,
    billingError: null,
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
  const next = touched(job, now, { milestonePlan: [...milestonePlanOf(job), termsOf(milestone)] });
  const fields = PRICING_FIELDS.filter((field) => input[field] !== undefined);
  return { job: assertPlanPayable(next, fields), milestone };
};

/**
 * Changes a milestone that no invoice bills. The job changes (a new version) only when its price
 * does: a change of name or criteria is the milestone's alone.
 */
export const updateMilestone = (job: Job, m: Milestone, patch: MilestonePatch, now: Date): MilestoneOfJob => {
  assertModifiable(job);
  assertUninvoiced(m);
  const given = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined)) as MilestonePatch;
  if (
    given.requiresClientApproval !== undefined &&
    given.requiresClientApproval !== m.requiresClientApproval &&
    APPROVAL_FIXED_IN.includes(m.status)
  ) {
    throw new DomainError(
      'conflict',
      'MILESTONE_APPROVAL_FIXED',
      `Whether the client approves cannot change while the milestone is ${m.status}`,
      [{ field: 'requiresClientApproval', code: 'approval_fixed', message: `cannot change while the milestone is ${m.status}` }],
    );
  }
  const milestone = milestoneTouched(m, now, {
    ...given,
    ...(given.amount === undefined ? {} : { amount: checkAmount(given.amount, job.currency) }),
  });
  assertTermsKept(m, milestone);
  const plan = milestonePlanOf(job);
  const terms = termsOf(milestone);
  if (plan.every((entry) => entry.id !== m.id || samePlan(entry, terms))) return { job, milestone };
  const next = touched(job, now, { milestonePlan: plan.map((entry) => (entry.id === m.id ? terms : entry)) });
  return {
    job: assertPlanPayable(
      next,
      PRICING_FIELDS.filter((field) => patch[field] !== undefined),
    ),
    milestone,
  };
};

/** The job without the milestone, which no invoice may bill. */
export const removeMilestone = (job: Job, m: Milestone, now: Date): Job => {
  assertModifiable(job);
  assertUninvoiced(m);
  return touched(job, now, { milestonePlan: milestonePlanOf(job).filter((entry) => entry.id !== m.id) });
};

/**
 * The job with its milestones in the order of `ids`, which must name each of them exactly once (else
 * 400 naming `ids`). Only the order moves: every milestone keeps its status, amounts and invoice.
 * The same order again changes nothing (the job keeps its version).
 */
export const reorderMilestones = (job: Job, ids: readonly string[], now: Date): Job => {
  assertModifiable(job);
  const plan = milestonePlanOf(job);
  const byId = new Map(plan.map((entry) => [entry.id, entry]));
  const unknown = ids.filter((id) => !byId.has(id));
  const repeated = ids.filter((id, i) => ids.indexOf(id) !== i);
  const missing = plan.filter((entry) => !ids.includes(entry.id)).map((entry) => entry.id);
  const faults = [
    ...(unknown.length ? [`not milestones of the job: ${unknown.join(', ')}`] : []),
    ...(repeated.length ? [`listed more than once: ${[...new Set(repeated)].join(', ')}`] : []),
    ...(missing.length ? [`missing: ${missing.join(', ')}`] : []),
  ];
  if (faults.length) {
    throw invalidField('ids', 'not_the_milestones', `must list each of the job's milestones exactly once (${faults.join('; ')})`);
  }
  if (ids.every((id, i) => plan[i]!.id === id)) return job;
  return touched(job, now, { milestonePlan: ids.map((id) => byId.get(id)!) });
};

/** Where the milestone stands in the job's order, from 1; undefined when the job has no such milestone. */
export const positionOf = (job: Job, milestoneId: string): number | undefined => {
  const index = milestonePlanOf(job).findIndex((entry) => entry.id === milestoneId);
  return index < 0 ? undefined : index + 1;
};

/**
 * What the milestone's invoice bills, given every milestone of the job as it is now: the net the
 * job's other milestones were invoiced for before it, and whether it is the last one billed.
 */
export const milestoneToBill = (m: Milestone, milestones: readonly Milestone[]): MilestoneToBill => {
  const others = milestones.filter((o) => o.id !== m.id);
  const billed = others.filter((o) => o.status === 'invoiced' || o.status === 'paid');
  return {
    id: m.id,
    name: m.name,
    amount: m.amount,
    taxRate: m.taxRate,
    billedBefore: sumAmounts(billed.map((o) => o.amount)).toFixed(),
    last: billed.length === others.length,
  };
};

/**
 * A complete invoice closes the job's billing: every milestone of the job must be invoiced first
 * (409 `MILESTONES_NOT_INVOICED`, naming them), or what they are worth would be left unbilled for good.
 */
export const assertMilestonesInvoiced = (milestones: readonly Milestone[]): void => {
  const open = milestones.filter((m) => m.status !== 'invoiced' && m.status !== 'paid');
  if (open.length) {
    throw new DomainError(
      'conflict',
      'MILESTONES_NOT_INVOICED',
      `A complete invoice comes after every milestone is invoiced; not yet: ${open.map((m) => m.name).join(', ')}`,
    );
  }
};

/** True when the milestone is as the job's plan has it: one transaction writes both, so a read that straddles it sees them differ. */
export const matchesPlan = (job: Job, m: Milestone): boolean => {
  const entry = milestonePlanOf(job).find((e) => e.id === m.id);
  return entry !== undefined && samePlan(entry, termsOf(m));
};
