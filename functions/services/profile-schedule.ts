import { scheduleName, scheduler, type ScheduleSpec } from '../adapters/scheduler.js';
import { addDays, plusDays, startOfDay } from '../domain/dates.js';
import { cyclesLeft, nextRunAt, type Profile } from '../domain/profile.js';

/** How soon after now the cycle of a run day whose midnight has passed (today's) is run. */
const SOON_MS = 60_000;

/** One schedule per profile, named by it (profile ids are unique across tenants). */
export const profileScheduleName = (profileId: string): string => scheduleName(`${profileId}-snapshot`);

/** The one-time schedule of a cycle due at once (its run day's midnight has passed: today's). */
export const dueCycleScheduleName = (profileId: string): string => scheduleName(`${profileId}-snapshot-due`);

/**
 * The schedules of an active profile (design §5), none for a profile that makes no invoice: every
 * `intervalDays` from the tenant's midnight (`timeZone`) of its next run day, a fire for each cycle
 * left (none: until cancelled). When that midnight has passed (a run day of today), its cycle is a
 * one-time fire a minute from now, and the cadence starts at the next run day's midnight, so that
 * every later cycle still falls on its own day. Each fire stands for the day it falls on, and one
 * before the profile's next run day begins no cycle.
 */
export const profileSchedules = (tenantId: string, profile: Profile, now: Date, timeZone: string): ScheduleSpec[] => {
  const next = nextRunAt(profile);
  if (next === null) return [];
  const left = cyclesLeft(profile);
  const input = { tenantId, profileId: profile.id };
  const due = startOfDay(next, timeZone).getTime() <= now.getTime() + SOON_MS;
  const start = startOfDay(due ? addDays(next, profile.intervalDays) : next, timeZone);
  const fires = left === null ? null : left - (due ? 1 : 0);
  return [
    ...(due
      ? [
          {
            name: dueCycleScheduleName(profile.id),
            target: 'profile-snapshot' as const,
            input,
            timing: { at: new Date(now.getTime() + SOON_MS) },
          },
        ]
      : []),
    ...(fires === 0
      ? []
      : [
          {
            name: profileScheduleName(profile.id),
            target: 'profile-snapshot' as const,
            input,
            timing: {
              every: {
                days: profile.intervalDays,
                start,
                end: fires === null ? null : plusDays(start, (fires - 1) * profile.intervalDays, timeZone),
              },
            },
            timeZone,
          },
        ]),
  ];
};

/** What the schedule is made of: a change of any of these puts or removes it. */
const scheduleOf = (p: Profile) => [p.status, p.intervalDays, p.nextRunDate, p.billingCycles, p.cyclesDone].join('|');

/**
 * Puts the profile's schedules when it is active and they change (`previous` null: a new profile),
 * before the profile is written (a schedule whose profile then is not active fires, finds it so,
 * and does nothing); a cadence with no fire left goes.
 */
export const putProfileSchedule = async (
  tenantId: string,
  profile: Profile,
  previous: Profile | null,
  now: Date,
  timeZone: string,
): Promise<void> => {
  if (profile.status !== 'active' || (previous && scheduleOf(previous) === scheduleOf(profile))) return;
  const specs = profileSchedules(tenantId, profile, now, timeZone);
  for (const spec of specs) await scheduler().put(spec);
  if (!specs.some((spec) => spec.name === profileScheduleName(profile.id)))
    await scheduler().remove(profileScheduleName(profile.id));
};

/** Removes the schedules of a profile that went from active to making no more invoices, after it is written so. */
export const removeProfileSchedule = async (profile: Profile, previous: Profile): Promise<void> => {
  if (previous.status !== 'active' || profile.status === 'active') return;
  for (const name of [profileScheduleName(profile.id), dueCycleScheduleName(profile.id)]) await scheduler().remove(name);
};
