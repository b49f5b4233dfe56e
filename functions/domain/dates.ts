/** Calendar dates travel as ISO strings (`2026-11-22`) and are compared as UTC days. */
const DAY_MS = 86_400_000;

export const isoDate = (at: Date): string => at.toISOString().slice(0, 10);

export const addDays = (date: string, days: number): string => isoDate(new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS));

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export const daysBetween = (from: string, to: string): number =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
