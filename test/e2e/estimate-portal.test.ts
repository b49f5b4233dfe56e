import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { newTenant, type ApiClient } from '../support/api.js';
import { browserPages } from '../support/browser.js';
import { eventually, linkIn, mailsTo, openPortal, postDecision, uniqueEmail } from '../support/portal.js';

const CHARGES = [
  { description: 'Strip out', quantity: '1', unitPrice: '450', taxRate: '20' },
  { description: 'Tiles', group: 'Materials', quantity: '14', unitPrice: '32.50', taxRate: '20' },
  { description: 'Tiling', quantity: '16', unitPrice: '38', taxRate: '20' },
  { description: 'Skip hire', quantity: '1', unitPrice: '180', taxRate: '0' },
];

const isoDay = (offsetDays: number): string => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

interface Sent {
  api: ApiClient;
  estimateId: string;
  chargeIds: string[];
  link: string;
}

/** An estimate of the four charges, sent to a client of its own; the link taken from the mail the local SES keeps. */
const sentEstimate = async (validUntil: string | null = isoDay(30)): Promise<Sent> => {
  const api = await newTenant('Acme Builders', 'EUR');
  const email = uniqueEmail('client');
  const customer = await api.request('POST', '/v1/customers', { name: 'Sam Client', email });
  const estimate = await api.request('POST', '/v1/estimates', {
    customerId: customer.body.id,
    name: 'Bathroom refit',
    billingType: 'fixed_price',
    validUntil,
  });
  expect(estimate.status, JSON.stringify(estimate.body)).toBe(201);
  const estimateId: string = estimate.body.id;
  const chargeIds: string[] = [];
  for (const charge of CHARGES) {
    const added = await api.request('POST', `/v1/estimates/${estimateId}/charges`, charge);
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    chargeIds.push(added.body.id);
  }
  const sent = await api.request('POST', `/v1/estimates/${estimateId}/send`);
  expect([sent.status, sent.body.status], JSON.stringify(sent.body)).toEqual([200, 'sent']);
  const mail = await eventually(async () => (await mailsTo(email))[0], `the estimate mail to ${email}`);
  expect(mail.subject).toBe('Acme Builders: estimate "Bathroom refit"');
  expect(mail.body.text).toContain('Total: 1,995.60 EUR including tax');
  return { api, estimateId, chargeIds, link: linkIn(mail) };
};

/** Runs `act` (a click) that sends the form, and answers the status of the page that comes back, once it has loaded. */
const submitting = async (page: Page, act: () => Promise<void>): Promise<number> => {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST'),
    page.waitForEvent('load'),
    act(),
  ]);
  return response.status();
};

const h1 = async (page: Page): Promise<string> => (await page.getByRole('heading', { level: 1 }).textContent()) ?? '';

/** The jobs of the tenant: none until an estimate is accepted. */
const jobsOf = async (api: ApiClient) =>
  (await api.request('GET', '/v1/jobs')).body.items as { id: string; estimateId: string }[];

describe('an estimate accepted through the portal, in a browser', () => {
  const pages = browserPages();
  const open = (link: string, status = 200): Promise<Page> => pages.open(link, { javaScriptEnabled: false, status });

  it('shows every charge and the total; Accept makes the job with the charges in order; reordered, an itemized invoice follows the new order', async () => {
    // Prepare
    const { api, estimateId, chargeIds, link } = await sentEstimate();
    // Act
    const page = await open(link);
    // Assess: the page, every charge in order and the total
    expect(await h1(page)).toBe('Estimate "Bathroom refit"');
    const rows = await page
      .locator('table tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    expect(rows).toEqual([
      ['Strip out', '', '1', '450 EUR', '20%', '450.00 EUR'],
      ['Tiles', 'Materials', '14', '32.50 EUR', '20%', '455.00 EUR'],
      ['Tiling', '', '16', '38 EUR', '20%', '608.00 EUR'],
      ['Skip hire', '', '1', '180 EUR', '0%', '180.00 EUR'],
    ]);
    const row = (term: string) =>
      page
        .locator('dl > div')
        .filter({ has: page.getByText(term, { exact: true }) })
        .locator('dd')
        .textContent();
    // 1,513.00 at 20% = 302.60 tax
    expect([await row('Total before tax'), await row('Tax'), await row('Total')]).toEqual([
      '1,693.00 EUR',
      '302.60 EUR',
      '1,995.60 EUR',
    ]);
    expect(await page.getByRole('button', { name: 'Decline', exact: true }).isVisible()).toBe(true);

    // Act: Accept
    const status = await submitting(page, () => page.getByRole('button', { name: 'Accept the estimate' }).click());
    // Assess: the job, with the charges in the estimate's order
    expect(status).toBe(200);
    expect(await h1(page)).toBe('Thank you: you accepted "Bathroom refit"');
    const estimate = (await api.request('GET', `/v1/estimates/${estimateId}`)).body;
    expect(estimate).toMatchObject({ status: 'accepted', decision: { by: 'client', outcome: 'approve' } });
    const job = await api.request('GET', `/v1/jobs/${estimate.jobId}`);
    expect(job.status).toBe(200);
    expect(job.body).toMatchObject({
      estimateId,
      name: 'Bathroom refit',
      status: 'open',
      billing: { suggestedPrice: '1693.00' },
    });
    expect(job.body.charges.map((c: { id: string }) => c.id)).toEqual(chargeIds);
    expect(job.body.charges.map((c: { description: string }) => c.description)).toEqual(CHARGES.map((c) => c.description));
    expect(await jobsOf(api)).toHaveLength(1);
    // The link is used now
    expect((await openPortal(link)).status).toBe(410);

    // Act: the job's charges reordered, then a progress itemized invoice of all four
    const order = [chargeIds[3]!, chargeIds[1]!, chargeIds[0]!, chargeIds[2]!];
    const reordered = await api.request('PUT', `/v1/jobs/${estimate.jobId}/charges/order`, { ids: order });
    expect(reordered.status, JSON.stringify(reordered.body)).toBe(200);
    const invoice = await api.request('POST', `/v1/jobs/${estimate.jobId}/invoices`, {
      policy: 'progress_itemized',
      progress: chargeIds.map((chargeId) => ({ chargeId, percentComplete: '50' })),
    });
    // Assess: its lines in the new order
    expect(invoice.status, JSON.stringify(invoice.body)).toBe(201);
    expect(invoice.body.lines.map((l: { allocations: { chargeId: string }[] }) => l.allocations.map((a) => a.chargeId))).toEqual(
      order.map((id) => [id]),
    );
    expect(invoice.body.lines.map((l: { description: string }) => l.description)).toEqual([
      expect.stringContaining('Skip hire'),
      expect.stringContaining('Tiles'),
      expect.stringContaining('Strip out'),
      expect.stringContaining('Tiling'),
    ]);
  });

  it('Decline asks for a reason, keeps it and makes no job', async () => {
    // Prepare
    const { api, estimateId, link } = await sentEstimate();
    const page = await open(link);
    // Act: decline without a reason, then with one
    expect(await submitting(page, () => page.getByRole('button', { name: 'Decline', exact: true }).click())).toBe(400);
    expect(await page.getByRole('alert').textContent()).toContain('Say why you decline the estimate');
    await page.getByRole('textbox', { name: 'Reason for declining' }).fill('We found a cheaper offer');
    const status = await submitting(page, () => page.getByRole('button', { name: 'Decline', exact: true }).click());
    // Assess
    expect(status).toBe(200);
    expect(await h1(page)).toBe('You declined "Bathroom refit"');
    expect((await api.request('GET', `/v1/estimates/${estimateId}`)).body).toMatchObject({
      status: 'declined',
      jobId: null,
      decision: { by: 'client', outcome: 'reject', comment: 'We found a cheaper offer' },
    });
    expect(await jobsOf(api)).toEqual([]);
  });

  it('past its validity says it has expired, and accepting through the link makes no job', async () => {
    // Prepare: sent while valid, then its last day moved into the past
    const { api, estimateId, link } = await sentEstimate(isoDay(0));
    const moved = await api.request('PATCH', `/v1/estimates/${estimateId}`, { validUntil: isoDay(-1) });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    // Act
    const page = await open(link, 410);
    const posted = await postDecision(link, { decision: 'approve' });
    // Assess
    expect(await h1(page)).toBe('This estimate has expired');
    expect(posted.status).toBe(410);
    expect((await api.request('GET', `/v1/estimates/${estimateId}`)).body).toMatchObject({ status: 'sent', jobId: null });
    expect(await jobsOf(api)).toEqual([]);
  });
});
