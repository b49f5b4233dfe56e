import * as z from '../shared/zod.js';
import { clock } from '../adapters/clock.js';
import { localDate } from '../domain/dates.js';
import { DomainError } from '../domain/errors.js';
import { invoiceEvent } from '../domain/event.js';
import type { InvoiceLine } from '../domain/invoice.js';
import { withLateFee, type LateFeeSkip } from '../domain/late-fee.js';
import type { Profile } from '../domain/profile.js';
import { logger } from '../shared/logger.js';
import { saveInvoice } from '../store/invoice.store.js';
import { getProfile } from '../store/profile.store.js';
import { getTenant } from '../store/tenant.store.js';
import { newId } from './ids.js';
import { sendInvoiceOnce } from './invoice-send.service.js';
import { scheduleLateFee } from './late-fee-schedule.js';
import { findInvoice } from './milestone-invoice.service.js';
import { retrying } from './retry.js';

// The target of an invoice's late-fee schedule (services/late-fee-schedule.ts), safe to run any
// number of times: the fee is added once per invoice.

/** The purpose its mail is sent for: once per invoice (services/invoice-send.service.ts). */
const SEND_PURPOSE = 'late-fee';

const lateFeeInput = z.object({ tenantId: z.string().check(z.minLength(1)), invoiceId: z.string().check(z.minLength(1)) });

export interface LateFeeResult {
  invoiceId: string;
  /** The line added by this run; null when none was (see `skipped`). */
  added: InvoiceLine | null;
  /** Why none was; `refused`: the fee breaks a rule of the invoice (past the amount bound), logged with its code. */
  skipped: LateFeeSkip | 'no_invoice' | 'no_late_fee' | 'refused' | null;
}

type Checked = { profile: Profile; added: InvoiceLine | null } | { skipped: NonNullable<LateFeeResult['skipped']>; why: string };

/** The fee added, on condition of the invoice's version (a payment or void meanwhile: read again, decided again), with its event. */
const addFee = (tenantId: string, invoiceId: string): Promise<Checked> =>
  retrying(async () => {
    const invoice = await findInvoice(tenantId, invoiceId);
    if (!invoice?.profileId) return { skipped: 'no_invoice', why: 'no invoice of a profile has this id' };
    const [profile, { settings }] = await Promise.all([getProfile(tenantId, invoice.profileId), getTenant(tenantId)]);
    // The profile's fee as it is when the fee falls due: one removed meanwhile is waived.
    if (!profile.lateFee) return { skipped: 'no_late_fee', why: 'its profile has no late fee now' };
    const now = clock.now();
    // Past due on the tenant's calendar day, as the schedule fires at the tenant's midnight.
    const outcome = withLateFee(invoice, profile.lateFee, now, localDate(now, settings.timeZone));
    // Added by an earlier run: its mail may still be owed.
    if ('skip' in outcome && outcome.skip === 'fee_added') return { profile, added: null };
    // Not yet overdue where the tenant is now (its zone moved west since the fee was scheduled): the
    // fee's schedule is put again at the start of its day in that zone, later than now.
    if ('skip' in outcome && outcome.skip === 'not_overdue')
      await scheduleLateFee(tenantId, invoice, profile, settings.timeZone, true);
    if ('skip' in outcome) return { skipped: outcome.skip, why: outcome.why };
    const event = invoiceEvent('invoice.late_fee_added', outcome.invoice, newId('evt'), now, outcome.line.amount);
    await saveInvoice(tenantId, { next: outcome.invoice, previous: invoice }, undefined, [event]);
    return { profile, added: outcome.line };
  });

/**
 * The target of an invoice's late-fee schedule: adds the fee once to an invoice still unpaid after
 * its due date, then, for a live profile, emails the invoice again once. A paid, voided, reversed or
 * draft invoice, one with its fee, or one the fee would take past the amount bound, gets nothing
 * (logged). A mail refused for good (no email address) is logged, not retried; a mail that may go
 * later fails the fire, and its rerun finds the fee added and sends only the mail.
 */
export const lateFee = async (input: Record<string, unknown>): Promise<LateFeeResult> => {
  const { tenantId, invoiceId } = lateFeeInput.parse(input);
  // A rule the fee breaks would break on every retry: it is logged, not retried into the dead letters.
  const checked = await addFee(tenantId, invoiceId).catch((error: unknown): Checked => {
    if (!(error instanceof DomainError) || error.retryable) throw error;
    return { skipped: 'refused', why: `${error.code}: ${error.message}` };
  });
  if ('skipped' in checked) {
    const level = checked.skipped === 'refused' ? 'warn' : 'info';
    logger[level]('no late fee added', { tenantId, invoiceId, reason: checked.skipped, why: checked.why });
    return { invoiceId, added: null, skipped: checked.skipped };
  }
  if (checked.profile.invoiceMode === 'live') {
    await sendInvoiceOnce(tenantId, invoiceId, SEND_PURPOSE).catch((error: unknown) => {
      if (!(error instanceof DomainError) || error.retryable) throw error;
      logger.warn('invoice with its late fee not emailed', { tenantId, invoiceId, code: error.code, why: error.message });
    });
  }
  return { invoiceId, added: checked.added, skipped: checked.added ? null : 'fee_added' };
};
