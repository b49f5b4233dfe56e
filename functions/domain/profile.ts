import { addDays } from './dates.js';
import { DomainError, invalidField } from './errors.js';
import { assertMinorUnits, checkCurrency } from './money.js';
import { sharedNumber } from './number-formats.js';
import { checkNumberFormat } from './settings.js';

/**
 * An accumulating profile (seed 004): a running tab of one customer, turned into an invoice every
 * `intervalDays` from `firstCreationDate`, for `billingCycles` cycles (0: until cancelled).
 *
 * draft --activate--> active --pause--> draft; draft | active --cancel--> cancelled;
 * active --(its last cycle done)--> completed. Cancelled and completed are final.
 */
export type ProfileStatus = 'draft' | 'active' | 'cancelled' | 'completed';
export type InvoiceMode = 'draft' | 'open' | 'live';

/** Added once to an invoice still unpaid after its due date: an amount, or a percent of its balance due (exactly one). */
export interface LateFee {
  amount?: string;
  percent?: string;
}

export interface TabDiscount {
  id: string;
  description: string;
  /** Exactly one of `amount` (net, in the profile's currency) and `percent` (of the items' net) is set. */
  amount: string | null;
  percent: string | null;
}

export interface TabTax {
  id: string;
  name: string;
  /** Percent string ("20" = 20%). */
  rate: string;
}

/** The key under which the tab keeps the nets of items without a tax rate of their own: the profile's taxes tax them. */
export const PROFILE_TAXES = 'profile';

/**
 * What the tab's items add up to, kept on the profile so that its preview reads no item: how many,
 * and their line amounts summed by their own tax rate (normalised: "20.0" is "20"), or under
 * `PROFILE_TAXES` for those taxed by the profile's taxes.
 */
export interface TabTotals {
  itemCount: number;
  netsByRate: Record<string, string>;
  /** The UTF-8 bytes of the items' descriptions together (absent on tabs stored before it was kept). */
  textBytes?: number;
}

export interface Profile {
  id: string;
  customerId: string;
  name: string;
  /** The customer's: items are priced and rounded in it. */
  currency: string;
  intervalDays: number;
  /** ISO date of the first cycle. */
  firstCreationDate: string;
  /** 0: until cancelled. */
  billingCycles: number;
  invoiceMode: InvoiceMode;
  /** Its own number series; null: the tenant's invoice series. */
  invoiceNumberFormat: string | null;
  /** Days from an invoice's date to its due date; null: the tenant's default. */
  dueDays: number | null;
  lateFee: LateFee | null;
  keepDiscounts: boolean;
  keepTaxes: boolean;
  status: ProfileStatus;
  cyclesDone: number;
  /** Run days that passed while the profile was paused: not billed, not counted as done. */
  cyclesSkipped: number;
  /**
   * The day of its next cycle (kept while not active too): the first creation date, then each cycle's
   * day plus the interval; a run day passed while paused is skipped when it is activated again.
   */
  nextRunDate: string;
  /** The day of the last cycle done; null before the first. */
  lastRunDate: string | null;
  discounts: TabDiscount[];
  taxes: TabTax[];
  tab: TabTotals;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface ProfileSettings {
  name: string;
  intervalDays: number;
  firstCreationDate: string;
  billingCycles?: number;
  invoiceMode: InvoiceMode;
  invoiceNumberFormat?: string | null;
  dueDays?: number | null;
  lateFee?: LateFee | null;
  keepDiscounts: boolean;
  keepTaxes: boolean;
}

export interface ProfileFields extends ProfileSettings {
  customerId: string;
  currency: string;
  status: 'active' | 'draft';
}

export type ProfilePatch = Partial<ProfileSettings>;

/** Limits, each refused before anything is written. */
export const PROFILE_LIMITS = {
  intervalDays: { min: 1, max: 366 },
  billingCycles: { min: 0, max: 1000 },
  dueDays: { min: 0, max: 3650 },
  items: 5000,
  discounts: 20,
  taxes: 10,
  /** Distinct tax rates of the items: each is a tax group of the invoice and an entry of the tab's totals. */
  itemRates: 20,
  /**
   * The UTF-8 bytes of the items' descriptions together: with what each line weighs beside its text
   * (about 160 bytes, 200 with long numbers), a full tab's invoice stays within the 2.5 MB an
   * invoice may weigh, whatever its script (a description of 200 characters is 200 to 800 bytes;
   * 5,000 of 200 ASCII characters fit).
   */
  textBytes: 1_250_000,
} as const;

const FINAL: ProfileStatus[] = ['cancelled', 'completed'];

/** A cancelled or completed profile makes no more invoices and takes no change. */
export const assertOpen = (profile: Profile): void => {
  if (FINAL.includes(profile.status)) {
    throw new DomainError('conflict', 'PROFILE_CLOSED', `The profile is ${profile.status} and cannot change`);
  }
};

export const touchedProfile = (profile: Profile, now: Date, change: Partial<Profile>): Profile => ({
  ...profile,
  ...change,
  updatedAt: now.toISOString(),
  version: profile.version + 1,
});

/**
 * A profile that makes invoices has its next run today or later: run days that passed while it was
 * paused (or that a shorter interval puts behind today) are skipped, in phase with its cadence.
 */
const rolledForward = (profile: Profile, today: string): Profile => {
  let { nextRunDate, cyclesSkipped } = profile;
  while (nextRunDate < today) {
    nextRunDate = addDays(nextRunDate, profile.intervalDays);
    cyclesSkipped++;
  }
  return { ...profile, nextRunDate, cyclesSkipped };
};

/** Its cycles all done, a profile still running is completed (billingCycles lowered to the cycles done). */
const withCyclesChecked = (profile: Profile): Profile =>
  profile.status === 'active' && profile.billingCycles !== 0 && profile.cyclesDone >= profile.billingCycles
    ? { ...profile, status: 'completed' }
    : profile;

/** A late fee is added after the due date: without a due window there is none to pass. */
const checkSettings = (profile: Profile, today: string): Profile => {
  if (profile.lateFee?.amount) assertMinorUnits(profile.lateFee.amount, profile.currency, 'lateFee.amount');
  if (profile.lateFee && profile.dueDays === null) {
    throw invalidField('lateFee', 'needs_due_days', 'a late fee needs dueDays: it is added once the due date has passed');
  }
  if (profile.billingCycles !== 0 && profile.billingCycles < profile.cyclesDone) {
    throw new DomainError(
      'rule',
      'BILLING_CYCLES_BELOW_DONE',
      `The profile has done ${profile.cyclesDone} cycles; billingCycles cannot be fewer`,
      [{ field: 'billingCycles', code: 'below_cycles_done', message: `must be 0 or at least ${profile.cyclesDone}` }],
    );
  }
  if (profile.status !== 'active') return profile;
  assertNotPassed(profile, today);
  return withCyclesChecked(rolledForward(profile, today));
};

/** An active profile's first cycle lies ahead: a first creation date already passed would bill at once, or never. */
const assertNotPassed = (profile: Profile, today: string): void => {
  if (profile.cyclesDone === 0 && profile.firstCreationDate < today) {
    throw new DomainError(
      'rule',
      'FIRST_CREATION_DATE_PASSED',
      `The first creation date ${profile.firstCreationDate} has passed (today is ${today}); give today or a later date`,
      [{ field: 'firstCreationDate', code: 'date_passed', message: `must be ${today} or later` }],
    );
  }
};

const normalFormat = (format: string | null | undefined): string | null =>
  format === undefined || format === null ? null : checkNumberFormat(format, 'invoiceNumberFormat');

/**
 * A profile's own format numbers a series of its own: it must not be able to print a number that
 * the tenant's formats (`tenantFormats`: those of its invoices and credit notes, current and
 * retired) print or may have printed, in any year. Its counter is its format's (see docs/domain.md).
 */
export const assertOwnSeries = (profile: Profile, tenantFormats: string[]): Profile => {
  const own = profile.invoiceNumberFormat;
  if (own === null) return profile;
  for (const format of new Set(tenantFormats)) {
    const shared = sharedNumber({ format: own }, { format });
    if (shared !== undefined) {
      const message = `can print ${shared}, as the tenant's format ${format} can; omit it to number in the tenant's series`;
      throw new DomainError('rule', 'NUMBER_FORMATS_OVERLAP', `The profile's number format ${message}`, [
        { field: 'invoiceNumberFormat', code: 'overlaps_other_series', message },
      ]);
    }
  }
  return profile;
};

/** `today` is the calendar day the profile is made on. */
export const createProfile = (input: ProfileFields, id: string, now: Date, today: string): Profile =>
  checkSettings(
    {
      id,
      customerId: input.customerId,
      name: input.name,
      currency: checkCurrency(input.currency),
      intervalDays: input.intervalDays,
      firstCreationDate: input.firstCreationDate,
      billingCycles: input.billingCycles ?? 0,
      invoiceMode: input.invoiceMode,
      invoiceNumberFormat: normalFormat(input.invoiceNumberFormat),
      dueDays: input.dueDays ?? null,
      lateFee: input.lateFee ?? null,
      keepDiscounts: input.keepDiscounts,
      keepTaxes: input.keepTaxes,
      status: input.status,
      cyclesDone: 0,
      cyclesSkipped: 0,
      nextRunDate: input.firstCreationDate,
      lastRunDate: null,
      discounts: [],
      taxes: [],
      tab: { itemCount: 0, netsByRate: {} },
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      version: 1,
    },
    today,
  );

/**
 * The cadence is anchored on the first creation date: it moves only while no cycle is done. A
 * completed profile takes a change of its late fee alone; a cancelled one none.
 */
export const updateProfile = (profile: Profile, patch: ProfilePatch, now: Date, today: string): Profile => {
  // Completed, its last invoices' late fees may still be to come: the fee may still change or be waived.
  const feeOnly = Object.entries(patch).every(([field, value]) => field === 'lateFee' || value === undefined);
  if (!(profile.status === 'completed' && feeOnly)) assertOpen(profile);
  if (patch.firstCreationDate !== undefined && patch.firstCreationDate !== profile.firstCreationDate && profile.cyclesDone > 0) {
    throw new DomainError('conflict', 'PROFILE_STARTED', 'The first creation date cannot change once a cycle is done', [
      { field: 'firstCreationDate', code: 'profile_started', message: 'fixed once a cycle is done' },
    ]);
  }
  const change: Partial<Profile> = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined));
  if (patch.invoiceNumberFormat !== undefined) change.invoiceNumberFormat = normalFormat(patch.invoiceNumberFormat);
  // The cadence moves from its anchor: the first creation date before any cycle, the last cycle's day after.
  if (profile.cyclesDone === 0 && patch.firstCreationDate !== undefined) change.nextRunDate = patch.firstCreationDate;
  if (profile.lastRunDate !== null && patch.intervalDays !== undefined && patch.intervalDays !== profile.intervalDays) {
    change.nextRunDate = addDays(profile.lastRunDate, patch.intervalDays);
  }
  return checkSettings(touchedProfile(profile, now, change), today);
};

type Transition = 'activate' | 'pause' | 'cancel';

/** The state machine: from which states each action goes, where to, and the code of its refusal. */
const TRANSITIONS: Record<Transition, { from: ProfileStatus[]; to: ProfileStatus; code: string }> = {
  activate: { from: ['draft'], to: 'active', code: 'PROFILE_NOT_DRAFT' },
  pause: { from: ['active'], to: 'draft', code: 'PROFILE_NOT_ACTIVE' },
  // A cancelled or completed profile refuses every action as it refuses every change (assertOpen).
  cancel: { from: ['draft', 'active'], to: 'cancelled', code: 'PROFILE_CLOSED' },
};

const transition = (profile: Profile, action: Transition, now: Date, today: string): Profile => {
  const { from, to, code } = TRANSITIONS[action];
  assertOpen(profile);
  if (!from.includes(profile.status)) {
    const states = from.map((state) => `${/^[aeiou]/.test(state) ? 'an' : 'a'} ${state}`).join(' or ');
    throw new DomainError('conflict', code, `Only ${states} profile can ${action}; this one is ${profile.status}`);
  }
  return checkSettings(touchedProfile(profile, now, { status: to }), today);
};

/**
 * Saved as active, the profile counts down to its next cycle; its first creation date must not have
 * passed. Resumed after run days passed while it was paused, it skips them: its next run is the
 * first run day of its cadence from today on.
 */
export const activateProfile = (profile: Profile, now: Date, today: string): Profile =>
  transition(profile, 'activate', now, today);

/** Back to draft: it keeps its tab and settings, and makes no invoice until activated again. */
export const pauseProfile = (profile: Profile, now: Date, today: string): Profile => transition(profile, 'pause', now, today);

/** Final: the tab stays readable, nothing bills it. */
export const cancelProfile = (profile: Profile, now: Date, today: string): Profile => transition(profile, 'cancel', now, today);

/**
 * The cycle of `runDay` done (by its snapshot, invoice or not: an empty tab counts the cycle too);
 * the next falls an interval after it. After its last cycle the profile is completed, even one
 * paused while its last snapshot ran; a cancelled one stays cancelled.
 */
export const cycleDone = (profile: Profile, runDay: string, now: Date): Profile => {
  const cyclesDone = profile.cyclesDone + 1;
  const last = profile.billingCycles !== 0 && cyclesDone >= profile.billingCycles;
  return touchedProfile(profile, now, {
    cyclesDone,
    lastRunDate: runDay,
    nextRunDate: addDays(runDay, profile.intervalDays),
    status: last && profile.status !== 'cancelled' ? 'completed' : profile.status,
  });
};

/** Cycles still to run: none for a cancelled or completed profile; null when it runs until cancelled. */
export const cyclesLeft = (profile: Profile): number | null =>
  FINAL.includes(profile.status)
    ? 0
    : profile.billingCycles === 0
      ? null
      : Math.max(0, profile.billingCycles - profile.cyclesDone);

/** The calendar day of the next cycle; null when the profile makes no invoice (a draft, cancelled or completed one). */
export const nextRunAt = (profile: Profile): string | null => (profile.status === 'active' ? profile.nextRunDate : null);
