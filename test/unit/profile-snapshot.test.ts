import { describe, expect, it } from 'vitest';
import { createProfile, pauseProfile, type Profile } from '../../functions/domain/profile.js';
import {
  beginSnapshot,
  claimable,
  claimsDone,
  finishSnapshot,
  snapshotInvoice,
  withClaimed,
  type Snapshot,
} from '../../functions/domain/profile-snapshot.js';
import { addDiscount, addTabItem, addTax, type TabItem } from '../../functions/domain/profile-tab.js';
import { profileSchedules } from '../../functions/services/profile-schedule.js';
import { expectDomainError } from '../support/domain-errors.js';

const T0 = new Date('2026-03-01T10:00:00.000Z');
const FIRE = '2026-03-02T00:00:00.000Z';
const LATER = new Date('2026-03-02T00:00:05.000Z');

/** An active profile with a 20% tax, a 10% discount and two items, one at its own 7% rate. */
const profileWithTab = (keep: { keepDiscounts: boolean; keepTaxes: boolean }): { profile: Profile; items: TabItem[] } => {
  let profile = createProfile(
    {
      customerId: 'cus_1',
      name: 'Site maintenance',
      currency: 'EUR',
      intervalDays: 15,
      firstCreationDate: '2026-03-02',
      billingCycles: 2,
      invoiceMode: 'live',
      dueDays: 21,
      status: 'active',
      ...keep,
    },
    'prf_1',
    T0,
    '2026-03-01',
  );
  profile = addTax(profile, { name: 'VAT', rate: '20' }, 'tax_1', T0);
  profile = addDiscount(profile, { description: 'Loyalty', percent: '10' }, 'dsc_1', T0);
  const items: TabItem[] = [];
  for (const [i, fields] of [
    { description: 'Lawn', quantity: '2', unitPrice: '50.00' },
    { description: 'Books', quantity: '1', unitPrice: '20.00', taxRate: '7' },
  ].entries()) {
    const change = addTabItem(profile, fields, `itm_${i}`, T0);
    profile = change.profile;
    items.push(change.item);
  }
  return { profile, items };
};

const begun = (profile: Profile): Snapshot => {
  const snapshot = beginSnapshot(profile, FIRE, '2026-03-02', 'inv_1', LATER);
  if ('skip' in snapshot) throw new Error('skipped');
  return snapshot;
};

describe('a profile snapshot', () => {
  it('begins only for an active profile, with the cycle it counts and the discounts and taxes as they are', () => {
    const { profile } = profileWithTab({ keepDiscounts: false, keepTaxes: true });
    const snapshot = begun(profile);
    expect(snapshot).toMatchObject({
      cycle: 1,
      runDay: '2026-03-02',
      status: 'claiming',
      invoiceId: 'inv_1',
      claimed: { itemCount: 0 },
    });
    // A fire the day before its next run day begins no cycle
    expect(beginSnapshot(profile, '2026-03-01T00:00:00.000Z', '2026-03-01', 'inv_1', LATER)).toEqual({ skip: 'not_due' });
    expect(snapshot.discounts.map((d) => d.id)).toEqual(['dsc_1']);
    expect(beginSnapshot(pauseProfile(profile, T0, '2026-03-01'), FIRE, '2026-03-02', 'inv_1', LATER)).toEqual({
      skip: 'profile_not_active',
    });
  });

  it('claims the items made before it began, and bills exactly those with the discounts it began with', () => {
    // Prepare
    const { profile, items } = profileWithTab({ keepDiscounts: false, keepTaxes: true });
    const later: TabItem = { ...items[0]!, id: 'itm_late', createdAt: '2026-03-02T00:00:06.000Z' };
    const snapshot = begun(profile);
    // Act
    const claimed = withClaimed(
      snapshot,
      items.filter((item) => claimable(snapshot, item)),
      LATER,
    );
    const invoicing = claimsDone(claimed, LATER);
    const invoice = snapshotInvoice(profile, invoicing, items, LATER);
    // Assess
    expect(claimable(snapshot, later)).toBe(false);
    expect(invoicing).toMatchObject({
      status: 'invoicing',
      invoiced: true,
      claimed: { itemCount: 2, netsByRate: { profile: '100', '7': '20' } },
    });
    expect(invoice).toMatchObject({
      id: 'inv_1',
      jobId: null,
      profileId: 'prf_1',
      policy: 'accumulating',
      type: 'complete',
      dueDays: 21,
    });
    expect(invoice.lines.map((l) => [l.kind, l.description, l.amount, l.taxRate])).toEqual([
      ['work', 'Lawn', '100.00', '20'],
      ['work', 'Books', '20.00', '7'],
      ['discount', 'Loyalty (10%)', '-2.00', '7'],
      ['discount', 'Loyalty (10%)', '-10.00', '20'],
    ]);
    // 90.00 x 20% + 18.00 x 7%
    expect(invoice.totals).toEqual({ net: '108.00', tax: '19.26', gross: '127.26' });
    expect(() => snapshotInvoice(profile, invoicing, items.slice(1), LATER)).toThrow(/holds 1 items, claimed 2/);
    expectDomainError(() => withClaimed(invoicing, items, LATER), 'conflict', 'SNAPSHOT_MOVED_ON');
  });

  it('an empty tab makes no invoice, and its cycle wipes no discount or tax it did not apply', () => {
    const { profile } = profileWithTab({ keepDiscounts: false, keepTaxes: false });
    const empty = claimsDone(begun(profile), LATER);
    expect(empty).toMatchObject({ invoiced: false });
    const done = finishSnapshot({ ...profile, tab: { itemCount: 0, netsByRate: {} } }, empty, LATER).profile;
    expect([done.cyclesDone, done.discounts.length, done.taxes.length, done.nextRunDate]).toEqual([1, 1, 1, '2026-03-17']);
  });

  it('done: counts the cycle, takes the claimed items out of the tab, wipes what it billed unless kept', () => {
    // Prepare
    const { profile, items } = profileWithTab({ keepDiscounts: false, keepTaxes: true });
    const invoicing = claimsDone(withClaimed(begun(profile), items, LATER), LATER);
    const added = addDiscount(profile, { description: 'Since', amount: '1.00' }, 'dsc_2', LATER);
    // Act
    const done = finishSnapshot(added, invoicing, LATER);
    // Assess: the discount added since stays for the next cycle
    expect(done.snapshot.status).toBe('done');
    expect(done.profile).toMatchObject({ cyclesDone: 1, status: 'active', tab: { itemCount: 0, netsByRate: {} } });
    expect(done.profile.discounts.map((d) => d.id)).toEqual(['dsc_2']);
    expect(done.profile.taxes.map((t) => t.id)).toEqual(['tax_1']);
    expectDomainError(() => finishSnapshot(done.profile, done.snapshot, LATER), 'conflict', 'SNAPSHOT_MOVED_ON');
  });

  it('done after its last cycle: completed; paused meanwhile: the cycle counts and the profile stays paused', () => {
    const { profile, items } = profileWithTab({ keepDiscounts: true, keepTaxes: false });
    const second = { ...profile, cyclesDone: 1 };
    const invoicing = claimsDone(withClaimed(begun(second), items, LATER), LATER);
    expect(finishSnapshot(second, invoicing, LATER).profile).toMatchObject({ cyclesDone: 2, status: 'completed', taxes: [] });
    const paused = pauseProfile(second, LATER, '2026-03-02');
    expect(finishSnapshot(paused, invoicing, LATER).profile).toMatchObject({ cyclesDone: 2, status: 'completed' });
    const pausedEarlier = pauseProfile(profile, LATER, '2026-03-02');
    const first = claimsDone(withClaimed(begun(profile), items, LATER), LATER);
    expect(finishSnapshot(pausedEarlier, first, LATER).profile).toMatchObject({ cyclesDone: 1, status: 'draft' });
  });
});

describe("a profile's schedule", () => {
  const active = (firstCreationDate: string, billingCycles: number): Profile => ({
    ...profileWithTab({ keepDiscounts: false, keepTaxes: false }).profile,
    firstCreationDate,
    nextRunDate: firstCreationDate,
    billingCycles,
  });

  it("fires every interval from the tenant's midnight of its next run day, its last fire its last cycle's", () => {
    // Act: a profile of a tenant in Berlin (UTC+1 in March, +2 from the 29th), 2 cycles of 15 days
    const [spec, ...more] = profileSchedules('ten_1', active('2026-03-02', 2), T0, 'Europe/Berlin');
    // Assess
    expect(more).toEqual([]);
    expect(spec).toMatchObject({ name: 'prf_1-snapshot', target: 'profile-snapshot', timeZone: 'Europe/Berlin' });
    expect(spec!.input).toEqual({ tenantId: 'ten_1', profileId: 'prf_1' });
    expect(spec!.timing).toEqual({
      every: { days: 15, start: new Date('2026-03-01T23:00:00.000Z'), end: new Date('2026-03-16T23:00:00.000Z') },
    });
  });

  it("runs a cycle of today a minute from now, and the cadence from the next run day's midnight; none when not active", () => {
    // Until cancelled: no end
    const [due, cadence] = profileSchedules('ten_1', active('2026-03-01', 0), T0, 'UTC');
    expect(due).toMatchObject({
      name: 'prf_1-snapshot-due',
      target: 'profile-snapshot',
      timing: { at: new Date(T0.getTime() + 60_000) },
    });
    expect(cadence!.timing).toEqual({ every: { days: 15, start: new Date('2026-03-16T00:00:00.000Z'), end: null } });
    // Two cycles: today's, and one more on its own day
    const [, two] = profileSchedules('ten_1', active('2026-03-01', 2), T0, 'UTC');
    expect(two!.timing).toEqual({
      every: { days: 15, start: new Date('2026-03-16T00:00:00.000Z'), end: new Date('2026-03-16T00:00:00.000Z') },
    });
    // One cycle, today's: no cadence
    expect(profileSchedules('ten_1', active('2026-03-01', 1), T0, 'UTC').map((s) => s.name)).toEqual(['prf_1-snapshot-due']);
    expect(profileSchedules('ten_1', pauseProfile(active('2026-03-02', 0), T0, '2026-03-01'), T0, 'UTC')).toEqual([]);
  });
});
