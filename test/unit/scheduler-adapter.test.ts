// EventBridge Scheduler is not run here: the adapter's requests are checked against a mocked client.
import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
  ThrottlingException,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  eventBridgeScheduler,
  scheduledFor,
  scheduleName,
  scheduler,
  type ScheduleSpec,
} from '../../functions/adapters/scheduler.js';

const aws = mockClient(SchedulerClient);
const GROUP = 'tally-schedules';
const TARGET_ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:tally-scheduled-target';
const ROLE_ARN = 'arn:aws:iam::123456789012:role/tally-scheduler';
const DLQ_ARN = 'arn:aws:sqs:eu-west-1:123456789012:tally-schedule-dead-letters';
const NOW = new Date('2026-03-01T12:00:00.000Z');

const adapter = () => eventBridgeScheduler(new SchedulerClient({ region: 'eu-west-1' }), { now: () => NOW });
const conflict = () =>
  new ConflictException({ message: 'Schedule already exists', Message: 'Schedule already exists', $metadata: {} });

/** The one schedule the adapter sent (create or update), its target's Input parsed. */
const sent = (command: typeof CreateScheduleCommand | typeof UpdateScheduleCommand = CreateScheduleCommand) => {
  const calls = aws.commandCalls(command);
  expect(calls).toHaveLength(1);
  const { Target, ...request } = calls[0]!.args[0].input;
  return { request, Target: { ...Target, Input: JSON.parse(Target!.Input!) } };
};

/** What every schedule's target is: the scheduled-target function, as Scheduler's role, with the dead-letter queue and the retry policy. */
const target = (input: unknown) => ({
  Arn: TARGET_ARN,
  RoleArn: ROLE_ARN,
  DeadLetterConfig: { Arn: DLQ_ARN },
  RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 },
  Input: input,
});

const reminder: ScheduleSpec = {
  name: 'apr_01J0ABC-remind',
  target: 'approval-reminder',
  input: { tenantId: 'ten_1', requestId: 'apr_01J0ABC' },
  timing: { at: new Date('2026-03-10T09:30:00.000Z') },
};

// A profile every 15 days from midnight in Berlin on 16 March 2026 (CET), for 3 cycles: the last on
// 15 April (CEST, daylight saving time since 29 March), so 30 days but 29 × 24 + 23 hours later.
const FIRST = new Date('2026-03-15T23:00:00.000Z');
const LAST = new Date('2026-04-14T22:00:00.000Z');
// Any of Tally's target names serves: the adapter passes it on.
const snapshot = (every: { days: number; start: Date; end: Date | null }): ScheduleSpec => ({
  name: 'profile-prf_01J0XYZ',
  target: 'approval-expiry',
  input: { tenantId: 'ten_1', profileId: 'prf_01J0XYZ' },
  timing: { every },
  timeZone: 'Europe/Berlin',
});

beforeAll(() => {
  vi.stubEnv('SCHEDULE_GROUP', GROUP);
  vi.stubEnv('SCHEDULE_TARGET_ARN', TARGET_ARN);
  vi.stubEnv('SCHEDULE_ROLE_ARN', ROLE_ARN);
  vi.stubEnv('SCHEDULE_DLQ_ARN', DLQ_ARN);
});
afterAll(() => {
  vi.unstubAllEnvs();
  aws.restore();
});
beforeEach(() => {
  aws.reset();
});

describe('scheduleName', () => {
  it('keeps a key that is already a valid schedule name, dots included', () => {
    expect(scheduleName('late-fee.inv_01J0ABC_1')).toBe('late-fee.inv_01J0ABC_1');
  });

  it('derives the same valid name from the same key, and other names from other keys', () => {
    // Prepare: characters Scheduler refuses, and keys past 64 characters that differ only at the end
    const keys = [
      'late-fee:ten_1:inv_2',
      'late-fee ten_1/inv_2',
      `${'x'.repeat(70)}a`,
      `${'x'.repeat(70)}b`,
      'late-fee_ten_1_inv_2',
    ];
    // Act
    const names = keys.map(scheduleName);
    // Assess
    for (const name of names) expect(name).toMatch(/^[0-9a-zA-Z._-]{1,64}$/);
    expect(keys.map(scheduleName)).toEqual(names);
    expect(new Set(names).size).toBe(keys.length);
    expect(names[0]).toMatch(/^late-fee_ten_1_inv_2-[0-9a-f]{16}$/);
  });
});

describe('eventBridgeScheduler', () => {
  it('creates a one-time schedule at its time in UTC, deleted after it fired, its input the event with that time', async () => {
    // Prepare
    aws.on(CreateScheduleCommand).resolves({ ScheduleArn: `arn:aws:scheduler:eu-west-1:123456789012:schedule/${GROUP}/x` });
    // Act: a time zone changes nothing for an instant
    await adapter().put({ ...reminder, timeZone: 'America/New_York' });
    // Assess
    expect(sent()).toEqual({
      request: {
        Name: 'apr_01J0ABC-remind',
        GroupName: GROUP,
        State: 'ENABLED',
        ScheduleExpression: 'at(2026-03-10T09:30:00)',
        ScheduleExpressionTimezone: 'UTC',
        ActionAfterCompletion: 'DELETE',
        FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 15 },
      },
      Target: target({
        target: 'approval-reminder',
        input: { tenantId: 'ten_1', requestId: 'apr_01J0ABC' },
        scheduledTime: '2026-03-10T09:30:00.000Z',
      }),
    });
    expect(aws.commandCalls(UpdateScheduleCommand)).toHaveLength(0);
  });

  it('fires a one-time schedule never before its time, and one whose time is past a minute from now, telling the target its time', async () => {
    // Act
    await adapter().put({ ...reminder, timing: { at: new Date('2026-03-10T09:30:00.001Z') } });
    await adapter().put({ ...reminder, timing: { at: new Date('2026-02-20T00:00:00.000Z') } });
    // Assess
    const [later, past] = aws.commandCalls(CreateScheduleCommand).map((call) => call.args[0].input);
    expect(later!.ScheduleExpression).toBe('at(2026-03-10T09:30:01)');
    expect(past!.ScheduleExpression).toBe('at(2026-03-01T12:01:00)');
    expect(JSON.parse(past!.Target!.Input!).scheduledTime).toBe('2026-02-20T00:00:00.000Z');
  });

  it('updates a schedule that exists with the same full request', async () => {
    // Prepare
    aws.on(CreateScheduleCommand).rejects(conflict());
    aws.on(UpdateScheduleCommand).resolves({ ScheduleArn: `arn:aws:scheduler:eu-west-1:123456789012:schedule/${GROUP}/x` });
    // Act
    await adapter().put(snapshot({ days: 15, start: FIRST, end: LAST }));
    // Assess: Scheduler's update replaces everything, so it is sent everything
    const created = aws.commandCalls(CreateScheduleCommand).map((call) => call.args[0].input);
    expect(aws.commandCalls(UpdateScheduleCommand).map((call) => call.args[0].input)).toEqual(created);
    expect(created[0]).toMatchObject({ Name: 'profile-prf_01J0XYZ', ScheduleExpression: 'rate(15 days)' });
  });

  it('lets any other failure of a create or an update through', async () => {
    // Prepare
    aws
      .on(CreateScheduleCommand)
      .rejectsOnce(new ThrottlingException({ message: 'Rate exceeded', Message: 'Rate exceeded', $metadata: {} }));
    // Act, Assess
    await expect(adapter().put(reminder)).rejects.toBeInstanceOf(ThrottlingException);
    aws.on(CreateScheduleCommand).rejects(conflict());
    aws
      .on(UpdateScheduleCommand)
      .rejects(new ResourceNotFoundException({ message: 'deleted meanwhile', Message: 'deleted meanwhile', $metadata: {} }));
    await expect(adapter().put(reminder)).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('creates a day-based schedule as a rate from its start to just past its last fire, in its zone, deleted after it', async () => {
    // Act
    await adapter().put(snapshot({ days: 15, start: FIRST, end: LAST }));
    // Assess: Scheduler fires every 15 × 24 hours, at 23:00 UTC; half a period past the third fire, the fourth is out
    expect(sent()).toEqual({
      request: {
        Name: 'profile-prf_01J0XYZ',
        GroupName: GROUP,
        State: 'ENABLED',
        ScheduleExpression: 'rate(15 days)',
        ScheduleExpressionTimezone: 'Europe/Berlin',
        StartDate: FIRST,
        EndDate: new Date('2026-04-22T11:00:00.000Z'),
        ActionAfterCompletion: 'DELETE',
        FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 15 },
      },
      Target: target({
        target: 'approval-expiry',
        input: { tenantId: 'ten_1', profileId: 'prf_01J0XYZ' },
        scheduledTime: '<aws.scheduler.scheduled-time>',
        cadence: { start: '2026-03-15T23:00:00.000Z', days: 15, timeZone: 'Europe/Berlin' },
      }),
    });
  });

  it('keeps a day-based schedule without an end, daily as rate(1 day), in UTC unless told a zone', async () => {
    // Act
    await adapter().put({
      ...snapshot({ days: 1, start: new Date('2026-03-02T00:00:00.000Z'), end: null }),
      timeZone: undefined,
    });
    // Assess
    const { request, Target } = sent();
    expect(request).toMatchObject({
      ScheduleExpression: 'rate(1 day)',
      ScheduleExpressionTimezone: 'UTC',
      StartDate: new Date('2026-03-02T00:00:00.000Z'),
      ActionAfterCompletion: 'NONE',
    });
    expect(request).not.toHaveProperty('EndDate');
    expect(Target.Input.cadence).toEqual({ start: '2026-03-02T00:00:00.000Z', days: 1, timeZone: 'UTC' });
  });

  it('starts a day-based schedule whose start is past at its next fire, in phase (Scheduler refuses a StartDate past)', async () => {
    // Act: every 7 days from 20 February, 12:00 UTC; now is 1 March, 12:00: 27 February was the last fire
    await adapter().put(snapshot({ days: 7, start: new Date('2026-02-20T12:00:00.000Z'), end: null }));
    // Assess
    const { request, Target } = sent();
    expect(request.StartDate).toEqual(new Date('2026-03-06T12:00:00.000Z'));
    expect(Target.Input.cadence.start).toBe('2026-02-20T12:00:00.000Z');
  });

  it('removes a day-based schedule that has no fire left instead of creating it', async () => {
    // Act
    await adapter().put(
      snapshot({ days: 15, start: new Date('2026-01-01T00:00:00.000Z'), end: new Date('2026-02-15T00:00:00.000Z') }),
    );
    // Assess
    expect(aws.commandCalls(CreateScheduleCommand)).toHaveLength(0);
    expect(aws.commandCalls(DeleteScheduleCommand).map((call) => call.args[0].input)).toEqual([
      { Name: 'profile-prf_01J0XYZ', GroupName: GROUP },
    ]);
  });

  it('deletes a schedule by name in the group', async () => {
    // Prepare
    aws.on(DeleteScheduleCommand).resolves({});
    // Act
    await adapter().remove('apr_01J0ABC-remind');
    // Assess
    expect(aws.commandCalls(DeleteScheduleCommand).map((call) => call.args[0].input)).toEqual([
      { Name: 'apr_01J0ABC-remind', GroupName: GROUP },
    ]);
  });

  it('takes the deletion of a schedule that is not there as done, and lets any other failure through', async () => {
    // Prepare
    aws
      .on(DeleteScheduleCommand)
      .rejectsOnce(
        new ResourceNotFoundException({ message: 'Schedule not found', Message: 'Schedule not found', $metadata: {} }),
      );
    // Act, Assess
    await expect(adapter().remove('apr_01J0ABC-remind')).resolves.toBeUndefined();
    aws
      .on(DeleteScheduleCommand)
      .rejects(new ThrottlingException({ message: 'Rate exceeded', Message: 'Rate exceeded', $metadata: {} }));
    await expect(adapter().remove('apr_01J0ABC-remind')).rejects.toBeInstanceOf(ThrottlingException);
  });

  it('refuses, sending nothing, what Scheduler would refuse', async () => {
    // Prepare
    const refused: [ScheduleSpec, RegExp][] = [
      [{ ...reminder, name: 'late-fee:inv_1' }, /not a valid schedule name/],
      [{ ...reminder, name: 'x'.repeat(65) }, /not a valid schedule name/],
      [{ ...reminder, name: '' }, /not a valid schedule name/],
      [{ ...reminder, input: { text: 'x'.repeat(256 * 1024) } }, /larger than Scheduler's 256 KiB/],
      [{ ...reminder, target: 'no-such-target' as ScheduleSpec['target'] }, /no target no-such-target/],
      [{ ...reminder, timing: { at: new Date('not a date') } }, /not a date/],
      [{ ...snapshot({ days: 15, start: FIRST, end: null }), timeZone: 'Europe/Springfield' }, /no time zone/],
      [snapshot({ days: 0, start: FIRST, end: null }), /not a whole number of days/],
      [snapshot({ days: 1.5, start: FIRST, end: null }), /not a whole number of days/],
      [snapshot({ days: 15, start: LAST, end: FIRST }), /ends before it starts/],
    ];
    // Act, Assess
    for (const [spec, why] of refused) await expect(adapter().put(spec), spec.name).rejects.toThrow(why);
    await expect(adapter().remove('late-fee:inv_1')).rejects.toThrow(/not a valid schedule name/);
    expect(aws.calls()).toHaveLength(0);
  });

  it('is the scheduler of a process that was provided none', async () => {
    // Prepare
    vi.stubEnv('TABLE_NAME', 'tally');
    aws.on(DeleteScheduleCommand).resolves({});
    // Act
    await scheduler().remove('apr_01J0ABC-remind');
    // Assess
    expect(aws.commandCalls(DeleteScheduleCommand)).toHaveLength(1);
  });
});

describe('scheduledFor', () => {
  const cadence = { start: FIRST.toISOString(), days: 15, timeZone: 'Europe/Berlin' };

  it("tells a day-based schedule's target the fire in calendar days of its zone, whatever Scheduler's 24-hour days made of it", () => {
    // Scheduler's third fire, 30 × 24 hours on: 01:00 on 15 April in Berlin; it stands for midnight
    expect(scheduledFor(new Date('2026-04-14T23:00:00Z'), cadence)).toEqual(LAST);
    expect(scheduledFor(FIRST, cadence)).toEqual(FIRST);
    // A 15-minute flexible window, or a fire a minute late, stands for the same fire
    expect(scheduledFor(new Date('2026-03-30T23:14:59Z'), cadence)).toEqual(new Date('2026-03-30T22:00:00Z'));
  });

  it("keeps a fire on its calendar day when daylight saving time ends (Scheduler's would fall on the day before)", () => {
    // Prepare: monthly-ish from midnight on 1 October 2026 in Berlin (CEST); CET from 25 October
    const october = { start: '2026-09-30T22:00:00.000Z', days: 30, timeZone: 'Europe/Berlin' };
    // Act: Scheduler fires 30 × 24 hours on, at 23:00 on 30 October in Berlin
    const fire = scheduledFor(new Date('2026-10-30T22:00:00Z'), october);
    // Assess: midnight on 31 October in Berlin
    expect(fire).toEqual(new Date('2026-10-30T23:00:00Z'));
  });

  it('tells any other fire its own time', () => {
    expect(scheduledFor(new Date('2026-03-10T09:30:00Z'))).toEqual(new Date('2026-03-10T09:30:00Z'));
  });
});
