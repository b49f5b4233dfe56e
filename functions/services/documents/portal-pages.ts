import { createHash } from 'node:crypto';
import escapeHtml from 'escape-html';
import { Dec, toAmountString } from '../../domain/money.js';
import { money, percent, type DocumentLine } from './invoice-view.js';

// The client approval portal (design §6): pages that work without JavaScript, after the GOV.UK question page.

/** The job's balance as the client sees it, decimal strings in the job's currency. */
export interface PortalTracker {
  currency: string;
  projectValue: string;
  invoicedToDate: string;
  paidToDate: string;
  /** Still to invoice: the project value less what is invoiced (and retainage held). */
  remaining: string;
}

/** A field the client got wrong, shown in the error summary and beside the field. */
export interface PortalError {
  field: 'decision' | 'comment';
  message: string;
}

export interface ApprovalPageView {
  business: { name: string };
  job: { name: string; masterJobName?: string | null };
  customer: { name: string };
  milestone: {
    name: string;
    description: string | null;
    completionCriteria: string | null;
    completionNote: string | null;
    amount: string;
    taxRate: string;
    currency: string;
    position: number;
    count: number;
  };
  tracker: PortalTracker;
  /** ISO time. */
  expiresAt: string;
  /** Shown at the top in an error summary linking to the field, with the values typed kept (e.g. comment required for a revision). */
  error?: PortalError;
  /** The decision chosen before the error, checked again. */
  decision?: 'approve' | 'request_revision';
  /** The comment typed before the error. */
  comment?: string;
}

export interface ChangeOrderPageView {
  business: { name: string };
  /** A phase job names its master. */
  job: { name: string; masterJobName?: string | null };
  customer: { name: string };
  changeOrder: {
    description: string;
    changes: {
      op: 'add' | 'modify' | 'remove';
      milestoneName: string;
      before?: { amount: string; name: string } | null;
      after?: { amount: string; name: string } | null;
    }[];
    currency: string;
    projectValueBefore: string;
    projectValueAfter: string;
  };
  expiresAt: string;
  error?: PortalError;
  decision?: 'approve' | 'reject';
  comment?: string;
}

/** A charge as the estimate's page lists it, in the estimate's order; amounts in its currency. */
export type EstimatePageCharge = Omit<DocumentLine, 'muted'>;

export interface EstimatePageView {
  business: { name: string };
  customer: { name: string };
  estimate: {
    name: string;
    currency: string;
    /** ISO date, null: no limit. */
    validUntil: string | null;
    charges: EstimatePageCharge[];
    totals: { net: string; tax: string; gross: string };
  };
  expiresAt: string;
  error?: PortalError;
  /** The reason typed before the error. */
  comment?: string;
}

/** What the portal says after a decision, or instead of a form: decided ('approved' | 'revision_requested' | 'rejected'), or a link that is used, expired or not valid. */
export type OutcomeKind =
  'approved' | 'revision_requested' | 'rejected' | 'used' | 'expired' | 'invalid' | 'unavailable' | 'error';

export interface OutcomeView {
  kind: OutcomeKind;
  business?: { name: string };
  /** E.g. the milestone or change order name. */
  subject?: string;
  /** What was decided on: a milestone's approval leads to an invoice, a change order's does not, an estimate's to a job. Milestone unless given. */
  subjectKind?: 'milestone' | 'change_order' | 'estimate';
  /** For a used link: the decision made with it, so that a client who reloads the page after deciding reads what stands. */
  decided?: { outcome: 'approve' | 'request_revision' | 'reject'; at: string };
}

/** Every value that reaches the page goes through here; markup is only ever written by this module. */
const e = (value: string | null | undefined): string => escapeHtml(value ?? '');

// Colours and focus after GOV.UK Frontend: a yellow focus ring that shows on any background.
const CSS = `
* { box-sizing: border-box; }
body { margin: 0; font: 19px/1.4 Arial, Helvetica, sans-serif; color: #0b0c0c; background: #fff; }
.header { background: #0b0c0c; color: #fff; padding: 10px 0; }
.service { margin: 0; font-size: 24px; font-weight: 700; }
.width { max-width: 960px; margin: 0 auto; padding: 0 15px; }
main.width { padding-top: 30px; padding-bottom: 60px; }
h1 { margin: 0 0 30px; font-size: 36px; line-height: 1.1; }
h2 { margin: 40px 0 15px; font-size: 27px; line-height: 1.15; }
h3 { margin: 25px 0 10px; font-size: 21px; }
p { margin: 0 0 20px; }
.caption { margin: 0 0 5px; font-size: 24px; color: #505a5f; }
.lead { font-size: 24px; }
.text { white-space: pre-line; }
.summary { margin: 0 0 20px; }
.summary div { display: flex; flex-wrap: wrap; gap: 0 20px; padding: 10px 0; border-bottom: 1px solid #b1b4b6; }
.summary dt { flex: 0 0 30%; min-width: 180px; font-weight: 700; }
.summary dd { flex: 1 1 50%; margin: 0; }
.bar-label { display: block; margin-bottom: 5px; font-weight: 700; }
meter { display: block; width: 100%; height: 30px; margin-bottom: 20px; }
table { width: 100%; border-collapse: collapse; margin-bottom: 20px; }
caption { text-align: left; font-weight: 700; margin-bottom: 10px; }
th, td { padding: 10px 20px 10px 0; text-align: left; vertical-align: top; border-bottom: 1px solid #b1b4b6; }
.scroll { overflow-x: auto; }
a { color: #1d70b8; }
a:visited { color: #4c2c92; }
a:focus-visible { outline: 3px solid transparent; color: #0b0c0c; background: #fd0; box-shadow: 0 -2px #fd0, 0 4px #0b0c0c; text-decoration: none; }
.group { margin-bottom: 30px; }
.group.error { padding-left: 15px; border-left: 5px solid #d4351c; }
fieldset { margin: 0; padding: 0; border: 0; }
legend { margin-bottom: 15px; }
legend h2 { margin: 0; }
.label { display: block; margin-bottom: 5px; font-weight: 700; }
.hint { display: block; margin-bottom: 15px; color: #505a5f; }
.error-message { display: block; margin-bottom: 15px; font-weight: 700; color: #d4351c; }
.radio { display: flex; align-items: center; gap: 10px; margin-bottom: 10px; }
.radio input { width: 40px; height: 40px; margin: 0; accent-color: #0b0c0c; }
.radio input:focus { outline: 3px solid #fd0; outline-offset: 2px; box-shadow: 0 0 0 6px #0b0c0c; }
textarea { display: block; width: 100%; min-height: 120px; padding: 5px; font: inherit; border: 2px solid #0b0c0c; border-radius: 0; }
textarea.invalid { border-color: #d4351c; }
textarea:focus { outline: 3px solid #fd0; outline-offset: 0; box-shadow: inset 0 0 0 2px; }
.button { margin-bottom: 30px; padding: 8px 10px 7px; font: inherit; font-weight: 400; color: #fff; background: #00703c; border: 2px solid transparent;
  border-radius: 0; box-shadow: 0 2px 0 #002d18; cursor: pointer; }
.button:hover { background: #005a30; }
.button.secondary { margin-left: 15px; color: #0b0c0c; background: #f3f2f1; box-shadow: 0 2px 0 #929191; }
.button.secondary:hover { background: #dbdad9; }
.num { text-align: right; white-space: nowrap; }
.button:focus-visible { outline: 3px solid transparent; color: #0b0c0c; background: #fd0; box-shadow: 0 2px 0 #0b0c0c; }
.error-summary { margin-bottom: 30px; padding: 15px; border: 5px solid #d4351c; }
.error-summary h2 { margin-top: 0; }
.error-summary ul { margin: 0; padding: 0; list-style: none; }
.error-summary a { font-weight: 700; color: #d4351c; }
.visually-hidden { position: absolute; width: 1px; height: 1px; margin: 0; padding: 0; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
`;

// The page carries exactly this one inline style; the CSP allows it by hash and nothing else.
const STYLE_HASH = `sha256-${createHash('sha256').update(CSS).digest('base64')}`;

/** The headers every portal response carries. */
export const PORTAL_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Content-Type': 'text/html; charset=utf-8',
  // The token is in the path: no cache keeps the page, no referrer carries the URL elsewhere.
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy': `default-src 'none'; style-src '${STYLE_HASH}'; img-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'X-Robots-Tag': 'noindex, nofollow',
});

// English month names, not an Intl.DateTimeFormat: a formatter costs ICU's data, 15 to 20 ms of a cold start, for one fixed format.
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** `"2025-04-13T17:00:00.000Z"` -> `"13 April 2025 at 17:00 UTC"`: the page knows no time zone of the client, so it says which it uses. */
export const expiryWords = (iso: string): string => {
  const at = new Date(iso);
  const time = at.toISOString().slice(11, 16);
  return `${at.getUTCDate()} ${MONTHS[at.getUTCMonth()]} ${at.getUTCFullYear()} at ${time} UTC`;
};

/** `"Invoiced 1,200.00 EUR of 3,000.00 EUR (40%)"`: the bar's text, for those who cannot see it. */
export const invoicedWords = (tracker: PortalTracker): string => {
  const value = new Dec(tracker.projectValue);
  // Rounded down, so that 100% means fully invoiced.
  const share = value.isZero() ? '0' : new Dec(tracker.invoicedToDate).div(value).times(100).toFixed(0, Dec.ROUND_DOWN);
  return `Invoiced ${money(tracker.invoicedToDate, tracker.currency)} of ${money(tracker.projectValue, tracker.currency)} (${share}%)`;
};

type Row = [label: string, value: string];

const summary = (rows: Row[]): string =>
  `<dl class="summary">${rows.map(([label, value]) => `<div><dt>${e(label)}</dt><dd>${e(value)}</dd></div>`).join('')}</dl>`;

const layout = (view: { title: string; business?: { name: string } | undefined; body: string }): string => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(view.business ? `${view.title} – ${view.business.name}` : view.title)}</title>
<style>${CSS}</style>
</head>
<body>
${view.business ? `<header class="header"><div class="width"><p class="service">${e(view.business.name)}</p></div></header>\n` : ''}<main class="width">
${view.body}
</main>
</body>
</html>
`;

interface DecisionForm {
  legend: string;
  choices: [value: string, label: string][];
  hint: string;
  expiresAt: string;
  error?: PortalError | undefined;
  decision?: string | undefined;
  comment?: string | undefined;
}

// GOV.UK's error summary: first thing in main, each message a link to its field (the first radio for the decision).
const errorSummary = (error: PortalError | undefined): string =>
  error
    ? `<div class="error-summary" role="alert" aria-labelledby="error-summary-title"><h2 id="error-summary-title">There is a problem</h2><ul><li><a href="#${error.field}">${e(error.message)}</a></li></ul></div>\n`
    : '';

const errorMessage = (error: PortalError | undefined, field: PortalError['field']): string =>
  error?.field === field
    ? `<p class="error-message" id="${field}-error"><span class="visually-hidden">Error: </span>${e(error.message)}</p>`
    : '';

// One form for every decision: it posts to the page's own URL (the token is in the path), urlencoded.
const decisionForm = (form: DecisionForm): string => {
  const wrong = (field: PortalError['field']) => form.error?.field === field;
  const radios = form.choices
    .map(([value, label], i) => {
      const id = i === 0 ? 'decision' : `decision-${i + 1}`;
      return `<div class="radio"><input id="${id}" name="decision" type="radio" value="${e(value)}"${form.decision === value ? ' checked' : ''}${wrong('decision') ? ' aria-invalid="true"' : ''}><label for="${id}">${e(label)}</label></div>`;
    })
    .join('');
  const described = ['comment-hint', ...(wrong('comment') ? ['comment-error'] : [])].join(' ');
  return `<form method="post" enctype="application/x-www-form-urlencoded">
<div class="group${wrong('decision') ? ' error' : ''}">
<fieldset${wrong('decision') ? ' aria-describedby="decision-error"' : ''}><legend><h2>${e(form.legend)}</h2></legend>${errorMessage(form.error, 'decision')}${radios}</fieldset>
</div>
<div class="group${wrong('comment') ? ' error' : ''}">
<label class="label" for="comment">Comment</label><p class="hint" id="comment-hint">${e(form.hint)}</p>${errorMessage(form.error, 'comment')}
<textarea id="comment" name="comment" rows="5" aria-describedby="${described}"${wrong('comment') ? ' class="invalid" aria-invalid="true"' : ''}>${e(form.comment)}</textarea>
</div>
<button type="submit" class="button">Send my decision</button>
</form>
<p>This link works once and expires on <time datetime="${e(form.expiresAt)}">${e(expiryWords(form.expiresAt))}</time>.</p>`;
};

const titled = (heading: string, error: PortalError | undefined): string => (error ? `Error: ${heading}` : heading);

const textSection = (heading: string, text: string | null, level: 'h2' | 'h3' = 'h3'): string =>
  text?.trim() ? `<${level}>${e(heading)}</${level}>\n<p class="text">${e(text)}</p>\n` : '';

/** The page on which the client approves a completed milestone or asks for a revision. */
export const renderApprovalPage = (view: ApprovalPageView): string => {
  const { milestone: m, tracker: t, business } = view;
  const heading = `Approve "${m.name}"`;
  const work = textSection('What was done', m.description) + textSection('Done when', m.completionCriteria);
  const body = `${errorSummary(view.error)}<p class="caption">Milestone ${m.position} of ${m.count}</p>
<h1>${e(heading)}</h1>
<p class="lead">${e(`${business.name} has completed this milestone of the job "${view.job.name}" and asks you to approve it before it is invoiced.`)}</p>
${summary([
  ['Job', view.job.name],
  ...(view.job.masterJobName ? [['Part of', view.job.masterJobName] as Row] : []),
  ['Customer', view.customer.name],
  ['Amount before tax', money(m.amount, m.currency)],
  ['Tax rate', percent(m.taxRate)],
])}
${work ? `<h2>The work</h2>\n${work}` : ''}${textSection(`Note from ${business.name}`, m.completionNote, 'h2')}<h2>Project balance</h2>
<label class="bar-label" for="invoiced">${e(invoicedWords(t))}</label>
<meter id="invoiced" min="0" max="${e(t.projectValue)}" value="${e(t.invoicedToDate)}"></meter>
${summary([
  ['Project value', money(t.projectValue, t.currency)],
  ['Invoiced to date', money(t.invoicedToDate, t.currency)],
  ['Paid to date', money(t.paidToDate, t.currency)],
  ['Still to invoice', money(t.remaining, t.currency)],
])}
${decisionForm({
  legend: 'Do you approve this milestone?',
  choices: [
    ['approve', 'Yes, approve it'],
    ['request_revision', 'No, ask for a revision'],
  ],
  hint: 'Required if you ask for a revision: say what needs to change.',
  expiresAt: view.expiresAt,
  error: view.error,
  decision: view.decision,
  comment: view.comment,
})}`;
  return layout({ title: titled(heading, view.error), business, body });
};

const OPS: Record<ChangeOrderPageView['changeOrder']['changes'][number]['op'], string> = {
  add: 'Added',
  modify: 'Changed',
  remove: 'Removed',
};

/** `"+300.00 EUR"`, `"-300.00 EUR"`, `"0.00 EUR"`. */
const difference = (before: string, after: string, currency: string): string => {
  const change = new Dec(after).minus(before);
  return `${change.isPositive() && !change.isZero() ? '+' : ''}${money(toAmountString(change, currency), currency)}`;
};

/** The page on which the client approves or rejects a change order. */
export const renderChangeOrderPage = (view: ChangeOrderPageView): string => {
  const { changeOrder: co, business } = view;
  const heading = `Approve a change to "${view.job.name}"`;
  const side = (milestone: { amount: string; name: string } | null | undefined): string =>
    milestone ? e(`${milestone.name}: ${money(milestone.amount, co.currency)}`) : '–';
  const rows = co.changes
    .map(
      (c) => `<tr><td>${e(OPS[c.op])}</td><td>${e(c.milestoneName)}</td><td>${side(c.before)}</td><td>${side(c.after)}</td></tr>`,
    )
    .join('');
  const body = `${errorSummary(view.error)}<p class="caption">Change order</p>
<h1>${e(heading)}</h1>
<p class="lead">${e(`${business.name} proposes a change to the job "${view.job.name}"${view.job.masterJobName ? `, part of "${view.job.masterJobName}",` : ''} for ${view.customer.name}. Nothing changes until you approve it.`)}</p>
<h2>What changes</h2>
<p class="text">${e(co.description)}</p>
<div class="scroll"><table><caption>Milestones</caption><thead><tr><th scope="col">Change</th><th scope="col">Milestone</th><th scope="col">Before</th><th scope="col">After</th></tr></thead><tbody>${rows}</tbody></table></div>
<h2>Project value</h2>
${summary([
  ['Before the change', money(co.projectValueBefore, co.currency)],
  ['After the change', money(co.projectValueAfter, co.currency)],
  ['Difference', difference(co.projectValueBefore, co.projectValueAfter, co.currency)],
])}
${decisionForm({
  legend: 'Do you approve this change?',
  choices: [
    ['approve', 'Yes, approve the change'],
    ['reject', 'No, reject it'],
  ],
  hint: 'Required if you reject the change: say why.',
  expiresAt: view.expiresAt,
  error: view.error,
  decision: view.decision,
  comment: view.comment,
})}`;
  return layout({ title: titled(heading, view.error), business, body });
};

/** `"2026-12-31"` -> `"31 December 2026"`. */
const dateWords = (date: string): string => {
  const [year, month, day] = date.split('-').map(Number);
  return `${day} ${MONTHS[month! - 1]} ${year}`;
};

/**
 * The page on which the client accepts an estimate, or declines it saying why: every charge in the
 * estimate's order and the total. Two submit buttons of one form (their `decision` is what posts), so
 * that it works without JavaScript; the reason is asked for beside them and needed only to decline.
 */
export const renderEstimatePage = (view: EstimatePageView): string => {
  const { estimate: est, business } = view;
  const m = (value: string) => money(value, est.currency);
  const heading = `Estimate "${est.name}"`;
  const grouped = est.charges.some((c) => c.group !== null);
  const rows = est.charges
    .map(
      (c) =>
        `<tr><td>${e(c.description)}</td>${grouped ? `<td>${e(c.group)}</td>` : ''}<td class="num">${e(c.quantity)}</td><td class="num">${e(m(c.unitPrice))}</td><td class="num">${e(percent(c.taxRate))}</td><td class="num">${e(m(c.amount))}</td></tr>`,
    )
    .join('');
  const head = ['Description', ...(grouped ? ['Group'] : [])]
    .map((label) => `<th scope="col">${label}</th>`)
    .concat(['Quantity', 'Unit price', 'Tax rate', 'Amount'].map((label) => `<th scope="col" class="num">${label}</th>`))
    .join('');
  const wrong = (field: PortalError['field']) => view.error?.field === field;
  const described = ['comment-hint', ...(wrong('comment') ? ['comment-error'] : [])].join(' ');
  const body = `${errorSummary(view.error)}<p class="caption">Estimate</p>
<h1>${e(heading)}</h1>
<p class="lead">${e(`${business.name} offers ${view.customer.name} the work below. Nothing is ordered until you accept it.`)}</p>
${summary([
  ['Customer', view.customer.name],
  ['Valid until', est.validUntil ? dateWords(est.validUntil) : 'No limit'],
])}
<h2>What it offers</h2>
<div class="scroll"><table><caption>Charges</caption><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table></div>
<h2>Total</h2>
${summary([
  ['Total before tax', m(est.totals.net)],
  ['Tax', m(est.totals.tax)],
  ['Total', m(est.totals.gross)],
])}
<form method="post" enctype="application/x-www-form-urlencoded">
<div class="group${wrong('comment') ? ' error' : ''}">
<label class="label" for="comment">Reason for declining</label><p class="hint" id="comment-hint">Required if you decline the estimate: say why.</p>${errorMessage(view.error, 'comment')}
<textarea id="comment" name="comment" rows="5" aria-describedby="${described}"${wrong('comment') ? ' class="invalid" aria-invalid="true"' : ''}>${e(view.comment)}</textarea>
</div>
${errorMessage(view.error, 'decision')}<button type="submit" class="button" id="decision" name="decision" value="approve">Accept the estimate</button><button type="submit" class="button secondary" name="decision" value="reject">Decline</button>
</form>
<p>This link works once and expires on <time datetime="${e(view.expiresAt)}">${e(expiryWords(view.expiresAt))}</time>.</p>`;
  return layout({ title: titled(heading, view.error), business, body });
};

const DECIDED_WORDS: Record<NonNullable<OutcomeView['decided']>['outcome'], string> = {
  approve: 'It was used to approve',
  request_revision: 'It was used to ask for a revision of',
  reject: 'It was used to reject',
};

/** An estimate is accepted or declined, not approved or rejected. */
const ESTIMATE_DECIDED_WORDS: Record<NonNullable<OutcomeView['decided']>['outcome'], string> = {
  ...DECIDED_WORDS,
  approve: 'It was used to accept',
  reject: 'It was used to decline',
};

/** The heading and the sentence after it, per outcome. */
const outcomeWords = (view: OutcomeView): [heading: string, next: string] => {
  const sender = view.business?.name ?? 'the sender';
  const subject = view.subject
    ? `"${view.subject}"`
    : { change_order: 'the change', estimate: 'the estimate', milestone: 'the milestone' }[view.subjectKind ?? 'milestone'];
  const changeOrder = view.subjectKind === 'change_order';
  const estimate = view.subjectKind === 'estimate';
  switch (view.kind) {
    case 'approved':
      if (estimate)
        return [`Thank you: you accepted ${subject}`, `${sender} has your order and will be in touch to start the work.`];
      return [
        `Thank you: you approved ${subject}`,
        changeOrder ? `${sender} will go ahead with the change.` : `${sender} will send the invoice.`,
      ];
    case 'revision_requested':
      return [`Thank you: you asked for a revision of ${subject}`, `${sender} has your comment and will be in touch.`];
    case 'rejected':
      if (estimate) return [`You declined ${subject}`, `${sender} has your reason; nothing is ordered.`];
      return [`You rejected ${subject}`, `${sender} has your comment; nothing changes.`];
    case 'used':
      return [
        'This link has already been used',
        view.decided
          ? `${(estimate ? ESTIMATE_DECIDED_WORDS : DECIDED_WORDS)[view.decided.outcome]} ${subject} on ${expiryWords(view.decided.at)}; that decision stands. To change it, contact ${sender}.`
          : `The decision made with it stands. To change it, contact ${sender}.`,
      ];
    case 'expired':
      if (estimate) return ['This estimate has expired', `It can no longer be accepted. Ask ${sender} for a new one.`];
      return ['This link has expired', `Ask ${sender} for a new one.`];
    case 'invalid':
      return ['This link is not valid', 'Check that you opened the whole link from the email.'];
    case 'unavailable':
      return [
        `${subject.charAt(0).toUpperCase()}${subject.slice(1)} can no longer be decided here`,
        `The ${estimate ? 'estimate' : 'job'} changed since the link was sent. Nothing was recorded; contact ${sender}.`,
      ];
    case 'error':
      return ['Sorry, something went wrong', 'Nothing was recorded. Try again in a few minutes.'];
  }
};

/** What the portal says after a decision, or instead of the form; it has no form. */
export const renderOutcomePage = (view: OutcomeView): string => {
  const [heading, next] = outcomeWords(view);
  return layout({ title: heading, business: view.business, body: `<h1>${e(heading)}</h1>\n<p>${e(next)}</p>` });
};
