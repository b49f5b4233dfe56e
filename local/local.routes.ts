import { DateTime, Duration } from 'luxon';
import * as z from '../functions/shared/zod.js';
import { DomainError } from '../functions/domain/errors.js';
import { route } from '../functions/api/route.js';
import { registerTenant } from '../functions/services/tenant.service.js';
import type { LocalScheduler } from './scheduler.js';
import { testClock } from './test-clock.js';

const newTenant = z.object({
  name: z.string().check(z.trim(), z.minLength(1), z.maxLength(200)),
  defaultCurrency: z.optional(z.string().check(z.length(3))),
});

// ISO 8601 as written (no sign, at least one part): luxon alone also takes `P`, `PT` and `P-1D`.
const ISO_DURATION = /^P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/;

const clockMove = z
  .strictObject({
    advance: z.optional(z.string().check(z.regex(ISO_DURATION, 'must be an ISO 8601 duration such as "P15D" or "PT6H"'))),
    set: z.optional(
      z.iso.datetime({ offset: true, message: 'must be an ISO 8601 time with its offset, such as "2026-03-02T09:00:00Z"' }),
    ),
  })
  .check(
    z.superRefine((move, context) => {
      if ((move.advance === undefined) === (move.set === undefined)) {
        context.addIssue({ code: 'custom', path: ['advance'], message: 'give exactly one of advance, set' });
      }
    }),
  );

type ClockMove = z.infer<typeof clockMove>;

/** How far one move may take the clock: enough for any billing cycle, not so far that its fires never end. */
const MAX_MOVE = Duration.fromObject({ years: 10 });

/** Where the move takes the clock from `now`; refused if that is back in time (what fired cannot un-fire) or too far. */
const destination = (move: ClockMove, now: Date): Date => {
  const field = move.advance === undefined ? 'set' : 'advance';
  const to =
    move.advance === undefined
      ? new Date(move.set!)
      : DateTime.fromJSDate(now).toUTC().plus(Duration.fromISO(move.advance)).toJSDate();
  const at = now.toISOString();
  if (to < now) {
    throw new DomainError('rule', 'CLOCK_BACKWARDS', `The clock is at ${at} and never goes back: what fired cannot un-fire`, [
      { field, code: 'before_now', message: `must not be before ${at}` },
    ]);
  }
  const farthest = DateTime.fromJSDate(now).plus(MAX_MOVE).toJSDate();
  if (!(to <= farthest)) {
    throw new DomainError(
      'rule',
      'CLOCK_TOO_FAR',
      `One move takes the clock at most ${MAX_MOVE.toISO()} ahead, to ${farthest.toISOString()}`,
      [{ field, code: 'too_far', message: `must not be after ${farthest.toISOString()}` }],
    );
  }
  return to;
};

// The offset to the second: a move takes the clock to where it was asked, as real time runs on meanwhile.
const clockReading = () => ({
  now: testClock.now().toISOString(),
  offset: Duration.fromMillis(Math.round(testClock.offsetMs() / 1000) * 1000)
    .shiftTo('days', 'hours', 'minutes', 'seconds')
    .toISO(),
});

/** Routes of the local stack only: never deployed. The test clock's are the stack's, not a tenant's: they take no API key. */
export const localRoutes = (scheduler: LocalScheduler) => [
  route<Record<string, never>, Record<string, never>, z.infer<typeof newTenant>>({
    method: 'POST',
    path: '/local/tenants',
    operationId: 'createLocalTenant',
    summary: 'Creates a tenant and its API key (local stack only)',
    public: true,
    body: newTenant,
    responses: { 201: { description: 'The tenant and its API key, shown once' } },
    handle: async ({ body }) => {
      const { tenant, apiKey } = await registerTenant(body);
      return { status: 201, body: { tenantId: tenant.id, apiKey } };
    },
  }),
  route({
    method: 'GET',
    path: '/local/clock',
    operationId: 'getLocalClock',
    summary: "The test clock: the local stack's time and how far ahead of real time it runs (local stack only)",
    public: true,
    responses: { 200: { description: '`now` (ISO time) and `offset` (ISO 8601 duration)' } },
    handle: async () => ({ status: 200, body: clockReading() }),
  }),
  route<Record<string, never>, Record<string, never>, ClockMove>({
    method: 'POST',
    path: '/local/clock',
    operationId: 'moveLocalClock',
    summary: 'Moves the test clock forward and fires every schedule that falls due on the way, in time order (local stack only)',
    description:
      '`{"advance": "P15D"}` (an ISO 8601 duration) or `{"set": "<ISO time>"}`, never back in time. Each fire runs at its ' +
      'scheduled time, and what it starts ends before the next; answers once the clock is there.',
    public: true,
    body: clockMove,
    errors: { 422: ['CLOCK_BACKWARDS', 'CLOCK_TOO_FAR'] },
    responses: { 200: { description: '`now`: the time the clock moved to' } },
    handle: async ({ body }) => {
      const now = await scheduler.advance((current) => destination(body, current));
      return { status: 200, body: { now: now.toISOString() } };
    },
  }),
];
