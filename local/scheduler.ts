import { DateTime } from 'luxon';
import { assertSchedulable, type Scheduler, type ScheduleSpec } from '../functions/adapters/scheduler.js';
import type { ScheduledEvent } from '../functions/adapters/scheduler.js';
import type { TargetRegistry } from '../functions/scheduled/targets.js';
import { logger } from '../functions/shared/logger.js';
import {
  deleteSchedule,
  firstDueSchedule,
  getSchedule,
  recordDeadLetteredFire,
  saveSchedule,
  type ScheduleRecord,
} from '../functions/store/schedule.store.js';
import { testClock, type MovableClock } from './test-clock.js';
import { metered } from './usage.js';

/** How often the local stack looks for due schedules. */
export const POLL_MS = 1000;

/** Attempts of one fire before it is dead-lettered, and the first pause between two (doubled each time). */
export interface RetryPolicy {
  attempts: number;
  backoffMs: number;
}

/** Scheduler retries a failed invocation with backoff, then sends it to the dead-letter queue; locally in seconds, not hours. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, backoffMs: 250 };

export interface LocalSchedulerOptions {
  /** The use case each target name runs (default in the stack: functions/scheduled/targets.ts). */
  targets: TargetRegistry;
  /** What decides when a fire is due, moved by `advance` (default: the test clock). */
  clock?: MovableClock;
  /** What a clock move waits for before it goes on after each fire: the work a fire started (the workflow runner's `idle`). */
  settle?: () => Promise<void>;
  pollMs?: number;
  retry?: RetryPolicy;
}

/** EventBridge Scheduler in process, for the local stack: its schedules live in the table. */
export interface LocalScheduler extends Scheduler {
  /** Fires what is due now, then looks again every `pollMs` until stopped. */
  start(): void;
  /**
   * Moves the clock forward to `to(now)` (never before `now`: what fired cannot un-fire), firing on
   * the way every occurrence due by then, in time order across all schedules, those a fire puts
   * meanwhile included: the clock is moved to each fire's time before it, and `settle` is waited for
   * after it. Resolves with the clock's time once there. `to` may throw to refuse the move.
   */
  advance(to: (now: Date) => Date): Promise<Date>;
  /** Lets the fire in flight end and be recorded, and fires nothing more. */
  stop(): Promise<void>;
}

const DAY_MS = 86_400_000;

/**
 * The first occurrence of the schedule after `after` (without one, its first), as an ISO time (all
 * of one format: they sort in time order); undefined when none is left. `every` keeps the start's
 * time of day in the schedule's zone, as the AWS adapter's `scheduledFor` does.
 */
export const nextOccurrence = ({ timing, timeZone = 'UTC' }: Pick<ScheduleSpec, 'timing' | 'timeZone'>, after?: string) => {
  if ('at' in timing) {
    const at = timing.at.toISOString();
    return after === undefined || at > after ? at : undefined;
  }
  const { days, start, end } = timing.every;
  const first = DateTime.fromJSDate(start, { zone: timeZone });
  const occurrence = (k: number): string =>
    first
      .plus({ days: k * days })
      .toJSDate()
      .toISOString();
  // Close below the answer at once (a day in a zone with summer time is 23 to 25 hours), then up to it.
  let k = after === undefined ? 0 : Math.max(0, Math.floor((Date.parse(after) - first.toMillis()) / (days * DAY_MS)) - 1);
  while (after !== undefined && occurrence(k) <= after) k++;
  const next = occurrence(k);
  return end === null || next <= end.toISOString() ? next : undefined;
};

/** The later of two ISO times (of one format), either absent. */
const later = (a?: string, b?: string): string | undefined => (a === undefined || (b !== undefined && b > a) ? b : a);

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const errorOf = (error: unknown): { error: string; cause: string } =>
  error instanceof Error ? { error: error.name, cause: error.message } : { error: 'Error', cause: String(error) };

/**
 * Keeps its schedules in the table (functions/store/schedule.store.ts), listed by their next fire,
 * and fires each occurrence once, in time order, once the clock has reached it: a restart fires
 * what fell due meanwhile, each once. A fire is recorded as done only after its target returned
 * (cut off, it fires again: targets are idempotent on the scheduled time); one that fails every
 * attempt is dead-lettered and done. A schedule with no occurrence left is deleted (`at`:
 * ActionAfterCompletion DELETE).
 */
export const localScheduler = (options: LocalSchedulerOptions): LocalScheduler => {
  const { targets, clock = testClock, settle = async () => undefined, pollMs = POLL_MS, retry = DEFAULT_RETRY } = options;
  let stopping = false;
  let timer: NodeJS.Timeout | undefined;
  // One thing fires at a time, in time order: the poller and the clock's moves take turns.
  let turn: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
    const run = turn.then(work);
    turn = run.catch(() => undefined);
    return run;
  };

  /**
   * Writes what `change` makes of the stored schedule (null: none left, deleted), on condition of
   * the version it read; a put meanwhile makes it read again, so neither write is lost.
   */
  const rewrite = async (name: string, change: (current?: ScheduleRecord) => Omit<ScheduleRecord, 'version'> | null) => {
    for (;;) {
      const current = await getSchedule(name);
      const next = change(current);
      const written = next
        ? await saveSchedule({ ...next, version: (current?.version ?? 0) + 1 }, current?.version)
        : !current || (await deleteSchedule(name, current.version));
      if (written) return;
    }
  };

  /** The schedule from its first occurrence after `lastFiredAt` (and after `after`) on; none left, null. */
  const scheduled = (spec: ScheduleSpec, lastFiredAt?: string, after?: string): Omit<ScheduleRecord, 'version'> | null => {
    const nextFireAt = nextOccurrence(spec, later(lastFiredAt, after));
    return nextFireAt ? { spec, nextFireAt, ...(lastFiredAt ? { lastFiredAt } : {}) } : null;
  };

  /** Runs the target as Scheduler would (the same event, through JSON), retrying; false when stopped before it ended. */
  const fire = async ({ spec, nextFireAt }: ScheduleRecord): Promise<boolean> => {
    const delivered: ScheduledEvent = { target: spec.target, input: spec.input, scheduledTime: nextFireAt };
    const event = JSON.parse(JSON.stringify(delivered)) as ScheduledEvent;
    const about = { schedule: spec.name, target: spec.target, scheduledTime: nextFireAt };
    for (let attempt = 1; ; attempt++) {
      try {
        const target = targets[event.target];
        if (!target) throw new Error(`no target is named ${event.target}`);
        await metered('scheduled', () => target(event.input, new Date(event.scheduledTime)));
        return true;
      } catch (error) {
        if (attempt >= retry.attempts) {
          const failure = errorOf(error);
          await recordDeadLetteredFire({
            name: spec.name,
            ...event,
            attempts: attempt,
            ...failure,
            deadLetteredAt: clock.now().toISOString(),
          });
          logger.error('schedule fire dead-lettered', { ...about, attempts: attempt, ...failure });
          return true;
        }
        logger.warn('schedule fire failed; retrying', { ...about, attempt, ...errorOf(error) });
        await sleep(retry.backoffMs * 2 ** (attempt - 1));
        if (stopping) return false;
      }
    }
  };

  /** Fires every occurrence due at or before `until`, first due first, until none is left or the scheduler stops. */
  const fireDue = async (until: Date, around?: { before(time: Date): Promise<void>; after(): Promise<void> }) => {
    while (!stopping) {
      const due = await firstDueSchedule(until.toISOString());
      if (!due) return;
      const record = await getSchedule(due.name);
      // Put or removed since the index was read: it is read again.
      if (record?.nextFireAt !== due.nextFireAt) continue;
      await around?.before(new Date(record.nextFireAt));
      if (!(await fire(record))) return;
      // Removed meanwhile, it stays removed; put meanwhile, it goes on from its new timing.
      await rewrite(record.spec.name, (current) =>
        current ? scheduled(current.spec, later(current.lastFiredAt, record.nextFireAt)) : null,
      );
      await around?.after();
    }
  };

  const forwardTo = async (time: Date): Promise<void> => {
    if (time > clock.now()) await clock.moveTo(time);
  };

  const poll = (delay: number): void => {
    timer = setTimeout(() => {
      exclusive(() => fireDue(clock.now()))
        .catch((error: unknown) => logger.error('due schedules not fired', { error: error as Error }))
        .finally(() => !stopping && poll(pollMs));
    }, delay);
  };

  return {
    async put(spec) {
      // What EventBridge Scheduler would refuse, refused as the AWS adapter refuses it.
      assertSchedulable(spec);
      // As on AWS, a day-based schedule starts at its first occurrence from now on (a past `at` fires
      // at once); and what it fired already it never fires again, whatever the new timing.
      const before = 'every' in spec.timing ? new Date(clock.now().getTime() - 1).toISOString() : undefined;
      await rewrite(spec.name, (current) => scheduled(spec, current?.lastFiredAt, before));
    },

    async remove(name) {
      await deleteSchedule(name);
    },

    start() {
      if (!stopping && !timer) poll(0);
    },

    advance(to) {
      return exclusive(async () => {
        // What began before the move ends at the time it began.
        await settle();
        const now = clock.now();
        const target = to(now);
        if (target < now) throw new Error(`the clock cannot go back from ${now.toISOString()} to ${target.toISOString()}`);
        await fireDue(target, { before: forwardTo, after: settle });
        // Stopped part-way, the clock stays at the last fire: what is left fires after a restart.
        if (!stopping) await forwardTo(target);
        return clock.now();
      });
    },

    async stop() {
      stopping = true;
      clearTimeout(timer);
      await turn;
    },
  };
};
