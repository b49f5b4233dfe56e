import { describe, expect, it, vi } from 'vitest';
import { SCHEDULE_TARGET_NAMES } from '../../functions/adapters/scheduler.js';
import type { ScheduleTarget, TargetRegistry } from '../../functions/scheduled/targets.js';
import { targetHandler } from '../../functions/scheduled/target.handler.js';

/** A registry whose targets record what they were given. */
const recording = () => {
  const reminder = vi.fn<ScheduleTarget>(async () => 'reminded');
  const others = Object.fromEntries(
    SCHEDULE_TARGET_NAMES.map((name) => [name, vi.fn<ScheduleTarget>(async () => name)]),
  ) as Record<string, ScheduleTarget>;
  const registry: TargetRegistry = { ...(others as TargetRegistry), 'approval-reminder': reminder };
  return { registry, reminder, run: targetHandler(registry) };
};

describe('the scheduled-target function', () => {
  it("runs the event's target with its input and the time the fire was scheduled for, answering what it answers", async () => {
    // Prepare
    const { reminder, run } = recording();
    // Act
    const result = await run({
      target: 'approval-reminder',
      input: { tenantId: 'ten_1', requestId: 'apr_1' },
      scheduledTime: '2026-03-10T09:30:00Z',
    });
    // Assess
    expect(result).toBe('reminded');
    expect(reminder.mock.calls).toEqual([[{ tenantId: 'ten_1', requestId: 'apr_1' }, new Date('2026-03-10T09:30:00Z')]]);
  });

  it("gives a day-based schedule's target the fire in calendar days of its zone", async () => {
    // Prepare
    const { reminder, run } = recording();
    // Act: Scheduler's fire 30 × 24 hours after midnight in Berlin on 16 March: 01:00 on 15 April (CEST)
    await run({
      target: 'approval-reminder',
      input: {},
      scheduledTime: '2026-04-14T23:00:00Z',
      cadence: { start: '2026-03-15T23:00:00.000Z', days: 15, timeZone: 'Europe/Berlin' },
    });
    // Assess: midnight on 15 April in Berlin
    expect(reminder.mock.calls[0]?.[1]).toEqual(new Date('2026-04-14T22:00:00Z'));
  });

  it('fails, running nothing, on what is not a scheduled event or names no target', async () => {
    // Prepare
    const { registry, run } = recording();
    const malformed = [
      undefined,
      {},
      { target: 'no-such-target', input: {}, scheduledTime: '2026-03-10T09:30:00Z' },
      { target: 'approval-reminder', input: {}, scheduledTime: '<aws.scheduler.scheduled-time>' },
      { target: 'approval-reminder', input: 'tenant', scheduledTime: '2026-03-10T09:30:00Z' },
      { target: 'approval-reminder', input: {}, scheduledTime: '2026-03-10T09:30:00Z', cadence: { days: 0 } },
    ];
    // Act, Assess
    for (const event of malformed) await expect(run(event), JSON.stringify(event)).rejects.toThrow(/not a scheduled event/);
    for (const target of Object.values(registry)) expect(target).not.toHaveBeenCalled();
  });

  it('fails when its target fails, so that the fire is retried', async () => {
    // Prepare
    const { registry, reminder, run } = recording();
    reminder.mockRejectedValueOnce(new Error('mail refused'));
    // Act, Assess
    await expect(run({ target: 'approval-reminder', input: {}, scheduledTime: '2026-03-10T09:30:00Z' })).rejects.toThrow(
      'mail refused',
    );
    expect(registry['approval-expiry']).not.toHaveBeenCalled();
  });
});
