import { describe, expect, it } from 'vitest';
import { lineTotals } from '../../functions/domain/invoice.js';
import {
  activateProfile,
  assertOwnSeries,
  cancelProfile,
  createProfile,
  cycleDone,
  cyclesLeft,
  nextRunAt,
  pauseProfile,
  PROFILE_LIMITS,
  updateProfile,
  type Profile,
  type ProfileFields,
} from '../../functions/domain/profile.js';
import {
  addDiscount,
  addTabItem,
  addTax,
  previewOf,
  removeTabItem,
  removeTax,
  tabLines,
  updateDiscount,
  updateTabItem,
  type TabItem,
  type TabItemFields,
} from '../../functions/domain/profile-tab.js';
import { expectDomainError } from '../support/domain-errors.js';

const T0 = new Date('2026-03-01T10:00:00.000Z');
const TODAY = '2026-03-01';

const fields = (overrides: Partial<ProfileFields> = {}): ProfileFields => ({
  customerId: 'cus_1',
  name: 'Site maintenance',
  currency: 'EUR',
  intervalDays: 15,
  firstCreationDate: '2026-03-02',
  invoiceMode: 'live',
  keepDiscounts: false,
  keepTaxes: true,
  status: 'draft',
  ...overrides,
});

/** The profile and its items after adding each, in order. */
const withItems = (profile: Profile, items: TabItemFields[]): { profile: Profile; items: TabItem[] } =>
  items.reduce<{ profile: Profile; items: TabItem[] }>(
    (acc, input, i) => {
      const { profile: next, item } = addTabItem(acc.profile, input, `itm_${i + 1}`, T0);
      return { profile: next, items: [...acc.items, item] };
    },
    { profile, items: [] },
  );

/** VAT 20 on the items without a rate; 100.00 at 20, 10.01 at 7, 0.25 at 0. */
const scenario = () => {
  const taxed = addTax(createProfile(fields(), 'prf_1', T0, TODAY), { name: 'VAT', rate: '20' }, 'tax_1', T0);
  return withItems(taxed, [
    { description: 'Banner changes', quantity: '3', unitPrice: '33.333' },
    { description: 'Hosting', quantity: '1', unitPrice: '10.005', taxRate: '7' },
    { description: 'Stock photo', quantity: '2', unitPrice: '0.125', taxRate: '0.0' },
  ]);
};

describe('accumulating profile: tab and preview', () => {
  it('prices items like charges and totals the tab per tax rate, the profile taxes taxing items without a rate', () => {
    const { profile, items } = scenario();
    expect(items.map((i) => [i.amount, i.taxRate])).toEqual([
      ['100.00', null],
      ['10.01', '7'],
      ['0.25', '0'],
    ]);
    expect(profile.tab).toEqual({ itemCount: 3, netsByRate: { profile: '100', '7': '10.01', '0': '0.25' }, textBytes: 32 });
    expect(previewOf(profile)).toEqual({
      itemLines: 3,
      lines: [],
      totals: { net: '110.26', tax: '20.70', gross: '130.96' },
      taxes: [
        { rate: '0', base: '0.25', amount: '0.00' },
        { rate: '7', base: '10.01', amount: '0.70' },
        { rate: '20', base: '100.00', amount: '20.00' },
      ],
    });
  });

  it('splits each discount over the rates by largest remainder and totals exactly as the invoice of its lines would', () => {
    const { profile: tab, items } = scenario();
    const profile = addDiscount(
      addDiscount(tab, { description: 'Loyalty', percent: '10' }, 'dsc_1', T0),
      { description: 'Goodwill', amount: '5' },
      'dsc_2',
      T0,
    );
    const preview = previewOf(profile);
    // 10% of 110.26 is 11.03 (half away from zero), split 10.00 / 1.00 / 0.03; 5.00 split 4.54 / 0.45 / 0.01.
    expect(preview.lines.map((l) => [l.id, l.description, l.amount, l.taxRate, l.kind])).toEqual([
      ['L4', 'Loyalty (10%)', '-0.03', '0', 'discount'],
      ['L5', 'Loyalty (10%)', '-1.00', '7', 'discount'],
      ['L6', 'Loyalty (10%)', '-10.00', '20', 'discount'],
      ['L7', 'Goodwill', '-0.01', '0', 'discount'],
      ['L8', 'Goodwill', '-0.45', '7', 'discount'],
      ['L9', 'Goodwill', '-4.54', '20', 'discount'],
    ]);
    expect(preview.totals).toEqual({ net: '94.23', tax: '17.69', gross: '111.92' });
    expect(preview.taxes).toEqual([
      { rate: '0', base: '0.21', amount: '0.00' },
      { rate: '7', base: '8.56', amount: '0.60' },
      { rate: '20', base: '85.46', amount: '17.09' },
    ]);
    const lines = tabLines(profile, items);
    expect(lines.map((l) => l.id)).toEqual(['L1', 'L2', 'L3', ...preview.lines.map((l) => l.id)]);
    expect(lines.slice(3)).toEqual(preview.lines);
    expect(lineTotals(lines, 'EUR')).toEqual({ totals: preview.totals, taxes: preview.taxes });
  });

  it('never discounts below zero: a discount past what is left gives only that, and an empty tab has no discount line', () => {
    const { profile: tab } = scenario();
    const profile = addDiscount(
      addDiscount(tab, { description: 'Half', percent: '50' }, 'dsc_1', T0),
      { description: 'Too much', amount: '1000' },
      'dsc_2',
      T0,
    );
    const preview = previewOf(profile);
    expect(preview.totals).toEqual({ net: '0.00', tax: '0.00', gross: '0.00' });
    // Half is 55.13, split 0.13 / 5.00 / 50.00; the second gets what is left at each rate, so none goes below zero.
    expect(preview.lines.filter((l) => l.description === 'Too much').map((l) => [l.amount, l.taxRate])).toEqual([
      ['-0.12', '0'],
      ['-5.01', '7'],
      ['-50.00', '20'],
    ]);
    const empty = addDiscount(
      createProfile(fields(), 'prf_2', T0, TODAY),
      { description: 'Loyalty', percent: '10' },
      'dsc_1',
      T0,
    );
    expect(previewOf(empty)).toEqual({ itemLines: 0, lines: [], totals: { net: '0.00', tax: '0.00', gross: '0.00' }, taxes: [] });
  });

  it('retaxes items without a rate when the profile taxes change, and combines several taxes into one rate', () => {
    const { profile } = scenario();
    const two = addTax(profile, { name: 'City', rate: '2.5' }, 'tax_2', T0);
    expect(previewOf(two).taxes.at(-1)).toEqual({ rate: '22.5', base: '100.00', amount: '22.50' });
    const none = removeTax(removeTax(two, 'tax_1', T0), 'tax_2', T0);
    expect(previewOf(none).taxes.map((t) => [t.rate, t.base])).toEqual([
      ['0', '100.25'],
      ['7', '10.01'],
    ]);
  });

  it('moves the totals with an item changed or removed, and switches a discount between amount and percent', () => {
    const { profile, items } = scenario();
    const changed = updateTabItem(profile, items[1]!, { taxRate: null, quantity: '2' }, T0);
    expect([changed.item.amount, changed.item.taxRate, changed.item.version]).toEqual(['20.01', null, 2]);
    expect(changed.profile.tab.netsByRate).toEqual({ profile: '120.01', '0': '0.25' });
    const removed = removeTabItem(changed.profile, items[0]!, T0);
    expect(removed.tab).toEqual({ itemCount: 2, netsByRate: { profile: '20.01', '0': '0.25' }, textBytes: 18 });
    const discounted = addDiscount(removed, { description: 'D', amount: '1' }, 'dsc_1', T0);
    expect(updateDiscount(discounted, 'dsc_1', { percent: '5' }, T0).discounts).toEqual([
      { id: 'dsc_1', description: 'D', amount: null, percent: '5' },
    ]);
  });

  it('refuses the 5,001st item, the 21st tax rate and a tab past the amount bound', () => {
    const full: Profile = {
      ...createProfile(fields(), 'prf_1', T0, TODAY),
      tab: { itemCount: PROFILE_LIMITS.items, netsByRate: {} },
    };
    expectDomainError(
      () => addTabItem(full, { description: 'x', quantity: '1', unitPrice: '1' }, 'itm_x', T0),
      'rule',
      'TAB_FULL',
    );
    const rates = withItems(
      createProfile(fields(), 'prf_1', T0, TODAY),
      Array.from({ length: 20 }, (_, i) => ({ description: 'x', quantity: '1', unitPrice: '1', taxRate: String(i) })),
    ).profile;
    const error = expectDomainError(
      () => addTabItem(rates, { description: 'x', quantity: '1', unitPrice: '1', taxRate: '99' }, 'itm_x', T0),
      'rule',
      'TOO_MANY_TAX_RATES',
    );
    expect(error.errors[0]?.field).toBe('taxRate');
    const big = withItems(createProfile(fields(), 'prf_1', T0, TODAY), [
      { description: 'x', quantity: '1', unitPrice: '900000000000000' },
    ]).profile;
    const over = expectDomainError(
      () => addTabItem(big, { description: 'y', quantity: '1', unitPrice: '100000000000000' }, 'itm_y', T0),
      'rule',
      'AMOUNT_TOO_LARGE',
    );
    expect(over.errors.map((e) => e.field)).toEqual(['quantity', 'unitPrice']);
  });

  it('refuses an item past the bytes its descriptions may take together: a full tab in any script fits one invoice', () => {
    // Prepare: a tab whose descriptions take all but 300 bytes of the limit
    const nearly: Profile = {
      ...createProfile(fields(), 'prf_1', T0, TODAY),
      tab: { itemCount: 3000, netsByRate: {}, textBytes: PROFILE_LIMITS.textBytes - 300 },
    };
    // Act / Assess: 150 two-byte characters are 300 bytes; one more is past it
    const fits = addTabItem(nearly, { description: 'é'.repeat(150), quantity: '1', unitPrice: '1' }, 'itm_1', T0);
    expect(fits.profile.tab.textBytes).toBe(PROFILE_LIMITS.textBytes);
    const error = expectDomainError(
      () => addTabItem(nearly, { description: 'é'.repeat(151), quantity: '1', unitPrice: '1' }, 'itm_2', T0),
      'rule',
      'TAB_TOO_LARGE',
    );
    expect(error.errors[0]?.field).toBe('description');
    expect(removeTabItem(fits.profile, fits.item, T0).tab.textBytes).toBe(PROFILE_LIMITS.textBytes - 300);
  });
});

describe('accumulating profile: settings and state machine', () => {
  it('goes draft -> active -> draft -> active and is cancelled for good', () => {
    const draft = createProfile(fields(), 'prf_1', T0, TODAY);
    expect([draft.status, nextRunAt(draft), cyclesLeft(draft)]).toEqual(['draft', null, null]);
    const active = activateProfile(draft, T0, TODAY);
    expect([active.status, active.version, nextRunAt(active)]).toEqual(['active', 2, '2026-03-02']);
    expectDomainError(() => activateProfile(active, T0, TODAY), 'conflict', 'PROFILE_NOT_DRAFT');
    const paused = pauseProfile(active, T0, TODAY);
    expect(paused.status).toBe('draft');
    expectDomainError(() => pauseProfile(paused, T0, TODAY), 'conflict', 'PROFILE_NOT_ACTIVE');
    const cancelled = cancelProfile(activateProfile(paused, T0, TODAY), T0, TODAY);
    expect(cancelled.status).toBe('cancelled');
    for (const act of [
      () => activateProfile(cancelled, T0, TODAY),
      () => cancelProfile(cancelled, T0, TODAY),
      () => updateProfile(cancelled, { name: 'x' }, T0, TODAY),
      () => addTabItem(cancelled, { description: 'x', quantity: '1', unitPrice: '1' }, 'itm_1', T0),
      () => addTax(cancelled, { name: 'VAT', rate: '20' }, 'tax_1', T0),
    ]) {
      expect(() => act()).toThrow(/cancelled/);
    }
  });

  it('counts cycles from the first creation date and completes after the last', () => {
    let profile = createProfile(fields({ status: 'active', billingCycles: 3 }), 'prf_1', T0, TODAY);
    expect([nextRunAt(profile), cyclesLeft(profile)]).toEqual(['2026-03-02', 3]);
    profile = cycleDone(profile, '2026-03-02', T0);
    expect([profile.cyclesDone, nextRunAt(profile), cyclesLeft(profile), profile.lastRunDate]).toEqual([
      1,
      '2026-03-17',
      2,
      '2026-03-02',
    ]);
    profile = cycleDone(cycleDone(profile, '2026-03-17', T0), '2026-04-01', T0);
    expect([profile.status, profile.cyclesDone, nextRunAt(profile), cyclesLeft(profile)]).toEqual(['completed', 3, null, 0]);
    expectDomainError(() => pauseProfile(profile, T0, TODAY), 'conflict', 'PROFILE_CLOSED');
    expectDomainError(() => cancelProfile(profile, T0, TODAY), 'conflict', 'PROFILE_CLOSED');
    const forever = cycleDone(createProfile(fields({ status: 'active' }), 'prf_2', T0, TODAY), '2026-03-02', T0);
    expect([forever.status, cyclesLeft(forever)]).toEqual(['active', null]);
    // Cancelled, it has no cycle left; paused during its last cycle, it is completed by it
    expect(cyclesLeft(cancelProfile(forever, T0, TODAY))).toBe(0);
    const last = pauseProfile(createProfile(fields({ status: 'active', billingCycles: 1 }), 'prf_3', T0, TODAY), T0, TODAY);
    expect(cycleDone(last, '2026-03-02', T0).status).toBe('completed');
  });

  it('completes at once when its cycles are lowered to those done', () => {
    const twice = cycleDone(
      cycleDone(createProfile(fields({ status: 'active' }), 'prf_1', T0, TODAY), '2026-03-02', T0),
      '2026-03-17',
      T0,
    );
    expect(updateProfile(twice, { billingCycles: 2 }, T0, '2026-03-20')).toMatchObject({ status: 'completed', cyclesDone: 2 });
    const paused = pauseProfile(twice, T0, '2026-03-20');
    expect(updateProfile(paused, { billingCycles: 2 }, T0, '2026-03-20').status).toBe('draft');
  });

  it('after a cycle, a new interval counts from the last cycle day, never from before today', () => {
    // Prepare: every 30 days from 2026-03-02, one cycle done
    const once = cycleDone(createProfile(fields({ status: 'active', intervalDays: 30 }), 'prf_1', T0, TODAY), '2026-03-02', T0);
    // Act / Assess: shorter, on 2026-03-12: 03-02 + 2 = 03-04 has passed, so the next in phase from today
    const shorter = updateProfile(once, { intervalDays: 2 }, T0, '2026-03-12');
    expect([nextRunAt(shorter), shorter.cyclesSkipped]).toEqual(['2026-03-12', 4]);
    // Longer: 03-02 + 45
    expect(nextRunAt(updateProfile(once, { intervalDays: 45 }, T0, '2026-03-12'))).toBe('2026-04-16');
  });

  it('resumed after run days passed while paused, skips them: the next run is the first of its cadence from today', () => {
    // Prepare: every 15 days from 2026-03-02, one cycle done, paused
    const once = cycleDone(createProfile(fields({ status: 'active', billingCycles: 3 }), 'prf_1', T0, TODAY), '2026-03-02', T0);
    const paused = pauseProfile(once, T0, TODAY);
    // Act: activated again on 2026-04-10 (the run days of 03-17 and 04-01 have passed)
    const resumed = activateProfile(paused, T0, '2026-04-10');
    // Assess
    expect([resumed.cyclesDone, resumed.cyclesSkipped, nextRunAt(resumed), cyclesLeft(resumed)]).toEqual([1, 2, '2026-04-16', 2]);
    expect(nextRunAt(activateProfile(paused, T0, '2026-03-17'))).toBe('2026-03-17');
  });

  it('refuses a passed first creation date when active, a late fee without a due window, cycles below those done, a moved start', () => {
    const passed = expectDomainError(
      () => createProfile(fields({ status: 'active', firstCreationDate: '2026-02-28' }), 'prf_1', T0, TODAY),
      'rule',
      'FIRST_CREATION_DATE_PASSED',
    );
    expect(passed.errors[0]?.field).toBe('firstCreationDate');
    const draft = createProfile(fields({ firstCreationDate: '2026-02-28' }), 'prf_1', T0, TODAY);
    expectDomainError(() => activateProfile(draft, T0, TODAY), 'rule', 'FIRST_CREATION_DATE_PASSED');
    const fee = expectDomainError(
      () => createProfile(fields({ lateFee: { amount: '25' } }), 'prf_1', T0, TODAY),
      'invalid',
      'VALIDATION_FAILED',
    );
    expect(fee.errors[0]?.field).toBe('lateFee');
    const withFee = createProfile(fields({ lateFee: { amount: '25' }, dueDays: 21 }), 'prf_1', T0, TODAY);
    expectDomainError(() => updateProfile(withFee, { dueDays: null }, T0, TODAY), 'invalid', 'VALIDATION_FAILED');
    const started = cycleDone(
      cycleDone(createProfile(fields({ status: 'active' }), 'prf_1', T0, TODAY), '2026-03-02', T0),
      '2026-03-17',
      T0,
    );
    expectDomainError(() => updateProfile(started, { billingCycles: 1 }, T0, TODAY), 'rule', 'BILLING_CYCLES_BELOW_DONE');
    expect(updateProfile(started, { billingCycles: 2 }, T0, TODAY).billingCycles).toBe(2);
    expectDomainError(
      () => updateProfile(started, { firstCreationDate: '2026-04-01' }, T0, TODAY),
      'conflict',
      'PROFILE_STARTED',
    );
  });

  it("checks its own number format like the settings do, and keeps its series apart from the tenant's", () => {
    expectDomainError(
      () => createProfile(fields({ invoiceNumberFormat: 'TAB-{SEQ:4}-{SEQ}' }), 'prf_1', T0, TODAY),
      'invalid',
      'VALIDATION_FAILED',
    );
    const own = createProfile(fields({ invoiceNumberFormat: 'TAB-{SEQ:4}' }), 'prf_1', T0, TODAY);
    expect(assertOwnSeries(own, ['INV-{YYYY}-{SEQ:5}', 'CN-{YYYY}-{SEQ:5}'])).toBe(own);
    const overlap = expectDomainError(() => assertOwnSeries(own, ['TAB-{SEQ}']), 'rule', 'NUMBER_FORMATS_OVERLAP');
    expect(overlap.errors[0]).toMatchObject({ field: 'invoiceNumberFormat', code: 'overlaps_other_series' });
    const tenants = createProfile(fields(), 'prf_2', T0, TODAY);
    expect(assertOwnSeries(tenants, ['TAB-{SEQ}'])).toBe(tenants);
  });
});

describe('accumulating profile: taxes and prices at their edges', () => {
  it('refuses taxes that together tax past 100%, naming rate; prints a unit price of -0 as 0', () => {
    const taxed = addTax(createProfile(fields(), 'prf_1', T0, TODAY), { name: 'VAT', rate: '60' }, 'tax_1', T0);
    const error = expectDomainError(
      () => addTax(taxed, { name: 'More', rate: '40.01' }, 'tax_2', T0),
      'rule',
      'TAX_RATE_TOO_HIGH',
    );
    expect(error.errors[0]?.field).toBe('rate');
    expect(addTax(taxed, { name: 'More', rate: '40' }, 'tax_2', T0).taxes).toHaveLength(2);
    const { item } = addTabItem(taxed, { description: 'Free', quantity: '1', unitPrice: '-0' }, 'itm_1', T0);
    expect([item.unitPrice, item.amount]).toEqual(['0', '0.00']);
  });
});

describe('accumulating profile: a completed one', () => {
  it('takes a change of its late fee alone (its last invoices may still be fined), nothing else', () => {
    const fined = createProfile(
      fields({ status: 'active', billingCycles: 1, lateFee: { amount: '25' }, dueDays: 21 }),
      'prf_1',
      T0,
      TODAY,
    );
    const completed = cycleDone(fined, '2026-03-02', T0);
    expect(completed.status).toBe('completed');
    expect(updateProfile(completed, { lateFee: null }, T0, TODAY)).toMatchObject({ status: 'completed', lateFee: null });
    expectDomainError(() => updateProfile(completed, { lateFee: null, name: 'Other' }, T0, TODAY), 'conflict', 'PROFILE_CLOSED');
    expectDomainError(
      () => updateProfile(cancelProfile(fined, T0, TODAY), { lateFee: null }, T0, TODAY),
      'conflict',
      'PROFILE_CLOSED',
    );
  });
});
