/**
 * A Step Functions task: takes its state's input and returns its result. It must be idempotent on
 * its business key (design §4): Step Functions retries it, and the local runner runs again from
 * the start an execution that a crash cut off. A failure is a thrown error whose `name` is what the
 * ASL's Retry and Catch match (Lambda reports it as the error type, the local runner as the error).
 */
export type StepHandler = (input: unknown) => Promise<unknown>;

export type StepRegistry = Readonly<Record<string, StepHandler>>;
