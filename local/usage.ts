/**
 * What the local stack ran in place of the AWS services that bill per use (Step Functions, the
 * Lambda steps and scheduled targets, EventBridge Scheduler), counted for the bench's cost model.
 * The API's own requests the bench counts itself, from its client.
 */
export interface LocalUsage {
  /** State transitions as Step Functions Standard bills them: every state entered, and every retry. */
  transitions: number;
  /** Task states run, each a Lambda invocation on AWS, and the milliseconds their handlers took. */
  stepInvocations: number;
  stepMs: number;
  /** Schedule fires delivered to a target (Scheduler invocations, each a Lambda invocation), and their milliseconds. */
  scheduledInvocations: number;
  scheduledMs: number;
}

const none = (): LocalUsage => ({ transitions: 0, stepInvocations: 0, stepMs: 0, scheduledInvocations: 0, scheduledMs: 0 });

let usage = none();

export const localUsage = (): LocalUsage => ({ ...usage });

export const resetLocalUsage = (): void => {
  usage = none();
};

/** Adds to the process's usage. */
export const addUsage = (more: Partial<LocalUsage>): void => {
  for (const [name, value] of Object.entries(more) as [keyof LocalUsage, number][]) usage[name] += value;
};

/** Runs `work`, adding one invocation and its milliseconds under `kind`. */
export const metered = async <T>(kind: 'step' | 'scheduled', work: () => Promise<T>): Promise<T> => {
  const started = performance.now();
  try {
    return await work();
  } finally {
    addUsage(
      kind === 'step'
        ? { stepInvocations: 1, stepMs: performance.now() - started }
        : { scheduledInvocations: 1, scheduledMs: performance.now() - started },
    );
  }
};
