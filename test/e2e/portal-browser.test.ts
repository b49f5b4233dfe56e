import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { PORTAL_HEADERS } from '../../functions/services/documents/portal-pages.js';
import { newTenant, type ApiClient } from '../support/api.js';
import { browserPages } from '../support/browser.js';
import { approvalMail, billed, linkIn, uniqueEmail } from '../support/portal.js';

/** Where the run leaves what the browser showed (ignored by git), to look at. */
const SHOTS = fileURLToPath(new URL('../../test-results/portal/', import.meta.url));
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Every form control a person operates; a hidden input is none. */
const CONTROLS = 'input:not([type=hidden]), textarea, select, button';
/** The roles a form control can have: a control in none of them counts as unnamed. */
const CONTROL_ROLES = [
  'button',
  'checkbox',
  'combobox',
  'listbox',
  'radio',
  'searchbox',
  'slider',
  'spinbutton',
  'switch',
  'textbox',
] as const;

/**
 * The markup of each control whose accessible name is empty, hidden controls included: Playwright's
 * role engine computes the name (`includeHidden` names hidden ones too), and a control must be one it names.
 */
const unnamedControls = async (page: Page): Promise<string[]> => {
  const named = await Promise.all(
    CONTROL_ROLES.map((role) => page.getByRole(role, { includeHidden: true, name: /\S/ }).elementHandles()),
  );
  return page
    .locator(CONTROLS)
    .evaluateAll((controls, namedOnes) => controls.filter((c) => !namedOnes.includes(c)).map((c) => c.outerHTML), named.flat());
};

interface Awaiting {
  api: ApiClient;
  jobId: string;
  roofId: string;
  link: string;
}

/**
 * A milestone job of 3,000 EUR whose walls (2,000, no approval needed) are invoiced, and whose roof
 * (1,000 at 20%) is completed and waits for the client: the link the client was mailed.
 */
const awaitingApproval = async (): Promise<Awaiting> => {
  const api = await newTenant('Acme Builders', 'EUR');
  const email = uniqueEmail('client');
  const customer = await api.request('POST', '/v1/customers', { name: 'Client', email });
  const job = await api.request('POST', '/v1/jobs', { customerId: customer.body.id, name: 'House', billingType: 'milestone' });
  const jobId: string = job.body.id;
  const walls = await api.request('POST', `/v1/jobs/${jobId}/milestones`, {
    name: 'Walls',
    amount: '2000',
    requiresClientApproval: false,
  });
  const roof = await api.request('POST', `/v1/jobs/${jobId}/milestones`, {
    name: 'Roof',
    amount: '1000',
    taxRate: '20',
    completionCriteria: 'Roof inspected',
    requiresClientApproval: true,
  });
  expect(roof.status, JSON.stringify(roof.body)).toBe(201);
  await api.request('POST', `/v1/jobs/${jobId}/milestones/${walls.body.id}/complete`);
  expect((await billed(api, jobId, walls.body.id)).status).toBe('invoiced');
  const completed = await api.request('POST', `/v1/jobs/${jobId}/milestones/${roof.body.id}/complete`);
  expect(completed.status, JSON.stringify(completed.body)).toBe(200);
  return { api, jobId, roofId: roof.body.id, link: linkIn(await approvalMail(email)) };
};

/** Runs `act` (a click, a key press) that sends the form, and answers the status of the page that comes back, once it has loaded. */
const submitting = async (page: Page, act: () => Promise<void>): Promise<number> => {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST'),
    page.waitForEvent('load'),
    act(),
  ]);
  return response.status();
};

const h1 = async (page: Page): Promise<string> => {
  const headings = page.getByRole('heading', { level: 1 });
  expect(await headings.count()).toBe(1);
  return (await headings.textContent()) ?? '';
};

/** The element the keyboard is on, as `tag#id`. */
const focused = (page: Page): Promise<string> =>
  page.locator(':focus').evaluate((el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}`);

const invoicesOf = async (api: ApiClient, jobId: string, milestoneId: string) =>
  (await api.request('GET', `/v1/invoices?jobId=${jobId}`)).body.items.filter(
    (i: { milestoneId: string }) => i.milestoneId === milestoneId,
  );

describe('the approval portal in a browser', () => {
  const { newPage, open } = browserPages();

  it('approves by clicking: the page shows the milestone and the balance; the milestone is invoiced once', async () => {
    // Prepare
    const { api, jobId, roofId, link } = await awaitingApproval();
    const shot = `${SHOTS}approval-page.png`;
    mkdirSync(SHOTS, { recursive: true });
    rmSync(shot, { force: true });
    // Act
    const page = await open(link);
    await page.screenshot({ path: shot, fullPage: true });
    // Assess: the page
    expect(await page.title()).toBe('Approve "Roof" – Acme Builders');
    expect(await h1(page)).toBe('Approve "Roof"');
    for (const text of ['Roof inspected', 'Milestone 2 of 2']) {
      expect(await page.getByText(text, { exact: true }).isVisible(), text).toBe(true);
    }
    const row = (term: string) =>
      page
        .locator('dl > div')
        .filter({ has: page.getByText(term, { exact: true }) })
        .locator('dd');
    expect([await row('Amount before tax').textContent(), await row('Tax rate').textContent()]).toEqual(['1,000.00 EUR', '20%']);
    // The bar is named by its label, which says in words what it shows (2,000 of 3,000 rounds down to 66%).
    const meter = page.getByRole('meter', { name: 'Invoiced 2,000.00 EUR of 3,000.00 EUR (66%)', exact: true });
    expect(await meter.isVisible()).toBe(true);
    expect([await meter.getAttribute('value'), await meter.getAttribute('max')]).toEqual(['2000.00', '3000.00']);
    // The screenshot is kept, and is a whole page
    const png = readFileSync(shot);
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(statSync(shot).size).toBeGreaterThan(20_000);
    expect(png.readUInt32BE(20)).toBeGreaterThan(900); // the IHDR height: taller than the viewport

    // Act: choose by clicking the label, then send
    await page.getByText('Yes, approve it', { exact: true }).click();
    expect(await page.getByRole('radio', { name: 'Yes, approve it' }).isChecked()).toBe(true);
    const status = await submitting(page, () => page.getByRole('button', { name: 'Send my decision' }).click());
    // Assess
    expect(status).toBe(200);
    expect(await h1(page)).toBe('Thank you: you approved "Roof"');
    expect(await page.getByText('Acme Builders will send the invoice.').isVisible()).toBe(true);
    const roof = await billed(api, jobId, roofId);
    expect(roof).toMatchObject({
      status: 'invoiced',
      billing: { state: 'done' },
      approval: { decision: { outcome: 'approve' } },
    });
    expect(await invoicesOf(api, jobId, roofId)).toHaveLength(1);
  });

  it('names every control, on the page and on its error page', async () => {
    // Prepare
    const { link } = await awaitingApproval();
    const page = await open(link);
    // Assess: the names a screen reader reads out
    expect(await unnamedControls(page)).toEqual([]);
    for (const [role, name] of [
      ['group', 'Do you approve this milestone?'],
      ['radio', 'Yes, approve it'],
      ['radio', 'No, ask for a revision'],
      ['textbox', 'Comment'],
      ['button', 'Send my decision'],
    ] as const) {
      expect(await page.getByRole(role, { name, exact: true }).count(), `${role} "${name}"`).toBe(1);
    }
    // Act: send nothing chosen
    const status = await submitting(page, () => page.getByRole('button', { name: 'Send my decision' }).click());
    // Assess
    expect(status).toBe(400);
    expect(await page.getByRole('alert').textContent()).toContain('Choose whether you approve');
    expect(await page.getByRole('radio', { name: 'Yes, approve it' }).getAttribute('aria-invalid')).toBe('true');
    expect(await unnamedControls(page)).toEqual([]);

    // The check finds a control without a name, shown or hidden, and leaves alone one that has it.
    await page.setContent(`<form>
<label for="named">Named</label><input id="named"><input id="bare"><input type="hidden" name="token">
<label>Orphan</label><textarea></textarea><select></select><button></button>
<label for="gone">Hidden but named</label><input id="gone" style="display:none"><input id="gone-bare" style="display:none">
</form>`);
    expect(await unnamedControls(page)).toEqual([
      '<input id="bare">',
      '<textarea></textarea>',
      '<select></select>',
      '<button></button>',
      '<input id="gone-bare" style="display:none">',
    ]);
  });

  it('asks for a revision with the keyboard alone: the error summary leads to the comment', async () => {
    // Prepare
    const { api, jobId, roofId, link } = await awaitingApproval();
    const page = await open(link);
    const userAgent = await page.evaluate(() => navigator.userAgent);
    // Act: Tab to the choice, the arrow picks the revision, Tab past the comment to the button, Enter
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('input#decision');
    await page.keyboard.press('ArrowDown');
    expect(await focused(page)).toBe('input#decision-2');
    expect(await page.getByRole('radio', { name: 'No, ask for a revision' }).isChecked()).toBe(true);
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('textarea#comment');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('button');
    const refused = await submitting(page, () => page.keyboard.press('Enter'));
    // Assess: the page again, the problem first, the choice kept
    expect(refused).toBe(400);
    expect(await page.title()).toBe('Error: Approve "Roof" – Acme Builders');
    const summary = page.getByRole('alert');
    expect(await summary.getByRole('heading', { name: 'There is a problem' }).isVisible()).toBe(true);
    const toComment = summary.getByRole('link', { name: 'Say what should be revised' });
    expect(await toComment.getAttribute('href')).toBe('#comment');
    const comment = page.getByRole('textbox', { name: 'Comment' });
    expect(await comment.getAttribute('aria-invalid')).toBe('true');
    expect(await comment.getAttribute('aria-describedby')).toBe('comment-hint comment-error');
    expect(await page.getByRole('radio', { name: 'No, ask for a revision' }).isChecked()).toBe(true);
    // The summary's link is the first stop, and takes the focus to the comment
    await page.keyboard.press('Tab');
    expect(await page.locator(':focus').getAttribute('href')).toBe('#comment');
    await page.keyboard.press('Enter');
    expect(await focused(page)).toBe('textarea#comment');

    // Act: type the comment, Tab to the button, Space
    await page.keyboard.type('The flashing by the chimney leaks');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('button');
    const sent = await submitting(page, () => page.keyboard.press('Space'));
    // Assess
    expect(sent).toBe(200);
    expect(await h1(page)).toBe('Thank you: you asked for a revision of "Roof"');
    const roof = await api.request('GET', `/v1/jobs/${jobId}/milestones/${roofId}`);
    expect(roof.body).toMatchObject({
      status: 'revision_requested',
      revisionComment: 'The flashing by the chimney leaks',
      approval: {
        decision: { outcome: 'request_revision', by: 'client', comment: 'The flashing by the chimney leaks', userAgent },
      },
    });
    expect(userAgent).toMatch(/Chrome/);
  });

  it('works without JavaScript', async () => {
    // Prepare
    const { api, jobId, roofId, link } = await awaitingApproval();
    const page = await open(link, { javaScriptEnabled: false });
    // Act
    await page.getByText('Yes, approve it', { exact: true }).click();
    const status = await submitting(page, () => page.getByRole('button', { name: 'Send my decision' }).click());
    // Assess
    expect(status).toBe(200);
    expect(await h1(page)).toBe('Thank you: you approved "Roof"');
    expect((await billed(api, jobId, roofId)).status).toBe('invoiced');
    // The context did run without scripts: it shows what a page shows to those without them.
    await page.setContent('<noscript>Scripts are off</noscript>');
    expect(await page.getByText('Scripts are off').isVisible()).toBe(true);
  });

  it('loads under its CSP with nothing refused, its one style applied', async () => {
    // Prepare
    const { link } = await awaitingApproval();
    const page = await newPage({ viewport: { width: 1280, height: 720 } });
    const messages: string[] = [];
    page.on('console', (message) => messages.push(`${message.type()}: ${message.text()}`));
    page.on('pageerror', (error) => messages.push(`pageerror: ${error.message}`));
    const refusals = () => messages.filter((m) => /content security policy/i.test(m));
    // Act
    const response = await page.goto(link, { waitUntil: 'networkidle' });
    // Assess
    expect(response?.headers()['content-security-policy']).toBe(PORTAL_HEADERS['Content-Security-Policy']);
    expect(refusals()).toEqual([]);
    // The style block ran (allowed by its hash): the heading has the page's size, not the browser's.
    expect(await page.evaluate<string>("getComputedStyle(document.querySelector('h1')).fontSize")).toBe('36px');

    // The listener hears a refusal: a style the policy does not allow, under the portal's headers.
    await page.route('http://portal.test/**', (route) =>
      route.fulfill({ headers: { ...PORTAL_HEADERS }, body: '<!doctype html><style>h1 { color: red }</style><h1>Other</h1>' }),
    );
    await page.goto('http://portal.test/page');
    await expect.poll(refusals).toHaveLength(1);
  });
});
