import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Waits before retry number `attempt` (1, 2, ...): full-jitter exponential backoff, a random wait
 * of up to min(capMs, baseMs * 2^attempt), so racing callers spread out instead of colliding again.
 */
export const backoff = (attempt: number, baseMs: number, capMs: number): Promise<void> =>
  sleep(Math.random() * Math.min(capMs, baseMs * 2 ** attempt));
