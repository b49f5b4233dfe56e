import { describe, expect, it } from 'vitest';
import { isTimeZone, localDate, plusDays, startOfDay } from '../../functions/domain/dates.js';

// Calendar days in a time zone on Intl alone (functions/domain/dates.ts), at the edges summer time makes.
describe('dates in a time zone', () => {
  it("tells the tenant's calendar day at an instant", () => {
    // Assess
    expect(localDate(new Date('2026-03-01T10:30:00Z'), 'Pacific/Kiritimati')).toBe('2026-03-02'); // +14
    expect(localDate(new Date('2026-03-01T04:59:59Z'), 'America/New_York')).toBe('2026-02-28'); // -5
    expect(localDate(new Date('2026-03-01T05:00:00Z'), 'America/New_York')).toBe('2026-03-01');
    expect(localDate(new Date('2026-03-01T23:59:59Z'), 'UTC')).toBe('2026-03-01');
  });

  it('adds calendar days at the same time of day there, across summer time, to the millisecond', () => {
    // Assess: Berlin's midnight before summer time begins (29 March 2026, 02:00 -> 03:00) and the next one
    expect(plusDays(new Date('2026-03-28T23:00:00Z'), 1, 'Europe/Berlin').toISOString()).toBe('2026-03-29T22:00:00.000Z');
    // 02:30 on the day of the change does not exist: the time moves on by the hour that is skipped
    expect(plusDays(new Date('2026-03-28T01:30:00Z'), 1, 'Europe/Berlin').toISOString()).toBe('2026-03-29T01:30:00.000Z');
    expect(plusDays(new Date('2026-10-24T22:00:00Z'), 2, 'Europe/Berlin').toISOString()).toBe('2026-10-26T23:00:00.000Z');
    expect(plusDays(new Date('2026-01-10T12:34:56.789Z'), -10, 'UTC').toISOString()).toBe('2025-12-31T12:34:56.789Z');
  });

  it("finds a day's first moment, the first of a midnight that occurs twice", () => {
    // Assess
    expect(startOfDay('2026-10-25', 'Europe/Berlin').toISOString()).toBe('2026-10-24T22:00:00.000Z'); // +2 until 03:00
    expect(startOfDay('2026-03-08', 'America/New_York').toISOString()).toBe('2026-03-08T05:00:00.000Z');
    // Havana's summer time ended at 01:00 on 5 November 2017, back to 00:00: midnight at -4, then again at -5
    expect(startOfDay('2017-11-05', 'America/Havana').toISOString()).toBe('2017-11-05T04:00:00.000Z');
    expect(startOfDay('2026-03-02', 'Pacific/Kiritimati').toISOString()).toBe('2026-03-01T10:00:00.000Z');
  });

  it('knows the IANA zones', () => {
    // Assess
    expect(['UTC', 'Europe/Berlin', 'America/Argentina/Buenos_Aires'].map(isTimeZone)).toEqual([true, true, true]);
    expect(['Mars/Olympus_Mons', '', 'Europe/Berlinx'].map(isTimeZone)).toEqual([false, false, false]);
  });

  it('takes no UTC offset for a zone, which Intl would and EventBridge Scheduler would not', () => {
    // Assess
    expect(['+01:00', '-0530', '+01', '-00:00'].map(isTimeZone)).toEqual([false, false, false, false]);
    expect(['Etc/GMT+1', 'Etc/GMT-14'].map(isTimeZone)).toEqual([true, true]);
  });
});
