import escapeHtml from 'escape-html';
import { money } from './invoice-view.js';
import { expiryWords } from './portal-pages.js';

export interface ApprovalEmailView {
  business: { name: string };
  job: { name: string };
  customer: { name: string };
  /** For a change order, `amount` is the project value once the change is made. */
  subject: { kind: 'milestone' | 'change_order'; name: string; amount: string; currency: string };
  /** The portal link, with its token. */
  link: string;
  /** ISO time. */
  expiresAt: string;
  note?: string | null;
  /** A reminder of a request still undecided: said so in the subject and the first lines. */
  reminder?: boolean;
}

export interface ApprovalEmail {
  subject: string;
  text: string;
  html: string;
}

const paragraph = (text: string): string => `<p>${escapeHtml(text).replace(/\n/g, '<br>')}</p>`;

/** The mail that asks the client for a decision: what to decide on, the amount, the link and until when it works. */
export const approvalEmail = (view: ApprovalEmailView): ApprovalEmail => {
  const { business, job, subject: s } = view;
  const milestone = s.kind === 'milestone';
  const before = [
    `Hello ${view.customer.name},`,
    ...(view.reminder ? [`A reminder: ${business.name} is still waiting for your decision.`] : []),
    milestone
      ? `${business.name} has completed "${s.name}" on the job "${job.name}" and asks you to approve it before it is invoiced.`
      : `${business.name} proposes a change to the job "${job.name}": "${s.name}". Nothing changes until you approve it.`,
    milestone
      ? `Amount: ${money(s.amount, s.currency)} before tax`
      : `Project value after the change: ${money(s.amount, s.currency)}`,
    ...(view.note?.trim() ? [`A note from ${business.name}:\n${view.note.trim()}`] : []),
  ];
  const ask = milestone
    ? 'Review it, then approve it or ask for a revision, here:'
    : 'Review it, then approve or reject it, here:';
  const after = `The link works once and expires on ${expiryWords(view.expiresAt)}.`;
  return {
    subject: `${view.reminder ? 'Reminder: ' : ''}${
      milestone ? `${business.name}: please approve "${s.name}"` : `${business.name}: please approve the change "${s.name}"`
    }`,
    text: `${[...before, `${ask}\n${view.link}`, after].join('\n\n')}\n`,
    html: [
      ...before.map(paragraph),
      `<p>${escapeHtml(ask)}<br><a href="${escapeHtml(view.link)}">${escapeHtml(view.link)}</a></p>`,
      paragraph(after),
    ].join('\n'),
  };
};
