import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clock } from '../../functions/adapters/clock.js';
import { scheduler, SCHEDULE_TARGET_NAMES } from '../../functions/adapters/scheduler.js';
import type { TargetRegistry } from '../../functions/scheduled/targets.js';
import { getSchedule } from '../../functions/store/schedule.store.js';
import { freePort, startLocalStack, type LocalStack } from '../../local/stack.js';
import type { ApiClient } from '../support/api.js';
import { draft, issue, jobWithCharges } from '../support/billing.js';
import { eventually } from '../support/portal.js';
import { startStackProcess } from '../support/stack-process.js';

const DAY = 86_400_000;

// The clock is the stack's: these tests move the clock of a stack of their own, never the run's.
let stack: LocalStack;
const fires: { target: string; input: Record<string, unknown>; scheduledTime: string; now: string }[] = [];
const recording = Object.fromEntries(
  SCHEDULE_TARGET_NAMES.map((target) => [
    target,
    async (input: Record<string, unknown>, scheduledTime: Date) => {
      fires.push({ target, input, scheduledTime: scheduledTime.toISOString(), now: clock.now().toISOString() });
    },
  ]),
) as TargetRegistry;

beforeAll(async () => {
  stack = await startLocalStack({ port: 0, dataDir: null, sesPort: 0, scheduleTargets: recording });
}, 60_000);
afterAll(() => stack?.stop());

const send = async (method: string, path: string, body?: unknown, apiKey?: string, base = stack.apiUrl) => {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
};

const readClock = async (base?: string) => (await send('GET', '/local/clock', undefined, undefined, base)).body;
const moveClock = (body: unknown, base?: string) => send('POST', '/local/clock', body, undefined, base);

const tenantOf = async (): Promise<ApiClient> => {
  const { body } = await send('POST', '/local/tenants', { name: 'Clock tenant', defaultCurrency: 'EUR' });
  return {
    tenantId: body.tenantId,
    apiKey: body.apiKey,
    request: (method, path, requestBody) => send(method, path, requestBody, body.apiKey),
  };
};

describe('the test clock over HTTP', () => {
  it('GET /local/clock reads the time and how far ahead of real time it runs; POST advance moves it by an ISO duration', async () => {
    // Prepare
    const before = await readClock();
    // Act
    const moved = await moveClock({ advance: 'P15D' });
    const after = await readClock();
    // Assess
    expect(Object.keys(before).sort()).toEqual(['now', 'offset']);
    expect(moved.status).toBe(200);
    expect(Object.keys(moved.body)).toEqual(['now']);
    const movedBy = Date.parse(moved.body.now) - Date.parse(before.now);
    expect(movedBy).toBeGreaterThanOrEqual(15 * DAY);
    expect(movedBy).toBeLessThan(15 * DAY + 5000);
    expect(Date.parse(after.now)).toBeGreaterThanOrEqual(Date.parse(moved.body.now));
    expect(after.offset).toBe('P15D');
    expect(Date.parse(after.now) - Date.now()).toBeGreaterThan(15 * DAY - 5000);
  });

  it('POST set moves it to a time; a time before now is refused 422 CLOCK_BACKWARDS naming set, and the clock stays', async () => {
    // Prepare
    const { now } = await readClock();
    const to = new Date(Date.parse(now) + 3 * DAY).toISOString();
    // Act
    const set = await moveClock({ set: to });
    const back = await moveClock({ set: now });
    const after = await readClock();
    // Assess
    expect(set.status).toBe(200);
    expect(Date.parse(set.body.now)).toBeGreaterThanOrEqual(Date.parse(to));
    expect(Date.parse(set.body.now)).toBeLessThan(Date.parse(to) + 5000);
    expect(back.status).toBe(422);
    expect(back.headers.get('content-type')).toBe('application/problem+json');
    expect(back.body).toMatchObject({ status: 422, code: 'CLOCK_BACKWARDS', errors: [{ field: 'set', code: 'before_now' }] });
    expect(Date.parse(after.now)).toBeGreaterThanOrEqual(Date.parse(to));
  });

  it('takes an offset in set, and refuses a move past ten years ahead with 422 CLOCK_TOO_FAR', async () => {
    // Prepare
    const { now } = await readClock();
    const inTwoDays = new Date(Date.parse(now) + 2 * DAY);
    const withOffset = `${new Date(inTwoDays.getTime() + 2 * 3_600_000).toISOString().slice(0, 19)}+02:00`;
    // Act
    const set = await moveClock({ set: withOffset });
    const tooFar = await moveClock({ advance: 'P11Y' });
    // Assess
    expect(set.status).toBe(200);
    expect(Math.abs(Date.parse(set.body.now) - inTwoDays.getTime())).toBeLessThan(5000);
    expect(tooFar.status).toBe(422);
    expect(tooFar.body).toMatchObject({ code: 'CLOCK_TOO_FAR', errors: [{ field: 'advance', code: 'too_far' }] });
  });

  it.each([
    [{ advance: 'fifteen days' }, 'advance'],
    [{ advance: 'P' }, 'advance'],
    [{ advance: 'PT' }, 'advance'],
    [{ advance: '-P1D' }, 'advance'],
    [{ advance: 'P-1D' }, 'advance'],
    [{ advance: 15 }, 'advance'],
    [{ set: '2031-02-30T00:00:00Z' }, 'set'],
    [{ set: '2031-02-01' }, 'set'],
    [{ set: '2031-02-01T00:00:00' }, 'set'],
    [{}, 'advance'],
    [{ advance: 'P1D', set: '2031-02-01T00:00:00Z' }, 'advance'],
    [{ advance: 'P1D', by: 'me' }, 'by'],
  ])('refuses %j with 400 naming %s, and the clock stays', async (body, field) => {
    // Prepare
    const before = await readClock();
    // Act
    const response = await moveClock(body);
    const after = await readClock();
    // Assess
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [expect.objectContaining({ field })] });
    expect(Date.parse(after.now) - Date.parse(before.now)).toBeLessThan(5000);
  });

  it('moves the time the API reads: an invoice issued after an advance is dated the advanced day', async () => {
    // Prepare
    const api = await tenantOf();
    const { job } = await jobWithCharges([{ description: 'Work', quantity: '1', unitPrice: '100.00' }], {}, api);
    const invoice = await draft(api, job.id, { policy: 'deposit', amount: '10.00' });
    // Act
    const { body } = await moveClock({ advance: 'P40D' });
    const issued = await issue(api, invoice.id);
    // Assess
    expect(issued.issueDate).toBe(body.now.slice(0, 10));
    expect(issued.issueDate > new Date(Date.now() + 39 * DAY).toISOString().slice(0, 10)).toBe(true);
  });

  it('fires, as it moves, each occurrence once at its time: an every-15-days schedule of 3 cycles 3 times in 60 days, then gone', async () => {
    // Prepare
    const { now } = await readClock();
    const start = new Date(Date.parse(now) + DAY);
    const name = `clock-tab-${Date.now()}`;
    await scheduler().put({
      name,
      target: 'approval-reminder',
      input: { tab: name },
      timing: { every: { days: 15, start, end: new Date(start.getTime() + 30 * DAY) } },
    });
    // Act
    const moved = await moveClock({ advance: 'P60D' });
    // Assess
    const times = [0, 15, 30].map((days) => new Date(start.getTime() + days * DAY).toISOString());
    expect(moved.status).toBe(200);
    const fired = fires.filter((fire) => fire.input.tab === name);
    expect(fired.map(({ now: _, ...fire }) => fire)).toEqual(
      times.map((time) => ({ target: 'approval-reminder', input: { tab: name }, scheduledTime: time })),
    );
    // Each ran as its time came: the clock had been moved to it (and ran on, in real time).
    for (const fire of fired) expect(Date.parse(fire.now) - Date.parse(fire.scheduledTime)).toBeGreaterThanOrEqual(0);
    for (const fire of fired) expect(Date.parse(fire.now) - Date.parse(fire.scheduledTime)).toBeLessThan(2000);
    expect(await getSchedule(name)).toBeUndefined();
  });
});

describe('the local stack restarted', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  const dataDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'tally-clock-'));
    dirs.push(dir);
    return dir;
  };
  const firesIn = (file: string) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { scheduledTime: string; now: string; pid: number });
  const readable = (file: string) => () => {
    try {
      return firesIn(file);
    } catch {
      return [];
    }
  };

  it('keeps test time; a schedule due after the stop fires once, when the clock gets there after the restart', async () => {
    // Prepare: a stack on a data dir puts a schedule 10 days ahead, moves 5 days, stops
    const dir = dataDir();
    const file = join(dir, 'fires.jsonl');
    const port = String(await freePort());
    const first = await startStackProcess(dir, port, { SCHEDULE_FIRES: file, PUT_SCHEDULE_IN_MS: String(10 * DAY) });
    const put = await readClock(first.url);
    await moveClock({ advance: 'P5D' }, first.url);
    await first.interrupt();
    // Act: started again on the same data, 5 more days
    const second = await startStackProcess(dir, port, { SCHEDULE_FIRES: file });
    try {
      const restarted = await readClock(second.url);
      const moved = await moveClock({ advance: 'P5D' }, second.url);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      // Assess: test time was kept; the one fire, at its time
      expect(Date.parse(restarted.now) - Date.parse(put.now)).toBeGreaterThanOrEqual(5 * DAY);
      expect(restarted.offset).toBe('P5D');
      expect(moved.status).toBe(200);
      const fired = readable(file)();
      expect(fired).toHaveLength(1);
      expect(Math.abs(Date.parse(fired[0]!.scheduledTime) - Date.parse(put.now) - 10 * DAY)).toBeLessThan(5000);
      expect(Date.parse(fired[0]!.now) - Date.parse(fired[0]!.scheduledTime)).toBeGreaterThanOrEqual(0);
      expect(Date.parse(fired[0]!.now) - Date.parse(fired[0]!.scheduledTime)).toBeLessThan(2000);
    } finally {
      await second.interrupt();
    }
  }, 90_000);

  it('fires once, after the restart, a schedule that fell due while the stack was down', async () => {
    // Prepare: a schedule due in 3 s; the stack stops at once
    const dir = dataDir();
    const file = join(dir, 'fires.jsonl');
    const port = String(await freePort());
    const first = await startStackProcess(dir, port, { SCHEDULE_FIRES: file, PUT_SCHEDULE_IN_MS: '3000' });
    await first.interrupt();
    const stoppedAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 3500));
    // Act
    const second = await startStackProcess(dir, port, { SCHEDULE_FIRES: file });
    try {
      const fired = await eventually(async () => (readable(file)().length ? readable(file)() : undefined), 'the fire');
      await new Promise((resolve) => setTimeout(resolve, 2500));
      // Assess: not fired before the stop, fired once after the restart
      expect(readable(file)()).toEqual(fired);
      expect(fired).toHaveLength(1);
      expect(fired[0]!.pid).toBe(second.child.pid);
      expect(Date.parse(fired[0]!.scheduledTime)).toBeGreaterThan(stoppedAt - 3000);
    } finally {
      await second.interrupt();
    }
  }, 90_000);

  it('fires again after a restart a fire cut off by a crash (it was never recorded done), and then no more', async () => {
    // Prepare: the stack dies in the fire of a schedule due in 1 s
    const dir = dataDir();
    const file = join(dir, 'fires.jsonl');
    const port = String(await freePort());
    const first = await startStackProcess(dir, port, { SCHEDULE_FIRES: file, PUT_SCHEDULE_IN_MS: '1000', CRASH_IN_FIRE: '1' });
    const [, signal] = await first.exited;
    // Act
    const second = await startStackProcess(dir, port, { SCHEDULE_FIRES: file });
    try {
      const fired = await eventually(async () => (readable(file)().length >= 2 ? readable(file)() : undefined), 'the fire again');
      await new Promise((resolve) => setTimeout(resolve, 2500));
      // Assess: the same scheduled time, once by each process
      expect(signal).toBe('SIGKILL');
      expect(readable(file)()).toEqual(fired);
      expect(fired.map((fire) => fire.pid)).toEqual([first.child.pid, second.child.pid]);
      expect(fired[1]!.scheduledTime).toBe(fired[0]!.scheduledTime);
    } finally {
      await second.interrupt();
    }
  }, 90_000);
});
