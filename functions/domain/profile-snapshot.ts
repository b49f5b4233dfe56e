import { DomainError } from './errors.js';
import { typeOfPolicy, withTotals, type Invoice } from './invoice.js';
import { toAmountString } from './money.js';
import { cycleDone, type Profile, type TabDiscount, type TabTax, type TabTotals } from './profile.js';
import { combinedTotals, tabLines, totalsOf, type TabItem } from './profile-tab.js';

/**
 * One cycle of a profile turning its tab into an invoice (design §3: work larger than one
 * transaction, in idempotent chunks behind a status marker). Keyed on (profile, the cycle's run
 * day), so that a duplicate or retried fire of the schedule, or another fire while it runs, finds
 * the cycle it started and goes on with it; a fire before the profile's next run day begins none.
 *
 * claiming: the tab's items made before `startedAt` move, in chunks, from the tab to the
 * snapshot (each move is conditional: an item is claimed once, or changed or removed first and then
 * claimed as it is); an item added meanwhile stays on the tab, for the next cycle.
 * invoicing: the claims are over (every claim is conditional on the marker still claiming), the
 * invoice is made from exactly the claimed items, under `invoiceId`, then issued and sent as the
 * profile's mode says. done: the cycle is counted on the profile, whose tab totals lose the claimed
 * items, and the discounts and taxes the cycle billed are wiped unless the profile keeps them.
 */
export type SnapshotStatus = 'claiming' | 'invoicing' | 'done';

export interface Snapshot {
  profileId: string;
  /** The day of the cycle: the profile's next run day when it began. */
  runDay: string;
  /** ISO time of the fire that began it. */
  scheduledTime: string;
  /** The cycle it counts (1 for the first). */
  cycle: number;
  status: SnapshotStatus;
  /** Items made after this stay on the tab. */
  startedAt: string;
  /** The id of the invoice it makes, drawn once, so that every run of the cycle makes that one. */
  invoiceId: string;
  /** The discounts and taxes it bills: those of the profile when it began. */
  discounts: TabDiscount[];
  taxes: TabTax[];
  /** What the claimed items add up to, moved with each chunk claimed. */
  claimed: TabTotals;
  /** Whether it made an invoice (an empty tab makes none), once invoicing. */
  invoiced: boolean | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

/** Why a fire makes no cycle: the profile runs no cycles now, or its next cycle falls on a later day. */
export type Skip = 'profile_not_active' | 'not_due';

/**
 * The snapshot a fire for the day `fireDay` (in the tenant's zone) begins, or why it begins none:
 * only an active profile runs a cycle, and only from its next run day on.
 */
export const beginSnapshot = (
  profile: Profile,
  scheduledTime: string,
  fireDay: string,
  invoiceId: string,
  now: Date,
): Snapshot | { skip: Skip } =>
  profile.status !== 'active'
    ? { skip: 'profile_not_active' }
    : fireDay < profile.nextRunDate
      ? { skip: 'not_due' }
      : {
          profileId: profile.id,
          runDay: profile.nextRunDate,
          scheduledTime,
          cycle: profile.cyclesDone + 1,
          status: 'claiming',
          startedAt: now.toISOString(),
          invoiceId,
          discounts: profile.discounts,
          taxes: profile.taxes,
          claimed: { itemCount: 0, netsByRate: {} },
          invoiced: null,
          createdAt: now.toISOString(),
          updatedAt: now.toISOString(),
          version: 1,
        };

const touched = (snapshot: Snapshot, now: Date, change: Partial<Snapshot>): Snapshot => ({
  ...snapshot,
  ...change,
  updatedAt: now.toISOString(),
  version: snapshot.version + 1,
});

/** Items made after the snapshot began are left on the tab. */
export const claimable = (snapshot: Snapshot, item: TabItem): boolean => item.createdAt <= snapshot.startedAt;

const assertStatus = (snapshot: Snapshot, status: SnapshotStatus): void => {
  if (snapshot.status !== status) {
    throw new DomainError('conflict', 'SNAPSHOT_MOVED_ON', `The snapshot is ${snapshot.status}, no longer ${status}`);
  }
};

/** The snapshot with a chunk of items claimed. */
export const withClaimed = (snapshot: Snapshot, items: TabItem[], now: Date): Snapshot => {
  assertStatus(snapshot, 'claiming');
  return touched(snapshot, now, { claimed: combinedTotals(snapshot.claimed, totalsOf(items), 1) });
};

/** The claims are over: what it holds now is what its invoice bills. */
export const claimsDone = (snapshot: Snapshot, now: Date): Snapshot => {
  assertStatus(snapshot, 'claiming');
  return touched(snapshot, now, { status: 'invoicing', invoiced: snapshot.claimed.itemCount > 0 });
};

/** The profile as the cycle bills it: the claimed items, and the discounts and taxes it began with. */
const billedProfile = (profile: Profile, snapshot: Snapshot): Profile => ({
  ...profile,
  discounts: snapshot.discounts,
  taxes: snapshot.taxes,
  tab: snapshot.claimed,
});

/**
 * The cycle's invoice, a draft: the claimed items (`items`, all of them, in the order made) and the
 * discounts as lines, taxed as the tab taxes them, due `dueDays` after its date (null: the
 * tenant's default); it is dated when it is issued, and its notes name the cycle and its day.
 */
export const snapshotInvoice = (profile: Profile, snapshot: Snapshot, items: TabItem[], now: Date): Invoice => {
  if (items.length !== snapshot.claimed.itemCount) {
    throw new Error(
      `snapshot ${snapshot.runDay} of ${profile.id} holds ${items.length} items, claimed ${snapshot.claimed.itemCount}`,
    );
  }
  return withTotals({
    id: snapshot.invoiceId,
    jobId: null,
    profileId: profile.id,
    customerId: profile.customerId,
    currency: profile.currency,
    policy: 'accumulating',
    type: typeOfPolicy('accumulating'),
    milestoneId: null,
    status: 'draft',
    series: null,
    number: null,
    issueDate: null,
    dueDate: null,
    dueDays: profile.dueDays,
    notes: `${profile.name}: cycle ${snapshot.cycle}, ${snapshot.runDay}`,
    allowOverbilling: false,
    ledgerBasis: null,
    lines: tabLines(billedProfile(profile, snapshot), items),
    payments: [],
    creditedNet: toAmountString(0, profile.currency),
    correctedBy: 0,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    issuedAt: null,
    version: 1,
  });
};

/**
 * The cycle done: counted on the profile (completed after its last), the claimed items out of its
 * tab totals, and, when it made an invoice, the discounts and taxes it billed wiped unless the
 * profile keeps them (those added since stay for the next cycle).
 */
export const finishSnapshot = (profile: Profile, snapshot: Snapshot, now: Date): { profile: Profile; snapshot: Snapshot } => {
  assertStatus(snapshot, 'invoicing');
  const billed = (ids: { id: string }[]) => new Set(ids.map((entry) => entry.id));
  const discounts = billed(snapshot.discounts);
  const taxes = billed(snapshot.taxes);
  // Paused or cancelled while the snapshot ran, the profile still had the cycle it began.
  const counted = cycleDone(profile, snapshot.runDay, now);
  // A cycle that billed nothing applied no discount and no tax: they stay for the next.
  const wipes = snapshot.invoiced === true;
  return {
    profile: {
      ...counted,
      tab: combinedTotals(profile.tab, snapshot.claimed, -1),
      discounts: profile.keepDiscounts || !wipes ? profile.discounts : profile.discounts.filter((d) => !discounts.has(d.id)),
      taxes: profile.keepTaxes || !wipes ? profile.taxes : profile.taxes.filter((t) => !taxes.has(t.id)),
    },
    snapshot: touched(snapshot, now, { status: 'done' }),
  };
};
