/** The one place that reads the time; the domain gets it passed in. */
export interface Clock {
  now(): Date;
}

// How far ahead of real time this process runs: moved only by the local stack's test clock
// (local/test-clock.ts, design §7), so that every service reads test time; on AWS always 0.
let offsetMs = 0;

export const clock: Clock = { now: () => new Date(Date.now() + offsetMs) };

/** How far ahead of real time `clock` runs, in ms. */
export const clockOffset = (): number => offsetMs;

/** Runs `clock` `ms` ahead of real time. Off AWS only: a Lambda function keeps real time. */
export const setClockOffset = (ms: number): void => {
  if (process.env.AWS_LAMBDA_FUNCTION_NAME) throw new Error('the clock cannot be moved on AWS');
  offsetMs = ms;
};
