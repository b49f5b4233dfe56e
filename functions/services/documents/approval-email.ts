import escapeHtml from 'escape-html';
import { money } from './invoice-view.js';
import { expiryWords } from './portal-pages.js';

export interface ApprovalEmailView {
  business: { name: string };
  /** The job a milestone or change order is of; an estimate has none yet. */
  job?: { name: string };
  customer: { name: string };
  /** For a change order, `amount` is the project value once the change is made; for an estimate, its total with tax. */
  subject: { kind: 'milestone' | 'change_order' | 'estimate'; name: string; amount: string; currency: string };
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

/** What the mail says of each kind of subject: the mail's subject, what is asked, the amount, how to answer. */
const WORDS: Record<
  ApprovalEmailView['subject']['kind'],
  (
    business: string,
    job: string,
    s: ApprovalEmailView['subject'],
  ) => { title: string; intro: string; amount: string; ask: string }
> = {
  milestone: (business, job, s) => ({
    title: `${business}: please approve "${s.name}"`,
    intro: `${business} has completed "${s.name}" on the job "${job}" and asks you to approve it before it is invoiced.`,
    amount: `Amount: ${money(s.amount, s.currency)} before tax`,
    ask: 'Review it, then approve it or ask for a revision, here:',
  }),
  change_order: (business, job, s) => ({
    title: `${business}: please approve the change "${s.name}"`,
    intro: `${business} proposes a change to the job "${job}": "${s.name}". Nothing changes until you approve it.`,
    amount: `Project value after the change: ${money(s.amount, s.currency)}`,
    ask: 'Review it, then approve or reject it, here:',
  }),
  estimate: (business, _, s) => ({
    title: `${business}: estimate "${s.name}"`,
    intro: `${business} sends you the estimate "${s.name}". Nothing is ordered until you accept it.`,
    amount: `Total: ${money(s.amount, s.currency)} including tax`,
    ask: 'Review it, then accept or decline it, here:',
  }),
};

/** The mail that asks the client for a decision: what to decide on, the amount, the link and until when it works. */
export const approvalEmail = (view: ApprovalEmailView): ApprovalEmail => {
  const { business } = view;
  const words = WORDS[view.subject.kind](business.name, view.job?.name ?? '', view.subject);
  const before = [
    `Hello ${view.customer.name},`,
    ...(view.reminder ? [`A reminder: ${business.name} is still waiting for your decision.`] : []),
    words.intro,
    words.amount,
    ...(view.note?.trim() ? [`A note from ${business.name}:\n${view.note.trim()}`] : []),
  ];
  const { ask } = words;
  const after = `The link works once and expires on ${expiryWords(view.expiresAt)}.`;
  return {
    subject: `${view.reminder ? 'Reminder: ' : ''}${words.title}`,
    text: `${[...before, `${ask}\n${view.link}`, after].join('\n\n')}\n`,
    html: [
      ...before.map(paragraph),
      `<p>${escapeHtml(ask)}<br><a href="${escapeHtml(view.link)}">${escapeHtml(view.link)}</a></p>`,
      paragraph(after),
    ].join('\n'),
  };
};
