import type { Context } from 'aws-lambda';
import * as z from '../shared/zod.js';
import { SCHEDULE_TARGET_NAMES, scheduledFor, type ScheduledEvent } from '../adapters/scheduler.js';
import { logger } from '../shared/logger.js';
import { scheduleTargets, type TargetRegistry } from './targets.js';

/** The Input every schedule's target gets (eventBridgeScheduler): a ScheduledEvent, with a day-based schedule's cadence. */
const scheduledInput = z.object({
  target: z.enum(SCHEDULE_TARGET_NAMES),
  input: z.record(z.string(), z.unknown()),
  scheduledTime: z.iso.datetime({ offset: true }),
  cadence: z.optional(
    z.object({
      start: z.iso.datetime({ offset: true }),
      days: z.number().check(z.int(), z.positive()),
      timeZone: z.string().check(z.minLength(1)),
    }),
  ),
}) satisfies z.ZodMiniType<ScheduledEvent>;

/**
 * The one function every schedule invokes (lib/constructs/schedules.ts): runs the event's target with
 * its input and the time the fire stands for. What it cannot run (not a scheduled event, no such
 * target) or what its target fails fails the invocation, never a silent success: Lambda retries
 * it, then keeps it in the schedules' dead-letter queue, whose alarm fires.
 */
export const targetHandler =
  (registry: TargetRegistry) =>
  async (event: unknown, context?: Context): Promise<unknown> => {
    if (context) logger.addContext(context);
    const parsed = scheduledInput.safeParse(event);
    if (!parsed.success) {
      const why = z.prettifyError(parsed.error);
      logger.error('not a scheduled event', { why });
      throw new Error(`not a scheduled event: ${why}`);
    }
    const { target, input, scheduledTime, cadence } = parsed.data;
    const fire = { target, scheduledTime: scheduledFor(new Date(scheduledTime), cadence) };
    logger.info('scheduled target', fire);
    try {
      return await registry[target](input, fire.scheduledTime);
    } catch (error) {
      logger.error('scheduled target failed', { ...fire, error: error as Error });
      throw error;
    }
  };

export const handler = targetHandler(scheduleTargets);
