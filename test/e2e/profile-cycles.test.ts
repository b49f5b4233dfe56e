import { describe, expect, it } from 'vitest';
import { profileScheduleName } from '../../functions/services/profile-schedule.js';
import { getSchedule } from '../../functions/store/schedule.store.js';
import { ownStack } from '../support/own-stack.js';
import { uniqueEmail } from '../support/portal.js';

// The test clock moves the time of a whole stack: this file runs its own.
const { request, ok, mailsTo, now, advance } = ownStack();

const dayOf = (time: string, plusDays = 0): string =>
  new Date(Date.parse(time) + plusDays * 86_400_000).toISOString().slice(0, 10);
const invoicesOf = async (profileId: string) =>
  ((await ok('GET', `/v1/invoices?profileId=${profileId}`)).items as { id: string; issueDate: string }[]).sort((a, b) =>
    a.issueDate.localeCompare(b.issueDate),
  );

const linesOf = (invoice: { lines: { kind: string; description: string; amount: string; taxRate: string }[] }) =>
  invoice.lines.map((l) => [l.kind, l.description, l.amount, l.taxRate]);

describe('an accumulating profile on the test clock', () => {
  it('bills its tab every cycle, keeps its taxes, wipes its discounts, fines the unpaid once, and completes with its schedule gone', async () => {
    // Prepare: a live profile every 15 days for 3 cycles from tomorrow, due in 21 days with a late
    // fee of 25.00, with a tax and a discount
    const email = uniqueEmail('tab');
    const customer = await ok('POST', '/v1/customers', { name: 'Tab client', email });
    const today = dayOf(await now());
    const profile = await ok('POST', '/v1/profiles', {
      customerId: customer.id,
      name: 'Site maintenance',
      intervalDays: 15,
      firstCreationDate: dayOf(await now(), 1),
      billingCycles: 3,
      invoiceMode: 'live',
      dueDays: 21,
      lateFee: { amount: '25.00' },
      keepDiscounts: false,
      keepTaxes: true,
      status: 'active',
    });
    const path = `/v1/profiles/${profile.id}`;
    expect(await getSchedule(profileScheduleName(profile.id))).toBeDefined();
    await ok('POST', `${path}/taxes`, { name: 'VAT', rate: '20' });
    await ok('POST', `${path}/discounts`, { description: 'Welcome', percent: '10' });
    await ok('POST', `${path}/items`, { description: 'Lawn', quantity: '2', unitPrice: '50.00' });
    await ok('POST', `${path}/items`, { description: 'Hedge', quantity: '1', unitPrice: '30.00' });

    // Act: past the first cycle
    await advance('P1DT1H');
    // Assess: one invoice, issued on the cycle's day, due 21 days later, emailed; the tab wiped but its tax
    const [first] = await invoicesOf(profile.id);
    const invoice1 = await ok('GET', `/v1/invoices/${first!.id}`);
    expect(invoice1).toMatchObject({
      jobId: null,
      profileId: profile.id,
      policy: 'accumulating',
      status: 'invoiced',
      issueDate: dayOf(today, 1),
      dueDate: dayOf(today, 22),
      totals: { net: '117.00', tax: '23.40', gross: '140.40' },
    });
    expect(linesOf(invoice1)).toEqual([
      ['work', 'Lawn', '100.00', '20'],
      ['work', 'Hedge', '30.00', '20'],
      ['discount', 'Welcome (10%)', '-13.00', '20'],
    ]);
    const afterOne = await ok('GET', path);
    expect(afterOne).toMatchObject({
      cyclesDone: 1,
      cyclesLeft: 2,
      status: 'active',
      nextRunAt: dayOf(today, 16),
      tab: { itemCount: 0, discounts: [], taxes: [{ name: 'VAT', rate: '20' }] },
    });
    expect((await ok('GET', `${path}/items`)).items).toEqual([]);
    expect((await mailsTo(email)).map((m) => m.subject)).toHaveLength(1);
    await ok('POST', `/v1/invoices/${invoice1.id}/payments`, { amount: '140.40', date: invoice1.issueDate, method: 'card' });

    // Act: an item between cycles; past the second and third (an empty tab makes no invoice but counts)
    await ok('POST', `${path}/items`, { description: 'Gutter', quantity: '1', unitPrice: '80.00' });
    await advance('P15D');
    await ok('POST', `${path}/items`, { description: 'Leaves', quantity: '3', unitPrice: '10.00' });
    await advance('P15D');
    // Assess
    const invoices = await invoicesOf(profile.id);
    expect(invoices).toHaveLength(3);
    const [two, three] = await Promise.all(invoices.slice(1).map((i) => ok('GET', `/v1/invoices/${i.id}`)));
    expect(linesOf(two)).toEqual([['work', 'Gutter', '80.00', '20']]);
    expect(linesOf(three)).toEqual([['work', 'Leaves', '30.00', '20']]);
    expect(new Set(invoices.map((i) => i.id)).size).toBe(3);
    expect(await ok('GET', path)).toMatchObject({ status: 'completed', cyclesDone: 3, cyclesLeft: 0, nextRunAt: null });
    expect(await getSchedule(profileScheduleName(profile.id))).toBeUndefined();
    expect(await mailsTo(email)).toHaveLength(3);

    // Act: to 60 days after the start, past the due dates of the second and third invoices
    await advance('P29D');
    // Assess: no more invoices; the unpaid ones fined once each, dated the day after their due
    // date, and emailed again; the paid one not
    expect(await invoicesOf(profile.id)).toHaveLength(3);
    const fees = async (id: string) => {
      const invoice = await ok('GET', `/v1/invoices/${id}`);
      return { fees: invoice.lines.filter((l: { kind: string }) => l.kind === 'late_fee'), invoice };
    };
    expect((await fees(invoice1.id)).fees).toEqual([]);
    for (const [unpaid, net] of [
      [two, '80.00'],
      [three, '30.00'],
    ] as const) {
      const {
        fees: [fee, ...more],
        invoice,
      } = await fees(unpaid.id);
      expect(more).toEqual([]);
      expect(fee).toMatchObject({ amount: '25.00', taxRate: '0', date: dayOf(`${unpaid.dueDate}T00:00:00Z`, 1) });
      expect(invoice.totals.net).toBe((Number(net) + 25).toFixed(2));
      expect(invoice.balanceDue).toBe(invoice.totals.gross);
    }
    expect(await mailsTo(email)).toHaveLength(5);
  });

  it('a paused profile makes no invoice, and its schedule is gone until it is activated again', async () => {
    // Prepare
    const customer = await ok('POST', '/v1/customers', { name: 'Paused', email: uniqueEmail('paused') });
    const profile = await ok('POST', '/v1/profiles', {
      customerId: customer.id,
      name: 'Paused tab',
      intervalDays: 7,
      firstCreationDate: dayOf(await now(), 1),
      invoiceMode: 'open',
      keepDiscounts: false,
      keepTaxes: false,
      status: 'active',
    });
    const path = `/v1/profiles/${profile.id}`;
    await ok('POST', `${path}/items`, { description: 'Coffee', quantity: '4', unitPrice: '2.50' });
    // Act
    await ok('POST', `${path}/pause`);
    await advance('P8D');
    // Assess
    expect(await getSchedule(profileScheduleName(profile.id))).toBeUndefined();
    expect(await invoicesOf(profile.id)).toEqual([]);
    // Act: activated again with a first creation date ahead
    await ok('PATCH', path, { firstCreationDate: dayOf(await now(), 2) });
    await ok('POST', `${path}/activate`);
    await advance('P2DT1H');
    // Assess: an open profile's invoice is issued, not emailed
    const invoices = await invoicesOf(profile.id);
    expect(invoices).toHaveLength(1);
    expect(await ok('GET', `/v1/invoices/${invoices[0]!.id}`)).toMatchObject({ status: 'invoiced', totals: { gross: '10.00' } });
    expect(await ok('GET', path)).toMatchObject({ status: 'active', cyclesDone: 1 });
  });

  it("bills on the tenant's calendar day: its cycle falls at its local midnight and the invoice is dated that day", async () => {
    // Prepare: a tenant 14 hours ahead of UTC
    const refused = await request('PATCH', '/v1/settings', { timeZone: 'Mars/Olympus' });
    expect(refused.status).toBe(400);
    expect(refused.body.errors.map((e: { field: string }) => e.field)).toEqual(['timeZone']);
    await ok('PATCH', '/v1/settings', { timeZone: 'Pacific/Kiritimati' });
    const localToday = new Date(Date.parse(await now()) + 14 * 3_600_000).toISOString().slice(0, 10);
    const localTomorrow = dayOf(`${localToday}T00:00:00Z`, 1);
    const customer = await ok('POST', '/v1/customers', { name: 'Far east' });
    const profile = await ok('POST', '/v1/profiles', {
      customerId: customer.id,
      name: 'Island tab',
      intervalDays: 7,
      firstCreationDate: localTomorrow,
      invoiceMode: 'open',
      dueDays: 5,
      keepDiscounts: false,
      keepTaxes: false,
      status: 'active',
    });
    await ok('POST', `/v1/profiles/${profile.id}/items`, { description: 'Boat', quantity: '1', unitPrice: '40.00' });
    const midnight = Date.parse(`${localTomorrow}T00:00:00+14:00`);
    try {
      // Act: to a minute before its local midnight, then an hour past it
      await ok('POST', '/local/clock', { set: new Date(midnight - 60_000).toISOString() });
      expect(await invoicesOf(profile.id)).toEqual([]);
      await ok('POST', '/local/clock', { set: new Date(midnight + 60 * 60_000).toISOString() });
      // Assess: dated the local day, which in UTC has not begun
      const [invoice] = await invoicesOf(profile.id);
      expect(invoice).toMatchObject({ issueDate: localTomorrow, dueDate: dayOf(`${localTomorrow}T00:00:00Z`, 5) });
      expect(new Date(midnight + 60 * 60_000).toISOString().slice(0, 10)).not.toBe(localTomorrow);
    } finally {
      await ok('PATCH', '/v1/settings', { timeZone: 'UTC' });
    }
  });

  it('runs its cycle and adds its late fee on their days after the tenant moves west, not never', async () => {
    // Prepare: on UTC, a live profile every day for 2 cycles from tomorrow, due the day it is issued, a late fee of 5.00
    const email = uniqueEmail('west');
    const customer = await ok('POST', '/v1/customers', { name: 'Moving client', email });
    const day1 = dayOf(await now(), 1);
    const day2 = dayOf(day1, 1);
    const profile = await ok('POST', '/v1/profiles', {
      customerId: customer.id,
      name: 'Westward tab',
      intervalDays: 1,
      firstCreationDate: day1,
      billingCycles: 2,
      invoiceMode: 'live',
      dueDays: 0,
      lateFee: { amount: '5.00' },
      status: 'active',
    });
    const path = `/v1/profiles/${profile.id}`;
    await ok('POST', `${path}/items`, { description: 'First', quantity: '1', unitPrice: '100.00' });
    try {
      await ok('POST', '/local/clock', { set: `${day1}T00:30:00.000Z` });
      const [first] = await invoicesOf(profile.id);
      expect(first).toMatchObject({ issueDate: day1 });
      await ok('POST', `${path}/items`, { description: 'Second', quantity: '1', unitPrice: '50.00' });

      // Act: the tenant moves 11 hours west, so that the schedules put on UTC midnights fire the day before;
      // then to the evening of the second day there
      await ok('PATCH', '/v1/settings', { timeZone: 'Pacific/Pago_Pago' });
      await ok('POST', '/local/clock', { set: `${day2}T23:00:00.000Z` });

      // Assess: the first invoice has its fee, dated the day after its due date; the second cycle billed the second item
      const invoice1 = await ok('GET', `/v1/invoices/${first!.id}`);
      expect(linesOf(invoice1)).toEqual([
        ['work', 'First', '100.00', '0'],
        ['late_fee', 'Late fee', '5.00', '0'],
      ]);
      const invoices = await invoicesOf(profile.id);
      expect(invoices).toHaveLength(2);
      expect(linesOf(await ok('GET', `/v1/invoices/${invoices[1]!.id}`))).toEqual([['work', 'Second', '50.00', '0']]);
      expect(await ok('GET', path)).toMatchObject({ status: 'completed', cyclesDone: 2, cyclesLeft: 0 });
    } finally {
      await ok('PATCH', '/v1/settings', { timeZone: 'UTC' });
    }
  });
});
