import { inject } from 'vitest';

/** A mail as the local SES (aws-ses-v2-local) keeps it; attachments' content is base64. */
export interface StoredMail {
  messageId: string;
  from: string;
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { text?: string; html?: string };
  attachments: { filename?: string; contentType: string; content: string; size: number }[];
}

/** Every mail the run's local SES has accepted. */
export const storedMails = async (): Promise<StoredMail[]> => {
  const response = await fetch(inject('mailUrl'));
  if (!response.ok) throw new Error(`mail store answered ${response.status}`);
  return ((await response.json()) as { emails: StoredMail[] }).emails;
};

/** The mail SES accepted with this message id. */
export const storedMail = async (messageId: string): Promise<StoredMail | undefined> =>
  (await storedMails()).find((mail) => mail.messageId === messageId);
