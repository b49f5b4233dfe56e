import { localDate } from './dates.js';
import { DomainError } from './errors.js';
import { typeOfPolicy, withTotals, type Invoice } from './invoice.js';
import { toAmountString } from './money.js';
import { cycleDone, touchedProfile, type Profile, type TabDiscount, type TabTax, type TabTotals } from './profile.js';
import { combinedTotals, tabLines, totalsOf, type TabItem } from './profile-tab.js';

/**
 * One cycle of a profile turning its tab into an invoice (design §3: work larger than one
 * transaction, in idempotent chunks behind a status marker). Keyed on (profile, scheduled time), so
 * that a duplicate or retried fire of the schedule finds the cycle it started and goes on with it.
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
  /** ISO time of the fire it stands for. */
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

/** Why a fire makes no cycle: the profile runs no cycles now. */
export type Skip = 'profile_not_active';

/** The snapshot a fire begins, or why it begins none: only an active profile runs a cycle. */
export const beginSnapshot = (
  profile: Profile,
  scheduledTime: string,
  invoiceId: string,
  now: Date,
): Snapshot | { skip: Skip } =>
  profile.status !== 'active'
    ? { skip: 'profile_not_active' }
    : {
        profileId: profile.id,
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
 * tenant's default); it is dated when it is issued, and its notes name the cycle's day in the
 * tenant's `timeZone`.
 */
export const snapshotInvoice = (profile: Profile, snapshot: Snapshot, items: TabItem[], now: Date, timeZone: string): Invoice => {
  if (items.length !== snapshot.claimed.itemCount) {
    throw new Error(
      `snapshot ${snapshot.scheduledTime} of ${profile.id} holds ${items.length} items, claimed ${snapshot.claimed.itemCount}`,
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
    notes: `${profile.name}: cycle ${snapshot.cycle}, ${localDate(new Date(snapshot.scheduledTime), timeZone)}`,
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
 * The cycle done: counted on the profile (completed after its last, if it is still active), the claimed items out of its
 * tab totals, and the discounts and taxes it billed wiped unless the profile keeps them (those added
 * since stay for the next cycle).
 */
export const finishSnapshot = (profile: Profile, snapshot: Snapshot, now: Date): { profile: Profile; snapshot: Snapshot } => {
  assertStatus(snapshot, 'invoicing');
  const billed = (ids: { id: string }[]) => new Set(ids.map((entry) => entry.id));
  const discounts = billed(snapshot.discounts);
  const taxes = billed(snapshot.taxes);
  // Paused or cancelled while the snapshot ran, the profile still had the cycle it began.
  const counted =
    profile.status === 'active' ? cycleDone(profile, now) : touchedProfile(profile, now, { cyclesDone: profile.cyclesDone + 1 });
  return {
    profile: {
      ...counted,
      tab: combinedTotals(profile.tab, snapshot.claimed, -1),
      discounts: profile.keepDiscounts ? profile.discounts : profile.discounts.filter((d) => !discounts.has(d.id)),
      taxes: profile.keepTaxes ? profile.taxes : profile.taxes.filter((t) => !taxes.has(t.id)),
    },
    snapshot: touched(snapshot, now, { status: 'done' }),
  };
};
