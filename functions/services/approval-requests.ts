import { mailer } from '../adapters/mailer.js';
import { scheduler, type ScheduleSpec, type ScheduleTargetName } from '../adapters/scheduler.js';
import { clock } from '../adapters/clock.js';
import {
  TAKES_DEEMED_ACCEPTANCE,
  type ApprovalRequest,
  type ApprovalSubject,
  type DecisionEvidence,
} from '../domain/approval.js';
import { DomainError } from '../domain/errors.js';
import type { Settings } from '../domain/settings.js';
import { mailConfig } from '../shared/config.js';
import { logger } from '../shared/logger.js';
import { approvalEmail, type ApprovalEmailView } from './documents/approval-email.js';
import { approvalLink, newLink } from './portal-links.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** What staff record when they decide for the client: who they are is the API key's tenant. */
export const staffEvidence = (comment: string | null): DecisionEvidence => ({
  by: 'staff',
  at: clock.now().toISOString(),
  ip: null,
  userAgent: null,
  comment,
});

/**
 * Whom the link goes to: the address given, else the customer's; with neither, 422 `NO_RECIPIENT`
 * naming `field` (where the request gives one: a milestone's `approverEmail`, a sending's `to`)
 * before anything is written.
 */
export const recipientOf = (given: string | null, customerEmail: string | null, field = 'approverEmail'): string => {
  const recipient = given ?? customerEmail;
  if (!recipient) {
    throw new DomainError('rule', 'NO_RECIPIENT', `The customer has no email address: give ${field}`, [
      { field, code: 'required', message: 'required: the customer has no email address' },
    ]);
  }
  return recipient;
};

/**
 * A pending request and the token of its link: the token goes into the email only, its hash into the
 * table. It expires after the tenant's `approvalExpiryDays`, or at `expiresAt` when its subject sets
 * its own end (an estimate's validity); it is deemed accepted only where its subject takes that.
 */
export const newApprovalRequest = (
  tenantId: string,
  id: string,
  subject: ApprovalSubject,
  recipient: string,
  settings: Pick<Settings, 'approvalExpiryDays' | 'approvalReminderDays' | 'deemedAcceptanceDays'>,
  now: Date,
  expiresAt?: Date,
): { request: ApprovalRequest; token: string } => {
  const { token, secretHash } = newLink(tenantId, id);
  const after = (days: number | null | undefined): string | null =>
    days ? new Date(now.getTime() + days * DAY_MS).toISOString() : null;
  const request: ApprovalRequest = {
    id,
    subject,
    recipient,
    secretHash,
    status: 'pending',
    createdAt: now.toISOString(),
    expiresAt: expiresAt?.toISOString() ?? after(settings.approvalExpiryDays)!,
    remindAt: after(settings.approvalReminderDays),
    deemedAcceptedAt: TAKES_DEEMED_ACCEPTANCE[subject.kind] ? after(settings.deemedAcceptanceDays) : null,
    reminder: null,
    decision: null,
    version: 1,
  };
  return { request, token };
};

/** The request's timers: its reminder, its expiry (unless acceptance is deemed first) and its deemed acceptance, as set. */
const TIMERS: { target: ScheduleTargetName; suffix: string; at: (r: ApprovalRequest) => string | null | undefined }[] = [
  { target: 'approval-reminder', suffix: 'remind', at: (r) => r.remindAt },
  { target: 'approval-expiry', suffix: 'expire', at: (r) => (r.deemedAcceptedAt ? null : r.expiresAt) },
  { target: 'approval-deemed-acceptance', suffix: 'deem', at: (r) => r.deemedAcceptedAt },
];

/** One-time schedules, named by the request (its id is unique), each given the tenant and the request. */
export const approvalSchedules = (tenantId: string, request: ApprovalRequest): ScheduleSpec[] =>
  TIMERS.flatMap(({ target, suffix, at }) => {
    const time = at(request);
    return time
      ? [{ name: `${request.id}-${suffix}`, target, input: { tenantId, requestId: request.id }, timing: { at: new Date(time) } }]
      : [];
  });

/**
 * Schedules the request's timers, before the request is written: a timer whose request never was
 * written (a lost race, a crash) finds none and does nothing, while one written is never without its timers.
 */
export const scheduleApprovalTimers = async (tenantId: string, request: ApprovalRequest): Promise<void> => {
  for (const spec of approvalSchedules(tenantId, request)) await scheduler().put(spec);
};

/**
 * Emails the link, after the request is written. A mail that fails fails nothing: the request stands,
 * and asking again (resend) makes a new link. Answers whether the mail went.
 */
export const emailApprovalLink = async (
  request: ApprovalRequest,
  token: string,
  view: Omit<ApprovalEmailView, 'link' | 'expiresAt'>,
): Promise<boolean> => {
  const { subject, text, html } = approvalEmail({ ...view, link: approvalLink(token), expiresAt: request.expiresAt });
  try {
    await mailer().send({ from: mailConfig().mailFrom, to: [request.recipient], subject, text, html, attachments: [] });
    return true;
  } catch (error) {
    logger.error('approval link not emailed', { requestId: request.id, error: error as Error });
    return false;
  }
};
