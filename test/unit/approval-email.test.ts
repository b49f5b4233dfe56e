import { DomUtils, parseDocument } from 'htmlparser2';
import { describe, expect, it } from 'vitest';
import { approvalEmail, type ApprovalEmailView } from '../../functions/services/documents/approval-email.js';

const view: ApprovalEmailView = {
  business: { name: 'Northwind Builders' },
  job: { name: 'Kitchen remodel' },
  customer: { name: 'Sam Smith' },
  subject: { kind: 'milestone', name: 'Framing', amount: '1200.00', currency: 'EUR' },
  link: 'https://portal.tally.example/portal/approvals/tok_abc?x=1&y=2',
  expiresAt: '2025-04-13T17:00:00.000Z',
  note: 'Done a day early.\n\nThe inspector signed off.',
};

const links = (html: string): { href: string | undefined; text: string }[] =>
  DomUtils.findAll((el) => el.name === 'a', parseDocument(html).children).map((a) => ({
    href: a.attribs.href,
    text: DomUtils.textContent(a),
  }));

describe('approval email', () => {
  it('asks to approve the milestone, with the amount, the note, the link and its expiry', () => {
    // Act
    const mail = approvalEmail(view);
    // Assess
    expect(mail.subject).toBe('Northwind Builders: please approve "Framing"');
    expect(mail.text).toBe(
      'Hello Sam Smith,\n\n' +
        'Northwind Builders has completed "Framing" on the job "Kitchen remodel" and asks you to approve it before it is invoiced.\n\n' +
        'Amount: 1,200.00 EUR before tax\n\n' +
        'A note from Northwind Builders:\nDone a day early.\n\nThe inspector signed off.\n\n' +
        'Review it, then approve it or ask for a revision, here:\nhttps://portal.tally.example/portal/approvals/tok_abc?x=1&y=2\n\n' +
        'The link works once and expires on 13 April 2025 at 17:00 UTC.\n',
    );
  });

  it('carries the link in the html as a link, escaped, and the same facts as the text', () => {
    // Act
    const mail = approvalEmail(view);
    const text = DomUtils.textContent(parseDocument(mail.html));
    // Assess
    expect(links(mail.html)).toEqual([{ href: view.link, text: view.link }]);
    expect(mail.html).toContain('href="https://portal.tally.example/portal/approvals/tok_abc?x=1&amp;y=2"');
    for (const fact of [
      'Hello Sam Smith,',
      'Amount: 1,200.00 EUR before tax',
      'expires on 13 April 2025 at 17:00 UTC',
      'Done a day early.',
    ])
      expect(text).toContain(fact);
    expect(mail.html).not.toMatch(/<(img|script|style|link)\b/);
  });

  it('escapes every value in the html', () => {
    // Prepare
    const bad = (field: string) => `<script>alert('${field}')</script>`;
    // Act
    const mail = approvalEmail({
      business: { name: bad('business') },
      job: { name: bad('job') },
      customer: { name: bad('customer') },
      subject: { kind: 'milestone', name: bad('milestone'), amount: '1.00', currency: 'EUR' },
      link: `https://portal.tally.example/"><script>alert('link')</script>`,
      expiresAt: view.expiresAt,
      note: bad('note'),
    });
    // Assess
    expect(mail.html).not.toContain('<script');
    const text = DomUtils.textContent(parseDocument(mail.html));
    for (const field of ['business', 'job', 'customer', 'milestone', 'note']) expect(text).toContain(bad(field));
    expect(links(mail.html)).toEqual([
      {
        href: `https://portal.tally.example/"><script>alert('link')</script>`,
        text: `https://portal.tally.example/"><script>alert('link')</script>`,
      },
    ]);
    expect(mail.text).toContain(bad('job'));
  });

  it('asks to approve a change order with the project value after it, and says nothing of a note it has not got', () => {
    // Act
    const mail = approvalEmail({
      ...view,
      subject: { kind: 'change_order', name: 'Tiling added', amount: '3200.00', currency: 'EUR' },
      note: null,
    });
    // Assess
    expect(mail.subject).toBe('Northwind Builders: please approve the change "Tiling added"');
    expect(mail.text).toBe(
      'Hello Sam Smith,\n\n' +
        'Northwind Builders proposes a change to the job "Kitchen remodel": "Tiling added". Nothing changes until you approve it.\n\n' +
        'Project value after the change: 3,200.00 EUR\n\n' +
        'Review it, then approve or reject it, here:\nhttps://portal.tally.example/portal/approvals/tok_abc?x=1&y=2\n\n' +
        'The link works once and expires on 13 April 2025 at 17:00 UTC.\n',
    );
    expect(links(mail.html).map((a) => a.href)).toEqual([view.link]);
    expect(mail.html).not.toContain('note');
  });
});
