import * as z from '../shared/zod.js';
import { clock } from '../adapters/clock.js';
import { DomainError } from '../domain/errors.js';
import { isIssued, type Invoice } from '../domain/invoice.js';
import {
  beginSnapshot,
  claimable,
  claimsDone,
  finishSnapshot,
  snapshotInvoice,
  withClaimed,
  type Skip,
  type Snapshot,
} from '../domain/profile-snapshot.js';
import { localDate } from '../domain/dates.js';
import { logger } from '../shared/logger.js';
import { getInvoice, insertDraft } from '../store/invoice.store.js';
import { getProfile } from '../store/profile.store.js';
import { getTenant } from '../store/tenant.store.js';
import {
  claimedItems,
  claimItems,
  deleteClaimedItems,
  finishCycle,
  getSnapshot,
  saveSnapshot,
  tabItemsPage,
} from '../store/snapshot.store.js';
import { newId } from './ids.js';
import { sendInvoiceOnce } from './invoice-send.service.js';
import { issueInvoice } from './issue-invoice.service.js';
import { findInvoice } from './milestone-invoice.service.js';
import { putProfileSchedule, removeProfileSchedule } from './profile-schedule.js';
import { retrying } from './retry.js';

// The target of a profile's schedule (services/profile-schedule.ts): one cycle of its tab, safe to
// run any number of times for one scheduled time, at once or after a run was cut off anywhere.

const snapshotInput = z.object({ tenantId: z.string().check(z.minLength(1)), profileId: z.string().check(z.minLength(1)) });

/** The purpose its invoice is sent for: once per invoice (services/invoice-send.service.ts). */
const SEND_PURPOSE = 'profile-snapshot';

export interface SnapshotOutcome {
  profileId: string;
  scheduledTime: string;
  /** The cycle it counted; null when none is due (the profile not active, or its next run day later). */
  cycle: number | null;
  /** The invoice it made; null for an empty tab, or no cycle. */
  invoiceId: string | null;
}

/**
 * The fire's snapshot: the cycle of the profile's next run day, begun by this fire or another one
 * and not done (resumed whatever the profile's state now), or begun now; the cycle this fire did;
 * or why there is none.
 */
const begun = (tenantId: string, profileId: string, scheduledTime: string): Promise<Snapshot | { skip: Skip }> =>
  retrying(async () => {
    const [profile, { settings }] = await Promise.all([getProfile(tenantId, profileId), getTenant(tenantId)]);
    const found = await getSnapshot(tenantId, profileId, profile.nextRunDate);
    if (found) return found;
    const fireDay = localDate(new Date(scheduledTime), settings.timeZone);
    const began = beginSnapshot(profile, scheduledTime, fireDay, newId('inv'), clock.now());
    if ('skip' in began) {
      // A fire delivered again after its cycle is done is told that cycle.
      const last = profile.lastRunDate && (await getSnapshot(tenantId, profileId, profile.lastRunDate));
      return last && last.scheduledTime === scheduledTime ? last : began;
    }
    // A run that began it meanwhile fails this write; read again, it is found.
    await saveSnapshot(tenantId, began, null);
    return began;
  });

/** The snapshot as stored now: a claim that lost to another run's reads it again. */
const current = async (tenantId: string, snapshot: Snapshot): Promise<Snapshot> =>
  (await getSnapshot(tenantId, snapshot.profileId, snapshot.runDay))!;

/**
 * Claims the tab's items made before the snapshot began, a chunk a transaction, then ends the
 * claims. A chunk that loses (an item changed or removed, another run's claim) is read again.
 */
const claimAll = async (tenantId: string, started: Snapshot): Promise<Snapshot> => {
  let after: Record<string, unknown> | undefined;
  let snapshot = started;
  do {
    const page = await retrying(async () => {
      snapshot = await current(tenantId, snapshot);
      const read = await tabItemsPage(tenantId, snapshot.profileId, after);
      const items = read.items.filter((item) => claimable(snapshot, item));
      if (snapshot.status === 'claiming' && items.length) {
        const next = withClaimed(snapshot, items, clock.now());
        await claimItems(tenantId, { next, previous: snapshot }, items);
        snapshot = next;
      }
      return read;
    });
    after = page.next;
  } while (after && snapshot.status === 'claiming');
  return retrying(async () => {
    snapshot = await current(tenantId, snapshot);
    if (snapshot.status !== 'claiming') return snapshot;
    const next = claimsDone(snapshot, clock.now());
    await saveSnapshot(tenantId, next, snapshot);
    return next;
  });
};

/** The cycle's invoice: made once from exactly the items claimed, found when a run made it. */
const invoiceOf = (tenantId: string, snapshot: Snapshot): Promise<Invoice> =>
  retrying(async () => {
    const found = await findInvoice(tenantId, snapshot.invoiceId);
    if (found) return found;
    const [profile, items] = await Promise.all([
      getProfile(tenantId, snapshot.profileId),
      claimedItems(tenantId, snapshot.profileId, snapshot.runDay),
    ]);
    const invoice = snapshotInvoice(profile, snapshot, items, clock.now());
    await insertDraft(tenantId, invoice, null);
    return invoice;
  });

const isNotDraft = (error: unknown): boolean => error instanceof DomainError && error.code === 'INVOICE_NOT_DRAFT';

/** Issued as the profile's mode says (open, live), and emailed once when live; a draft is left to the tenant. */
const deliver = async (tenantId: string, invoice: Invoice): Promise<void> => {
  const { invoiceMode } = await getProfile(tenantId, invoice.profileId!);
  if (invoiceMode === 'draft') return;
  if (!isIssued(invoice) && invoice.status !== 'voided') {
    // Another run of the cycle may issue it first: then it is issued, as this run would have. An
    // issue refused for good (its number taken by an overlapping format) leaves the draft for the
    // tenant to issue, and the cycle goes on: its items are in the draft.
    await issueInvoice(tenantId, invoice.id).catch(async (error: unknown) => {
      if (isNotDraft(error)) return;
      if (!(error instanceof DomainError) || error.retryable) throw error;
      logger.error('the invoice of the cycle could not be issued: left as a draft', {
        invoiceId: invoice.id,
        code: error.code,
        why: error.message,
      });
    });
  }
  if (invoiceMode === 'live' && isIssued(await getInvoice(tenantId, invoice.id))) {
    // A mail refused for good (the customer has no email address) leaves the invoice issued and the cycle to go on.
    await sendInvoiceOnce(tenantId, invoice.id, SEND_PURPOSE).catch((error: unknown) => {
      if (!(error instanceof DomainError) || error.retryable) throw error;
      logger.warn('invoice of the cycle not emailed', { invoiceId: invoice.id, code: error.code, why: error.message });
    });
  }
};

/** The cycle counted on the profile and the snapshot done; its schedule removed once the profile is completed. */
const finish = (tenantId: string, invoicing: Snapshot): Promise<Snapshot> =>
  retrying(async () => {
    const snapshot = await current(tenantId, invoicing);
    if (snapshot.status === 'done') return snapshot;
    const profile = await getProfile(tenantId, snapshot.profileId);
    const next = finishSnapshot(profile, snapshot, clock.now());
    await finishCycle(tenantId, {
      profile: { next: next.profile, previous: profile },
      snapshot: { next: next.snapshot, previous: snapshot },
    });
    await removeProfileSchedule(next.profile, profile);
    return next.snapshot;
  });

/** Once its invoice is made, a snapshot's items are in it: they go, before the cycle is done (a run cut off resumes it). */
const clearClaimed = async (tenantId: string, { profileId, runDay }: Snapshot): Promise<void> =>
  deleteClaimedItems(tenantId, await claimedItems(tenantId, profileId, runDay), runDay);

/**
 * A fire before the profile's next run day may come from a schedule put in another zone (the
 * tenant's moved west since): the profile's schedules are put again in the zone as it is now, so
 * that its cycle runs on its day rather than never (put again as they are, they change nothing).
 */
const rescheduleInZone = async (tenantId: string, profileId: string): Promise<void> => {
  const [profile, { settings }] = await Promise.all([getProfile(tenantId, profileId), getTenant(tenantId)]);
  await putProfileSchedule(tenantId, profile, null, clock.now(), settings.timeZone);
};

/**
 * One cycle of the profile for the fire at `scheduledTime`: the tab's items claimed, the invoice
 * made (none for an empty tab), issued and emailed as the profile's mode says, the cycle counted
 * and the tab wiped. Each stage resumes where a cut-off run left it; a fire for a cycle done does nothing more.
 */
export const snapshotProfile = async (input: Record<string, unknown>, scheduledTime: Date): Promise<SnapshotOutcome> => {
  const { tenantId, profileId } = snapshotInput.parse(input);
  const time = scheduledTime.toISOString();
  const begin = await begun(tenantId, profileId, time);
  if ('skip' in begin) {
    logger.info('no cycle of the profile is due: nothing to snapshot', { profileId, scheduledTime: time, why: begin.skip });
    if (begin.skip === 'not_due') await rescheduleInZone(tenantId, profileId);
    return { profileId, scheduledTime: time, cycle: null, invoiceId: null };
  }
  let snapshot = begin;
  if (snapshot.status === 'claiming') snapshot = await claimAll(tenantId, snapshot);
  if (snapshot.status === 'invoicing') {
    if (snapshot.invoiced) await deliver(tenantId, await invoiceOf(tenantId, snapshot));
    await clearClaimed(tenantId, snapshot);
    snapshot = await finish(tenantId, snapshot);
  }
  return { profileId, scheduledTime: time, cycle: snapshot.cycle, invoiceId: snapshot.invoiced ? snapshot.invoiceId : null };
};
