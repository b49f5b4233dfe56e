import { createHash } from 'node:crypto';
import escapeHtml from 'escape-html';
import { DomUtils, parseDocument } from 'htmlparser2';
import type { AnyNode, Document, Element } from 'domhandler';
import { describe, expect, it } from 'vitest';
import {
  PORTAL_HEADERS,
  renderApprovalPage,
  renderChangeOrderPage,
  renderOutcomePage,
  type ApprovalPageView,
  type ChangeOrderPageView,
  type OutcomeKind,
} from '../../functions/services/documents/portal-pages.js';

const approval: ApprovalPageView = {
  business: { name: 'Northwind Builders' },
  job: { name: 'Kitchen remodel', masterJobName: 'Smith house' },
  customer: { name: 'Sam Smith' },
  milestone: {
    name: 'Framing',
    description: 'Walls framed\nWindows set',
    completionCriteria: 'Inspector signs off',
    completionNote: 'Done a day early.',
    amount: '1200.00',
    taxRate: '20',
    currency: 'EUR',
    position: 2,
    count: 5,
  },
  tracker: { currency: 'EUR', projectValue: '3000.00', invoicedToDate: '1200.00', paidToDate: '600.00', remaining: '1800.00' },
  expiresAt: '2025-04-13T17:00:00.000Z',
};

const changeOrder: ChangeOrderPageView = {
  business: { name: 'Northwind Builders' },
  job: { name: 'Kitchen remodel' },
  customer: { name: 'Sam Smith' },
  changeOrder: {
    description: 'Tiling added, framing cheaper',
    changes: [
      { op: 'add', milestoneName: 'Tiling', before: null, after: { name: 'Tiling', amount: '500.00' } },
      {
        op: 'modify',
        milestoneName: 'Framing',
        before: { name: 'Framing', amount: '1200.00' },
        after: { name: 'Framing', amount: '1000.00' },
      },
      { op: 'remove', milestoneName: 'Painting', before: { name: 'Painting', amount: '100.00' } },
    ],
    currency: 'EUR',
    projectValueBefore: '3000.00',
    projectValueAfter: '3200.00',
  },
  expiresAt: '2025-04-13T17:00:00.000Z',
};

// Queries on the parsed page, so that the tests read the document as a browser would, not its spelling.
const all = (root: Document | Element, test: (el: Element) => boolean): Element[] => DomUtils.findAll(test, root.children);
const tag = (doc: Document, name: string): Element[] => all(doc, (el) => el.name === name);
const one = (doc: Document, name: string): Element => {
  const found = tag(doc, name);
  expect(found, `one <${name}>`).toHaveLength(1);
  return found[0]!;
};
const byId = (doc: Document, id: string): Element => {
  const found = all(doc, (el) => el.attribs.id === id);
  expect(found, `one element #${id}`).toHaveLength(1);
  return found[0]!;
};
const BLOCKS = new Set([
  'p',
  'div',
  'dt',
  'dd',
  'th',
  'td',
  'li',
  'h1',
  'h2',
  'h3',
  'legend',
  'label',
  'caption',
  'main',
  'header',
]);
// The text as it reads: blocks apart, inline elements within the sentence, the style sheet left out.
const words = (node: AnyNode): string => {
  if (DomUtils.isText(node)) return node.data;
  if (!DomUtils.hasChildren(node) || (DomUtils.isTag(node) && node.name === 'style')) return '';
  const inner = node.children.map(words).join('');
  return DomUtils.isTag(node) && BLOCKS.has(node.name) ? ` ${inner} ` : inner;
};
const text = (node: AnyNode): string => words(node).replace(/\s+/g, ' ').trim();
const page = (doc: Document): string => text(one(doc, 'body'));
// htmlparser2 leaves a textarea's text (RCDATA) as written, where a browser decodes its entities: the raw text is the escaped value.
const textarea = (doc: Document): string => DomUtils.textContent(one(doc, 'textarea'));
const attr = (el: Element, name: string): string | undefined => el.attribs[name];

/** The checks every portal page passes: a document in English with a title and viewport, one h1, headings in order, no script. */
const expectWellFormedPage = (html: string): Document => {
  const doc = parseDocument(html);
  expect(html).toMatch(/^<!doctype html>\n<html lang="en">/);
  expect(attr(one(doc, 'html'), 'lang')).toBe('en');
  expect(text(one(doc, 'title'))).not.toBe('');
  expect(all(doc, (el) => el.name === 'meta' && el.attribs.name === 'viewport')).toHaveLength(1);
  expect(tag(doc, 'script')).toEqual([]);
  expect(all(doc, (el) => Object.keys(el.attribs).some((name) => name.startsWith('on') || name === 'style'))).toEqual([]);
  // One h1; only the error summary comes before it; no level skipped after it.
  const levels = all(doc, (el) => /^h[1-6]$/.test(el.name)).map((el) => Number(el.name[1]));
  expect(levels.filter((level) => level === 1)).toHaveLength(1);
  const after = levels.slice(levels.indexOf(1));
  after.forEach((level, i) => i > 0 && expect(level).toBeLessThanOrEqual(after[i - 1]! + 1));
  return doc;
};

/** Every control has a label pointing at it, and ids are unique. */
const expectLabelled = (doc: Document): void => {
  const ids = all(doc, (el) => el.attribs.id !== undefined).map((el) => el.attribs.id);
  expect(new Set(ids).size).toBe(ids.length);
  const controls = all(doc, (el) => ['input', 'textarea', 'select', 'meter'].includes(el.name));
  expect(controls.length).toBeGreaterThan(0);
  for (const control of controls) {
    const labels = all(doc, (el) => el.name === 'label' && el.attribs.for === control.attribs.id);
    expect(labels, `label for #${control.attribs.id}`).toHaveLength(1);
    expect(text(labels[0]!)).not.toBe('');
  }
  for (const button of tag(doc, 'button')) expect(text(button)).not.toBe('');
};

/** The error message an element's aria-describedby points to. */
const describedBy = (doc: Document, el: Element): string =>
  (attr(el, 'aria-describedby') ?? '')
    .split(' ')
    .filter(Boolean)
    .map((id) => text(byId(doc, id)))
    .join(' | ');

const styleHash = (doc: Document): string => {
  const style = one(doc, 'style');
  return `sha256-${createHash('sha256').update(DomUtils.textContent(style)).digest('base64')}`;
};

describe('approval page', () => {
  it('is one form that posts to its own URL, urlencoded, with a labelled decision, comment and button', () => {
    // Act
    const doc = expectWellFormedPage(renderApprovalPage(approval));
    // Assess
    const form = one(doc, 'form');
    expect(attr(form, 'method')).toBe('post');
    expect(attr(form, 'action') ?? '').toBe('');
    expect(attr(form, 'enctype')).toBe('application/x-www-form-urlencoded');
    const radios = all(form, (el) => el.name === 'input' && el.attribs.type === 'radio');
    expect(radios.map((r) => [attr(r, 'name'), attr(r, 'value')])).toEqual([
      ['decision', 'approve'],
      ['decision', 'request_revision'],
    ]);
    expect(radios.some((r) => 'checked' in r.attribs)).toBe(false);
    const fieldset = one(doc, 'fieldset');
    expect(radios.every((r) => DomUtils.findOne((el) => el === r, fieldset.children) !== null)).toBe(true);
    expect(text(DomUtils.findOne((el) => el.name === 'legend', fieldset.children)!)).toBe('Do you approve this milestone?');
    const comment = one(doc, 'textarea');
    expect([attr(comment, 'name'), attr(comment, 'id')]).toEqual(['comment', 'comment']);
    expect(describedBy(doc, comment)).toMatch(/required if you ask for a revision/i);
    expect(attr(comment, 'aria-invalid')).toBeUndefined();
    const [button, ...others] = tag(doc, 'button');
    expect(others).toEqual([]);
    expect(attr(button!, 'type')).toBe('submit');
    expect(DomUtils.findOne((el) => el === button, form.children)).not.toBeNull();
    expectLabelled(doc);
    // No error: no summary, no invalid field, a plain title.
    expect(all(doc, (el) => el.attribs.role === 'alert' || 'aria-invalid' in el.attribs)).toEqual([]);
    expect(text(one(doc, 'title'))).toBe('Approve "Framing" – Northwind Builders');
  });

  it('shows the business, the job and its master job, the milestone, its criteria, note, amount and tax rate, and the expiry', () => {
    // Act
    const doc = expectWellFormedPage(renderApprovalPage(approval));
    const body = page(doc);
    // Assess
    expect(text(one(doc, 'h1'))).toBe('Approve "Framing"');
    expect(text(one(doc, 'header'))).toBe('Northwind Builders');
    for (const shown of [
      'Milestone 2 of 5',
      'Job Kitchen remodel',
      'Part of Smith house',
      'Customer Sam Smith',
      'Amount before tax 1,200.00 EUR',
      'Tax rate 20%',
      'What was done Walls framed Windows set',
      'Done when Inspector signs off',
      'Note from Northwind Builders Done a day early.',
      'expires on 13 April 2025 at 17:00 UTC',
    ])
      expect(body).toContain(shown);
    expect(attr(one(doc, 'time'), 'datetime')).toBe('2025-04-13T17:00:00.000Z');
  });

  it('leaves out what the milestone does not have', () => {
    // Act
    const doc = expectWellFormedPage(
      renderApprovalPage({
        ...approval,
        job: { name: 'Kitchen remodel', masterJobName: null },
        milestone: { ...approval.milestone, description: null, completionCriteria: null, completionNote: '  ' },
      }),
    );
    // Assess
    const headings = all(doc, (el) => /^h[1-6]$/.test(el.name)).map(text);
    expect(headings).toEqual(['Approve "Framing"', 'Project balance', 'Do you approve this milestone?']);
    expect(page(doc)).not.toContain('Part of');
  });

  it('shows the balance as a meter of invoiced over the project value, with its words as the label', () => {
    // Act
    const doc = expectWellFormedPage(renderApprovalPage(approval));
    // Assess
    const meter = one(doc, 'meter');
    expect([attr(meter, 'min'), attr(meter, 'max'), attr(meter, 'value')]).toEqual(['0', '3000.00', '1200.00']);
    const label = all(doc, (el) => el.name === 'label' && el.attribs.for === attr(meter, 'id'));
    expect(label.map(text)).toEqual(['Invoiced 1,200.00 EUR of 3,000.00 EUR (40%)']);
    for (const row of [
      'Project value 3,000.00 EUR',
      'Invoiced to date 1,200.00 EUR',
      'Paid to date 600.00 EUR',
      'Still to invoice 1,800.00 EUR',
    ])
      expect(page(doc)).toContain(row);
  });

  it.each([
    ['2999.99', '3000.00', '99%'], // rounded down: 100% only once fully invoiced
    ['0.00', '3000.00', '0%'],
    ['3000.00', '3000.00', '100%'],
    ['1', '3', '33%'],
    ['0.00', '0.00', '0%'], // no project value yet: nothing to divide by
    ['123456789012345.67', '999999999999999.99', '12%'],
  ])('says %s of %s is %s', (invoicedToDate, projectValue, share) => {
    // Act
    const doc = parseDocument(
      renderApprovalPage({ ...approval, tracker: { ...approval.tracker, invoicedToDate, projectValue } }),
    );
    // Assess
    expect(text(all(doc, (el) => el.name === 'label' && el.attribs.for === 'invoiced')[0]!)).toMatch(
      new RegExp(`\\(${share}\\)$`),
    );
  });

  it('puts a comment error in a summary at the top that links to the field, marks the field, and keeps what was typed', () => {
    // Act
    const html = renderApprovalPage({
      ...approval,
      error: { field: 'comment', message: 'Say what needs to change' },
      decision: 'request_revision',
      comment: 'The door & <frame>',
    });
    const doc = expectWellFormedPage(html);
    // Assess: the summary is the first thing in main
    const main = one(doc, 'main');
    const summary = DomUtils.getChildren(main).find((node): node is Element => DomUtils.isTag(node))!;
    expect(attr(summary, 'role')).toBe('alert');
    expect(text(DomUtils.findOne((el) => el.name === 'h2', summary.children)!)).toBe('There is a problem');
    const links = all(doc, (el) => el.name === 'a' && DomUtils.findOne((n) => n === el, summary.children) !== null);
    expect(links.map((a) => [attr(a, 'href'), text(a)])).toEqual([['#comment', 'Say what needs to change']]);
    // the field it links to is invalid and described by its message
    const comment = byId(doc, 'comment');
    expect(comment.name).toBe('textarea');
    expect(attr(comment, 'aria-invalid')).toBe('true');
    expect(describedBy(doc, comment)).toContain('Error: Say what needs to change');
    expect(textarea(doc)).toBe(escapeHtml('The door & <frame>'));
    const checked = all(doc, (el) => el.name === 'input' && 'checked' in el.attribs);
    expect(checked.map((el) => attr(el, 'value'))).toEqual(['request_revision']);
    expect(text(one(doc, 'title'))).toBe('Error: Approve "Framing" – Northwind Builders');
    expectLabelled(doc);
  });

  it('links a decision error to the first radio and describes the group with it', () => {
    // Act
    const doc = expectWellFormedPage(renderApprovalPage({ ...approval, error: { field: 'decision', message: 'Choose one' } }));
    // Assess
    const link = all(doc, (el) => el.name === 'a' && el.attribs.href?.startsWith('#') === true);
    expect(link.map((a) => attr(a, 'href'))).toEqual(['#decision']);
    expect(attr(byId(doc, 'decision'), 'value')).toBe('approve');
    expect(describedBy(doc, one(doc, 'fieldset'))).toBe('Error: Choose one');
    const radios = all(doc, (el) => el.attribs.type === 'radio');
    expect(radios.map((r) => attr(r, 'aria-invalid'))).toEqual(['true', 'true']);
    expect(attr(one(doc, 'textarea'), 'aria-invalid')).toBeUndefined();
  });

  it('escapes every value it shows', () => {
    // Prepare: each field a different piece of markup
    const bad = (field: string) => `"><script>alert('${field}')</script><b title='x`;
    const fields = ['business', 'job', 'master', 'customer', 'milestone', 'description', 'criteria', 'note', 'message'];
    // Act
    const html = renderApprovalPage({
      ...approval,
      business: { name: bad('business') },
      job: { name: bad('job'), masterJobName: bad('master') },
      customer: { name: bad('customer') },
      milestone: {
        ...approval.milestone,
        name: bad('milestone'),
        description: bad('description'),
        completionCriteria: bad('criteria'),
        completionNote: bad('note'),
      },
      error: { field: 'comment', message: bad('message') },
      comment: bad('comment'),
    });
    const doc = expectWellFormedPage(html);
    // Assess: no markup got through, every value reads as the text it was
    expect(html).not.toMatch(/<script|<b /);
    expect(tag(doc, 'b')).toEqual([]);
    for (const field of fields) expect(page(doc)).toContain(bad(field));
    expect(textarea(doc)).toBe(escapeHtml(bad('comment')));
  });
});

describe('change order page', () => {
  it('asks to approve or reject, the comment required for a rejection', () => {
    // Act
    const doc = expectWellFormedPage(renderChangeOrderPage(changeOrder));
    // Assess
    const form = one(doc, 'form');
    expect([attr(form, 'method'), attr(form, 'action'), attr(form, 'enctype')]).toEqual([
      'post',
      undefined,
      'application/x-www-form-urlencoded',
    ]);
    expect(all(form, (el) => el.attribs.type === 'radio').map((r) => [attr(r, 'name'), attr(r, 'value')])).toEqual([
      ['decision', 'approve'],
      ['decision', 'reject'],
    ]);
    expect(text(one(doc, 'legend'))).toBe('Do you approve this change?');
    expect(describedBy(doc, one(doc, 'textarea'))).toMatch(/required if you reject/i);
    expect(attr(one(doc, 'button'), 'type')).toBe('submit');
    expectLabelled(doc);
  });

  it('names the master of a phase job, and no master for a job of its own', () => {
    // Act
    const phase = expectWellFormedPage(
      renderChangeOrderPage({ ...changeOrder, job: { name: 'Kitchen remodel', masterJobName: 'Smith house' } }),
    );
    const own = expectWellFormedPage(renderChangeOrderPage(changeOrder));
    // Assess
    expect(page(phase)).toContain('the job "Kitchen remodel", part of "Smith house", for Sam Smith');
    expect(page(own)).not.toContain('part of');
  });

  it('shows each change with its milestone before and after, and the project value before, after and the difference', () => {
    // Act
    const doc = expectWellFormedPage(renderChangeOrderPage(changeOrder));
    // Assess
    const rows = tag(doc, 'tr').map((tr) => DomUtils.getChildren(tr).filter(DomUtils.isTag).map(text));
    expect(rows).toEqual([
      ['Change', 'Milestone', 'Before', 'After'],
      ['Added', 'Tiling', '–', 'Tiling: 500.00 EUR'],
      ['Changed', 'Framing', 'Framing: 1,200.00 EUR', 'Framing: 1,000.00 EUR'],
      ['Removed', 'Painting', 'Painting: 100.00 EUR', '–'],
    ]);
    for (const shown of [
      'Northwind Builders proposes a change to the job "Kitchen remodel" for Sam Smith',
      'Tiling added, framing cheaper',
      'Before the change 3,000.00 EUR',
      'After the change 3,200.00 EUR',
      'Difference +200.00 EUR',
      'expires on 13 April 2025 at 17:00 UTC',
    ])
      expect(page(doc)).toContain(shown);
  });

  it.each([
    ['3000.00', '2500.50', '-499.50 EUR'],
    ['3000.00', '3000.00', '0.00 EUR'],
    ['100', '1100', '+1,000 JPY'],
  ])('says the difference from %s to %s is %s', (projectValueBefore, projectValueAfter, shown) => {
    // Act
    const currency = shown.endsWith('JPY') ? 'JPY' : 'EUR';
    const html = renderChangeOrderPage({
      ...changeOrder,
      changeOrder: { ...changeOrder.changeOrder, currency, projectValueBefore, projectValueAfter },
    });
    // Assess
    expect(page(parseDocument(html))).toContain(`Difference ${shown}`);
  });

  it('keeps the decision and comment after an error, and escapes every value', () => {
    // Prepare
    const bad = (field: string) => `<script>alert('${field}')</script>`;
    // Act
    const html = renderChangeOrderPage({
      business: { name: bad('business') },
      job: { name: bad('job') },
      customer: { name: bad('customer') },
      changeOrder: {
        ...changeOrder.changeOrder,
        description: bad('description'),
        changes: [
          {
            op: 'modify',
            milestoneName: bad('milestone'),
            before: { name: bad('before'), amount: '1.00' },
            after: { name: bad('after'), amount: '2.00' },
          },
        ],
      },
      expiresAt: changeOrder.expiresAt,
      error: { field: 'comment', message: bad('message') },
      decision: 'reject',
      comment: bad('comment'),
    });
    const doc = expectWellFormedPage(html);
    // Assess
    expect(html).not.toContain('<script');
    for (const field of ['business', 'job', 'customer', 'description', 'milestone', 'before', 'after', 'message'])
      expect(page(doc)).toContain(bad(field));
    expect(textarea(doc)).toBe(escapeHtml(bad('comment')));
    expect(all(doc, (el) => 'checked' in el.attribs).map((el) => attr(el, 'value'))).toEqual(['reject']);
    expect(attr(byId(doc, 'comment'), 'aria-invalid')).toBe('true');
    expect(all(doc, (el) => el.name === 'a').map((a) => attr(a, 'href'))).toEqual(['#comment']);
  });
});

describe('outcome pages', () => {
  const business = { name: 'Northwind Builders' };

  it.each<[OutcomeKind, string, string]>([
    ['approved', 'Thank you: you approved "Framing"', 'Northwind Builders will send the invoice.'],
    ['revision_requested', 'Thank you: you asked for a revision of "Framing"', 'Northwind Builders has your comment'],
    ['rejected', 'You rejected "Framing"', 'nothing changes'],
    ['used', 'This link has already been used', 'The decision made with it stands.'],
    ['expired', 'This link has expired', 'Ask Northwind Builders for a new one.'],
    ['invalid', 'This link is not valid', 'Check that you opened the whole link'],
  ])('%s: says so in plain words, with no form', (kind, heading, next) => {
    // Act
    const doc = expectWellFormedPage(renderOutcomePage({ kind, business, subject: 'Framing' }));
    // Assess
    expect(text(one(doc, 'h1'))).toBe(heading);
    expect(text(one(doc, 'main'))).toContain(next);
    expect(text(one(doc, 'title'))).toBe(`${heading} – Northwind Builders`);
    expect(all(doc, (el) => ['form', 'input', 'textarea', 'button'].includes(el.name))).toEqual([]);
  });

  it('says an approved change order goes ahead, not that an invoice follows', () => {
    // Act
    const doc = parseDocument(renderOutcomePage({ kind: 'approved', business, subject: 'Tiling', subjectKind: 'change_order' }));
    // Assess
    expect(text(one(doc, 'main'))).toBe('Thank you: you approved "Tiling" Northwind Builders will go ahead with the change.');
  });

  it('speaks of the sender when the link names no business, and escapes what it shows', () => {
    // Act
    const unknown = expectWellFormedPage(renderOutcomePage({ kind: 'expired' }));
    const html = renderOutcomePage({ kind: 'approved', business: { name: '<script>x</script>' }, subject: '<img src=x>' });
    // Assess
    expect(text(one(unknown, 'main'))).toBe('This link has expired Ask the sender for a new one.');
    expect(tag(unknown, 'header')).toEqual([]);
    expect(html).not.toMatch(/<script|<img/);
    expect(page(parseDocument(html))).toContain(
      'Thank you: you approved "<img src=x>" <script>x</script> will send the invoice.',
    );
  });
});

describe('portal headers', () => {
  it('carry HTML, no caching, no referrer, no framing, no sniffing', () => {
    // Assess
    expect(PORTAL_HEADERS).toMatchObject({
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
    });
    expect(Object.isFrozen(PORTAL_HEADERS)).toBe(true);
  });

  it('allow exactly the style block every page carries, by its hash, and nothing else', () => {
    // Act
    const pages = [
      renderApprovalPage(approval),
      renderApprovalPage({ ...approval, error: { field: 'comment', message: 'x' } }),
      renderChangeOrderPage(changeOrder),
      renderOutcomePage({ kind: 'invalid' }),
    ].map((html) => parseDocument(html));
    // Assess: the hash recomputed from each rendered page is the one the policy names
    const hashes = new Set(pages.map(styleHash));
    expect(hashes.size).toBe(1);
    expect(PORTAL_HEADERS['Content-Security-Policy']).toBe(
      `default-src 'none'; style-src '${[...hashes][0]}'; img-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
    );
    for (const doc of pages) expect(tag(doc, 'link')).toEqual([]);
  });
});
