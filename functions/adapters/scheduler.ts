import {
  ConflictException,
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { isTimeZone, plusDays } from '../domain/dates.js';
import { config, scheduleConfig, type ScheduleConfig } from '../shared/config.js';
import { clock as systemClock, type Clock } from './clock.js';
import { nameRule } from './resource-names.js';

/**
 * Every target a schedule may fire: a use case of `functions/scheduled/targets.ts`, run by the one
 * scheduled-target function on AWS and by the local scheduler off AWS. A target is added here with its use case.
 */
export const SCHEDULE_TARGET_NAMES = [
  'approval-reminder',
  'approval-expiry',
  'approval-deemed-acceptance',
  'profile-snapshot',
  'late-fee',
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

/** EventBridge Scheduler's limits on a schedule: its name, and its target's input. */
const SCHEDULE_NAMES = nameRule('a schedule name', 64, 'A-Za-z0-9_.-');
const MAX_INPUT_BYTES = 256 * 1024;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The schedule name of a business key (`late-fee:<tenant>:<invoice>`), the same for the same key:
 * a key that is already a valid name (1 to 64 of letters, digits, `.`, `-`, `_`) is its own name; any
 * other keeps a readable prefix and ends with a hash of the whole key, as `executionName()` does.
 */
export const scheduleName = (businessKey: string): string => SCHEDULE_NAMES.fromKey(businessKey);

/**
 * How a day-based schedule's fires keep its time of day in its zone (the port's promise), which
 * Scheduler's `rate(N days)` does not: it fires every N × 24 hours, so across a change of daylight
 * saving time its fires move by an hour in the zone (a midnight fire lands at 23:00 the day before).
 * The AWS adapter puts the cadence in the target's input; `scheduledFor()` turns a fire back into the
 * time it stands for.
 */
export interface Cadence {
  /** The first fire (ISO 8601). */
  start: string;
  days: number;
  timeZone: string;
}

/** What a schedule delivers to its target (functions/scheduled/targets.ts), on AWS and locally alike. */
export interface ScheduledEvent {
  target: ScheduleTargetName;
  input: Record<string, unknown>;
  /** The time the fire was scheduled for (ISO 8601), not when it arrived: targets are idempotent on it. */
  scheduledTime: string;
}

/** What a schedule's target is given on AWS (the Scheduler target's Input): the event, and a day-based schedule's cadence. */
type TargetInput = ScheduledEvent & { cadence?: Cadence };

/** Scheduler's placeholder for the time a fire was scheduled for, filled in on each fire. */
const SCHEDULED_TIME = '<aws.scheduler.scheduled-time>';

/**
 * The time a fire stands for: the fire of a day-based schedule nearest to the time Scheduler
 * scheduled it for, counted in calendar days in its zone (Scheduler's fires drift at most an hour
 * from them, never half a day); any other fire's own time.
 */
/** The `n`th fire (from 0) of a day-based schedule, as its target is told it: `n × days` calendar days after the start, in its zone. */
const nthFire = (start: Date, days: number, timeZone: string, n: number): Date => plusDays(start, n * days, timeZone);

export const scheduledFor = (scheduledTime: Date, cadence?: Cadence): Date => {
  if (!cadence) return scheduledTime;
  const start = new Date(cadence.start);
  const fire = Math.round((scheduledTime.getTime() - start.getTime()) / (cadence.days * DAY_MS));
  return nthFire(start, cadence.days, cadence.timeZone, fire);
};

/** The number (from 0) of the last fire at most `end`; -1 when none is. */
const lastFireAtMost = (start: Date, days: number, timeZone: string, end: Date): number => {
  let n = Math.floor((end.getTime() - start.getTime()) / (days * DAY_MS)) + 1;
  while (n >= 0 && nthFire(start, days, timeZone, n) > end) n -= 1;
  return n;
};

const isValidDate = (date: Date): boolean => date instanceof Date && !Number.isNaN(date.getTime());

/**
 * What EventBridge Scheduler would refuse of a schedule, refused before it is sent, by every
 * implementation alike: a name that is not a valid schedule name, a target that is not one, a time
 * that is not one, a cadence of other than whole days, an end before the start, a zone that is not an
 * IANA zone, an input over 256 KiB. Answers the target's Input as the AWS adapter sends it.
 */
export const assertSchedulable = (spec: ScheduleSpec): string => {
  const refuse = (why: string): never => {
    throw new Error(`schedule ${JSON.stringify(spec.name)}: ${why}`);
  };
  if (!SCHEDULE_NAMES.isValid(spec.name)) refuse('not a valid schedule name (use scheduleName())');
  if (!(SCHEDULE_TARGET_NAMES as readonly string[]).includes(spec.target)) refuse(`no target ${spec.target}`);
  if (spec.timeZone !== undefined && !isTimeZone(spec.timeZone)) refuse(`no time zone ${spec.timeZone}`);
  const event: TargetInput = { target: spec.target, input: spec.input, scheduledTime: SCHEDULED_TIME };
  if ('at' in spec.timing) {
    if (!isValidDate(spec.timing.at)) refuse('its time is not a date');
    // The time itself, not Scheduler's placeholder: Scheduler's is whole seconds, and a time already past fires later.
    event.scheduledTime = spec.timing.at.toISOString();
  } else {
    const { days, start, end } = spec.timing.every;
    if (!Number.isInteger(days) || days < 1) refuse(`every ${days} days is not a whole number of days`);
    if (!isValidDate(start) || (end !== null && !isValidDate(end))) refuse('its start or end is not a date');
    if (end !== null && end < start) refuse('it ends before it starts');
    event.cadence = { start: start.toISOString(), days, timeZone: spec.timeZone ?? 'UTC' };
  }
  const json = JSON.stringify(event);
  if (Buffer.byteLength(json) > MAX_INPUT_BYTES) refuse(`its input is larger than Scheduler's ${MAX_INPUT_BYTES / 1024} KiB`);
  return json;
};

/**
 * Delivery of a fire to the target function. Scheduler invokes it asynchronously, so what is
 * retried here is the invocation (throttled, Lambda unavailable), not the target's work (Lambda's own
 * retries, then the same dead-letter queue: the Schedules construct). Decision: keep trying for a day,
 * Scheduler's longest, rather than lose a billing cycle to an hour of trouble: a target works from the
 * time the fire was scheduled for, so a late fire does the same work, and a day-based schedule's next
 * fire is at least a day later. 185 attempts is Scheduler's most; its backoff spreads them over the day.
 */
const RETRY_POLICY = { MaximumEventAgeInSeconds: 24 * 60 * 60, MaximumRetryAttempts: 185 };

/**
 * Decision: every fire within 15 minutes after its time (Scheduler's flexible window, never before
 * it), so that the profiles of one start date, or the late fees of the invoices due one day, do not
 * all fire in the same minute. A target does the same work 15 minutes late: it is given the time the
 * fire was scheduled for.
 */
const FLEXIBLE_TIME_WINDOW = { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 15 } as const;

/** How soon a one-time schedule may fire (at() takes whole seconds); one whose time is past fires then. */
const AT_LEAD_MS = 60_000;

/** `at(yyyy-mm-ddThh:mm:ss)` in UTC. */
const atExpression = (time: Date): string => `at(${time.toISOString().slice(0, 19)})`;

/**
 * The CreateSchedule (and UpdateSchedule: the same request, an update replaces everything) of a
 * spec, as of `now`; null when no fire of it is left. Fires before `now` are not delivered: Scheduler
 * refuses a StartDate more than 5 minutes past, so a day-based schedule starts at its next fire.
 */
const scheduleRequest = (
  spec: ScheduleSpec,
  { group, targetArn, roleArn, deadLetterArn }: ScheduleConfig,
  now: Date,
): CreateScheduleCommandInput | null => {
  const common = {
    Name: spec.name,
    GroupName: group,
    State: 'ENABLED',
    FlexibleTimeWindow: FLEXIBLE_TIME_WINDOW,
    Target: {
      Arn: targetArn,
      RoleArn: roleArn,
      Input: assertSchedulable(spec),
      RetryPolicy: RETRY_POLICY,
      DeadLetterConfig: { Arn: deadLetterArn },
    },
  } as const;
  if ('at' in spec.timing) {
    const at = Math.max(spec.timing.at.getTime(), now.getTime() + AT_LEAD_MS);
    return {
      ...common,
      // The time is an instant, exact in UTC: a wall time in a zone with daylight saving is ambiguous once a year.
      ScheduleExpression: atExpression(new Date(Math.ceil(at / 1000) * 1000)),
      ScheduleExpressionTimezone: 'UTC',
      ActionAfterCompletion: 'DELETE',
    };
  }
  const { days, start, end } = spec.timing.every;
  const timeZone = spec.timeZone ?? 'UTC';
  const period = days * DAY_MS;
  const first = Math.max(0, Math.ceil((now.getTime() - start.getTime()) / period));
  const last = end === null ? null : lastFireAtMost(start, days, timeZone, end);
  if (last !== null && last < first) return null;
  return {
    ...common,
    ScheduleExpression: days === 1 ? 'rate(1 day)' : `rate(${days} days)`,
    ScheduleExpressionTimezone: timeZone,
    StartDate: new Date(start.getTime() + first * period),
    // Half a period past Scheduler's last fire: that fire is in, the next one out, whatever the drift.
    ...(last === null
      ? { ActionAfterCompletion: 'NONE' }
      : { EndDate: new Date(start.getTime() + last * period + period / 2), ActionAfterCompletion: 'DELETE' }),
  };
};

/**
 * Schedules on EventBridge Scheduler, in the schedule group of `SCHEDULE_GROUP`, each invoking the
 * scheduled-target function (functions/scheduled/target.handler.ts) as the role Scheduler assumes,
 * with the dead-letter queue. A put creates the schedule, or updates it when it exists (`ConflictException`);
 * a spec with no fire left removes it. A removal of a schedule that is not there (`ResourceNotFoundException`:
 * never made, deleted after its last fire) is a no-op.
 */
export const eventBridgeScheduler = (client: SchedulerClient, clock: Clock = systemClock): Scheduler => {
  const remove = async (name: string): Promise<void> => {
    if (!SCHEDULE_NAMES.isValid(name)) throw new Error(`not a valid schedule name (use scheduleName()): ${JSON.stringify(name)}`);
    try {
      await client.send(new DeleteScheduleCommand({ Name: name, GroupName: scheduleConfig().group }));
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
  };
  return {
    async put(spec) {
      const request = scheduleRequest(spec, scheduleConfig(), clock.now());
      if (!request) return remove(spec.name);
      try {
        await client.send(new CreateScheduleCommand(request));
      } catch (error) {
        if (!(error instanceof ConflictException)) throw error;
        await client.send(new UpdateScheduleCommand(request));
      }
    },
    remove,
  };
};

let provided: Scheduler | undefined;

/** The local stack's scheduler takes the place of EventBridge Scheduler for this process. */
export const provideScheduler = (scheduler: Scheduler): void => {
  provided = scheduler;
};

/** The one Scheduler of a process: the local scheduler when the local stack provided it, EventBridge Scheduler otherwise. */
export const scheduler = (): Scheduler => {
  provided ??= eventBridgeScheduler(new SchedulerClient({ region: config().region }));
  return provided;
};
