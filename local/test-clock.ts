import { clock, clockOffset, setClockOffset, type Clock } from '../functions/adapters/clock.js';
import { saveClockOffset, storedClockOffset } from '../functions/store/test-clock.store.js';

/** A clock that can be moved forward: the local scheduler moves it from fire to fire (design §7). */
export interface MovableClock extends Clock {
  /** Makes `time` the clock's now, from which it runs on in real time. */
  moveTo(time: Date): Promise<void>;
}

/**
 * The local stack's test clock: this process's clock (functions/adapters/clock.ts, which every
 * service reads), its offset from real time kept in the table, so that a restart keeps test time.
 */
export const testClock: MovableClock & { offsetMs(): number; restore(): Promise<void> } = {
  now: () => clock.now(),
  offsetMs: clockOffset,
  async moveTo(time) {
    const offset = time.getTime() - Date.now();
    await saveClockOffset(offset);
    setClockOffset(offset);
  },
  /** Takes up the offset kept in the table (none: real time). */
  async restore() {
    setClockOffset(await storedClockOffset());
  },
};
