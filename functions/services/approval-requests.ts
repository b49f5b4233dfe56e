import { mailer } from '../adapters/mailer.js';
import type { ApprovalRequest, ApprovalSubject } from '../domain/approval.js';
import { DomainError } from '../domain/errors.js';
import type { Settings } from '../domain/settings.js';
import { mailConfig } from '../shared/config.js';
import { logger } from '../shared/logger.js';
import { approvalEmail, type ApprovalEmailView } from './documents/approval-email.js';
import { approvalLink, newLink } from './portal-links.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Whom the link goes to, or 422 `NO_RECIPIENT` naming `approverEmail` before anything is written. */
export const recipientOf = (approverEmail: string | null, customerEmail: string | null): string => {
  const recipient = approverEmail ?? customerEmail;
  if (!recipient) {
    throw new DomainError('rule', 'NO_RECIPIENT', "The customer has no email address: give the milestone an approverEmail", [
      { field: 'approverEmail', code: 'required', message: 'required: the customer has no email address' },
    ]);
  }
  return recipient;
};

/** A pending request and the token of its link: the token goes into the email only, its hash into the table. */
export const newApprovalRequest = (
  tenantId: string,
  id: string,
  subject: ApprovalSubject,
  recipient: string,
  settings: Pick<Settings, 'approvalExpiryDays'>,
  now: Date,
): { request: ApprovalRequest; token: string } => {
  const { token, secretHash } = newLink(tenantId, id);
  const request: ApprovalRequest = {
    id,
    subject,
    recipient,
    secretHash,
    status: 'pending',
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + settings.approvalExpiryDays * DAY_MS).toISOString(),
    decision: null,
    version: 1,
  };
  return { request, token };
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
