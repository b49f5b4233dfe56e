import { DomUtils, parseDocument } from 'htmlparser2';
import { describe, expect, it } from 'vitest';
import { createEstimate, decideEstimate, estimateCharges, type Estimate } from '../../functions/domain/estimate.js';
import { estimateDocument } from '../../functions/services/documents/estimate-view.js';
import { renderDocumentHtml } from '../../functions/services/documents/invoice-html.js';
import { renderDocumentPdf } from '../../functions/services/documents/invoice-pdf.js';
import { pdfText } from '../support/pdf.js';

const T0 = new Date('2026-03-01T10:00:00.000Z');
const tenant = { name: 'Northwind Builders', settings: { timeZone: 'UTC' } };
const customer = { name: 'Sam Smith', email: 'sam@example.com', billingAddress: null, taxId: null };

/** Charges added Tiles, Labour, Grout, Skip, then put in the order Skip, Tiles, Grout, Labour. */
const estimate = (): Estimate => {
  const added = [
    { description: 'Tiles', quantity: '12', unitPrice: '15.50', taxRate: '20' },
    { description: 'Labour', quantity: '8', unitPrice: '45', taxRate: '20' },
    { description: 'Grout', quantity: '3', unitPrice: '7.99', taxRate: '7' },
    { description: 'Skip', quantity: '1', unitPrice: '180', taxRate: '0' },
  ].reduce(
    (e, fields, i) => estimateCharges.addCharge(e, fields, `chg_${i + 1}`, T0),
    createEstimate(
      { customerId: 'cus_1', name: 'Bathroom', billingType: 'fixed_price', currency: 'EUR', validUntil: '2026-03-31' },
      'est_1',
      T0,
    ),
  );
  return estimateCharges.reorderCharges(added, ['chg_4', 'chg_1', 'chg_3', 'chg_2'], T0);
};

const cellsOf = (html: string): string[][] =>
  DomUtils.findAll((el) => el.name === 'tr', parseDocument(html).children)
    .map((tr) => DomUtils.findAll((el) => el.name === 'td', tr.children).map((td) => DomUtils.textContent(td)))
    .filter((cells) => cells.length === 5);

describe('estimate document', () => {
  it('lists every charge in the estimate order, with tax per rate and totals net, tax and gross', () => {
    // Act
    const html = renderDocumentHtml(estimateDocument({ tenant, customer, estimate: estimate() }));
    // Assess: 186 + 360 at 20% = 109.20; 23.97 at 7% = 1.6779 -> 1.68
    expect(cellsOf(html)).toEqual([
      ['Skip', '1', '180 EUR', '0%', '180.00 EUR'],
      ['Tiles', '12', '15.50 EUR', '20%', '186.00 EUR'],
      ['Grout', '3', '7.99 EUR', '7%', '23.97 EUR'],
      ['Labour', '8', '45 EUR', '20%', '360.00 EUR'],
    ]);
    const text = DomUtils.textContent(parseDocument(html));
    for (const fact of [
      'Estimate',
      'Prepared for',
      'Sam Smith',
      'Valid until',
      '2026-03-31',
      'Net749.97 EUR',
      'Tax110.88 EUR',
      'Total860.85 EUR',
    ])
      expect(text.replace(/\s+/g, '')).toContain(fact.replace(/\s+/g, ''));
    expect(html).not.toContain('Balance due');
    expect(html).not.toContain('class="stamp"');
  });

  it('stamps a declined estimate', () => {
    const declined = decideEstimate(
      estimate(),
      'reject',
      { by: 'staff', at: T0.toISOString(), ip: null, userAgent: null, comment: 'No' },
      '2026-03-02',
      T0,
    );
    expect(renderDocumentHtml(estimateDocument({ tenant, customer, estimate: declined }))).toContain('DECLINED</div>');
  });

  it('says what accepting means until it is decided, and then the decision, not the offer', () => {
    const decided = (outcome: 'approve' | 'reject', by: 'client' | 'staff') =>
      DomUtils.textContent(
        parseDocument(
          renderDocumentHtml(
            estimateDocument({
              tenant,
              customer,
              estimate: decideEstimate(
                estimate(),
                outcome,
                { by, at: '2026-03-02T09:00:00.000Z', ip: null, userAgent: null, comment: 'Fine' },
                '2026-03-02',
                T0,
              ),
            }),
          ),
        ),
      );
    const open = DomUtils.textContent(
      parseDocument(renderDocumentHtml(estimateDocument({ tenant, customer, estimate: estimate() }))),
    );

    expect(open).toContain('This estimate can be accepted until 2026-03-31.');
    expect(decided('approve', 'client')).toContain('Accepted by the client on 2026-03-02.');
    expect(decided('reject', 'staff')).toContain('Declined for the client on 2026-03-02.');
    // On the tenant's calendar: 11:00 UTC is 01:00 the next day in Kiritimati (UTC+14).
    const far = estimateDocument({
      tenant: { ...tenant, settings: { timeZone: 'Pacific/Kiritimati' } },
      customer,
      estimate: decideEstimate(
        estimate(),
        'approve',
        { by: 'client', at: '2026-03-02T11:00:00.000Z', ip: null, userAgent: null, comment: null },
        '2026-03-03',
        T0,
      ),
    });
    expect(far.notes).toBe('Accepted by the client on 2026-03-03.');
    expect(decided('approve', 'client')).not.toContain('can be accepted until');
  });

  it('renders a PDF with the charges in order and the total, the same bytes each time', async () => {
    // Act
    const doc = estimateDocument({ tenant, customer, estimate: estimate() });
    const [pdf, again] = await Promise.all([renderDocumentPdf(doc), renderDocumentPdf(doc)]);
    // Assess
    const { text } = await pdfText(pdf);
    const at = ['Skip', 'Tiles', 'Grout', 'Labour'].map((d) => text.indexOf(d));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(text).toContain('860.85 EUR');
    expect(text).toContain('PREPARED FOR');
    expect(pdf.equals(again)).toBe(true);
  });
});
