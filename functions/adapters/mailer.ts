import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { mailConfig } from '../shared/config.js';

export interface MailAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

export interface MailMessage {
  from: string;
  to: string[];
  cc?: string[];
  subject: string;
  text: string;
  html?: string;
  attachments: MailAttachment[];
}

/** The port services send mail through; SES on AWS and locally (aws-ses-v2-local). */
export interface Mailer {
  send(message: MailMessage): Promise<{ messageId: string }>;
}

/** The MIME message as SES wants it raw: multipart with the text, the HTML and the attachments. */
export const composeMime = (message: MailMessage): Promise<Buffer> =>
  new MailComposer({
    from: message.from,
    to: message.to,
    ...(message.cc?.length ? { cc: message.cc } : {}),
    subject: message.subject,
    text: message.text,
    ...(message.html ? { html: message.html } : {}),
    attachments: message.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content })),
  })
    .compile()
    .build();

/**
 * Sends through SES v2 with raw content (the only content type that carries attachments).
 * The recipients are the message's To and Cc, which SES reads from the MIME headers.
 */
export const sesMailer = (client: SESv2Client): Mailer => ({
  async send(message) {
    const raw = await composeMime(message);
    const { MessageId } = await client.send(
      new SendEmailCommand({ FromEmailAddress: message.from, Content: { Raw: { Data: raw } } }),
    );
    if (!MessageId) throw new Error('SES returned no MessageId');
    return { messageId: MessageId };
  },
});

let shared: Mailer | undefined;

/** The one mailer of a process, built on first use from the mail config (local SES when `SES_ENDPOINT` is set). */
export const mailer = (): Mailer => {
  if (!shared) {
    const { sesEndpoint, region } = mailConfig();
    const client = new SESv2Client(
      sesEndpoint
        ? { endpoint: sesEndpoint, region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
        : { region },
    );
    shared = sesMailer(client);
  }
  return shared;
};
