import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadLetteredFires } from '../../functions/store/schedule.store.js';
import { startLocalStack, type LocalStack } from '../../local/stack.js';
import type { StoredMail } from '../support/mail-store.js';
import { eventually, linkIn, openPortal, postDecision, uniqueEmail } from '../support/portal.js';

// The test clock moves the time of a whole stack: this file runs its own.
let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack({ port: 0, dataDir: null, sesPort: 0 });
}, 60_000);
afterAll(() => stack.stop());

const request = async (method: string, path: string, body?: unknown) => {
  const response = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
};

const advance = async (duration: string) => {
  const moved = await request('POST', '/local/clock', { advance: duration });
  expect(moved.status, JSON.stringify(moved.body)).toBe(200);
};

const mailsTo = async (to: string): Promise<StoredMail[]> => {
  const { emails } = (await (await fetch(stack.mailUrl)).json()) as { emails: StoredMail[] };
  return emails.filter((mail) => mail.destination.to.includes(to));
};

/** A milestone job whose one milestone needs the client's approval, completed: its approval mail is out. */
const awaitingApproval = async (settings: Record<string, number | null>) => {
  expect((await request('PATCH', '/v1/settings', settings)).status).toBe(200);
  const email = uniqueEmail('timers');
  const customer = await request('POST', '/v1/customers', { name: 'Client', email });
  const job = await request('POST', '/v1/jobs', { customerId: customer.body.id, name: 'House', billingType: 'milestone' });
  const milestone = await request('POST', `/v1/jobs/${job.body.id}/milestones`, {
    name: 'Roof',
    amount: '1000',
    taxRate: '20',
    requiresClientApproval: true,
  });
  const done = await request('POST', `/v1/jobs/${job.body.id}/milestones/${milestone.body.id}/complete`);
  expect(done.status, JSON.stringify(done.body)).toBe(200);
  const path = `/v1/jobs/${job.body.id}/milestones/${milestone.body.id}`;
  return { email, path, first: await eventually(async () => (await mailsTo(email))[0], 'the approval mail') };
};

describe('approval timers on the test clock', () => {
  it('reminds once with a link of its own, then expires the request: its links answer 410', async () => {
    // Prepare
    const { email, path, first } = await awaitingApproval({
      approvalExpiryDays: 14,
      approvalReminderDays: 7,
      deemedAcceptanceDays: null,
    });
    // Act: past the reminder, twice
    await advance('P7DT1H');
    await advance('P1D');
    // Assess
    const mails = await mailsTo(email);
    expect(mails.map((m) => m.subject)).toEqual([first.subject, `Reminder: ${first.subject}`]);
    const reminderLink = linkIn(mails[1]!);
    expect(reminderLink).not.toBe(linkIn(first));
    expect((await openPortal(reminderLink)).status).toBe(200);
    expect((await openPortal(linkIn(first))).status).toBe(200);
    // Act: past the expiry
    await advance('P7D');
    // Assess
    expect((await request('GET', path)).body).toMatchObject({ status: 'awaiting_approval', approval: { status: 'expired' } });
    expect((await openPortal(reminderLink)).status).toBe(410);
    expect((await openPortal(linkIn(first))).status).toBe(410);
    expect(await mailsTo(email)).toHaveLength(2);
  });

  it("a reminder's link decides the one request: the first link is then used", async () => {
    // Prepare
    const { email, path, first } = await awaitingApproval({
      approvalExpiryDays: 14,
      approvalReminderDays: 3,
      deemedAcceptanceDays: null,
    });
    await advance('P3DT1H');
    const reminder = await eventually(async () => (await mailsTo(email))[1], 'the reminder');
    // Act
    const approved = await postDecision(linkIn(reminder), { decision: 'approve', comment: '' });
    // Assess
    expect(approved.status).toBe(200);
    expect((await openPortal(linkIn(first))).status).toBe(410);
    const milestone = (await request('GET', path)).body;
    expect(milestone.approval).toMatchObject({ status: 'approved', decision: { by: 'client', outcome: 'approve' } });
  });

  it('counts an undecided request as approved after deemedAcceptanceDays, recorded as deemed, and bills the milestone', async () => {
    // Prepare
    const { path } = await awaitingApproval({ approvalExpiryDays: 14, approvalReminderDays: null, deemedAcceptanceDays: 5 });
    // Act
    await advance('P5DT1H');
    // Assess: the advance waits for the billing it started
    const milestone = (await request('GET', path)).body;
    expect(milestone).toMatchObject({
      status: 'invoiced',
      approval: { status: 'approved', decision: { by: 'deemed', outcome: 'approve', ip: null } },
      billing: { state: 'done' },
    });
    expect(milestone.approval.decision.at).toBe(
      new Date(Date.parse(milestone.approval.requestedAt) + 5 * 86_400_000).toISOString(),
    );
  });

  it('leaves a change order undecided when its deemed acceptance is refused (its milestone invoiced): not retried to the dead letters', async () => {
    // Prepare: the milestone awaits approval; a change order renaming it is sent right after
    const { path } = await awaitingApproval({ approvalExpiryDays: 10, approvalReminderDays: null, deemedAcceptanceDays: 4 });
    const [, , , jobId, , milestoneId] = path.split('/');
    const co = await request('POST', `/v1/jobs/${jobId}/change-orders`, {
      description: 'Rename the roof',
      changes: [{ op: 'modify', milestoneId, fields: { name: 'Roof and gutters' } }],
    });
    expect((await request('POST', `/v1/change-orders/${co.body.id}/send`, { to: uniqueEmail('co') })).status).toBe(200);
    // Act: both deemed accepted; the milestone's comes first and invoices it
    await advance('P4DT1H');
    // Assess
    expect((await request('GET', path)).body.status).toBe('invoiced');
    expect((await request('GET', `/v1/change-orders/${co.body.id}`)).body).toMatchObject({ status: 'sent', decision: null });
    expect(await deadLetteredFires()).toEqual([]);
  });

  it('sends no reminder for a change order staff decided: its request is decided with it, its link used', async () => {
    // Prepare: a change order sent to the client, then approved by staff for the client
    const { path } = await awaitingApproval({ approvalExpiryDays: 10, approvalReminderDays: 2, deemedAcceptanceDays: null });
    const [, , , jobId, , milestoneId] = path.split('/');
    const email = uniqueEmail('co-staff');
    const co = await request('POST', `/v1/jobs/${jobId}/change-orders`, {
      description: 'Rename the roof',
      changes: [{ op: 'modify', milestoneId, fields: { name: 'Roof and gutters' } }],
    });
    expect((await request('POST', `/v1/change-orders/${co.body.id}/send`, { to: email })).status).toBe(200);
    const link = linkIn(await eventually(async () => (await mailsTo(email))[0], 'the change order mail'));
    const approved = await request('POST', `/v1/change-orders/${co.body.id}/approve`, { note: 'Agreed on the phone' });
    expect([approved.status, approved.body.status, approved.body.decision?.by]).toEqual([200, 'approved', 'staff']);
    // Act: past the reminder
    await advance('P2DT1H');
    // Assess: one mail only, and the link says it is decided
    expect((await mailsTo(email)).map((m) => m.subject)).toHaveLength(1);
    expect((await openPortal(link)).status).toBe(410);
  });

  it('does nothing, and dead-letters nothing, for the timers of a request whose milestone or estimate was deleted', async () => {
    // Prepare: a milestone awaiting approval, deleted; an estimate sent, deleted
    const { path } = await awaitingApproval({ approvalExpiryDays: 10, approvalReminderDays: 2, deemedAcceptanceDays: 6 });
    expect((await request('DELETE', path)).status).toBe(204);
    const expiring = await awaitingApproval({ approvalExpiryDays: 8, approvalReminderDays: 2, deemedAcceptanceDays: null });
    expect((await request('DELETE', expiring.path)).status).toBe(204);
    const email = uniqueEmail('estimate');
    const customer = await request('POST', '/v1/customers', { name: 'Estimate client', email });
    const estimate = await request('POST', '/v1/estimates', {
      customerId: customer.body.id,
      name: 'Deck',
      billingType: 'fixed_price',
    });
    await request('POST', `/v1/estimates/${estimate.body.id}/charges`, {
      description: 'Deck',
      quantity: '1',
      unitPrice: '900',
      taxRate: '20',
    });
    expect((await request('POST', `/v1/estimates/${estimate.body.id}/send`)).status).toBe(200);
    expect((await request('DELETE', `/v1/estimates/${estimate.body.id}`)).status).toBe(204);
    const before = await deadLetteredFires();
    // Act: past every reminder, deemed acceptance and expiry
    await advance('P10DT1H');
    // Assess: no fire failed, and no reminder went
    expect(await deadLetteredFires()).toEqual(before);
    expect((await mailsTo(email)).map((m) => m.subject)).not.toContainEqual(expect.stringMatching(/^Reminder/));
  });

  it('lets staff decide a request its timer expired, recorded as decided by staff', async () => {
    // Prepare: two milestones awaiting approval, expired by their timers
    const approving = await awaitingApproval({ approvalExpiryDays: 1, approvalReminderDays: null, deemedAcceptanceDays: null });
    const revising = await awaitingApproval({ approvalExpiryDays: 1, approvalReminderDays: null, deemedAcceptanceDays: null });
    await advance('P1DT1H');
    expect((await request('GET', approving.path)).body.approval.status).toBe('expired');
    // Act
    const approved = await request('POST', `${approving.path}/approve`, { note: 'The client said yes on the phone' });
    const revised = await request('POST', `${revising.path}/request-revision`, { comment: 'The client called: redo it' });
    // Assess
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body).toMatchObject({ approval: { status: 'approved', decision: { by: 'staff', outcome: 'approve' } } });
    expect(revised.status, JSON.stringify(revised.body)).toBe(200);
    expect(revised.body).toMatchObject({
      status: 'revision_requested',
      approval: { status: 'revision_requested', decision: { by: 'staff', comment: 'The client called: redo it' } },
    });
    // The client's link stays closed
    expect((await postDecision(linkIn(revising.first), { decision: 'approve' })).status).toBe(410);
    expect((await request('POST', `${approving.path}/approve`, {})).status).toBe(409);
  });

  it('refuses timers out of order, naming the setting', async () => {
    const late = await request('PATCH', '/v1/settings', { approvalExpiryDays: 10, approvalReminderDays: 10 });
    const deemedPastExpiry = await request('PATCH', '/v1/settings', {
      approvalExpiryDays: 10,
      approvalReminderDays: null,
      deemedAcceptanceDays: 11,
    });
    expect([late.status, late.body.errors[0].field]).toEqual([400, 'approvalReminderDays']);
    expect([deemedPastExpiry.status, deemedPastExpiry.body.errors[0].field]).toEqual([400, 'deemedAcceptanceDays']);
  });
});
