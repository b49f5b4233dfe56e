import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { keys } from '../../functions/store/keys.js';
import { TABLE_NAME } from '../../local/stack.js';
import { newTenant, type ApiClient } from '../support/api.js';
import { storedMails } from '../support/mail-store.js';
import { approvalMail, billed, eventually, linkIn, mailsTo, openPortal, postDecision, uniqueEmail } from '../support/portal.js';
import { tenantItemReader } from '../support/tenant-items.js';

const items = tenantItemReader(inject('dynamoEndpoint'), TABLE_NAME);
const dynamo = new DynamoDBClient({
  endpoint: inject('dynamoEndpoint'),
  region: 'local',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});
afterAll(() => {
  items.close();
  dynamo.destroy();
});

interface Project {
  api: ApiClient;
  jobId: string;
  customerEmail: string;
  ids: string[];
}

/** A milestone job of three milestones (1,000 / 2,000 / 1,000 EUR at 20%), each approved by the client. */
const project = async (customerEmail: string | null = uniqueEmail('client')): Promise<Project> => {
  const api = await newTenant('Acme Builders', 'EUR');
  const customer = await api.request('POST', '/v1/customers', {
    name: 'Client',
    ...(customerEmail ? { email: customerEmail } : {}),
  });
  const job = await api.request('POST', '/v1/jobs', { customerId: customer.body.id, name: 'House', billingType: 'milestone' });
  const ids: string[] = [];
  for (const [name, amount] of [
    ['Foundation', '1000'],
    ['Framing', '2000'],
    ['Roof', '1000'],
  ] as const) {
    const created = await api.request('POST', `/v1/jobs/${job.body.id}/milestones`, {
      name,
      amount,
      taxRate: '20',
      completionCriteria: `${name} inspected`,
      requiresClientApproval: true,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    ids.push(created.body.id);
  }
  return { api, jobId: job.body.id, customerEmail: customerEmail ?? '', ids };
};

const complete = async ({ api, jobId }: Project, id: string, note?: string) => {
  const response = await api.request('POST', `/v1/jobs/${jobId}/milestones/${id}/complete`, note ? { note } : undefined);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body;
};

const jobInvoices = async ({ api, jobId }: Project) => (await api.request('GET', `/v1/invoices?jobId=${jobId}`)).body.items;

describe('milestone billing with client approval', () => {
  it('runs end to end: reorder, complete, email, portal approve, invoice issued and emailed, revision, pay', async () => {
    // Prepare: three milestones, reordered (roof first)
    const p = await project();
    const [foundation, framing, roof] = p.ids as [string, string, string];
    const order = await p.api.request('PUT', `/v1/jobs/${p.jobId}/milestones/order`, { ids: [roof, foundation, framing] });
    expect(order.status).toBe(200);

    // Act: the roof is done; the client is asked
    const completed = await complete(p, roof, 'Tiles laid');
    expect(completed).toMatchObject({ status: 'awaiting_approval', completionNote: 'Tiles laid', position: 1 });
    expect(completed.approval).toMatchObject({ status: 'pending', recipient: p.customerEmail, decision: null });
    const mail = await approvalMail(p.customerEmail);
    expect(mail.subject).toContain('Roof');
    const link = linkIn(mail);

    // Assess: the page shows the milestone and the tracker, decides nothing, and is not cached or referred
    const page = await openPortal(link);
    expect(page.status).toBe(200);
    expect(page.html).toContain('Roof');
    expect(page.html).toContain('Roof inspected');
    expect(page.html).toContain('Acme Builders');
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    const stillAwaiting = await p.api.request('GET', `/v1/jobs/${p.jobId}/milestones/${roof}`);
    expect(stillAwaiting.body.status).toBe('awaiting_approval');

    // Act: approve through the form
    const approved = await postDecision(link, { decision: 'approve', comment: '' }, { 'user-agent': 'ClientBrowser/2.0' });
    expect(approved.status).toBe(200);
    expect(approved.html).toMatch(/approved/i);

    // Assess: one invoice, issued, emailed with its PDF; the decision kept with its evidence
    const billedRoof = await billed(p.api, p.jobId, roof);
    expect(billedRoof).toMatchObject({ status: 'invoiced', billing: { state: 'done', round: 1 }, billingError: null });
    expect(billedRoof.approval.decision).toMatchObject({
      outcome: 'approve',
      by: 'client',
      userAgent: 'ClientBrowser/2.0',
      ip: expect.stringMatching(/127\.0\.0\.1/),
      at: expect.any(String),
    });
    const invoices = await jobInvoices(p);
    expect(invoices).toHaveLength(1);
    const invoice = invoices[0];
    expect(invoice).toMatchObject({
      id: billedRoof.invoiceId,
      policy: 'milestone',
      milestoneId: roof,
      status: 'invoiced',
      number: expect.stringMatching(/^INV-/),
      totals: { net: '1000.00', tax: '200.00', gross: '1200.00' },
    });
    const invoiceMail = await eventually(async () => {
      const found = (await mailsTo(p.customerEmail)).filter((m) => m.subject.includes(invoice.number));
      return found.length ? found : undefined;
    }, 'the invoice mail');
    expect(invoiceMail).toHaveLength(1);
    expect(invoiceMail[0]!.attachments.map((a) => a.contentType)).toEqual(['application/pdf']);
    const job = await p.api.request('GET', `/v1/jobs/${p.jobId}`);
    expect(job.body.billing).toMatchObject({ projectValue: '4000.00', invoicedToDate: '1000.00', remaining: '3000.00' });
    expect(job.body.milestones.map((m: { id: string; status: string }) => [m.id, m.status])).toEqual([
      [roof, 'invoiced'],
      [foundation, 'pending'],
      [framing, 'pending'],
    ]);
    // A link checker's HEAD gets the page's status and headers only, and decides nothing
    const head = await fetch(link, { method: 'HEAD' });
    expect([head.status, head.headers.get('cache-control'), await head.text()]).toEqual([410, 'no-store', '']);
    // The link is used up: it shows so (and what was decided, for a client who reloads), and decides nothing more
    const used = await openPortal(link);
    expect(used.status).toBe(410);
    expect(used.html).toContain('It was used to approve &quot;Roof&quot;');
    expect((await postDecision(link, { decision: 'approve' })).status).toBe(410);

    // Act: the foundation is sent back by the client, then done again and approved
    await complete(p, foundation);
    const foundationLink = linkIn(await approvalMail(p.customerEmail, 2));
    const missingComment = await postDecision(foundationLink, { decision: 'request_revision', comment: '  ' });
    expect(missingComment.status).toBe(400);
    expect(missingComment.html).toContain('href="#comment"');
    const revision = await postDecision(foundationLink, { decision: 'request_revision', comment: 'Cracks in the slab' });
    expect(revision.status).toBe(200);
    const sentBack = await p.api.request('GET', `/v1/jobs/${p.jobId}/milestones/${foundation}`);
    expect(sentBack.body).toMatchObject({ status: 'revision_requested', revisionComment: 'Cracks in the slab', billing: null });
    expect(await jobInvoices(p)).toHaveLength(1);
    await complete(p, foundation, 'Slab repaired');
    const again = linkIn(await approvalMail(p.customerEmail, 3));
    expect((await postDecision(again, { decision: 'approve' })).status).toBe(200);
    const billedFoundation = await billed(p.api, p.jobId, foundation);
    expect(billedFoundation.status).toBe('invoiced');
    expect(await jobInvoices(p)).toHaveLength(2);

    // Act: the roof's invoice is paid in full
    const paid = await p.api.request('POST', `/v1/invoices/${invoice.id}/payments`, {
      amount: '1200.00',
      date: invoice.issueDate,
      method: 'bank_transfer',
    });
    expect(paid.status, JSON.stringify(paid.body)).toBe(201);
    // Assess
    const paidRoof = await p.api.request('GET', `/v1/jobs/${p.jobId}/milestones/${roof}`);
    expect(paidRoof.body.status).toBe('paid');
    const after = await p.api.request('GET', `/v1/jobs/${p.jobId}`);
    expect(after.body.billing).toMatchObject({ invoicedToDate: '2000.00', paidToDate: '1000.00', remaining: '2000.00' });
  });

  it('bills a milestone that needs no approval as soon as it is completed, once', async () => {
    // Prepare
    const p = await project();
    const quick = await p.api.request('POST', `/v1/jobs/${p.jobId}/milestones`, {
      name: 'Permit',
      amount: '250',
      requiresClientApproval: false,
    });
    // Act
    const done = await complete(p, quick.body.id);
    // Assess
    expect(done.status).toBe('completed');
    const result = await billed(p.api, p.jobId, quick.body.id);
    expect(result).toMatchObject({ status: 'invoiced', approval: null, billing: { state: 'done' } });
    const invoices = await jobInvoices(p);
    expect(invoices.map((i: { milestoneId: string }) => i.milestoneId)).toEqual([quick.body.id]);
    // A second completion is refused: the milestone is invoiced
    const twice = await p.api.request('POST', `/v1/jobs/${p.jobId}/milestones/${quick.body.id}/complete`);
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe('MILESTONE_TRANSITION_NOT_ALLOWED');
  });

  it('records a failed billing on the milestone, and retry-billing finishes it without a second invoice', async () => {
    // Prepare: a customer without an email, an approver on the milestone; staff approve
    const p = await project(null);
    const approver = uniqueEmail('owner');
    const patched = await p.api.request('PATCH', `/v1/jobs/${p.jobId}/milestones/${p.ids[0]}`, { approverEmail: approver });
    expect(patched.status).toBe(200);
    await complete(p, p.ids[0]!);
    await approvalMail(approver);
    const approved = await p.api.request('POST', `/v1/jobs/${p.jobId}/milestones/${p.ids[0]}/approve`, { note: 'Seen on site' });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body.approval.decision).toMatchObject({ outcome: 'approve', by: 'staff', comment: 'Seen on site', ip: null });
    // Assess: issued, but the invoice could not be sent (nobody to send it to)
    const failed = await billed(p.api, p.jobId, p.ids[0]!);
    expect(failed).toMatchObject({ status: 'invoiced', billing: { state: 'failed' }, billingError: { code: 'NO_RECIPIENT' } });
    // Act: the customer gets an email; billing runs again
    const invoices = await jobInvoices(p);
    const customerEmail = uniqueEmail('client');
    await p.api.request('PATCH', `/v1/customers/${invoices[0].customerId}`, { email: customerEmail });
    const retried = await p.api.request('POST', `/v1/jobs/${p.jobId}/milestones/${p.ids[0]}/retry-billing`);
    expect(retried.status, JSON.stringify(retried.body)).toBe(200);
    expect(retried.body.billing).toMatchObject({ state: 'running', round: 2, invoiceId: failed.invoiceId });
    // Assess: done, the same invoice, sent once
    const done = await billed(p.api, p.jobId, p.ids[0]!);
    expect(done).toMatchObject({
      status: 'invoiced',
      billing: { state: 'done' },
      billingError: null,
      invoiceId: failed.invoiceId,
    });
    expect(await jobInvoices(p)).toHaveLength(1);
    const sent = await eventually(async () => {
      const found = await mailsTo(customerEmail);
      return found.length ? found : undefined;
    }, 'the invoice mail');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.subject).toContain(invoices[0].number);
    const again = await p.api.request('POST', `/v1/jobs/${p.jobId}/milestones/${p.ids[0]}/retry-billing`);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('MILESTONE_BILLED');
  });

  it('bills a milestone again, with a new invoice, once its invoice is voided; it may be changed in between', async () => {
    // Prepare: billed once
    const p = await project();
    const permit = await p.api.request('POST', `/v1/jobs/${p.jobId}/milestones`, {
      name: 'Permit',
      amount: '300',
      requiresClientApproval: false,
    });
    await complete(p, permit.body.id);
    const first = await billed(p.api, p.jobId, permit.body.id);
    // Act: the invoice is voided; the amount corrected; billed again
    expect((await p.api.request('POST', `/v1/invoices/${first.invoiceId}/void`)).status).toBe(200);
    const released = await p.api.request('GET', `/v1/jobs/${p.jobId}/milestones/${permit.body.id}`);
    expect(released.body).toMatchObject({ status: 'completed', invoiceId: null, billing: { state: 'voided', round: 1 } });
    const corrected = await p.api.request('PATCH', `/v1/jobs/${p.jobId}/milestones/${permit.body.id}`, { amount: '350' });
    expect(corrected.status, JSON.stringify(corrected.body)).toBe(200);
    const retried = await p.api.request('POST', `/v1/jobs/${p.jobId}/milestones/${permit.body.id}/retry-billing`);
    expect(retried.status, JSON.stringify(retried.body)).toBe(200);
    // Assess: a second round, a new invoice of the new amount
    const second = await billed(p.api, p.jobId, permit.body.id);
    expect(second).toMatchObject({ status: 'invoiced', billing: { state: 'done', round: 2 } });
    expect(second.invoiceId).not.toBe(first.invoiceId);
    const invoices = await jobInvoices(p);
    expect(invoices.map((i: { status: string; totals: { net: string } }) => [i.status, i.totals.net]).sort()).toEqual([
      ['invoiced', '350.00'],
      ['voided', '300.00'],
    ]);
  });

  it('bills many milestones approved at once, each once, and the deposits applied add up to the deposit', async () => {
    // Prepare: eight milestones (100.00 to 800.00) and a 10% deposit, all awaiting approval
    const api = await newTenant('Busy builder', 'EUR');
    const customer = await api.request('POST', '/v1/customers', { name: 'Client', email: uniqueEmail('busy') });
    const job = await api.request('POST', '/v1/jobs', { customerId: customer.body.id, name: 'Estate', billingType: 'milestone' });
    const ids: string[] = [];
    for (let i = 1; i <= 8; i++) {
      const m = await api.request('POST', `/v1/jobs/${job.body.id}/milestones`, {
        name: `Phase ${i}`,
        amount: `${i}00.01`,
        taxRate: '20',
        requiresClientApproval: true,
      });
      ids.push(m.body.id);
    }
    const deposit = await api.request('POST', `/v1/jobs/${job.body.id}/invoices`, { policy: 'deposit', percent: '10' });
    expect((await api.request('POST', `/v1/invoices/${deposit.body.id}/issue`)).status).toBe(200);
    for (const id of ids) await api.request('POST', `/v1/jobs/${job.body.id}/milestones/${id}/complete`);
    // Act
    const approvals = await Promise.all(ids.map((id) => api.request('POST', `/v1/jobs/${job.body.id}/milestones/${id}/approve`)));
    expect(approvals.map((a) => a.status)).toEqual(ids.map(() => 200));
    // Assess
    const done = await Promise.all(ids.map((id) => billed(api, job.body.id, id)));
    expect(done.map((m) => [m.status, m.billing.state, m.billingError])).toEqual(ids.map(() => ['invoiced', 'done', null]));
    const invoices = (await api.request('GET', `/v1/invoices?jobId=${job.body.id}&limit=50`)).body.items;
    const milestoneInvoices = invoices.filter((i: { policy: string }) => i.policy === 'milestone');
    expect(milestoneInvoices).toHaveLength(8);
    expect(new Set(milestoneInvoices.map((i: { milestoneId: string }) => i.milestoneId)).size).toBe(8);
    const applied = milestoneInvoices.flatMap((i: { lines: { kind: string; amount: string }[] }) =>
      i.lines.filter((l) => l.kind === 'deposit_applied').map((l) => Math.round(Number(l.amount) * 100)),
    );
    const depositNet = Math.round(Number(deposit.body.totals.net) * 100);
    expect(-applied.reduce((a: number, b: number) => a + b, 0)).toBe(depositNet);
    const after = await api.request('GET', `/v1/jobs/${job.body.id}`);
    expect(after.body.billing).toMatchObject({ remaining: '0.00', depositsHeld: '0.00' });
  });

  it('takes the final invoice of a milestone job only once every milestone is invoiced', async () => {
    // Prepare: two milestones, one billed, the job closed
    const api = await newTenant('Closer', 'EUR');
    const customer = await api.request('POST', '/v1/customers', { name: 'Client', email: uniqueEmail('closer') });
    const job = await api.request('POST', '/v1/jobs', { customerId: customer.body.id, name: 'Shed', billingType: 'milestone' });
    const ids: string[] = [];
    for (const name of ['Base', 'Walls']) {
      ids.push(
        (await api.request('POST', `/v1/jobs/${job.body.id}/milestones`, { name, amount: '100', requiresClientApproval: false }))
          .body.id,
      );
    }
    await api.request('POST', `/v1/jobs/${job.body.id}/milestones/${ids[0]}/complete`);
    await billed(api, job.body.id, ids[0]!);
    expect((await api.request('POST', `/v1/jobs/${job.body.id}/close`)).status).toBe(200);
    // Act + Assess: refused while Walls is not invoiced
    const early = await api.request('POST', `/v1/jobs/${job.body.id}/invoices`, { policy: 'final' });
    expect(early.status).toBe(409);
    expect(early.body.code).toBe('MILESTONES_NOT_INVOICED');
    expect(early.body.detail).toContain('Walls');
    await api.request('POST', `/v1/jobs/${job.body.id}/milestones/${ids[1]}/complete`);
    await billed(api, job.body.id, ids[1]!);
    const final = await api.request('POST', `/v1/jobs/${job.body.id}/invoices`, { policy: 'final' });
    expect(final.status, JSON.stringify(final.body)).toBe(201);
    expect((await api.request('POST', `/v1/invoices/${final.body.id}/issue`)).status).toBe(200);
    const closed = await api.request('GET', `/v1/jobs/${job.body.id}`);
    expect(closed.body).toMatchObject({ status: 'billed', billing: { invoicedToDate: '200.00', remaining: '0.00' } });
  });

  it("makes links that expire after the tenant's approvalExpiryDays (default 14, from 1 to 90)", async () => {
    // Prepare
    const p = await project();
    const days = (m: { approval: { requestedAt: string; expiresAt: string } }) =>
      (Date.parse(m.approval.expiresAt) - Date.parse(m.approval.requestedAt)) / 86_400_000;
    // Act + Assess: the default, then a tenant's own
    expect(days(await complete(p, p.ids[0]!))).toBe(14);
    for (const bad of [0, 91, 1.5]) {
      const refused = await p.api.request('PATCH', '/v1/settings', { approvalExpiryDays: bad });
      expect(refused.status, String(bad)).toBe(400);
      expect(refused.body.errors[0].field).toBe('approvalExpiryDays');
    }
    expect((await p.api.request('PATCH', '/v1/settings', { approvalExpiryDays: 3 })).status).toBe(200);
    expect(days(await complete(p, p.ids[1]!))).toBe(3);
  });

  it('keeps the amount and tax rate the client is asked to approve, or approved; a revision frees them', async () => {
    // Prepare
    const p = await project();
    const path = `/v1/jobs/${p.jobId}/milestones/${p.ids[0]}`;
    await complete(p, p.ids[0]!);
    // Act + Assess: awaiting approval
    for (const patch of [{ amount: '1500' }, { taxRate: '7' }]) {
      const refused = await p.api.request('PATCH', path, patch);
      expect(refused.status).toBe(409);
      expect(refused.body).toMatchObject({ code: 'MILESTONE_TERMS_APPROVED', errors: [{ field: Object.keys(patch)[0] }] });
    }
    expect((await p.api.request('PATCH', path, { name: 'Foundation and drains', amount: '1000.00' })).status).toBe(200);
    // Sent back, it may change, and is approved anew at the new amount
    await p.api.request('POST', `${path}/request-revision`, { comment: 'Add the drains' });
    expect((await p.api.request('PATCH', path, { amount: '1500' })).status).toBe(200);
    await complete(p, p.ids[0]!);
    const approved = await p.api.request('POST', `${path}/approve`);
    expect((await p.api.request('PATCH', path, { amount: '900' })).body.code).toBe('MILESTONE_INVOICED');
    expect((await billed(p.api, p.jobId, p.ids[0]!)).invoiceId).toBe(approved.body.billing.invoiceId);
    const [invoice] = await jobInvoices(p);
    expect(invoice.totals.net).toBe('1500.00');
  });

  it('bills a milestone of a fixed-price job as a stage of its price: the final invoice bills only the rest', async () => {
    const api = await newTenant('Fixed', 'EUR');
    const customer = await api.request('POST', '/v1/customers', { name: 'Client', email: uniqueEmail('fixed') });
    const job = await api.request('POST', '/v1/jobs', {
      customerId: customer.body.id,
      name: 'Kitchen',
      billingType: 'fixed_price',
    });
    await api.request('POST', `/v1/jobs/${job.body.id}/charges`, {
      description: 'Kitchen',
      quantity: '1',
      unitPrice: '1000',
      taxRate: '20',
    });
    const stage = await api.request('POST', `/v1/jobs/${job.body.id}/milestones`, {
      name: 'Stage 1',
      amount: '300',
      requiresClientApproval: false,
    });
    await api.request('POST', `/v1/jobs/${job.body.id}/milestones/${stage.body.id}/complete`);
    await billed(api, job.body.id, stage.body.id);
    expect((await api.request('POST', `/v1/jobs/${job.body.id}/close`)).status).toBe(200);
    const final = await api.request('POST', `/v1/jobs/${job.body.id}/invoices`, { policy: 'final' });
    expect(final.status, JSON.stringify(final.body)).toBe(201);
    expect(final.body.totals.net).toBe('700.00');
  });

  it('refuses to complete a milestone whose approver has no address, changing nothing', async () => {
    const p = await project(null);
    const before = await items.read(p.api.tenantId);
    const response = await p.api.request('POST', `/v1/jobs/${p.jobId}/milestones/${p.ids[0]}/complete`);
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ code: 'NO_RECIPIENT', errors: [{ field: 'approverEmail' }] });
    expect(await items.read(p.api.tenantId)).toEqual(before);
  });
});

describe('portal links', () => {
  const linkFor = async (): Promise<{ p: Project; link: string }> => {
    const p = await project();
    await complete(p, p.ids[0]!);
    return { p, link: linkIn(await approvalMail(p.customerEmail)) };
  };

  it('forged, malformed and other-tenant tokens get a clear page, and change nothing', async () => {
    // Prepare
    const { p, link } = await linkFor();
    const other = await newTenant('Other');
    const token = link.split('/').at(-1)!;
    const [tenantId, requestId, secret] = token.split('.') as [string, string, string];
    const base = link.slice(0, -token.length);
    const forged = `${tenantId}.${requestId}.${secret.slice(0, -2)}${secret.endsWith('AA') ? 'BB' : 'AA'}`;
    const otherTenant = `${other.tenantId}.${requestId}.${secret}`;
    const before = await items.read(p.api.tenantId);
    // Act + Assess
    for (const bad of [forged, otherTenant, 'not-a-token', `${tenantId}.${requestId}`, `${token}x`]) {
      const shown = await openPortal(`${base}${bad}`);
      expect(shown.status, bad).toBe(404);
      expect(shown.html).toMatch(/not valid/i);
      expect(shown.headers.get('cache-control')).toBe('no-store');
      const posted = await postDecision(`${base}${bad}`, { decision: 'approve' });
      expect(posted.status, bad).toBe(404);
    }
    expect(await items.read(p.api.tenantId)).toEqual(before);
  });

  it('an expired link shows so and decides nothing; staff may still decide', async () => {
    // Prepare: the request's time runs out
    const { p, link } = await linkFor();
    const requestId = link.split('/').at(-1)!.split('.')[1]!;
    const key = keys.approvalRequest(p.api.tenantId, requestId);
    await dynamo.send(
      new UpdateItemCommand({
        TableName: TABLE_NAME,
        Key: { PK: { S: key.PK }, SK: { S: key.SK } },
        UpdateExpression: 'SET expiresAt = :past',
        ExpressionAttributeValues: { ':past': { S: '2020-01-01T00:00:00.000Z' } },
      }),
    );
    const before = await items.read(p.api.tenantId);
    // Act + Assess
    const shown = await openPortal(link);
    expect(shown.status).toBe(410);
    expect(shown.html).toMatch(/expired/i);
    expect((await postDecision(link, { decision: 'approve' })).status).toBe(410);
    expect(await items.read(p.api.tenantId)).toEqual(before);
    // Staff can still decide
    const revised = await p.api.request('POST', `/v1/jobs/${p.jobId}/milestones/${p.ids[0]}/request-revision`, {
      comment: 'Client called: redo it',
    });
    expect(revised.status, JSON.stringify(revised.body)).toBe(200);
    expect(revised.body.status).toBe('revision_requested');
  });

  it('staff asking for a revision say what should change: none or blank is COMMENT_REQUIRED, control characters refused, nothing changed', async () => {
    // Prepare
    const { p } = await linkFor();
    const path = `/v1/jobs/${p.jobId}/milestones/${p.ids[0]}`;
    const before = await items.read(p.api.tenantId);
    // Act
    const refused = await Promise.all(
      [{}, { comment: '   ' }, { comment: 'Redo\u0000it' }, { comment: 'Redo \u001b[31mit' }].map((body) =>
        p.api.request('POST', `${path}/request-revision`, body),
      ),
    );
    // Assess
    expect(refused.map((r) => [r.status, r.body.code, r.body.errors?.[0]?.field])).toEqual([
      [400, 'COMMENT_REQUIRED', 'comment'],
      [400, 'COMMENT_REQUIRED', 'comment'],
      [400, 'VALIDATION_FAILED', 'comment'],
      [400, 'VALIDATION_FAILED', 'comment'],
    ]);
    expect(await items.read(p.api.tenantId)).toEqual(before);
    const revised = await p.api.request('POST', `${path}/request-revision`, { comment: 'Redo it:\n\tthe drains' });
    expect([revised.status, revised.body.revisionComment]).toEqual([200, 'Redo it:\n\tthe drains']);
  });

  it('a link whose milestone or job is gone, or whose milestone moved on, gets a page and changes nothing', async () => {
    // Prepare: a link whose milestone is deleted, and one whose job is
    const { p, link } = await linkFor();
    expect((await p.api.request('DELETE', `/v1/jobs/${p.jobId}/milestones/${p.ids[0]}`)).status).toBe(204);
    // Act + Assess
    for (const response of [await openPortal(link), await postDecision(link, { decision: 'approve' })]) {
      expect(response.status).toBe(410);
      expect(response.html).toMatch(/can no longer be decided/i);
      expect(response.headers.get('cache-control')).toBe('no-store');
    }
    const other = await linkFor();
    expect((await other.p.api.request('DELETE', `/v1/jobs/${other.p.jobId}`)).status).toBe(204);
    expect((await openPortal(other.link)).status).toBe(410);
    expect((await postDecision(other.link, { decision: 'approve' })).status).toBe(410);
  });

  it('refuses a form that answers twice, or a comment with nothing readable in it', async () => {
    const fresh = await linkFor();
    const stored = await items.read(fresh.p.api.tenantId);
    const body = 'decision=approve&decision=request_revision';
    const ambiguous = await fetch(fresh.link, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    expect(ambiguous.status).toBe(400);
    for (const comment of ['\u200b', '\u0000\u0000', ' \u00a0 ']) {
      const blank = await postDecision(fresh.link, { decision: 'request_revision', comment });
      expect(blank.status, JSON.stringify(comment)).toBe(400);
      expect(blank.html).toContain('href="#comment"');
    }
    expect(await items.read(fresh.p.api.tenantId)).toEqual(stored);
  });

  it('refuses a comment whose bytes are not UTF-8 (whatever charset it names) or that holds a control character, keeping the form', async () => {
    const { p, link } = await linkFor();
    const stored = await items.read(p.api.tenantId);
    for (const [body, type, kept] of [
      ['decision=request_revision&comment=%00%FF%FEbad', 'application/x-www-form-urlencoded', 'bad'],
      [
        'decision=request_revision&comment=Caf%E9+trop+cher',
        'application/x-www-form-urlencoded; charset=ISO-8859-1',
        'trop cher',
      ],
      ['decision=request_revision&comment=Redo%00it', 'application/x-www-form-urlencoded', 'it'],
      ['decision=request_revision&comment=Redo%1B%5B31mit', 'application/x-www-form-urlencoded', 'it'],
    ] as const) {
      const refused = await fetch(link, { method: 'POST', headers: { 'content-type': type }, body });
      const html = await refused.text();
      expect(refused.status, body).toBe(400);
      expect(html).toContain('href="#comment"');
      expect(html).toContain('aria-invalid="true"');
      expect(html, body).toContain(kept);
      expect(html).toContain('value="request_revision" checked');
    }
    expect(await items.read(p.api.tenantId)).toEqual(stored);
    // Line breaks and text in UTF-8 are a comment
    const revised = await postDecision(link, { decision: 'request_revision', comment: 'Café:\r\nredo the corners' });
    expect(revised.status).toBe(200);
    const milestone = (await p.api.request('GET', `/v1/jobs/${p.jobId}/milestones/${p.ids[0]}`)).body;
    expect(milestone.approval.decision.comment).toBe('Café:\r\nredo the corners');
  });

  it('a resent link replaces the first, which then decides nothing', async () => {
    const { p, link } = await linkFor();
    const resent = await p.api.request('POST', `/v1/jobs/${p.jobId}/milestones/${p.ids[0]}/resend-approval`);
    expect(resent.status, JSON.stringify(resent.body)).toBe(200);
    const second = linkIn(await approvalMail(p.customerEmail, 2));
    expect(second).not.toBe(link);
    expect((await postDecision(link, { decision: 'approve' })).status).toBe(410);
    expect((await postDecision(second, { decision: 'approve' })).status).toBe(200);
    expect((await billed(p.api, p.jobId, p.ids[0]!)).status).toBe('invoiced');
  });

  it('two approvals at once (portal and staff) make one decision, one invoice and one email', async () => {
    // Prepare
    const { p, link } = await linkFor();
    // Act
    const [portal, staff] = await Promise.all([
      postDecision(link, { decision: 'approve' }),
      p.api.request('POST', `/v1/jobs/${p.jobId}/milestones/${p.ids[0]}/approve`),
    ]);
    // Assess: one won; the other was told the request is decided
    const wins = [portal.status === 200, staff.status === 200].filter(Boolean);
    expect(wins, `portal ${portal.status}, staff ${staff.status} ${JSON.stringify(staff.body)}`).toHaveLength(1);
    if (portal.status !== 200) expect(portal.status).toBe(410);
    if (staff.status !== 200) expect(staff.body.code).toBe('APPROVAL_DECIDED');
    const done = await billed(p.api, p.jobId, p.ids[0]!);
    expect(done.billing).toMatchObject({ state: 'done', round: 1 });
    expect(await jobInvoices(p)).toHaveLength(1);
    const invoiceMails = (await storedMails()).filter(
      (m) => m.destination.to.includes(p.customerEmail) && m.attachments.length > 0,
    );
    expect(invoiceMails).toHaveLength(1);
  });
});
