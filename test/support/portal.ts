import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { ApiClient } from './api.js';
import { storedMails, type StoredMail } from './mail-store.js';

/** An address no other test mails, so that its mails are this test's. */
export const uniqueEmail = (who: string): string => `${who}-${randomUUID().slice(0, 8)}@example.test`;

/** The mails the local SES accepted for `to`, oldest first. */
export const mailsTo = async (to: string): Promise<StoredMail[]> =>
  (await storedMails()).filter((mail) => mail.destination.to.includes(to));

/** Polls until `check` answers something other than undefined (at most `timeoutMs`). */
export const eventually = async <T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await check();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

/** The portal link in an approval mail (the text body; the HTML one carries the same). */
export const linkIn = (mail: StoredMail): string => {
  const link = /https?:\/\/[^\s"<>]+\/portal\/approvals\/[A-Za-z0-9._-]+/.exec(mail.body.text ?? '')?.[0];
  if (!link) throw new Error(`no portal link in the mail "${mail.subject}"`);
  return link;
};

/** The approval mail that `to` got, waiting for it: exactly `count` of them. */
export const approvalMail = async (to: string, count = 1): Promise<StoredMail> => {
  const mails = await eventually(async () => {
    const found = (await mailsTo(to)).filter((mail) => /approve/i.test(mail.subject));
    return found.length >= count ? found : undefined;
  }, `approval mail ${count} to ${to}`);
  expect(mails).toHaveLength(count);
  return mails.at(-1)!;
};

export interface PortalResponse {
  status: number;
  headers: Headers;
  html: string;
}

const portal = async (url: string, init: RequestInit = {}): Promise<PortalResponse> => {
  const response = await fetch(url, { redirect: 'manual', ...init });
  return { status: response.status, headers: response.headers, html: await response.text() };
};

export const openPortal = (url: string): Promise<PortalResponse> => portal(url);

/** Posts the page's form as a browser does (`application/x-www-form-urlencoded`). */
export const postDecision = (
  url: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<PortalResponse> =>
  portal(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'PortalTest/1.0', ...headers },
    body: new URLSearchParams(fields).toString(),
  });

/** The milestone once its billing round is over (done or failed). */
export const billed = (api: ApiClient, jobId: string, milestoneId: string) =>
  eventually(async () => {
    const { body } = await api.request('GET', `/v1/jobs/${jobId}/milestones/${milestoneId}`);
    return body.billing && body.billing.state !== 'running' ? body : undefined;
  }, `the billing of ${milestoneId}`);
