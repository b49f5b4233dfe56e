/** Calendar dates travel as ISO strings (`2026-11-22`) and are compared as UTC days. */
const DAY_MS = 86_400_000;

export const isoDate = (at: Date): string => at.toISOString().slice(0, 10);

// Time zones through the runtime's Intl (ICU) alone, not a date library: 70 KB less in every bundle.
const wallClocks = new Map<string, Intl.DateTimeFormat>();
const WALL_CLOCK_FIELDS: Intl.DateTimeFormatOptions = {
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
};

/** The wall-clock time in `timeZone` at the instant `ms`, written as if it were UTC (whole seconds). */
const wallClock = (ms: number, timeZone: string): number => {
  let format = wallClocks.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', ...WALL_CLOCK_FIELDS });
    wallClocks.set(timeZone, format);
  }
  const part = Object.fromEntries(format.formatToParts(ms).map((p) => [p.type, Number(p.value)]));
  return Date.UTC(part.year!, part.month! - 1, part.day, part.hour, part.minute, part.second);
};

/** How far `timeZone` is ahead of UTC at the instant `ms`, in ms. */
const offsetAt = (ms: number, timeZone: string): number => {
  const second = Math.floor(ms / 1000) * 1000;
  return wallClock(second, timeZone) - second;
};

/**
 * The instant whose wall-clock time in `timeZone` is `wall` (written as UTC), from a guess of its
 * offset, as luxon finds it: a wall time that occurs twice (summer time ends) is taken at the
 * guessed offset where that fits; one that does not occur (summer time begins) moves on by the gap.
 */
const instantOf = (wall: number, timeZone: string, guess: number): number => {
  let utc = wall - guess;
  const o2 = offsetAt(utc, timeZone);
  if (o2 === guess) return utc;
  utc -= o2 - guess;
  const o3 = offsetAt(utc, timeZone);
  if (o2 === o3) return utc;
  return wall - Math.min(o2, o3);
};

/** Whether `zone` is an IANA time zone (`Europe/Berlin`, `UTC`), as EventBridge Scheduler takes it. */
export const isTimeZone = (zone: string): boolean => {
  // Intl also takes a UTC offset (`+01:00`), which is no zone of the tz database: Scheduler refuses it.
  if (/^[+-]/.test(zone)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone }).format();
    return true;
  } catch {
    return false;
  }
};

/**
 * A zone as the tz database spells it (`europe/berlin` -> `Europe/Berlin`), for EventBridge
 * Scheduler, which takes names as spelled there. Only the case is put right: another name of the
 * same zone (`Asia/Kolkata`, `US/Pacific`) stays as given, since the one Intl resolves may be older.
 */
export const canonicalTimeZone = (zone: string): string => {
  const resolved = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  return resolved.toLowerCase() === zone.toLowerCase() ? resolved : zone;
};

/** The calendar day it is at `at` in `timeZone`: the tenant's "today". */
export const localDate = (at: Date, timeZone: string): string => isoDate(new Date(wallClock(at.getTime(), timeZone)));

/** `days` calendar days after `at` in `timeZone`, at the same time of day there (across summer time). */
export const plusDays = (at: Date, days: number, timeZone: string): Date => {
  const ms = at.getTime();
  const offset = offsetAt(ms, timeZone);
  return new Date(instantOf(ms + offset + days * DAY_MS, timeZone, offset));
};

/**
 * The first moment of the calendar day `date` in `timeZone`: of a midnight that occurs twice (summer
 * time ending at 01:00), the first, found from the offset of the day before.
 */
export const startOfDay = (date: string, timeZone: string): Date => {
  const midnight = Date.parse(`${date}T00:00:00Z`);
  return new Date(instantOf(midnight, timeZone, offsetAt(midnight - DAY_MS, timeZone)));
};

export const addDays = (date: string, days: number): string => isoDate(new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS));

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export const daysBetween = (from: string, to: string): number =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
