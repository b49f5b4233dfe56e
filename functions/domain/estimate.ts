import { readableComment, type DecisionEvidence } from './approval.js';
import { chargeEditing } from './charge.js';
import { DomainError } from './errors.js';
import { lineTotals, type TaxLine, type Totals } from './invoice.js';
import { createJob, type BillingType, type Charge, type Job, type JobFields, type JobTerms } from './job.js';
import { checkCurrency } from './money.js';

/**
 * What a job would be, offered to the client before there is one (seed 000): its charges in billing
 * order and their total. The client (through the portal) or staff for the client accepts it, which
 * makes the job, or declines it with a reason. `draft -> sent -> accepted | declined`; a draft may be
 * decided at once (staff), a sent one sent again (a new link); a decided estimate is read-only.
 */
export const ESTIMATE_STATUSES = ['draft', 'sent', 'accepted', 'declined'] as const;

export type EstimateStatus = (typeof ESTIMATE_STATUSES)[number];

/** The client's decision the estimate was sent for (the portal's request and its emailed link). */
export interface EstimateApproval {
  requestId: string;
  recipient: string;
  expiresAt: string;
  /** The estimate's version as sent: any change after it (customer, charges, order) leaves the link deciding nothing. */
  sentVersion: number;
}

/** Accept (`approve`) or decline (`reject`), as the portal's approval requests name them. */
export type EstimateOutcome = 'approve' | 'reject';

export type EstimateDecision = DecisionEvidence & { outcome: EstimateOutcome };

/** The terms of the job it would make (`JobTerms`: carried to the job on acceptance). */
export interface Estimate extends JobTerms {
  id: string;
  /** The last day (ISO date, the tenant's calendar) it can be accepted; null: no limit. */
  validUntil: string | null;
  status: EstimateStatus;
  /** In billing order; the job made from it gets them in that order. Never billed: `billedToDate` stays zero. */
  charges: Charge[];
  /** Null until sent; a new sending replaces it. */
  approval: EstimateApproval | null;
  /** Who decided, when, from where, and the reason of a decline (`comment`). */
  decision: EstimateDecision | null;
  /** The job its acceptance made. */
  jobId: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export type EstimateFields = JobFields & { validUntil?: string | null };

export type EstimatePatch = Partial<Pick<EstimateFields, 'name' | 'customerId' | 'retainagePercent' | 'validUntil'>>;

/**
 * A milestone job is priced by milestones, which an estimate does not carry: accepted, its charges
 * would make a job that bills nothing (422 `ESTIMATE_BILLING_TYPE_UNSUPPORTED` naming `billingType`).
 */
const assertEstimable = (billingType: BillingType): void => {
  if (billingType === 'milestone') {
    throw new DomainError(
      'rule',
      'ESTIMATE_BILLING_TYPE_UNSUPPORTED',
      'A milestone job is priced by its milestones, which an estimate does not offer: estimate it as fixed_price or time_and_material',
      [{ field: 'billingType', code: 'unsupported', message: 'must be fixed_price or time_and_material' }],
    );
  }
};

export const createEstimate = (input: EstimateFields, id: string, now: Date): Estimate => {
  assertEstimable(input.billingType);
  return {
    id,
    customerId: input.customerId,
    name: input.name,
    billingType: input.billingType,
    currency: checkCurrency(input.currency),
    retainagePercent: input.retainagePercent ?? null,
    validUntil: input.validUntil ?? null,
    status: 'draft',
    charges: [],
    approval: null,
    decision: null,
    jobId: null,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    version: 1,
  };
};

const changed = (estimate: Estimate, now: Date, change: Partial<Estimate>): Estimate => ({
  ...estimate,
  ...change,
  updatedAt: now.toISOString(),
  version: estimate.version + 1,
});

const isDecided = (estimate: Estimate): boolean => estimate.status === 'accepted' || estimate.status === 'declined';

/** What the client decided on is on record: an accepted or declined estimate changes no more (409 `ESTIMATE_NOT_EDITABLE`). */
export const assertEditable = (estimate: Estimate): void => {
  if (isDecided(estimate)) {
    throw new DomainError('conflict', 'ESTIMATE_NOT_EDITABLE', `The estimate is ${estimate.status} and cannot be changed`);
  }
};

/** An estimate's charges, by the rules of a job's (domain/charge.ts), while it is draft or sent. */
export const estimateCharges = chargeEditing<Estimate>({ noun: 'estimate', assertEditable });

export const updateEstimate = (estimate: Estimate, patch: EstimatePatch, now: Date): Estimate => {
  assertEditable(estimate);
  return changed(estimate, now, Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined)));
};

/** Past its last valid day (`today` is the tenant's calendar day): it can no longer be accepted. */
export const isPastValidity = (estimate: Estimate, today: string): boolean =>
  estimate.validUntil !== null && today > estimate.validUntil;

const assertValid = (estimate: Estimate, today: string): void => {
  if (isPastValidity(estimate, today)) {
    throw new DomainError('conflict', 'ESTIMATE_EXPIRED', `The estimate was valid until ${estimate.validUntil}`);
  }
};

const assertNotEmpty = (estimate: Estimate): void => {
  if (!estimate.charges.length) {
    throw new DomainError('rule', 'ESTIMATE_EMPTY', 'The estimate has no charges: add what it offers first');
  }
};

/**
 * Sent to the client (a draft, or a sent one whose new link replaces the old): it offers something
 * (422 `ESTIMATE_EMPTY`), is still valid (409 `ESTIMATE_EXPIRED`) and undecided (409 `ESTIMATE_NOT_EDITABLE`).
 * The approval records the version sent, what the link's decision is about.
 */
export const sendEstimate = (
  estimate: Estimate,
  approval: Omit<EstimateApproval, 'sentVersion'>,
  today: string,
  now: Date,
): Estimate => {
  assertEditable(estimate);
  assertNotEmpty(estimate);
  assertValid(estimate, today);
  const next = changed(estimate, now, { status: 'sent' });
  return { ...next, approval: { ...approval, sentVersion: next.version } };
};

/** Unchanged since it was sent: what the client's link shows and decides is what was emailed. */
export const isAsSent = (estimate: Estimate): boolean => estimate.approval?.sentVersion === estimate.version;

/**
 * A decision through the link is on the estimate as sent: one changed since (an edit, a charge, the
 * order) is refused (409 `ESTIMATE_CHANGED`) and changes nothing; staff send it again.
 */
export const assertAsSent = (estimate: Estimate): void => {
  if (!isAsSent(estimate)) {
    throw new DomainError('conflict', 'ESTIMATE_CHANGED', 'The estimate changed since its link was sent: send it again');
  }
};

/** The id of the job an estimate's acceptance makes: drawn from the estimate, so that every accept of it writes that one job. */
export const jobIdOf = (estimate: Pick<Estimate, 'id'>): string => `job_${estimate.id.replace(/^est_/, '')}`;

/**
 * The estimate accepted or declined, once (409 `APPROVAL_DECIDED`), with the decision's evidence. A
 * decline says why (400 `REASON_REQUIRED` naming `reason`); an acceptance needs charges (422
 * `ESTIMATE_EMPTY`) and a valid estimate (409 `ESTIMATE_EXPIRED` past `validUntil`), and links the
 * job it makes (`jobOfAcceptance`, in the same write).
 */
export const decideEstimate = (
  estimate: Estimate,
  outcome: EstimateOutcome,
  evidence: DecisionEvidence,
  today: string,
  now: Date,
): Estimate => {
  if (isDecided(estimate)) {
    throw new DomainError('conflict', 'APPROVAL_DECIDED', `The estimate is ${estimate.status} already`);
  }
  const comment = readableComment(evidence.comment);
  if (outcome === 'reject') {
    if (!comment) {
      throw new DomainError('invalid', 'REASON_REQUIRED', 'Say why the estimate is declined', [
        { field: 'reason', code: 'required', message: 'required: say why the estimate is declined' },
      ]);
    }
    return changed(estimate, now, { status: 'declined', decision: { ...evidence, comment, outcome } });
  }
  assertNotEmpty(estimate);
  assertValid(estimate, today);
  return changed(estimate, now, {
    status: 'accepted',
    decision: { ...evidence, comment, outcome },
    jobId: jobIdOf(estimate),
  });
};

/**
 * The job an accepted estimate makes: its customer, name, billing type, currency and retainage, the
 * same charges in the same order (their ids are per owner, so they stay), and a link back to it.
 */
export const jobOfAcceptance = (estimate: Estimate, now: Date): Job => ({
  ...createJob(
    {
      customerId: estimate.customerId,
      name: estimate.name,
      billingType: estimate.billingType,
      currency: estimate.currency,
      retainagePercent: estimate.retainagePercent,
    },
    jobIdOf(estimate),
    now,
  ),
  charges: estimate.charges,
  estimateId: estimate.id,
});

/** Net, tax per rate and gross of the estimate's charges, as one invoice of all of them would total them. */
export const estimateTotals = (estimate: Estimate): { totals: Totals; taxes: TaxLine[] } =>
  lineTotals(estimate.charges, estimate.currency);

/** Only an estimate that made no job may be deleted (409 `ESTIMATE_ACCEPTED`): the job links to it (and stays: domain/job.ts). */
export const assertDeletable = (estimate: Estimate): void => {
  if (estimate.status === 'accepted') {
    throw new DomainError('conflict', 'ESTIMATE_ACCEPTED', 'An accepted estimate cannot be deleted: its job links to it');
  }
};
