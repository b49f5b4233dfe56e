import { createHash } from 'node:crypto';
import { DomUtils, parseDocument } from 'htmlparser2';
import type { Document, Element } from 'domhandler';
import { describe, expect, it } from 'vitest';
import {
  PORTAL_HEADERS,
  renderEstimatePage,
  renderOutcomePage,
  type EstimatePageView,
} from '../../functions/services/documents/portal-pages.js';

const view: EstimatePageView = {
  business: { name: 'Northwind <Builders>' },
  customer: { name: 'Sam Smith' },
  estimate: {
    name: 'Bathroom',
    currency: 'EUR',
    validUntil: '2026-03-31',
    charges: [
      { description: 'Skip', group: null, quantity: '1', unitPrice: '180', taxRate: '0', amount: '180.00' },
      { description: 'Tiles <b>', group: 'Materials', quantity: '12', unitPrice: '15.50', taxRate: '20', amount: '186.00' },
    ],
    totals: { net: '366.00', tax: '37.20', gross: '403.20' },
  },
  expiresAt: '2026-04-01T00:00:00.000Z',
};

const all = (root: Document | Element, test: (el: Element) => boolean): Element[] => DomUtils.findAll(test, root.children);
const text = (node: Element | Document): string => DomUtils.textContent(node).replace(/\s+/g, ' ').trim();

describe("the estimate's portal page", () => {
  it('lists every charge in order, escaped, with the totals and the last valid day', () => {
    // Act
    const doc = parseDocument(renderEstimatePage(view));
    // Assess
    const rows = all(doc, (el) => el.name === 'tr' && all(el, (c) => c.name === 'td').length > 0).map((tr) =>
      all(tr, (c) => c.name === 'td').map(text),
    );
    expect(rows).toEqual([
      ['Skip', '', '1', '180 EUR', '0%', '180.00 EUR'],
      ['Tiles <b>', 'Materials', '12', '15.50 EUR', '20%', '186.00 EUR'],
    ]);
    const page = text(doc);
    const squeezed = page.replace(/\s+/g, '');
    for (const fact of ['Totalbeforetax366.00EUR', 'Tax37.20EURTotal403.20EUR', 'Validuntil31March2026'])
      expect(squeezed).toContain(fact);
    expect(page).toContain('Northwind <Builders> offers Sam Smith the work below.');
  });

  it('is one form that posts to itself with Accept and Decline buttons and a labelled reason', () => {
    // Act
    const doc = parseDocument(renderEstimatePage(view));
    // Assess
    const [form, ...others] = all(doc, (el) => el.name === 'form');
    expect(others).toEqual([]);
    expect([form!.attribs.method, form!.attribs.action]).toEqual(['post', undefined]);
    const buttons = all(form!, (el) => el.name === 'button').map((b) => [
      b.attribs.type,
      b.attribs.name,
      b.attribs.value,
      text(b),
    ]);
    expect(buttons).toEqual([
      ['submit', 'decision', 'approve', 'Accept the estimate'],
      ['submit', 'decision', 'reject', 'Decline'],
    ]);
    const [label] = all(form!, (el) => el.name === 'label' && el.attribs.for === 'comment');
    expect(text(label!)).toBe('Reason for declining');
    expect(all(form!, (el) => el.name === 'textarea' && el.attribs.name === 'comment')).toHaveLength(1);
  });

  it('shows an error about the reason at the top and at the field, keeping what was typed', () => {
    // Act
    const html = renderEstimatePage({
      ...view,
      error: { field: 'comment', message: 'Say why you decline the estimate' },
      comment: 'a <b>',
    });
    const doc = parseDocument(html);
    // Assess
    expect(text(all(doc, (el) => el.attribs.role === 'alert')[0]!)).toContain('Say why you decline the estimate');
    const [textarea] = all(doc, (el) => el.name === 'textarea');
    expect(textarea!.attribs['aria-invalid']).toBe('true');
    expect(html).toContain('>a &lt;b&gt;</textarea>');
    expect(text(all(doc, (el) => el.name === 'title')[0]!)).toMatch(/^Error: /);
  });

  it('carries only the style the Content-Security-Policy allows', () => {
    const [style] = all(parseDocument(renderEstimatePage(view)), (el) => el.name === 'style');
    const hash = `sha256-${createHash('sha256').update(DomUtils.textContent(style!)).digest('base64')}`;
    expect(PORTAL_HEADERS['Content-Security-Policy']).toContain(`'${hash}'`);
  });

  it.each([
    ['approved', 'Thank you: you accepted "Bathroom"'],
    ['rejected', 'You declined "Bathroom"'],
    ['expired', 'This estimate has expired'],
  ] as const)('says what happened when %s', (kind, heading) => {
    const doc = parseDocument(renderOutcomePage({ kind, subject: 'Bathroom', subjectKind: 'estimate', business: { name: 'N' } }));
    expect(text(all(doc, (el) => el.name === 'h1')[0]!)).toBe(heading);
  });

  it('says what a used link decided', () => {
    const html = renderOutcomePage({
      kind: 'used',
      subject: 'Bathroom',
      subjectKind: 'estimate',
      decided: { outcome: 'approve', at: '2026-03-02T09:30:00.000Z' },
    });
    expect(text(parseDocument(html))).toContain('It was used to accept "Bathroom" on 2 March 2026 at 09:30 UTC');
  });
});
