import { DomainError } from './errors.js';

/**
 * A client's approval asked for by email (a milestone's work, a change order, an estimate): a durable
 * record, decided once, by the client through the portal link or by staff for the client (design §4, §6).
 * An estimate has no job yet: accepting it makes one.
 */
export type ApprovalSubject =
  | { kind: 'milestone'; jobId: string; milestoneId: string }
  | { kind: 'change_order'; jobId: string; changeOrderId: string }
  | { kind: 'estimate'; estimateId: string };

/** What a decision says: a milestone is approved or sent back; a change order is approved or rejected; an estimate accepted (approve) or declined (reject). */
export type ApprovalOutcome = 'approve' | 'request_revision' | 'reject';

export const APPROVAL_STATUSES = ['pending', 'approved', 'revision_requested', 'rejected', 'superseded', 'expired'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

/** Who decides: the client through the portal, staff for the client, or nobody by the deemed time (counted as approval). */
export const DECIDERS = ['client', 'staff', 'deemed'] as const;

/** Who decided, when, from where, and what they said: kept with the decision as its evidence. */
export interface DecisionEvidence {
  by: (typeof DECIDERS)[number];
  at: string;
  /** The client's address and browser (portal); null for staff, who are known by their API key's tenant. */
  ip: string | null;
  userAgent: string | null;
  comment: string | null;
}

export interface ApprovalRequest {
  id: string;
  subject: ApprovalSubject;
  /** Whom the link was emailed to. */
  recipient: string;
  /** SHA-256 of the link's secret (hex); the secret itself is only ever in the email. */
  secretHash: string;
  status: ApprovalStatus;
  createdAt: string;
  expiresAt: string;
  /** When it is reminded, and when it counts as approved, if still undecided (the tenant's settings when it was made). */
  remindAt?: string | null;
  deemedAcceptedAt?: string | null;
  /** The reminder: the SHA-256 of its link's own secret (either link decides), and when it was mailed (null: being mailed). */
  reminder?: { secretHash: string; sentAt: string | null } | null;
  decision: (DecisionEvidence & { outcome: ApprovalOutcome }) | null;
  version: number;
}

const OUTCOMES: Record<ApprovalSubject['kind'], readonly ApprovalOutcome[]> = {
  milestone: ['approve', 'request_revision'],
  change_order: ['approve', 'reject'],
  estimate: ['approve', 'reject'],
};

/** Whether silence may count as approval: never for an estimate, since a silence must not make a job. */
export const TAKES_DEEMED_ACCEPTANCE: Record<ApprovalSubject['kind'], boolean> = {
  milestone: true,
  change_order: true,
  estimate: false,
};

const STATUS_OF: Record<ApprovalOutcome, ApprovalStatus> = {
  approve: 'approved',
  request_revision: 'revision_requested',
  reject: 'rejected',
};

// What shows as nothing: controls, format and unassigned characters, separators, combining marks
// (alone they mark nothing), the blank braille pattern and the Hangul fillers (letters that draw nothing).
const UNREADABLE = /[\p{C}\p{Z}\p{M}\s\u2800\u115F\u1160\u3164\uFFA0\uFFFD]/gu;

/** The comment as kept: trimmed, and null when nothing in it can be read (spaces, invisible or replacement characters only). */
export const readableComment = (comment: string | null | undefined): string | null => {
  const trimmed = comment?.trim() ?? '';
  return trimmed.replace(UNREADABLE, '') ? trimmed : null;
};

/** A control character other than the tab and line breaks a textarea sends (NUL, ESC, DEL, C1): never kept in a comment. */
export const hasControlCharacter = (text: string): boolean => /[^\P{Cc}\t\n\r]/u.test(text);

export const isExpired = (request: ApprovalRequest, now: Date): boolean => now.toISOString() >= request.expiresAt;

/** Still waiting for a decision its link can make. */
const isOpen = (request: ApprovalRequest, now: Date): boolean => request.status === 'pending' && !isExpired(request, now);

/**
 * The reminder's link made (its secret's hash kept), once, while the request is open; the same
 * object when it is not, or was mailed already. A reminder begun and not mailed gets a new link.
 */
export const remind = (request: ApprovalRequest, secretHash: string, now: Date): ApprovalRequest => {
  if (!isOpen(request, now) || request.reminder?.sentAt) return request;
  return { ...request, reminder: { secretHash, sentAt: null }, version: request.version + 1 };
};

export const reminderSent = (request: ApprovalRequest, now: Date): ApprovalRequest =>
  request.reminder && !request.reminder.sentAt
    ? { ...request, reminder: { ...request.reminder, sentAt: now.toISOString() }, version: request.version + 1 }
    : request;

/**
 * Past its expiry and undecided: expired (its links say so). One that is deemed accepted by then
 * (deemedAcceptedAt, at most its expiry) never expires. Any other: the same object.
 */
export const expire = (request: ApprovalRequest, at: Date): ApprovalRequest =>
  request.status === 'pending' && !request.deemedAcceptedAt && isExpired(request, at)
    ? { ...request, status: 'expired', version: request.version + 1 }
    : request;

/** Whether the request counts as approved at `at` (a scheduled time): undecided, and its deemed time has come. */
export const isDeemedAccepted = (request: ApprovalRequest, at: Date): boolean =>
  request.status === 'pending' && !!request.deemedAcceptedAt && at.toISOString() >= request.deemedAcceptedAt;

/**
 * The request decided: once (409 `APPROVAL_DECIDED`), by the client before the link expires (409
 * `APPROVAL_EXPIRED`; staff may decide an expired one), with
 * an outcome its subject takes, and a comment when it sends the work back or rejects (400 naming `comment`).
 */
export const decide = (
  request: ApprovalRequest,
  outcome: ApprovalOutcome,
  evidence: DecisionEvidence,
  now: Date,
): ApprovalRequest => {
  // The expiry bounds what the emailed link can do; staff, who sign in, may still decide for the client,
  // whether the expiry's timer has run (expired) or not yet.
  const undecided = request.status === 'pending' || (request.status === 'expired' && evidence.by === 'staff');
  if (!undecided) {
    throw new DomainError('conflict', 'APPROVAL_DECIDED', `The approval request is ${request.status.replace('_', ' ')} already`);
  }
  if (evidence.by === 'client' && isExpired(request, now)) {
    throw new DomainError('conflict', 'APPROVAL_EXPIRED', 'The approval link has expired');
  }
  if (!OUTCOMES[request.subject.kind].includes(outcome)) {
    throw new DomainError(
      'invalid',
      'INVALID_DECISION',
      `A ${request.subject.kind.replace('_', ' ')} is not decided by ${outcome}`,
      [{ field: 'decision', code: 'invalid_decision', message: `must be one of ${OUTCOMES[request.subject.kind].join(', ')}` }],
    );
  }
  const comment = readableComment(evidence.comment);
  if (outcome !== 'approve' && !comment) {
    throw new DomainError('invalid', 'COMMENT_REQUIRED', 'Say what should change', [
      { field: 'comment', code: 'required', message: 'required: say what should change' },
    ]);
  }
  return {
    ...request,
    status: STATUS_OF[outcome],
    decision: { ...evidence, comment, outcome },
    version: request.version + 1,
  };
};

/** A new link replaces the request still pending: the old link says it is used. */
export const supersede = (request: ApprovalRequest): ApprovalRequest =>
  request.status === 'pending' ? { ...request, status: 'superseded', version: request.version + 1 } : request;
