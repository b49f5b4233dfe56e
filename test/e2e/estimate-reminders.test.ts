import { describe, expect, it } from 'vitest';
import { ownStack } from '../support/own-stack.js';
import { eventually, linkIn, openPortal, uniqueEmail } from '../support/portal.js';

// The test clock moves the time of a whole stack: this file runs its own.
const { request, mailsTo } = ownStack();

/** An estimate of one charge, sent to a client of its own: its mail is out. */
const sentEstimate = async () => {
  const email = uniqueEmail('estimate');
  const customer = await request('POST', '/v1/customers', { name: 'Client', email });
  const estimate = await request('POST', '/v1/estimates', {
    customerId: customer.body.id,
    name: 'Deck',
    billingType: 'fixed_price',
  });
  const id: string = estimate.body.id;
  const charge = await request('POST', `/v1/estimates/${id}/charges`, { description: 'Deck', quantity: '1', unitPrice: '900' });
  expect((await request('POST', `/v1/estimates/${id}/send`)).status).toBe(200);
  await eventually(async () => (await mailsTo(email))[0], 'the estimate mail');
  return { email, id, chargeId: charge.body.id as string };
};

describe('the reminder of a sent estimate', () => {
  it('goes for the estimate as sent, and not for one changed since (its link decides nothing)', async () => {
    // Prepare: reminders after 2 days; one estimate as sent, one emptied of its charge since
    expect(
      (await request('PATCH', '/v1/settings', { approvalExpiryDays: 10, approvalReminderDays: 2, deemedAcceptanceDays: null }))
        .status,
    ).toBe(200);
    const unchanged = await sentEstimate();
    const emptied = await sentEstimate();
    expect((await request('DELETE', `/v1/estimates/${emptied.id}/charges/${emptied.chargeId}`)).status).toBe(204);
    // Act: past the reminders
    expect((await request('POST', '/local/clock', { advance: 'P2DT1H' })).status).toBe(200);
    // Assess
    const reminded = await eventually(async () => {
      const mails = await mailsTo(unchanged.email);
      return mails.length === 2 ? mails : undefined;
    }, 'the reminder of the unchanged estimate');
    expect(reminded[1]!.subject).toMatch(/^Reminder: /);
    expect((await mailsTo(emptied.email)).map((m) => m.subject)).toEqual([reminded[0]!.subject]);
  });

  it('lets staff accept one whose link expired: the link then says it is decided, not expired', async () => {
    // Prepare: links that expire after 1 day, and no valid-until day; the link expired
    expect(
      (await request('PATCH', '/v1/settings', { approvalExpiryDays: 1, approvalReminderDays: null, deemedAcceptanceDays: null }))
        .status,
    ).toBe(200);
    const { email, id } = await sentEstimate();
    const link = linkIn((await mailsTo(email))[0]!);
    expect((await request('POST', '/local/clock', { advance: 'P1DT1H' })).status).toBe(200);
    expect((await openPortal(link)).html).toMatch(/expired/i);
    // Act
    const accepted = await request('POST', `/v1/estimates/${id}/accept`);
    // Assess
    expect([accepted.status, accepted.body.status, accepted.body.decision?.by]).toEqual([200, 'accepted', 'staff']);
    const shown = await openPortal(link);
    expect(shown.status).toBe(410);
    expect(shown.html).not.toMatch(/expired/i);
  });
});
