import type { SendEmailCommandInput } from '@aws-sdk/client-sesv2';
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

const NAMED_ADDRESS = /^\s*"?([^"<]*?)"?\s*<([^>]+)>\s*$/;

// Control characters (C0, DEL, C1), line and paragraph separators, and the bidirectional controls.
const NOT_HEADER_TEXT = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]+/g;

/**
 * Text for one header line (a subject, a display name): what the business or the client named
 * (a job, a milestone, an estimate) may hold line breaks or controls that no header should carry;
 * each run of them becomes one space.
 */
export const headerText = (text: string): string => text.replace(NOT_HEADER_TEXT, ' ').replace(/ {2,}/g, ' ').trim();

/**
 * An address as SES takes it: a display name outside ASCII in MIME encoded-word syntax (RFC 2047),
 * which SES requires of names; a bare address, or an ASCII name, as given.
 */
export const sesAddress = (address: string): string => {
  const named = NAMED_ADDRESS.exec(address);
  if (!named) return address;
  const name = headerText(named[1]!);
  if (/^[\x20-\x7e]*$/.test(name)) return name === named[1] ? address : `"${name}" <${named[2]}>`;
  return `=?UTF-8?B?${Buffer.from(name, 'utf8').toString('base64')}?= <${named[2]}>`;
};

const utf8 = (data: string) => ({ Data: data, Charset: 'UTF-8' });

/**
 * The SES v2 request of a message: simple content, from which SES builds the MIME message (text,
 * HTML and attachments), and the recipients To and Cc.
 */
export const sendEmailInput = (message: MailMessage): SendEmailCommandInput => ({
  FromEmailAddress: message.from,
  Destination: {
    ToAddresses: message.to.map(sesAddress),
    ...(message.cc?.length ? { CcAddresses: message.cc.map(sesAddress) } : {}),
  },
  Content: {
    Simple: {
      Subject: utf8(headerText(message.subject)),
      Body: { Text: utf8(message.text), ...(message.html ? { Html: utf8(message.html) } : {}) },
      ...(message.attachments.length
        ? {
            Attachments: message.attachments.map((a) => ({
              FileName: a.filename,
              ContentType: a.contentType,
              ContentDisposition: 'ATTACHMENT' as const,
              RawContent: a.content,
            })),
          }
        : {}),
    },
  },
});

/** A mailer that sends through SES v2 (local SES when `SES_ENDPOINT` is set), with simple content. */
const sesMailer = async (): Promise<Mailer> => {
  const { SESv2Client, SendEmailCommand } = await import('@aws-sdk/client-sesv2');
  const { sesEndpoint, region } = mailConfig();
  const client = new SESv2Client(
    sesEndpoint ? { endpoint: sesEndpoint, region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : { region },
  );
  return {
    async send(message) {
      const { MessageId } = await client.send(new SendEmailCommand(sendEmailInput(message)));
      if (!MessageId) throw new Error('SES returned no MessageId');
      return { messageId: MessageId };
    },
  };
};

let shared: Promise<Mailer> | undefined;

/**
 * The one mailer of a process, built on its first mail from the mail config. The SES client is
 * loaded then, not at import: most invocations of a function that may send mail send none.
 */
export const mailer = (): Mailer => ({ send: async (message) => (await (shared ??= sesMailer())).send(message) });
