import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderInvoiceHtml } from '../../functions/services/documents/invoice-html.js';
import { invoiceView } from '../../functions/services/documents/invoice-view.js';
import { launchBrowser } from '../support/browser.js';
import { customer, invoice, job, tenant } from '../support/invoice-fixture.js';

/** Where the run leaves what the browser showed, to look at. */
const SCREENSHOT = '/tmp/tally-invoice-page.png';
const html = renderInvoiceHtml(invoiceView({ tenant, customer, invoice, job }));
const overflowX = 'document.documentElement.scrollWidth - document.documentElement.clientWidth';

describe('invoice page in a browser', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('shows the number, the total and the lines, fitting an A4 width, with nothing fetched', async () => {
    // Prepare
    const page = await browser.newPage({ viewport: { width: 900, height: 1200 } });
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    // Act
    await page.setContent(html, { waitUntil: 'load' });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    // Assess
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Invoice');
    for (const text of [
      'INV-2025-00042',
      '15,983.02 EUR',
      '10,983.02 EUR',
      'Remaining to bill',
      ...invoice.lines.map((l) => l.description),
    ]) {
      expect(await page.getByText(text, { exact: true }).first().isVisible(), text).toBe(true);
    }
    expect(requests.filter((url) => !url.startsWith('about:') && !url.startsWith('data:'))).toEqual([]);
    // Nothing wider than the sheet: no horizontal scrolling on screen, nothing cut off in print.
    expect(await page.evaluate<number>(overflowX)).toBe(0);
    await page.close();
  });

  it('fits a phone screen: one column, only the lines table scrolls sideways', async () => {
    // Prepare
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    // Act
    await page.setContent(html, { waitUntil: 'load' });
    await page.screenshot({ path: SCREENSHOT.replace('.png', '-narrow.png'), fullPage: true });
    // Assess
    expect(await page.evaluate<number>(overflowX)).toBe(0);
    expect(await page.getByText('10,983.02 EUR', { exact: true }).isVisible()).toBe(true);
    await page.close();
  });

  it('prints on A4 pages', async () => {
    // Prepare
    const page = await browser.newPage();
    await page.setContent(html, { waitUntil: 'load' });
    // Act
    const pdf = await page.pdf({ preferCSSPageSize: true });
    // Assess: one A4 page (595 x 842 points).
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.toString('latin1').match(/\/Type\s*\/Page\b/g)).toHaveLength(1);
    await page.close();
  });
});
