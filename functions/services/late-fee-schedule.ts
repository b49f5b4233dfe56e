import { scheduleName, scheduler, type ScheduleSpec } from '../adapters/scheduler.js';
import { startOfDay } from '../domain/dates.js';
import type { Invoice } from '../domain/invoice.js';
import { lateFeeDate } from '../domain/late-fee.js';
import type { Profile } from '../domain/profile.js';

// The late fee of an invoice of an accumulating profile is checked by a one-time schedule, put when the
// invoice is issued; its target is services/late-fees.ts.

/**
 * One schedule per invoice, named by it (invoice ids are unique across tenants). One its fire puts
 * again (`at`: the tenant's zone moved west) is named by its time too: on AWS the one-time schedule
 * that fired is deleted after it (ActionAfterCompletion DELETE), which must not take the new one.
 */
export const lateFeeScheduleName = (invoiceId: string, at?: Date): string =>
  scheduleName(at ? `${invoiceId}-late-fee-${at.getTime()}` : `${invoiceId}-late-fee`);

/**
 * The one-time schedule of an issued invoice's late fee: the first moment of the day after its due
 * date in the tenant's `timeZone` (design §5); none for an invoice without a due date or a profile
 * without a late fee.
 */
export const lateFeeSchedule = (
  tenantId: string,
  invoice: Pick<Invoice, 'id' | 'dueDate'>,
  profile: Pick<Profile, 'lateFee'>,
  timeZone: string,
  again = false,
): ScheduleSpec | null => {
  if (!invoice.dueDate || !profile.lateFee) return null;
  const at = startOfDay(lateFeeDate(invoice.dueDate), timeZone);
  return {
    name: lateFeeScheduleName(invoice.id, again ? at : undefined),
    target: 'late-fee',
    input: { tenantId, invoiceId: invoice.id },
    timing: { at },
  };
};

/**
 * Puts the late fee's schedule of an invoice being issued, before the issue is written: a fire for an
 * issue that was then not written finds the invoice a draft and does nothing. `again`: by a fire
 * that came before the fee's day in the tenant's zone now (services/late-fees.ts).
 */
export const scheduleLateFee = async (
  tenantId: string,
  invoice: Invoice,
  profile: Profile,
  timeZone: string,
  again = false,
): Promise<void> => {
  const spec = lateFeeSchedule(tenantId, invoice, profile, timeZone, again);
  if (spec) await scheduler().put(spec);
};
