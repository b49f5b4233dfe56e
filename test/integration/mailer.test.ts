import { describe, expect, it } from 'vitest';
import { mailer, sendEmailInput } from '../../functions/adapters/mailer.js';
import { storedMail } from '../support/mail-store.js';

// A tiny but complete PDF: what the local SES receives must come back byte for byte.
const PDF = Buffer.from('%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n', 'latin1');

describe('SES mailer', () => {
  it('sends simple content with a PDF attachment through the local SES', async () => {
    // Prepare
    const subject = `Invoice INV-TEST-${Date.now()} from Northwind Builders`;
    // Act
    const { messageId } = await mailer().send({
      from: 'billing@tally.local',
      to: ['accounts@harbourview.example'],
      cc: ['site-manager@harbourview.example'],
      subject,
      text: 'Please find the invoice attached.\n',
      html: '<p>Please find the invoice attached.</p>',
      attachments: [{ filename: 'invoice-INV-TEST.pdf', contentType: 'application/pdf', content: PDF }],
    });
    // Assess
    expect(messageId).toMatch(/\S/);
    const mail = await storedMail(messageId);
    expect(mail).toMatchObject({
      from: 'billing@tally.local',
      subject,
      destination: { to: ['accounts@harbourview.example'], cc: ['site-manager@harbourview.example'] },
      body: { text: 'Please find the invoice attached.\n', html: '<p>Please find the invoice attached.</p>' },
    });
    expect(mail?.attachments).toHaveLength(1);
    expect(mail?.attachments[0]).toMatchObject({ filename: 'invoice-INV-TEST.pdf', contentType: 'application/pdf' });
    expect(Buffer.from(mail!.attachments[0]!.content, 'base64').equals(PDF)).toBe(true);
  });

  it('encodes non-ASCII subjects and names so that they arrive intact', async () => {
    // Prepare
    const subject = `Rechnung Nr. ${Date.now()} – Müller & Söhne`;
    // Act
    const { messageId } = await mailer().send({
      from: 'billing@tally.local',
      to: ['"Zoë Ørsted" <zoe@example.com>'],
      subject,
      text: 'Grüße',
      attachments: [{ filename: 'Rechnung-Müller.pdf', contentType: 'application/pdf', content: PDF }],
    });
    // Assess
    const mail = await storedMail(messageId);
    expect(mail?.subject).toBe(subject);
    // SES takes a name outside ASCII only as an RFC 2047 encoded word, and writes it into the MIME header as given.
    expect(mail?.destination.to).toEqual([`=?UTF-8?B?${Buffer.from('Zoë Ørsted').toString('base64')}?= <zoe@example.com>`]);
    expect(mail?.attachments[0]?.filename).toBe('Rechnung-Müller.pdf');
  });

  it('writes a subject and display names as one header line: line breaks and controls become a space', () => {
    // Act: names the business or the client chose, a milestone's say, with a line break and a bidi override.
    const input = sendEmailInput({
      from: 'a@tally.local',
      to: ['"Acme\r\nBcc: evil@example.com" <b@example.com>', '"Zoë\u202E Ørsted" <zoe@example.com>'],
      subject: 'Approve "M5\r\nBcc: evil@example.com"\u0000 \u202Egnp.exe',
      text: 'T',
      attachments: [],
    });
    // Assess
    expect(input.Content?.Simple?.Subject?.Data).toBe('Approve "M5 Bcc: evil@example.com" gnp.exe');
    expect(input.Destination?.ToAddresses).toEqual([
      '"Acme Bcc: evil@example.com" <b@example.com>',
      `=?UTF-8?B?${Buffer.from('Zoë Ørsted').toString('base64')}?= <zoe@example.com>`,
    ]);
  });

  it('asks SES for the recipients To and Cc, UTF-8 text, and no Cc or attachments where there are none', () => {
    // Act
    const input = sendEmailInput({ from: 'a@tally.local', to: ['b@example.com'], subject: 'S', text: 'T', attachments: [] });
    // Assess
    expect(input).toEqual({
      FromEmailAddress: 'a@tally.local',
      Destination: { ToAddresses: ['b@example.com'] },
      Content: { Simple: { Subject: { Data: 'S', Charset: 'UTF-8' }, Body: { Text: { Data: 'T', Charset: 'UTF-8' } } } },
    });
  });
});
