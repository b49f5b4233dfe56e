import { readableComment, type DecisionEvidence } from './approval.js';
import { DomainError, invalidField, unknownReference, type FieldError } from './errors.js';
import { assertModifiable, type Job } from './job.js';
import {
  createMilestone,
  positionOf,
  removeMilestone,
  updateMilestone,
  type Milestone,
  type MilestoneFields,
  type MilestonePatch,
} from './milestone.js';

/**
 * A formal change of a job's milestones (design §2, seed 003): milestones added, modified or removed,
 * proposed as a whole and approved by the client (or by staff for the client) before any of it bills.
 * Until approved it changes nothing but itself: `draft -> sent -> approved | rejected`, where a draft
 * may also be decided at once (staff deciding for the client) and only a draft may be deleted.
 */
export const CHANGE_ORDER_STATUSES = ['draft', 'sent', 'approved', 'rejected'] as const;

export type ChangeOrderStatus = (typeof CHANGE_ORDER_STATUSES)[number];

/** One change as requested: a new milestone has no id yet. */
export type ScopeChangeInput =
  | { op: 'add'; milestone: MilestoneFields }
  | { op: 'modify'; milestoneId: string; fields: MilestonePatch }
  | { op: 'remove'; milestoneId: string };

/**
 * One change as the change order keeps it. An added milestone's id is drawn with the change order, so
 * that the change order says which milestone it added, and an approval retried adds that one again.
 */
export type ScopeChange =
  | { op: 'add'; milestoneId: string; milestone: Required<MilestoneFields> }
  | { op: 'modify'; milestoneId: string; fields: MilestonePatch }
  | { op: 'remove'; milestoneId: string };

/** The client's approval the change order was sent for (the portal's request and its emailed link). */
export interface ChangeOrderApproval {
  requestId: string;
  recipient: string;
  expiresAt: string;
}

export type ChangeOrderOutcome = 'approve' | 'reject';

export type ChangeOrderDecision = DecisionEvidence & { outcome: ChangeOrderOutcome };

export interface ChangeOrder {
  id: string;
  jobId: string;
  /** Why the scope changes, as the client reads it. */
  description: string;
  changes: ScopeChange[];
  status: ChangeOrderStatus;
  /** Null until sent; a new sending replaces it. */
  approval: ChangeOrderApproval | null;
  /** Who decided, when, from where, and what they said. */
  decision: ChangeOrderDecision | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface ChangeOrderInput {
  description: string;
  changes: ScopeChangeInput[];
}

/**
 * A change order makes at most this many changes. Approving it is one transaction: the job, one action
 * per change, the change order and the portal's request stay well within DynamoDB's 100 actions, and
 * 40 changes of long text (2,000-character descriptions and criteria) stay within one 400 KB item.
 */
export const MAX_CHANGES = 40;

/** The job's next version and the milestones as approving the change order makes them. */
export interface AppliedChangeOrder {
  /** The same object as the job given when its price and order do not change (modified names only). */
  job: Job;
  /** New milestones, pending, last in the job's order in the order of the changes. */
  added: Milestone[];
  modified: { milestone: Milestone; previous: Milestone }[];
  removed: Milestone[];
}

/** The milestone ids that the changes modify or remove (not those they add). */
export const namedMilestoneIds = (changes: readonly (ScopeChangeInput | ScopeChange)[]): string[] =>
  changes.flatMap((change) => (change.op === 'add' ? [] : [change.milestoneId]));

const fieldsOf = (m: Milestone): Required<MilestoneFields> => ({
  name: m.name,
  description: m.description,
  amount: m.amount,
  taxRate: m.taxRate,
  completionCriteria: m.completionCriteria,
  requiresClientApproval: m.requiresClientApproval,
  approverEmail: m.approverEmail,
});

/** Where a change's own fields are in the request: a refusal names them under the change. */
const FIELDS_OF: Record<ScopeChange['op'], string> = { add: '.milestone', modify: '.fields', remove: '' };

/**
 * Runs one change, and names the change in what refuses it: a field of the milestone becomes
 * `changes.<i>.milestone.amount`, a refusal of the whole milestone (`MILESTONE_INVOICED`) `changes.<i>`.
 */
const inChange = <T>(i: number, op: ScopeChange['op'], act: () => T): T => {
  try {
    return act();
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    const at = `changes.${i}`;
    const errors: FieldError[] = error.errors.length
      ? error.errors.map((e) => ({ ...e, field: `${at}${FIELDS_OF[op]}.${e.field}` }))
      : [{ field: at, code: error.code.toLowerCase(), message: error.message }];
    throw new DomainError(error.kind, error.code, `${at}: ${error.message}`, errors);
  }
};

/** The milestone a change names: the job's (else 422 `MILESTONE_NOT_FOUND` naming `changes.<i>.milestoneId`), named once. */
const namedMilestone = (
  job: Job,
  milestones: ReadonlyMap<string, Milestone>,
  changes: readonly (ScopeChangeInput | ScopeChange)[],
  i: number,
  id: string,
): Milestone => {
  const field = `changes.${i}.milestoneId`;
  const m = milestones.get(id);
  if (positionOf(job, id) === undefined || !m) throw unknownReference('milestone', field);
  if (changes.findIndex((c) => c.op !== 'add' && c.milestoneId === id) !== i) {
    throw invalidField(field, 'repeated', 'names a milestone that another change of the change order names');
  }
  return m;
};

/**
 * The changes made to the job and its milestones by the rules of direct edits (milestone.ts): removals
 * first, so that a change order may replace milestones of a full job, then modifications, then the new
 * milestones at the end of the order. One new job version for the whole of it; with the changes as the
 * change order keeps them (ids of added milestones, amounts in the currency's format).
 */
const applyChanges = (
  job: Job,
  milestones: ReadonlyMap<string, Milestone>,
  changes: readonly (ScopeChangeInput | ScopeChange)[],
  addedId: (i: number) => string,
  now: Date,
): { applied: AppliedChangeOrder; kept: ScopeChange[] } => {
  assertModifiable(job);
  const named = changes.map((change, i) =>
    change.op === 'add' ? undefined : namedMilestone(job, milestones, changes, i, change.milestoneId),
  );
  const indexesOf = (op: ScopeChange['op']) => changes.flatMap((change, i) => (change.op === op ? [i] : []));
  const applied: AppliedChangeOrder = { job, added: [], modified: [], removed: [] };
  const kept: ScopeChange[] = [];
  let next = job;
  for (const i of indexesOf('remove')) {
    const m = named[i]!;
    next = inChange(i, 'remove', () => removeMilestone(next, m, now));
    applied.removed.push(m);
    kept[i] = { op: 'remove', milestoneId: m.id };
  }
  for (const i of indexesOf('modify')) {
    const { fields } = changes[i] as Extract<ScopeChangeInput, { op: 'modify' }>;
    const previous = named[i]!;
    const made = inChange(i, 'modify', () => updateMilestone(next, previous, fields, now));
    next = made.job;
    applied.modified.push({ milestone: made.milestone, previous });
    kept[i] = {
      op: 'modify',
      milestoneId: previous.id,
      fields: fields.amount === undefined ? fields : { ...fields, amount: made.milestone.amount },
    };
  }
  for (const i of indexesOf('add')) {
    const { milestone } = changes[i] as Extract<ScopeChangeInput, { op: 'add' }>;
    const made = inChange(i, 'add', () => createMilestone(next, milestone, addedId(i), now));
    next = made.job;
    applied.added.push(made.milestone);
    kept[i] = { op: 'add', milestoneId: made.milestone.id, milestone: fieldsOf(made.milestone) };
  }
  // Each step above moved the job on a version; the change order as a whole is one.
  if (next !== job) applied.job = { ...next, version: job.version + 1 };
  return { applied, kept };
};

/**
 * A new change order, in `draft`, checked against the job as it is: every change must apply now as
 * approving it would (the milestones it names are the job's, each named once, none invoiced, the job
 * not billed and within its milestone count). `newMilestoneId` draws the id of each added milestone.
 */
export const draftChangeOrder = (
  job: Job,
  milestones: ReadonlyMap<string, Milestone>,
  input: ChangeOrderInput,
  id: string,
  newMilestoneId: () => string,
  now: Date,
): ChangeOrder => {
  const { kept } = applyChanges(job, milestones, input.changes, newMilestoneId, now);
  return {
    id,
    jobId: job.id,
    description: input.description,
    changes: kept,
    status: 'draft',
    approval: null,
    decision: null,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    version: 1,
  };
};

/**
 * What approving the change order does to the job and its milestones, checked again against them as
 * they are now: a milestone invoiced since the change order was drafted (409 `MILESTONE_INVOICED`) or
 * removed (422 `MILESTONE_NOT_FOUND`), or a billed job (409 `JOB_BILLED`), refuses all of it.
 */
export const applyChangeOrder = (
  co: ChangeOrder,
  job: Job,
  milestones: ReadonlyMap<string, Milestone>,
  now: Date,
): AppliedChangeOrder => applyChanges(job, milestones, co.changes, (i) => co.changes[i]!.milestoneId, now).applied;

const changed = (co: ChangeOrder, now: Date, change: Partial<ChangeOrder>): ChangeOrder => ({
  ...co,
  ...change,
  updatedAt: now.toISOString(),
  version: co.version + 1,
});

const assertUndecided = (co: ChangeOrder): void => {
  if (co.status === 'approved' || co.status === 'rejected') {
    throw new DomainError('conflict', 'APPROVAL_DECIDED', `The change order is ${co.status} already`);
  }
};

/** Sent to the client for approval (a draft, or a sent one whose new link replaces the old); decided ones are 409 `APPROVAL_DECIDED`. */
export const sendChangeOrder = (co: ChangeOrder, approval: ChangeOrderApproval, now: Date): ChangeOrder => {
  assertUndecided(co);
  return changed(co, now, { status: 'sent', approval });
};

/**
 * The change order approved or rejected, once (409 `APPROVAL_DECIDED`), with the decision's evidence;
 * a rejection says why (400 `COMMENT_REQUIRED` naming `comment`). Approving it also applies it:
 * applyChangeOrder, in the same write.
 */
export const decideChangeOrder = (
  co: ChangeOrder,
  outcome: ChangeOrderOutcome,
  evidence: DecisionEvidence,
  now: Date,
): ChangeOrder => {
  assertUndecided(co);
  const comment = readableComment(evidence.comment);
  if (outcome === 'reject' && !comment) {
    throw new DomainError('invalid', 'COMMENT_REQUIRED', 'Say why the change order is rejected', [
      { field: 'comment', code: 'required', message: 'required: say why the change order is rejected' },
    ]);
  }
  return changed(co, now, {
    status: outcome === 'approve' ? 'approved' : 'rejected',
    decision: { ...evidence, comment, outcome },
  });
};

/** Only a draft may be deleted (409 `CHANGE_ORDER_NOT_DRAFT`): a sent or decided one is on record. */
export const assertDeletable = (co: ChangeOrder): void => {
  if (co.status !== 'draft') {
    throw new DomainError(
      'conflict',
      'CHANGE_ORDER_NOT_DRAFT',
      `Only a draft change order can be deleted; this one is ${co.status}`,
    );
  }
};
