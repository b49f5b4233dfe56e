import { DomainError } from '../domain/errors.js';
import { FUNCTION_TIMEOUT_SECONDS } from '../shared/config.js';
import { setTimeout as sleep } from 'node:timers/promises';

const ATTEMPTS = 60;
const BASE_MS = 5;
// A short cap: the race is for one item, and a long wait only lengthens the tail.
const CAP_MS = 50;
/**
 * No attempt starts after this: 70% of the function's timeout, so that the last one ends before
 * Lambda ends the request. One cut off mid-write would answer 500 with its write made.
 */
const BUDGET_MS = FUNCTION_TIMEOUT_SECONDS * 1000 * 0.7;

/**
 * Runs a read-decide-write use case until its conditional write wins over concurrent ones
 * (numbering and job ledgers are raced for). Full-jitter exponential backoff; a lost race past the
 * last attempt, or past the time budget, surfaces as its 409 (nothing written: safe to retry).
 */
export const retrying = async <T>(attempt: () => Promise<T>): Promise<T> => {
  const started = Date.now();
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      const spent = n >= ATTEMPTS || Date.now() - started >= BUDGET_MS;
      if (!(error instanceof DomainError && error.retryable) || spent) throw error;
      await sleep(Math.random() * Math.min(CAP_MS, BASE_MS * 2 ** n));
    }
  }
};
