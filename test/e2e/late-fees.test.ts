import { describe, expect, it } from 'vitest';
import { scheduleTargets } from '../../functions/scheduled/targets.js';
import { lateFeeScheduleName } from '../../functions/services/late-fee-schedule.js';
import { getSchedule } from '../../functions/store/schedule.store.js';
import { ownStack } from '../support/own-stack.js';
import { uniqueEmail } from '../support/portal.js';

// The test clock moves the time of a whole stack: this file runs its own.
const { request, ok, mailsTo, now, advance, local } = ownStack();

const dayOf = (time: string, plusDays = 0): string =>
  new Date(Date.parse(time.length === 10 ? `${time}T00:00:00Z` : time) + plusDays * 86_400_000).toISOString().slice(0, 10);
interface Line {
  kind: string;
  description: string;
  amount: string;
  taxRate: string;
  date: string | null;
}

const invoicesOf = async (profileId: string) =>
  ((await ok('GET', `/v1/invoices?profileId=${profileId}`)).items as { id: string; issueDate: string }[]).sort((a, b) =>
    a.issueDate.localeCompare(b.issueDate),
  );
const getInvoice = (id: string) => ok('GET', `/v1/invoices/${id}`);
const feesOf = (invoice: { lines: Line[] }) => invoice.lines.filter((l) => l.kind === 'late_fee');
const lateFeeEvents = async () =>
  (await ok('GET', '/v1/events?type=invoice.late_fee_added&limit=100')).items as { invoiceId: string; amount: string }[];

const newProfile = async (email: string, settings: Record<string, unknown>) => {
  const customer = await ok('POST', '/v1/customers', { name: 'Tab client', email });
  return ok('POST', '/v1/profiles', {
    customerId: customer.id,
    name: 'Site maintenance',
    firstCreationDate: dayOf(await now(), 1),
    dueDays: 21,
    keepDiscounts: false,
    keepTaxes: false,
    status: 'active',
    ...settings,
  });
};

describe('late fees on the test clock', () => {
  it('adds the fee once to the unpaid invoice the day after its due date, emails it again, and posts it apart', async () => {
    // Prepare: a live profile with a 25.00 late fee, two weekly cycles; an open one with 5% of the balance due
    const email = uniqueEmail('late');
    const live = await newProfile(email, {
      intervalDays: 7,
      billingCycles: 2,
      invoiceMode: 'live',
      lateFee: { amount: '25.00' },
    });
    const openEmail = uniqueEmail('late-open');
    const open = await newProfile(openEmail, {
      intervalDays: 30,
      billingCycles: 1,
      invoiceMode: 'open',
      lateFee: { percent: '5' },
    });
    await ok('POST', `/v1/profiles/${live.id}/items`, { description: 'Lawn', quantity: '2', unitPrice: '50.00' });
    await ok('POST', `/v1/profiles/${open.id}/items`, { description: 'Coffee', quantity: '1', unitPrice: '30.10' });

    // Act: past the first cycle; the first invoice paid in full, the open profile's in part
    await advance('P1DT1H');
    const [first] = await invoicesOf(live.id);
    const [percent] = await invoicesOf(open.id);
    const firstIssued = await getInvoice(first!.id);
    expect(firstIssued).toMatchObject({ status: 'invoiced', totals: { gross: '100.00' } });
    const currency: string = firstIssued.currency;
    const schedule = await getSchedule(lateFeeScheduleName(first!.id));
    expect(schedule).toMatchObject({
      nextFireAt: `${dayOf(firstIssued.dueDate, 1)}T00:00:00.000Z`,
      spec: { target: 'late-fee', input: { tenantId: local().tenantId, invoiceId: first!.id } },
    });
    const today = dayOf(await now());
    await ok('POST', `/v1/invoices/${first!.id}/payments`, { amount: '100.00', date: today, method: 'bank_transfer' });
    await ok('POST', `/v1/invoices/${percent!.id}/payments`, { amount: '20.00', date: today, method: 'bank_transfer' });
    // Act: past the second cycle, whose invoice stays unpaid
    await ok('POST', `/v1/profiles/${live.id}/items`, { description: 'Hedge', quantity: '1', unitPrice: '30.00' });
    await advance('P7D');
    const [, second] = await invoicesOf(live.id);
    const unpaid = await getInvoice(second!.id);
    expect(unpaid).toMatchObject({ status: 'invoiced', balanceDue: '30.00', dueDate: dayOf(unpaid.issueDate, 21) });
    expect(feesOf(unpaid)).toEqual([]);
    expect(await mailsTo(email)).toHaveLength(2);
    // Act: up to the due date of the second invoice: no fee yet
    await advance(`P${21 - 1}D`);
    expect(feesOf(await getInvoice(second!.id))).toEqual([]);
    // Act: past it
    await advance('P2D');

    // Assess: the unpaid invoice has exactly one fee of 25.00, dated the day after its due date
    const fined = await getInvoice(second!.id);
    const feeDay = dayOf(unpaid.dueDate, 1);
    expect(feesOf(fined)).toEqual([
      expect.objectContaining({ kind: 'late_fee', description: 'Late fee', amount: '25.00', taxRate: '0', date: feeDay }),
    ]);
    expect(fined.lines.slice(0, -1)).toEqual(unpaid.lines);
    expect(fined).toMatchObject({ balanceDue: '55.00', totals: { net: '55.00', tax: '0.00', gross: '55.00' } });
    expect(fined.version).toBe(unpaid.version + 1);
    // The paid one has none; the percent is of the balance due: 5% of 10.10 is 0.505, rounded to 0.51
    expect(feesOf(await getInvoice(first!.id))).toEqual([]);
    const percentFined = await getInvoice(percent!.id);
    expect(feesOf(percentFined)).toEqual([
      expect.objectContaining({ amount: '0.51', description: 'Late fee, 5% of 10.10 due', date: dayOf(percentFined.dueDate, 1) }),
    ]);
    expect(percentFined.balanceDue).toBe('10.61');
    // An event for each fee, none for the paid invoice
    const events = await lateFeeEvents();
    expect(events.map((e) => [e.invoiceId, e.amount]).sort()).toEqual(
      [
        [second!.id, '25.00'],
        [percent!.id, '0.51'],
      ].sort(),
    );
    // The live profile's invoice emailed again, saying so; the open profile's is not emailed
    const mails = await mailsTo(email);
    expect(mails).toHaveLength(3);
    const aboutSecond = mails.filter((m) => m.subject.includes(fined.number));
    expect(aboutSecond).toHaveLength(2);
    expect(aboutSecond[1]!.body.text).toContain(`a late fee of 25.00 ${currency} was added on ${feeDay}`);
    expect(aboutSecond[1]!.body.text).toContain(`Balance due: 55.00 ${currency}`);
    expect(await mailsTo(openEmail)).toEqual([]);
    // The one-time schedules are gone once fired
    for (const id of [first!.id, second!.id, percent!.id]) expect(await getSchedule(lateFeeScheduleName(id))).toBeUndefined();
    // The document shows the fee with its day
    const page = await fetch(`${local().apiUrl}/v1/invoices/${second!.id}`, {
      headers: { authorization: `Bearer ${local().apiKey}`, accept: 'text/html' },
    });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`Late fee, added ${feeDay}`);

    // Act: the same fire again, and a fire for the paid invoice
    const again = await scheduleTargets['late-fee'](
      { tenantId: local().tenantId, invoiceId: second!.id },
      new Date(`${feeDay}T00:00:00Z`),
    );
    const paid = await scheduleTargets['late-fee'](
      { tenantId: local().tenantId, invoiceId: first!.id },
      new Date(`${feeDay}T00:00:00Z`),
    );
    // Assess: nothing more
    expect(again).toEqual({ invoiceId: second!.id, added: null, skipped: 'fee_added' });
    expect(paid).toEqual({ invoiceId: first!.id, added: null, skipped: 'paid' });
    expect(await getInvoice(second!.id)).toEqual(fined);
    expect(await lateFeeEvents()).toHaveLength(2);
    expect(await mailsTo(email)).toHaveLength(3);

    // Act: the fined invoice approved and exported to accounting
    await ok('PATCH', '/v1/settings', { accountingIntegration: true });
    await ok('POST', `/v1/invoices/${second!.id}/approve`);
    const exported = await ok('POST', `/v1/invoices/${second!.id}/export`);
    // Assess: the invoice as issued on its day, the fee as an entry of its own on its day; the batch balances
    const brief = (exported.entries as { date: string; account: string; debit: string; credit: string }[]).map((e) => [
      e.date,
      e.account,
      e.debit,
      e.credit,
    ]);
    expect(brief).toEqual([
      [unpaid.issueDate, 'accounts_receivable', '30.00', '0.00'],
      [unpaid.issueDate, 'revenue', '0.00', '30.00'],
      [feeDay, 'accounts_receivable', '25.00', '0.00'],
      [feeDay, 'late_fee_income', '0.00', '25.00'],
    ]);
    expect(exported.totals).toEqual([{ currency, debit: '55.00', credit: '55.00' }]);
  });

  it('gives an invoice of a profile without a late fee no schedule, and waives a fee removed before it falls due', async () => {
    // Prepare: one profile without a late fee, one whose fee is removed after its invoice is issued
    const none = await newProfile(uniqueEmail('no-fee'), { intervalDays: 30, billingCycles: 1, invoiceMode: 'open' });
    // Two cycles: after its only one, a completed profile takes no change.
    const waived = await newProfile(uniqueEmail('waived'), {
      intervalDays: 30,
      billingCycles: 2,
      invoiceMode: 'open',
      lateFee: { amount: '10.00' },
    });
    for (const profile of [none, waived]) {
      await ok('POST', `/v1/profiles/${profile.id}/items`, { description: 'Coffee', quantity: '1', unitPrice: '5.00' });
    }
    await advance('P1DT1H');
    const [plain] = await invoicesOf(none.id);
    const [kept] = await invoicesOf(waived.id);
    expect(await getSchedule(lateFeeScheduleName(plain!.id))).toBeUndefined();
    expect(await getSchedule(lateFeeScheduleName(kept!.id))).toBeDefined();
    // Act: the fee removed from the profile, then past the due date
    const profile = await request('GET', `/v1/profiles/${waived.id}`);
    const patched = await fetch(`${local().apiUrl}/v1/profiles/${waived.id}`, {
      method: 'PATCH',
      headers: {
        authorization: `Bearer ${local().apiKey}`,
        'content-type': 'application/json',
        'if-match': `"${profile.body.version}"`,
      },
      body: JSON.stringify({ lateFee: null }),
    });
    expect(patched.status, await patched.text()).toBe(200);
    await advance('P23D');
    // Assess
    expect(feesOf(await getInvoice(kept!.id))).toEqual([]);
    expect(feesOf(await getInvoice(plain!.id))).toEqual([]);
    expect(await getSchedule(lateFeeScheduleName(kept!.id))).toBeUndefined();
  });

  it("falls at the tenant's midnight after the due date: a tenant 14 hours ahead is fined on its own calendar day", async () => {
    // Prepare: a tenant 14 hours ahead of UTC, a profile due 3 days after its cycle
    await ok('PATCH', '/v1/settings', { timeZone: 'Pacific/Kiritimati' });
    try {
      const localToday = new Date(Date.parse(await now()) + 14 * 3_600_000).toISOString().slice(0, 10);
      const profile = await newProfile(uniqueEmail('island'), {
        intervalDays: 30,
        billingCycles: 2,
        invoiceMode: 'open',
        firstCreationDate: dayOf(localToday, 1),
        dueDays: 3,
        lateFee: { amount: '7.50' },
      });
      await ok('POST', `/v1/profiles/${profile.id}/items`, { description: 'Boat', quantity: '1', unitPrice: '40.00' });
      await ok('POST', '/local/clock', { set: new Date(Date.parse(`${dayOf(localToday, 1)}T01:00:00+14:00`)).toISOString() });
      const [invoice] = await invoicesOf(profile.id);
      const issued = await getInvoice(invoice!.id);
      const feeDay = dayOf(issued.dueDate, 1);
      const midnight = Date.parse(`${feeDay}T00:00:00+14:00`);
      // Assess: its schedule is at the local midnight of the day after the due date
      expect((await getSchedule(lateFeeScheduleName(invoice!.id)))?.nextFireAt).toBe(new Date(midnight).toISOString());
      // Act: to a minute before that midnight, then an hour past it
      await ok('POST', '/local/clock', { set: new Date(midnight - 60_000).toISOString() });
      expect(feesOf(await getInvoice(invoice!.id))).toEqual([]);
      await ok('POST', '/local/clock', { set: new Date(midnight + 60 * 60_000).toISOString() });
      // Assess: fined, dated the local day, which in UTC has not begun
      expect(feesOf(await getInvoice(invoice!.id))).toEqual([expect.objectContaining({ amount: '7.50', date: feeDay })]);
      expect(new Date(midnight + 60 * 60_000).toISOString().slice(0, 10)).not.toBe(feeDay);
    } finally {
      await ok('PATCH', '/v1/settings', { timeZone: 'UTC' });
    }
  });

  it('added to an invoice exported before it fell due, goes to accounting in an export of its own, once', async () => {
    // Prepare: the accounting integration on; an open profile's invoice issued, approved and exported before its due date
    await ok('PATCH', '/v1/settings', { accountingIntegration: true });
    try {
      const profile = await newProfile(uniqueEmail('exported'), {
        intervalDays: 30,
        billingCycles: 1,
        invoiceMode: 'open',
        lateFee: { amount: '25.00' },
      });
      await ok('POST', `/v1/profiles/${profile.id}/items`, { description: 'Retainer', quantity: '1', unitPrice: '100.00' });
      await advance('P1DT1H');
      const { id } = (await invoicesOf(profile.id))[0]!;
      await ok('POST', `/v1/invoices/${id}/approve`);
      const first = await ok('POST', `/v1/invoices/${id}/export`);
      // Act: past its due date, fined; exported again
      await advance('P22D');
      const fined = await getInvoice(id);
      const again = await request('POST', `/v1/invoices/${id}/export`);
      // Assess: the second export holds the fee's entries alone, dated the fee's day; the invoice stays exported
      expect(feesOf(fined)).toHaveLength(1);
      expect(again.status).toBe(201);
      expect(again.body.id).not.toBe(first.id);
      const day = feesOf(fined)[0]!.date;
      expect(
        again.body.entries.map((e: { date: string; account: string; debit: string; credit: string }) => [
          e.date,
          e.account,
          e.debit,
          e.credit,
        ]),
      ).toEqual([
        [day, 'accounts_receivable', '25.00', '0.00'],
        [day, 'late_fee_income', '0.00', '25.00'],
      ]);
      expect(first.entries.some((e: { account: string }) => e.account === 'late_fee_income')).toBe(false);
      const after = await getInvoice(id);
      expect(after).toMatchObject({ status: 'exported' });
      expect(feesOf(after)[0]).toMatchObject({ exportId: again.body.id });
      // Act: posted, then asked to export once more: nothing new is taken (the invoice's export is answered)
      await ok('POST', `/v1/invoices/${id}/post`);
      const third = await request('POST', `/v1/invoices/${id}/export`);
      expect(third.status).toBe(200);
      expect(third.body.id).toBe(first.id);
    } finally {
      await ok('PATCH', '/v1/settings', { accountingIntegration: false });
    }
  });
});
