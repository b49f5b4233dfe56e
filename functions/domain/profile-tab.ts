import { DomainError, notFound } from './errors.js';
import { lineTotals, type InvoiceLine, type TaxLine, type Totals } from './invoice.js';
import { toLine, type LineDraft } from './invoice-lines.js';
import {
  allocate,
  amount,
  assertMinorUnits,
  assertPayable,
  Dec,
  percentOf,
  roundMoney,
  sumAmounts,
  toAmountString,
  type Amount,
} from './money.js';
import {
  assertOpen,
  PROFILE_LIMITS,
  PROFILE_TAXES,
  touchedProfile,
  type Profile,
  type TabDiscount,
  type TabTax,
  type TabTotals,
} from './profile.js';

/** One item of a profile's tab: `amount` = quantity x unit price, rounded to the currency. */
export interface TabItem {
  id: string;
  profileId: string;
  description: string;
  quantity: string;
  unitPrice: string;
  /** Its own tax rate; null: taxed by the profile's taxes. */
  taxRate: string | null;
  amount: string;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface TabItemFields {
  description: string;
  quantity: string;
  unitPrice: string;
  taxRate?: string | null;
}

/** Exactly one of `amount` and `percent`. */
export interface DiscountFields {
  description: string;
  amount?: string;
  percent?: string;
}
export type TaxFields = Omit<TabTax, 'id'>;

const normalRate = (rate: string): string => amount(rate, 'taxRate').toFixed();

/** The tax-rate key an item's net is kept under in the tab's totals. */
const rateKey = (item: Pick<TabItem, 'taxRate'>): string => (item.taxRate === null ? PROFILE_TAXES : normalRate(item.taxRate));

/** The rate that taxes items without one of their own: the profile's taxes together (0 with none). */
export const profileRate = (profile: Profile): string => sumAmounts(profile.taxes.map((t) => t.rate)).toFixed();

/** The rate an item's line is taxed at. */
export const itemRate = (profile: Profile, item: Pick<TabItem, 'taxRate'>): string =>
  item.taxRate === null ? profileRate(profile) : normalRate(item.taxRate);

/** The items' nets by the rate they are taxed at, rates in numeric order. */
const basesByRate = (profile: Profile): { rate: string; base: Amount }[] => {
  const bases = new Map<string, Amount>();
  for (const [key, net] of Object.entries(profile.tab.netsByRate)) {
    const rate = key === PROFILE_TAXES ? profileRate(profile) : key;
    bases.set(rate, (bases.get(rate) ?? new Dec(0)).plus(net));
  }
  return [...bases]
    .map(([rate, base]) => ({ rate, base }))
    .filter(({ base }) => !base.isZero())
    .sort((a, b) => amount(a.rate).comparedTo(b.rate));
};

/**
 * The discount lines of the next invoice. A percent discount is that percent of the items' net;
 * an amount is that net amount. Together they never take the net below zero: a discount past
 * what the discounts before it (in the order added) left of the items' net gives only that. Each
 * is split over the tax rates in proportion to what is left at each (largest remainder), one line
 * per rate, so that it lowers the tax of what it discounts and no rate's base goes below zero.
 */
const discountLines = (profile: Profile): LineDraft[] => {
  const bases = basesByRate(profile);
  const net = sumAmounts(bases.map((b) => b.base));
  const left = bases.map((b) => b.base);
  return profile.discounts.flatMap((discount) => {
    const asked =
      discount.percent === null
        ? roundMoney(discount.amount!, profile.currency)
        : percentOf(net, discount.percent, profile.currency);
    const given = Dec.min(asked, sumAmounts(left));
    if (given.isZero()) return [];
    const parts = allocate(given, left, profile.currency);
    parts.forEach((part, i) => (left[i] = left[i]!.minus(part)));
    const description = discount.percent === null ? discount.description : `${discount.description} (${discount.percent}%)`;
    return bases
      .map(({ rate }, i) => ({ kind: 'discount' as const, description, amount: parts[i]!.negated(), taxRate: rate }))
      .filter((line) => !line.amount.isZero());
  });
};

/** The line an item makes on the invoice. */
const itemLine = (profile: Profile, item: TabItem): LineDraft => ({
  kind: 'work',
  description: item.description,
  quantity: item.quantity,
  unitPrice: item.unitPrice,
  amount: amount(item.amount),
  taxRate: itemRate(profile, item),
});

/**
 * The lines of the invoice the tab makes: its items in the order given, then its discounts. The
 * snapshot bills these; the preview totals them without reading the items.
 */
export const tabLines = (profile: Profile, items: TabItem[]): InvoiceLine[] =>
  [...items.map((item) => itemLine(profile, item)), ...discountLines(profile)].map((line, i) =>
    toLine(line, i, profile.currency),
  );

export interface TabPreview {
  /** The item lines come first, one per item (`GET .../items`); these are the lines after them. */
  itemLines: number;
  lines: InvoiceLine[];
  totals: Totals;
  taxes: TaxLine[];
}

/**
 * The next invoice as the tab stands, from the profile alone: its discount lines, and its totals as
 * the invoice's lines total (one line per tax rate of the items' nets taxes, sums and rounds exactly
 * as the items' lines do, tax being per rate on the sum of its nets).
 */
export const previewOf = (profile: Profile): TabPreview => {
  const discounts = discountLines(profile);
  const itemNets = basesByRate(profile).map(({ rate, base }) => ({ amount: base.toFixed(), taxRate: rate }));
  const { totals, taxes } = lineTotals(
    [...itemNets, ...discounts.map((l) => ({ amount: l.amount.toFixed(), taxRate: l.taxRate }))],
    profile.currency,
  );
  return {
    itemLines: profile.tab.itemCount,
    lines: discounts.map((line, i) => toLine(line, profile.tab.itemCount + i, profile.currency)),
    totals,
    taxes,
  };
};

/** The request fields that make an item's amount and tax, named when it passes the amount bound. */
const PRICING_FIELDS = ['quantity', 'unitPrice', 'taxRate'] as const;

/**
 * The tab, each item with its tax, taken as one invoice stays within the amount bound (else 422
 * naming `fields`): the invoice it makes can be paid by one payment, before its discounts.
 */
const assertTabPayable = (profile: Profile, fields: string[]): Profile => {
  const lines = basesByRate(profile).map(({ rate, base }) => ({ net: base, taxRate: rate }));
  assertPayable(lines, profile.currency, 'The tab with tax', fields);
  if ((profile.tab.textBytes ?? 0) > PROFILE_LIMITS.textBytes) {
    const message = `the descriptions of a tab's items take at most ${PROFILE_LIMITS.textBytes} bytes (UTF-8) together`;
    throw new DomainError('rule', 'TAB_TOO_LARGE', `The tab is full: ${message}`, [
      { field: 'description', code: 'tab_too_large', message },
    ]);
  }
  const rates = Object.keys(profile.tab.netsByRate).length;
  if (rates > PROFILE_LIMITS.itemRates) {
    throw new DomainError('rule', 'TOO_MANY_TAX_RATES', `A tab's items carry at most ${PROFILE_LIMITS.itemRates} tax rates`, [
      { field: 'taxRate', code: 'too_many_rates', message: `the tab already has ${PROFILE_LIMITS.itemRates} rates` },
    ]);
  }
  return profile;
};

const utf8 = new TextEncoder();

/** What items add up to, as a tab keeps it. */
export const totalsOf = (items: Pick<TabItem, 'taxRate' | 'amount' | 'description'>[]): TabTotals => {
  const nets = new Map<string, Amount>();
  for (const item of items) nets.set(rateKey(item), (nets.get(rateKey(item)) ?? new Dec(0)).plus(item.amount));
  return {
    itemCount: items.length,
    netsByRate: Object.fromEntries([...nets].map(([key, net]) => [key, net.toFixed()])),
    textBytes: items.reduce((bytes, item) => bytes + utf8.encode(item.description).length, 0),
  };
};

/** Tab totals with `other` in (`sign` +1) or out (-1). */
export const combinedTotals = (totals: TabTotals, other: TabTotals, sign: 1 | -1): TabTotals => {
  const itemCount = totals.itemCount + sign * other.itemCount;
  const netsByRate = { ...totals.netsByRate };
  for (const [key, net] of Object.entries(other.netsByRate)) {
    const next = amount(netsByRate[key] ?? '0').plus(amount(net).times(sign));
    // A rate no item carries any more leaves the totals (its count is not kept, so a zero net stays while items do).
    if (sign === -1 && next.isZero()) delete netsByRate[key];
    else netsByRate[key] = next.toFixed();
  }
  const textBytes = Math.max(0, (totals.textBytes ?? 0) + sign * (other.textBytes ?? 0));
  return { itemCount, netsByRate: itemCount > 0 ? netsByRate : {}, textBytes: itemCount > 0 ? textBytes : 0 };
};

/** The tab's totals with `item` out (`sign` -1) or in (+1). */
const counted = (profile: Profile, item: TabItem, sign: 1 | -1): TabTotals => combinedTotals(profile.tab, totalsOf([item]), sign);

/** "-0" is 0: a unit price is never negative, and a zero prints as one. */
const unsigned = (decimal: string): string => (amount(decimal).isZero() ? '0' : decimal);

const priced = (item: Omit<TabItem, 'amount'>, currency: string): TabItem => ({
  ...item,
  quantity: unsigned(item.quantity),
  unitPrice: unsigned(item.unitPrice),
  taxRate: item.taxRate === null ? null : normalRate(item.taxRate),
  amount: toAmountString(amount(item.quantity, 'quantity').times(amount(item.unitPrice, 'unitPrice')), currency),
});

export interface TabChange {
  profile: Profile;
  item: TabItem;
}

export const addTabItem = (profile: Profile, input: TabItemFields, id: string, now: Date): TabChange => {
  assertOpen(profile);
  if (profile.tab.itemCount >= PROFILE_LIMITS.items) {
    throw new DomainError('rule', 'TAB_FULL', `A tab holds at most ${PROFILE_LIMITS.items} items`);
  }
  const item = priced(
    {
      id,
      profileId: profile.id,
      description: input.description,
      quantity: input.quantity,
      unitPrice: input.unitPrice,
      taxRate: input.taxRate ?? null,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      version: 1,
    },
    profile.currency,
  );
  const next = touchedProfile(profile, now, { tab: counted(profile, item, 1) });
  return {
    profile: assertTabPayable(
      next,
      PRICING_FIELDS.filter((f) => input[f] !== undefined),
    ),
    item,
  };
};

export const updateTabItem = (profile: Profile, item: TabItem, patch: Partial<TabItemFields>, now: Date): TabChange => {
  assertOpen(profile);
  const given = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined));
  const next = priced({ ...item, ...given, updatedAt: now.toISOString(), version: item.version + 1 }, profile.currency);
  const tab = counted({ ...profile, tab: counted(profile, item, -1) }, next, 1);
  const fields = PRICING_FIELDS.filter((f) => patch[f] !== undefined);
  return { profile: assertTabPayable(touchedProfile(profile, now, { tab }), fields), item: next };
};

export const removeTabItem = (profile: Profile, item: TabItem, now: Date): Profile => {
  assertOpen(profile);
  return touchedProfile(profile, now, { tab: counted(profile, item, -1) });
};

const findIn = <T extends { id: string }>(list: T[], id: string, entity: string): T => {
  const found = list.find((entry) => entry.id === id);
  if (!found) throw notFound(entity);
  return found;
};

export const findDiscount = (profile: Profile, id: string): TabDiscount => findIn(profile.discounts, id, 'discount');
export const findTax = (profile: Profile, id: string): TabTax => findIn(profile.taxes, id, 'tax');

const asDiscount = (id: string, fields: DiscountFields): TabDiscount => ({
  id,
  description: fields.description,
  amount: fields.amount ?? null,
  percent: fields.amount === undefined ? (fields.percent ?? null) : null,
});

export const addDiscount = (profile: Profile, fields: DiscountFields, id: string, now: Date): Profile => {
  assertOpen(profile);
  if (fields.amount !== undefined) assertMinorUnits(fields.amount, profile.currency, 'amount');
  if (profile.discounts.length >= PROFILE_LIMITS.discounts) {
    throw new DomainError('rule', 'TOO_MANY_DISCOUNTS', `A profile holds at most ${PROFILE_LIMITS.discounts} discounts`);
  }
  return touchedProfile(profile, now, { discounts: [...profile.discounts, asDiscount(id, fields)] });
};

/** A patch that gives `amount` or `percent` replaces the other: a discount is always exactly one of them. */
export const updateDiscount = (
  profile: Profile,
  id: string,
  patch: { description?: string; amount?: string; percent?: string },
  now: Date,
): Profile => {
  assertOpen(profile);
  if (patch.amount !== undefined) assertMinorUnits(patch.amount, profile.currency, 'amount');
  const current = findDiscount(profile, id);
  const next: TabDiscount = {
    ...current,
    description: patch.description ?? current.description,
    ...(patch.amount !== undefined ? { amount: patch.amount, percent: null } : {}),
    ...(patch.percent !== undefined ? { amount: null, percent: patch.percent } : {}),
  };
  return touchedProfile(profile, now, { discounts: profile.discounts.map((d) => (d.id === id ? next : d)) });
};

export const removeDiscount = (profile: Profile, id: string, now: Date): Profile => {
  assertOpen(profile);
  findDiscount(profile, id);
  return touchedProfile(profile, now, { discounts: profile.discounts.filter((d) => d.id !== id) });
};

/**
 * A change of the profile's taxes retaxes the items without a rate of their own: together the taxes
 * are one rate, at most 100% as any line's, and the tab must stay payable.
 */
const withTaxes = (profile: Profile, taxes: TabTax[], now: Date, fields: string[]): Profile => {
  const next = touchedProfile(profile, now, { taxes });
  if (amount(profileRate(next)).gt(100)) {
    const message = `the profile's taxes together tax at ${profileRate(next)}%, more than 100%`;
    throw new DomainError('rule', 'TAX_RATE_TOO_HIGH', `A tax rate is at most 100%: ${message}`, [
      { field: 'rate', code: 'tax_rate_too_high', message },
    ]);
  }
  return assertTabPayable(next, fields);
};

export const addTax = (profile: Profile, fields: TaxFields, id: string, now: Date): Profile => {
  assertOpen(profile);
  if (profile.taxes.length >= PROFILE_LIMITS.taxes) {
    throw new DomainError('rule', 'TOO_MANY_TAXES', `A profile holds at most ${PROFILE_LIMITS.taxes} taxes`);
  }
  return withTaxes(profile, [...profile.taxes, { id, name: fields.name, rate: normalRate(fields.rate) }], now, ['rate']);
};

export const updateTax = (profile: Profile, id: string, patch: Partial<TaxFields>, now: Date): Profile => {
  assertOpen(profile);
  const current = findTax(profile, id);
  const next: TabTax = {
    ...current,
    name: patch.name ?? current.name,
    rate: patch.rate === undefined ? current.rate : normalRate(patch.rate),
  };
  const fields = patch.rate === undefined ? [] : ['rate'];
  return withTaxes(
    profile,
    profile.taxes.map((t) => (t.id === id ? next : t)),
    now,
    fields,
  );
};

export const removeTax = (profile: Profile, id: string, now: Date): Profile => {
  assertOpen(profile);
  findTax(profile, id);
  return touchedProfile(profile, now, { taxes: profile.taxes.filter((t) => t.id !== id) });
};
