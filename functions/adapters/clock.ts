/** The one place that reads the time; the domain gets it passed in. */
export interface Clock {
  now(): Date;
}

export const clock: Clock = { now: () => new Date() };
