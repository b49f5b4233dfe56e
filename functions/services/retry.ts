import { DomainError } from '../domain/errors.js';
import { setTimeout as sleep } from 'node:timers/promises';

const ATTEMPTS = 60;
const BASE_MS = 5;
// A short cap: the race is for one item, and a long wait only lengthens the tail.
const CAP_MS = 50;

/**
 * Runs a read-decide-write use case until its conditional write wins over concurrent ones
 * (numbering and job ledgers are raced for). Full-jitter exponential backoff; a lost race past the
 * last attempt surfaces as its 409.
 */
export const retrying = async <T>(attempt: () => Promise<T>): Promise<T> => {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof DomainError && error.retryable) || n >= ATTEMPTS) throw error;
      await sleep(Math.random() * Math.min(CAP_MS, BASE_MS * 2 ** n));
    }
  }
};
