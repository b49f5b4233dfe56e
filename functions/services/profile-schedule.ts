import { scheduleName, scheduler, type ScheduleSpec } from '../adapters/scheduler.js';
import { plusDays, startOfDay } from '../domain/dates.js';
import { cyclesLeft, nextRunAt, type Profile } from '../domain/profile.js';

/** How soon after now a schedule whose run day is today first fires: its midnight has passed. */
const SOON_MS = 60_000;

/** One schedule per profile, named by it (profile ids are unique across tenants). */
export const profileScheduleName = (profileId: string): string => scheduleName(`${profileId}-snapshot`);

/**
 * The schedule of an active profile (design §5): every `intervalDays` from the tenant's midnight
 * (`timeZone`) of its next run day, a fire for each cycle left (none: until cancelled); none for a
 * profile that makes no invoice. A run day that is today starts a minute from now; each fire stands
 * for the calendar day it falls on, and a fire before the profile's next run day begins no cycle.
 */
export const profileSchedule = (tenantId: string, profile: Profile, now: Date, timeZone: string): ScheduleSpec | null => {
  const next = nextRunAt(profile);
  if (next === null) return null;
  const left = cyclesLeft(profile);
  const start = new Date(Math.max(startOfDay(next, timeZone).getTime(), now.getTime() + SOON_MS));
  return {
    name: profileScheduleName(profile.id),
    target: 'profile-snapshot',
    input: { tenantId, profileId: profile.id },
    // Its last fire is the one of its last cycle, counted from its start (a minute from now, maybe tomorrow).
    timing: {
      every: {
        days: profile.intervalDays,
        start,
        end: left === null ? null : plusDays(start, (left - 1) * profile.intervalDays, timeZone),
      },
    },
    timeZone,
  };
};

/** What the schedule is made of: a change of any of these puts or removes it. */
const scheduleOf = (p: Profile) => [p.status, p.intervalDays, p.nextRunDate, p.billingCycles, p.cyclesDone].join('|');

/**
 * Puts the profile's schedule when it is active and its schedule changes (`previous` null: a new
 * profile), before the profile is written (a schedule whose profile then is not active fires, finds
 * it so, and does nothing).
 */
export const putProfileSchedule = async (
  tenantId: string,
  profile: Profile,
  previous: Profile | null,
  now: Date,
  timeZone: string,
): Promise<void> => {
  const spec = profileSchedule(tenantId, profile, now, timeZone);
  if (spec && (!previous || scheduleOf(previous) !== scheduleOf(profile))) await scheduler().put(spec);
};

/** Removes the schedule of a profile that went from active to making no more invoices, after it is written so. */
export const removeProfileSchedule = async (profile: Profile, previous: Profile): Promise<void> => {
  if (previous.status === 'active' && profile.status !== 'active') await scheduler().remove(profileScheduleName(profile.id));
};
