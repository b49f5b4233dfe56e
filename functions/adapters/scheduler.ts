/**
 * Every target a schedule may fire: a use case of `functions/scheduled/targets.ts`, run by the one
 * scheduled-target function on AWS and by the local scheduler off AWS. A target is added here with its use case.
 */
export const SCHEDULE_TARGET_NAMES = [
  'approval-reminder',
  'approval-expiry',
  'approval-deemed-acceptance',
] as const satisfies readonly string[];

export type ScheduleTargetName = (typeof SCHEDULE_TARGET_NAMES)[number];

/** When a schedule fires: once `at` a time, or every `days` days from `start` up to `end` (its last fire at most `end`). */
export type ScheduleTiming = { at: Date } | { every: { days: number; start: Date; end: Date | null } };

export interface ScheduleSpec {
  /**
   * Unique among all schedules (EventBridge Scheduler: 1 to 64 of letters, digits, `.`, `-`, `_`),
   * derived from the business key (see `scheduleName()`), so that putting it again updates it.
   */
  name: string;
  target: ScheduleTargetName;
  /** What the target is given, beside the time the fire was scheduled for; JSON, well under 256 KiB. */
  input: Record<string, unknown>;
  timing: ScheduleTiming;
  /** The IANA zone a day-based schedule keeps its time of day in (default UTC). */
  timeZone?: string;
}

/**
 * The port services schedule timed work through: EventBridge Scheduler on AWS, the local scheduler
 * off AWS. Delivery is at least once: every target is safe to run twice for one scheduled time.
 */
export interface Scheduler {
  /** Creates the schedule, or updates the one of that name. */
  put(spec: ScheduleSpec): Promise<void>;
  /** Deletes the schedule of that name; none is a no-op. */
  remove(name: string): Promise<void>;
}

let provided: Scheduler | undefined;

/** The scheduler of this process: the local stack provides its own; on AWS, EventBridge Scheduler. */
export const provideScheduler = (scheduler: Scheduler): void => {
  provided = scheduler;
};

export const scheduler = (): Scheduler => {
  if (!provided) throw new Error('no scheduler provided');
  return provided;
};
