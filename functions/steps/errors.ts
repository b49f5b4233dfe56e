import { DomainError } from '../domain/errors.js';
import { isTransient } from '../shared/transient.js';

/** The error a step throws when trying again may succeed (a lost race, a throttled call): the ASL retries it by name. */
export class TransientStepError extends Error {
  static readonly errorName = 'Tally.Transient';

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = TransientStepError.errorName;
  }
}

/**
 * The error a step fails with, by what the workflow should do: `Tally.Transient` (a lost race, a
 * throttled or failed call) is retried; a domain error is named `Tally.<CODE>` and caught (the
 * milestone shows its code and message); anything else is a bug, caught as it is.
 */
export const stepError = (error: unknown): unknown => {
  if (error instanceof DomainError) {
    if (error.retryable) return new TransientStepError(error.message, { cause: error });
    const named = new Error(error.message, { cause: error });
    named.name = `Tally.${error.code}`;
    return named;
  }
  if (error instanceof Error && isTransient(error)) return new TransientStepError(error.message, { cause: error });
  return error;
};

/** Step Functions' `Error` and `Cause` of a caught failure: the code and message it is recorded with. */
export const failureOf = (caught: { Error?: string; Cause?: string }): { code: string; message: string } => {
  const code = (caught.Error ?? 'Error').replace(/^Tally\./, '');
  let message = caught.Cause ?? '';
  // Lambda's Cause is the error as JSON; the local runner's is the message itself.
  try {
    const parsed = JSON.parse(message) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') message = parsed.errorMessage;
  } catch {
    // Not JSON: the message as it is.
  }
  return { code, message };
};
