import { afterEach, describe, expect, it, vi } from 'vitest';
import { concurrentWrite, DomainError } from '../../functions/domain/errors.js';
import { retrying } from '../../functions/services/retry.js';

describe('retrying a lost race', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reads again until the write wins', async () => {
    // Prepare
    let attempts = 0;
    // Act
    const result = await retrying(async () => {
      attempts++;
      if (attempts < 5) throw concurrentWrite('job');
      return 'won';
    });
    // Assess
    expect([result, attempts]).toEqual(['won', 5]);
  });

  it('starts no attempt past 7 of the 10 seconds a function has, and answers the lost race', async () => {
    // Prepare: every attempt takes 2 s and loses
    vi.useFakeTimers({ toFake: ['Date'] });
    let attempts = 0;
    // Act
    const error = await retrying(async () => {
      attempts++;
      vi.setSystemTime(Date.now() + 2000);
      throw concurrentWrite('invoice');
    }).catch((e: unknown) => e);
    // Assess: at 2, 4 and 6 s it tries again; at 8 s it stops
    expect(error).toMatchObject({ code: 'VERSION_CONFLICT', retryable: true });
    expect(attempts).toBe(4);
  });

  it('never retries a refusal that reading again cannot change', async () => {
    let attempts = 0;
    const error = await retrying(async () => {
      attempts++;
      throw new DomainError('conflict', 'JOB_BILLED', 'billed');
    }).catch((e: unknown) => e);
    expect([(error as DomainError).code, attempts]).toEqual(['JOB_BILLED', 1]);
  });
});
