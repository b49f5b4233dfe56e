import { expect } from 'vitest';
import { DomainError, type ErrorKind } from '../../functions/domain/errors.js';

/** The DomainError that `act` throws; fails the test when it throws nothing or something else. */
export const domainErrorOf = (act: () => unknown): DomainError => {
  try {
    act();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError, but nothing was thrown');
};

export const expectDomainError = (act: () => unknown, kind: ErrorKind, code: string): DomainError => {
  const error = domainErrorOf(act);
  expect({ kind: error.kind, code: error.code }).toEqual({ kind, code });
  return error;
};

/** The DomainError that `promise` rejects with; fails the test when it resolves or rejects with something else. */
export const errorOf = async (promise: Promise<unknown>): Promise<DomainError> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof DomainError)) throw new Error(`expected a DomainError, got ${String(error)}`);
  return error;
};

/** What a use case came to: 'ok', or the code it was refused with. */
export const outcome = (work: Promise<unknown>): Promise<string> =>
  work.then(
    () => 'ok',
    (error: unknown) => {
      if (error instanceof DomainError) return error.code;
      throw error;
    },
  );
