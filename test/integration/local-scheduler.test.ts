import { ulid } from 'ulid';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { SCHEDULE_TARGET_NAMES, type ScheduleSpec, type ScheduleTiming } from '../../functions/adapters/scheduler.js';
import type { TargetRegistry } from '../../functions/scheduled/targets.js';
import { logger } from '../../functions/shared/logger.js';
import { deadLetteredFires, deleteSchedule, getSchedule } from '../../functions/store/schedule.store.js';
import { ensureTable, startDynamo, type LocalDynamo } from '../../local/dynamodb.js';
import { localScheduler, nextOccurrence, type LocalScheduler, type LocalSchedulerOptions } from '../../local/scheduler.js';
import { freePort, TABLE_NAME } from '../../local/stack.js';
import type { MovableClock } from '../../local/test-clock.js';
import { eventually } from '../support/portal.js';

// The scheduler fires every schedule of its table: this file has a DynamoDB Local of its own, so
// that the run's shared stack never fires these schedules, nor these tests its schedules.
let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startDynamo(await freePort(), null);
  await ensureTable(dynamo.endpoint, TABLE_NAME);
  process.env.DYNAMODB_ENDPOINT = dynamo.endpoint;
}, 60_000);
afterAll(() => dynamo?.stop());

const DAY = 86_400_000;
const BASE = Date.parse('2031-01-01T09:00:00.000Z');
const at = (days: number): Date => new Date(BASE + days * DAY);
const iso = (days: number): string => at(days).toISOString();

/** A clock that stands still but where it is moved, and records where. */
const frozenClock = (start = at(0)) => {
  let now = start;
  const moves: string[] = [];
  const clock: MovableClock = {
    now: () => now,
    async moveTo(time) {
      moves.push(time.toISOString());
      now = time;
    },
  };
  return { clock, moves, set: (time: Date) => (now = time) };
};

interface Behaviour {
  key: string;
  /** Fails its first `failures` attempts (per scheduled time); -1: every attempt. */
  failures?: number;
  /** Puts this schedule when it fires. */
  then?: ScheduleSpec;
  /** Removes the schedule of this name when it fires. */
  remove?: string;
  /** Holds the fire until the test lets it go. */
  hold?: boolean;
}

interface Fire {
  key: string;
  scheduledTime: string;
  /** The clock when the target ran. */
  now: string;
}

/** A spec as a target's input carries it: its times as JSON made them. */
const revived = (json: ScheduleSpec): ScheduleSpec => {
  const timing = json.timing as unknown as { at: string } | { every: { days: number; start: string; end: string | null } };
  return {
    ...json,
    timing:
      'at' in timing
        ? { at: new Date(timing.at) }
        : {
            every: {
              ...timing.every,
              start: new Date(timing.every.start),
              end: timing.every.end ? new Date(timing.every.end) : null,
            },
          },
  };
};

/** Every target records its fires (by the key in its input) and does what the input says. */
const recordingTargets = (getScheduler: () => LocalScheduler, clock: MovableClock) => {
  const fires: Fire[] = [];
  const attempts = new Map<string, number>();
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  let holding: () => void = () => undefined;
  const reachedHold = new Promise<void>((resolve) => (holding = resolve));
  const target = async (input: Record<string, unknown>, scheduledTime: Date) => {
    const { key, failures = 0, then, remove, hold } = input as unknown as Behaviour;
    const attempt = `${key}@${scheduledTime.toISOString()}`;
    attempts.set(attempt, (attempts.get(attempt) ?? 0) + 1);
    if (failures === -1 || attempts.get(attempt)! <= failures) throw new Error(`target of ${key} failed`);
    if (hold) {
      holding();
      await held;
    }
    fires.push({ key, scheduledTime: scheduledTime.toISOString(), now: clock.now().toISOString() });
    if (then) await getScheduler().put(revived(then));
    if (remove) await getScheduler().remove(remove);
  };
  const targets = Object.fromEntries(SCHEDULE_TARGET_NAMES.map((name) => [name, target])) as TargetRegistry;
  return {
    targets,
    release,
    reachedHold,
    /** The fires of the keys, in the order they were made. */
    firesOf: (...keys: string[]) => fires.filter((fire) => keys.includes(fire.key)),
    attemptsOf: (key: string, scheduledTime: string) => attempts.get(`${key}@${scheduledTime}`) ?? 0,
  };
};

// Every name a test schedules, removed after it: what a test leaves due would fire in the next one's moves.
const named = new Set<string>();

const spec = (name: string, timing: ScheduleTiming, input: Behaviour, timeZone?: string): ScheduleSpec => ({
  name: named.add(name) && name,
  target: 'approval-reminder',
  input: input as unknown as Record<string, unknown>,
  timing,
  ...(timeZone ? { timeZone } : {}),
});

const made: LocalScheduler[] = [];
afterEach(async () => {
  await Promise.all(made.splice(0).map((s) => s.stop()));
  await Promise.all([...named].map((name) => deleteSchedule(name)));
  named.clear();
  vi.restoreAllMocks();
});

/** A scheduler on a frozen clock with recording targets; retries are quick. */
const newScheduler = (options: Partial<LocalSchedulerOptions> = {}, clockAt = at(0)) => {
  const frozen = frozenClock(clockAt);
  let scheduler: LocalScheduler;
  const recording = recordingTargets(() => scheduler, frozen.clock);
  scheduler = localScheduler({
    targets: recording.targets,
    clock: frozen.clock,
    retry: { attempts: 3, backoffMs: 5 },
    ...options,
  });
  made.push(scheduler);
  return { scheduler, ...frozen, ...recording };
};

const unique = () => ulid().toLowerCase();

describe('the local scheduler', () => {
  it('fires an every-15-days schedule of 3 cycles exactly 3 times, each at its time, as the clock moves 60 days; then it is gone', async () => {
    // Prepare
    const { scheduler, firesOf, moves } = newScheduler();
    const name = `tab-${unique()}`;
    await scheduler.put(spec(name, { every: { days: 15, start: at(1), end: at(31) } }, { key: name }));
    // Act
    const now = await scheduler.advance((from) => new Date(from.getTime() + 60 * DAY));
    // Assess
    expect(firesOf(name)).toEqual([
      { key: name, scheduledTime: iso(1), now: iso(1) },
      { key: name, scheduledTime: iso(16), now: iso(16) },
      { key: name, scheduledTime: iso(31), now: iso(31) },
    ]);
    expect(now.toISOString()).toBe(iso(60));
    expect(moves).toEqual([iso(1), iso(16), iso(31), iso(60)]);
    expect(await getSchedule(name)).toBeUndefined();
  });

  it('fires an at schedule once, then deletes it: a later move fires nothing', async () => {
    // Prepare
    const { scheduler, firesOf } = newScheduler();
    const name = `fee-${unique()}`;
    await scheduler.put(spec(name, { at: at(22) }, { key: name }));
    const stored = await getSchedule(name);
    // Act
    await scheduler.advance(() => at(30));
    const gone = await getSchedule(name);
    await scheduler.advance(() => at(90));
    // Assess
    expect(stored).toMatchObject({ nextFireAt: iso(22) });
    expect(firesOf(name)).toEqual([{ key: name, scheduledTime: iso(22), now: iso(22) }]);
    expect(gone).toBeUndefined();
  });

  it('fires, in the same move and in time order, a schedule that a fire puts, among the others', async () => {
    // Prepare: A at day 5 puts C at day 12; B at day 10, D at day 20
    const { scheduler, firesOf } = newScheduler();
    const id = unique();
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((n) => `${n}-${id}`) as [string, string, string, string];
    await scheduler.put(spec(d, { at: at(20) }, { key: d }));
    await scheduler.put(spec(b, { at: at(10) }, { key: b }));
    await scheduler.put(spec(a, { at: at(5) }, { key: a, then: spec(c, { at: at(12) }, { key: c }) }));
    // Act
    await scheduler.advance(() => at(60));
    // Assess
    expect(firesOf(a, b, c, d)).toEqual([
      { key: a, scheduledTime: iso(5), now: iso(5) },
      { key: b, scheduledTime: iso(10), now: iso(10) },
      { key: c, scheduledTime: iso(12), now: iso(12) },
      { key: d, scheduledTime: iso(20), now: iso(20) },
    ]);
  });

  it('fires at once, in the move, a schedule put for a time already past', async () => {
    // Prepare: A at day 5 puts C for day 2, before A's own time
    const { scheduler, firesOf } = newScheduler();
    const id = unique();
    const [a, c] = [`a-${id}`, `c-${id}`];
    await scheduler.put(spec(a, { at: at(5) }, { key: a, then: spec(c, { at: at(2) }, { key: c }) }));
    // Act
    await scheduler.advance(() => at(6));
    // Assess: the clock never goes back for it
    expect(firesOf(a, c)).toEqual([
      { key: a, scheduledTime: iso(5), now: iso(5) },
      { key: c, scheduledTime: iso(2), now: iso(5) },
    ]);
  });

  it('waits after each fire of a move for what the fire started (settle)', async () => {
    // Prepare: settle takes a while; the next fire must not begin before it ends
    const events: string[] = [];
    const { scheduler, firesOf } = newScheduler({
      settle: async () => {
        events.push('settling');
        await new Promise((resolve) => setTimeout(resolve, 20));
        events.push('settled');
      },
    });
    const id = unique();
    await scheduler.put(spec(`a-${id}`, { at: at(1) }, { key: `a-${id}` }));
    await scheduler.put(spec(`b-${id}`, { at: at(2) }, { key: `b-${id}` }));
    // Act
    await scheduler.advance(() => at(3));
    // Assess: settled before the move, after A, after B
    expect(firesOf(`a-${id}`, `b-${id}`)).toHaveLength(2);
    expect(events).toEqual(['settling', 'settled', 'settling', 'settled', 'settling', 'settled']);
  });

  it('retries a failing target, then dead-letters the fire (kept, logged) without holding up the others', async () => {
    // Prepare: A always fails, B fails once then works, C works; A comes first
    const { scheduler, firesOf, attemptsOf } = newScheduler();
    const errors = vi.spyOn(logger, 'error');
    const id = unique();
    const [a, b, c] = [`a-${id}`, `b-${id}`, `c-${id}`];
    await scheduler.put(spec(a, { at: at(1) }, { key: a, failures: -1 }));
    await scheduler.put(spec(b, { at: at(2) }, { key: b, failures: 1 }));
    await scheduler.put(spec(c, { at: at(3) }, { key: c }));
    // Act
    await scheduler.advance(() => at(10));
    // Assess
    expect(attemptsOf(a, iso(1))).toBe(3);
    expect(attemptsOf(b, iso(2))).toBe(2);
    expect(firesOf(a, b, c)).toEqual([
      { key: b, scheduledTime: iso(2), now: iso(2) },
      { key: c, scheduledTime: iso(3), now: iso(3) },
    ]);
    const dead = (await deadLetteredFires()).filter((fire) => fire.name.endsWith(id));
    expect(dead).toEqual([
      {
        name: a,
        target: 'approval-reminder',
        input: { key: a, failures: -1 },
        scheduledTime: iso(1),
        attempts: 3,
        error: 'Error',
        cause: `target of ${a} failed`,
        deadLetteredAt: iso(1),
      },
    ]);
    expect(errors).toHaveBeenCalledWith('schedule fire dead-lettered', expect.objectContaining({ schedule: a, attempts: 3 }));
    expect(await getSchedule(a)).toBeUndefined();
  });

  it('fires nothing more of a schedule once it is removed', async () => {
    // Prepare: every 10 days, until cancelled
    const { scheduler, firesOf } = newScheduler();
    const name = `tab-${unique()}`;
    await scheduler.put(spec(name, { every: { days: 10, start: at(1), end: null } }, { key: name }));
    await scheduler.advance(() => at(15));
    // Act
    await scheduler.remove(name);
    await scheduler.advance(() => at(60));
    // Assess
    expect(firesOf(name).map((fire) => fire.scheduledTime)).toEqual([iso(1), iso(11)]);
    expect(await getSchedule(name)).toBeUndefined();
  });

  it('leaves removed a schedule removed while it fires: its fire does not bring it back', async () => {
    // Prepare: a tab every 10 days whose first fire removes it (a profile cancelled meanwhile)
    const { scheduler, firesOf } = newScheduler();
    const name = `tab-${unique()}`;
    await scheduler.put(spec(name, { every: { days: 10, start: at(1), end: null } }, { key: name, remove: name }));
    // Act
    await scheduler.advance(() => at(40));
    // Assess
    expect(firesOf(name).map((fire) => fire.scheduledTime)).toEqual([iso(1)]);
    expect(await getSchedule(name)).toBeUndefined();
  });

  it('updates a schedule put again under its name, to its new timing', async () => {
    // Prepare
    const { scheduler, firesOf } = newScheduler();
    const name = `fee-${unique()}`;
    await scheduler.put(spec(name, { at: at(5) }, { key: name }));
    // Act
    await scheduler.put(spec(name, { at: at(8) }, { key: name }));
    await scheduler.advance(() => at(30));
    // Assess
    expect(firesOf(name).map((fire) => fire.scheduledTime)).toEqual([iso(8)]);
  });

  it('never fires an occurrence twice, when the schedule is put again at the time it fired', async () => {
    // Prepare: a tab every 10 days from day 1; at that same time B fires and puts the tab again, as it was
    const { scheduler, firesOf } = newScheduler();
    const id = unique();
    const [tab, b] = [`a-tab-${id}`, `b-${id}`];
    const every = spec(tab, { every: { days: 10, start: at(1), end: at(21) } }, { key: tab });
    await scheduler.put(every);
    await scheduler.put(spec(b, { at: at(1) }, { key: b, then: every }));
    // Act
    await scheduler.advance(() => at(30));
    // Assess
    expect(firesOf(tab, b)).toEqual([
      { key: tab, scheduledTime: iso(1), now: iso(1) },
      { key: b, scheduledTime: iso(1), now: iso(1) },
      { key: tab, scheduledTime: iso(11), now: iso(11) },
      { key: tab, scheduledTime: iso(21), now: iso(21) },
    ]);
  });

  it('starts a day-based schedule put with a past start at its first occurrence from now on, as EventBridge Scheduler does', async () => {
    // Prepare: every 15 days from 20 days ago
    const { scheduler, firesOf } = newScheduler();
    const name = `tab-${unique()}`;
    await scheduler.put(spec(name, { every: { days: 15, start: at(-20), end: null } }, { key: name }));
    // Act
    await scheduler.advance(() => at(12));
    // Assess
    expect(firesOf(name).map((fire) => fire.scheduledTime)).toEqual([iso(10)]);
  });

  it('records a fire as done only once its target returned: cut off, the fire is still due', async () => {
    // Prepare
    const { scheduler, release, reachedHold } = newScheduler();
    const name = `held-${unique()}`;
    await scheduler.put(spec(name, { every: { days: 15, start: at(1), end: null } }, { key: name, hold: true }));
    // Act
    const moving = scheduler.advance(() => at(2));
    await reachedHold;
    const inFlight = await getSchedule(name);
    release();
    await moving;
    // Assess
    expect(inFlight).toMatchObject({ nextFireAt: iso(1) });
    expect(await getSchedule(name)).toMatchObject({ nextFireAt: iso(16), lastFiredAt: iso(1) });
  });

  it('stop() lets the fire in flight end and be recorded, and fires nothing more', async () => {
    // Prepare: A is held as it fires; B is due after it
    const { scheduler, release, reachedHold, firesOf } = newScheduler();
    const id = unique();
    const [a, b] = [`a-${id}`, `b-${id}`];
    await scheduler.put(spec(a, { at: at(1) }, { key: a, hold: true }));
    await scheduler.put(spec(b, { at: at(2) }, { key: b }));
    const moving = scheduler.advance(() => at(3));
    await reachedHold;
    // Act
    const stopped = scheduler.stop();
    release();
    await stopped;
    await moving;
    // Assess
    expect(firesOf(a, b).map((fire) => fire.key)).toEqual([a]);
    expect(await getSchedule(a)).toBeUndefined();
    expect(await getSchedule(b)).toMatchObject({ nextFireAt: iso(2) });
  });

  it('polls: fires what the clock says is due, and after a stop a new scheduler catches up every missed occurrence once, in order', async () => {
    // Prepare: a daily schedule; the first scheduler polls, then stops (the stack goes down)
    const first = newScheduler({ pollMs: 20 });
    const name = `daily-${unique()}`;
    await first.scheduler.put(spec(name, { every: { days: 1, start: at(1), end: at(10) } }, { key: name }));
    first.set(at(1.5));
    first.scheduler.start();
    await eventually(async () => (first.firesOf(name).length ? true : undefined), 'the first fire');
    await first.scheduler.stop();
    // Act: 3.5 days later, a new scheduler (the stack started again) polls
    const second = newScheduler({ pollMs: 20 }, at(5));
    second.scheduler.start();
    const caughtUp = await eventually(
      async () => (second.firesOf(name).length >= 4 ? second.firesOf(name) : undefined),
      'catch-up',
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    // Assess
    expect(first.firesOf(name).map((fire) => fire.scheduledTime)).toEqual([iso(1)]);
    expect(caughtUp.map((fire) => fire.scheduledTime)).toEqual([iso(2), iso(3), iso(4), iso(5)]);
    expect(second.firesOf(name)).toHaveLength(4);
    expect(await getSchedule(name)).toMatchObject({ nextFireAt: iso(6) });
  });

  it('refuses a move back in time, and one that its caller refuses, firing nothing', async () => {
    // Prepare
    const { scheduler, firesOf } = newScheduler({}, at(10));
    const name = `fee-${unique()}`;
    await scheduler.put(spec(name, { at: at(11) }, { key: name }));
    // Act
    const back = await scheduler.advance(() => at(9)).catch((error: Error) => error);
    const refused = await scheduler
      .advance(() => {
        throw new Error('no');
      })
      .catch((error: Error) => error);
    // Assess
    expect(back).toBeInstanceOf(Error);
    expect((back as Error).message).toMatch(/cannot go back/);
    expect((refused as Error).message).toBe('no');
    expect(firesOf(name)).toEqual([]);
    expect(await getSchedule(name)).toMatchObject({ nextFireAt: iso(11) });
  });

  it('refuses what EventBridge Scheduler would refuse, writing nothing', async () => {
    // Prepare
    const { scheduler } = newScheduler();
    const good = spec(`ok-${unique()}`, { at: at(1) }, { key: 'k' });
    // Act
    const refusals = await Promise.all(
      [
        { ...good, name: 'not a name!' },
        { ...good, name: 'x'.repeat(65) },
        { ...good, target: 'no-such-target' as ScheduleSpec['target'] },
        { ...good, timing: { every: { days: 1.5, start: at(1), end: null } } },
        { ...good, timing: { every: { days: 1, start: at(2), end: at(1) } } },
        { ...good, timing: { at: new Date(Number.NaN) } },
        { ...good, timeZone: 'Mars/Olympus' },
        { ...good, input: { big: 'x'.repeat(256 * 1024) } },
      ].map((bad) =>
        scheduler.put(bad).then(
          () => 'accepted',
          (error: Error) => error.message,
        ),
      ),
    );
    // Assess
    for (const refusal of refusals) expect(refusal).toMatch(/^schedule /);
    expect(await getSchedule(good.name)).toBeUndefined();
  });
});

describe('occurrences', () => {
  it('keep the start time of day in the schedule zone across a change of summer time', () => {
    // Prepare: daily at midnight in Berlin, over the night clocks go forward (29 March 2026)
    const timing = { every: { days: 1, start: new Date('2026-03-27T23:00:00.000Z'), end: null } };
    // Act
    const second = nextOccurrence({ timing, timeZone: 'Europe/Berlin' }, '2026-03-27T23:00:00.000Z');
    const third = nextOccurrence({ timing, timeZone: 'Europe/Berlin' }, second);
    const inUtc = nextOccurrence({ timing }, '2026-03-28T23:00:00.000Z');
    // Assess
    expect([second, third]).toEqual(['2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z']);
    expect(inUtc).toBe('2026-03-29T23:00:00.000Z');
  });

  it('end at the last occurrence at most the end', () => {
    const timing = { every: { days: 15, start: at(0), end: at(29) } };
    expect(nextOccurrence({ timing })).toBe(iso(0));
    expect(nextOccurrence({ timing }, iso(0))).toBe(iso(15));
    expect(nextOccurrence({ timing }, iso(15))).toBeUndefined();
  });
});
