import { DateTime, IANAZone } from 'luxon';

/** Calendar dates travel as ISO strings (`2026-11-22`) and are compared as UTC days. */
const DAY_MS = 86_400_000;

export const isoDate = (at: Date): string => at.toISOString().slice(0, 10);

/** Whether `zone` is an IANA time zone (`Europe/Berlin`, `UTC`), as EventBridge Scheduler takes it. */
export const isTimeZone = (zone: string): boolean => IANAZone.isValidZone(zone);

/** The calendar day it is at `at` in `timeZone`: the tenant's "today". */
export const localDate = (at: Date, timeZone: string): string => DateTime.fromJSDate(at, { zone: timeZone }).toISODate()!;

/** `days` calendar days after `at` in `timeZone`, at the same time of day there (across summer time). */
export const plusDays = (at: Date, days: number, timeZone: string): Date =>
  DateTime.fromJSDate(at, { zone: timeZone }).plus({ days }).toJSDate();

/** The first moment of the calendar day `date` in `timeZone`. */
export const startOfDay = (date: string, timeZone: string): Date => DateTime.fromISO(date, { zone: timeZone }).toJSDate();

export const addDays = (date: string, days: number): string => isoDate(new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS));

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export const daysBetween = (from: string, to: string): number =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
