import { addDays, localDate } from './dates.js';
import { DomainError } from './errors.js';
import type { Series } from './invoice.js';
import { countsPerYear, MAX_BACKDATING_DAYS, numberTokens, type NumberToken, type Settings } from './settings.js';

/**
 * Some of the numbers a format prints: those whose counter value is above `above` and at most
 * `upTo` (unbounded when absent), in some issue years (4-digit strings), all of the format's year
 * tokens showing the same year. Without `years`, the token language: each year token any digits
 * (`{YYYY}` four, `{YY}` two), which holds every year's numbers and keeps the check small.
 */
export interface Numbers {
  format: string;
  years?: readonly string[];
  above?: number;
  upTo?: number;
}

interface Bound {
  digits: string;
  keep: 'above' | 'upTo';
}

/**
 * The counter as far as read: digits read (capped at the width), whether it began with a padding
 * zero (then it has exactly `width` digits), how many significant digits (capped past the bound's),
 * and how those compare with the bound's first ones (-1, 0, 1), which decides against a bound of as
 * many digits.
 */
interface SeqState {
  length: number;
  padded: boolean;
  significant: number;
  order: number;
}

interface State {
  token: number;
  /** Digits of the current year token read so far. */
  read: number;
  /** With `years` given, the issue year as far as its digits were read, `?` where not yet. */
  year: string;
  counter: SeqState;
}

const FRESH: SeqState = { length: 0, padded: false, significant: 0, order: 0 };
const DIGITS = '0123456789';

const fits = (year: string, candidate: string): boolean => [...year].every((digit, i) => digit === '?' || digit === candidate[i]);

/**
 * The numbers of `Numbers` as an automaton read one character at a time (non-deterministic: a
 * digit after the counter may still belong to it). Its states are finite: the counter is tracked by
 * length up to its width and by significant digits up to the bound's, so a search over two of them
 * ends.
 */
class NumberReader {
  private readonly tokens: NumberToken[];
  private readonly bound: Bound | undefined;

  constructor(private readonly numbers: Numbers) {
    this.tokens = numberTokens(numbers.format);
    this.bound =
      numbers.above !== undefined
        ? { digits: String(numbers.above), keep: 'above' }
        : numbers.upTo !== undefined
          ? { digits: String(numbers.upTo), keep: 'upTo' }
          : undefined;
  }

  readonly start: State = { token: 0, read: 0, year: '????', counter: FRESH };

  /** The characters a number may contain besides digits. */
  get letters(): string[] {
    return this.tokens.flatMap((token) => (token.kind === 'text' ? [token.char] : []));
  }

  key = (s: State): string =>
    `${s.token}.${s.read}.${s.year}.${s.counter.length}.${+s.counter.padded}.${s.counter.significant}.${s.counter.order}`;

  accepts = (s: State): boolean => this.closure(s).some((t) => t.token === this.tokens.length);

  step = (s: State, char: string): State[] => this.closure(s).flatMap((t) => this.consume(t, char) ?? []);

  /** The state itself and, once the counter may end there, the state after it. */
  private closure(s: State): State[] {
    const token = this.tokens[s.token];
    return token?.kind === 'seq' && this.counterEnds(s.counter, token.width)
      ? [s, { ...s, token: s.token + 1, counter: FRESH }]
      : [s];
  }

  private consume(s: State, char: string): State | undefined {
    const token = this.tokens[s.token];
    if (!token) return undefined;
    if (token.kind === 'text') return token.char === char ? { ...s, token: s.token + 1 } : undefined;
    if (!DIGITS.includes(char)) return undefined;
    if (token.kind === 'seq') {
      const counter = this.counterStep(s.counter, char, token.width);
      return counter && { ...s, counter };
    }
    const at = token.from + s.read;
    // Any year: each year token is any digits (the token language). Given years: the digits of one of them, alike in every token.
    const years = this.numbers.years;
    if (!years) return s.read + 1 === token.length ? { ...s, token: s.token + 1, read: 0 } : { ...s, read: s.read + 1 };
    if (s.year[at] !== '?' && s.year[at] !== char) return undefined;
    const year = s.year.slice(0, at) + char + s.year.slice(at + 1);
    if (!years.some((candidate) => fits(year, candidate))) return undefined;
    const read = s.read + 1;
    return read === token.length ? { ...s, token: s.token + 1, read: 0, year } : { ...s, read, year };
  }

  private counterStep(c: SeqState, digit: string, width: number): SeqState | undefined {
    if (c.padded && c.length >= width) return undefined;
    const length = Math.min(c.length + 1, width);
    if (c.significant === 0 && digit === '0') return { ...c, length, padded: true };
    const bound = this.bound;
    if (!bound) return { ...c, length, significant: 1 };
    const k = bound.digits.length;
    const next =
      c.significant < k
        ? {
            length,
            padded: c.padded,
            significant: c.significant + 1,
            order: c.order || Math.sign(digit.charCodeAt(0) - bound.digits.charCodeAt(c.significant)),
          }
        : { length, padded: c.padded, significant: k + 1, order: 0 };
    // Past the bound's digits, or at as many and above it: no number at most `upTo` follows.
    if (bound.keep === 'upTo' && (next.significant > k || (next.significant === k && next.order > 0))) return undefined;
    return next;
  }

  private counterEnds(c: SeqState, width: number): boolean {
    if (c.length < width || c.significant === 0) return false;
    if (!this.bound) return true;
    const k = this.bound.digits.length;
    return this.bound.keep === 'above' ? c.significant > k || (c.significant === k && c.order > 0) : true;
  }
}

/**
 * A number that both sets contain (the shortest, as a witness), or undefined when they are
 * disjoint. Exact for the token language: a breadth-first search over pairs of reader states.
 */
export const sharedNumber = (a: Numbers, b: Numbers): string | undefined => {
  if (a.upTo === 0 || b.upTo === 0) return undefined;
  const [ra, rb] = [new NumberReader(a), new NumberReader(b)];
  const alphabet = [...new Set([...DIGITS, ...ra.letters])];
  const seen = new Set<string>();
  const queue: Array<[State, State, string]> = [[ra.start, rb.start, '']];
  for (let i = 0; i < queue.length; i++) {
    const [sa, sb, text] = queue[i]!;
    if (ra.accepts(sa) && rb.accepts(sb)) return text;
    for (const char of alphabet) {
      for (const na of ra.step(sa, char)) {
        for (const nb of rb.step(sb, char)) {
          const key = `${ra.key(na)}|${rb.key(nb)}`;
          if (seen.has(key)) continue;
          seen.add(key);
          queue.push([na, nb, text + char]);
        }
      }
    }
  }
  return undefined;
};

/** Formats a series numbered with before its current one, which its numbers may still carry. */
export type RetiredFormats = Record<Series, string[]>;

export const noRetiredFormats = (): RetiredFormats => ({ invoice: [], credit_note: [] });

/**
 * What the numbering check knows of what was issued: the last value of each counter (series, then
 * scope: `all` or a year; none is 0) for the years `firstYear` to `thisYear`, before which nothing
 * can have been dated.
 */
export interface Numbering {
  firstYear: number;
  thisYear: number;
  counters: Record<Series, Record<string, number>>;
}

/** Issue dates lie at most this many years back (the widest backdating window). */
const YEARS_BACK = Math.ceil(MAX_BACKDATING_DAYS / 365);
/**
 * The check spans a century from the earliest year a number can carry, so that `{YY}` names one
 * year in it; a `{YY}` format repeats its numbers a hundred years on, which no check can prevent.
 */
const YEARS_CHECKED = 100;

/** The years whose counters decide a format change: from ten before the tenant existed to now. */
export const numberingYears = (createdAt: string, now: Date): Pick<Numbering, 'firstYear' | 'thisYear'> => {
  const thisYear = now.getUTCFullYear();
  return { firstYear: Math.min(Number(createdAt.slice(0, 4)), thisYear) - YEARS_BACK, thisYear };
};

export const numberingScopes = ({ firstYear, thisYear }: Pick<Numbering, 'firstYear' | 'thisYear'>): string[] => [
  'all',
  ...yearsFrom(firstYear, thisYear),
];

const yearsFrom = (from: number, to: number): string[] =>
  Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => String(from + i).padStart(4, '0'));

const last = (numbering: Numbering, series: Series, scope: string): number => numbering.counters[series][scope] ?? 0;

/** What a series may have numbered with a format: every counter value drawn in its scopes so far. */
const issuedWith = (numbering: Numbering, series: Series, format: string): Numbers[] =>
  countsPerYear(format)
    ? yearsFrom(numbering.firstYear, numbering.thisYear)
        .map((year) => ({ format, years: [year], upTo: last(numbering, series, year) }))
        .filter(({ upTo }) => upTo > 0)
    : [{ format, upTo: last(numbering, series, 'all') }].filter(({ upTo }) => upTo > 0);

/** What a series will number with a format: counter values past the last drawn, in any year still open. */
const toIssueWith = (numbering: Numbering, series: Series, format: string): Numbers[] => {
  if (!countsPerYear(format)) return [{ format, above: last(numbering, series, 'all') }];
  const years = yearsFrom(numbering.thisYear - YEARS_BACK, Math.max(numbering.thisYear, numbering.firstYear + YEARS_CHECKED - 1));
  const started = years.filter((year) => last(numbering, series, year) > 0);
  return [
    ...started.map((year) => ({ format, years: [year], above: last(numbering, series, year) })),
    { format, years: years.filter((year) => !started.includes(year)) },
  ];
};

const FIELDS = { invoice: 'invoiceNumberFormat', credit_note: 'creditNoteNumberFormat' } as const;
const SERIES: Series[] = ['invoice', 'credit_note'];
const NAMES: Record<Series, string> = { invoice: 'an invoice', credit_note: 'a credit note' };

/**
 * The counters that issuing under these settings can move while a change of them is decided: each
 * series' counter in its format's scope, for every issue date the backdating window allows.
 */
export const countersInUse = (settings: Settings, now: Date): Array<{ series: Series; scope: string }> => {
  const today = localDate(now, settings.timeZone);
  const earliest = addDays(today, -settings.backdatingDays);
  return SERIES.flatMap((series) =>
    countsPerYear(settings[FIELDS[series]])
      ? yearsFrom(Number(earliest.slice(0, 4)), Number(today.slice(0, 4))).map((scope) => ({ series, scope }))
      : [{ series, scope: 'all' }],
  );
};

/** The series whose number format a settings change moves. */
export const changedNumberFormats = (before: Settings, after: Settings): Series[] =>
  SERIES.filter((series) => before[FIELDS[series]] !== after[FIELDS[series]]);

const firstShared = (as: Numbers[], bs: Numbers[]): string | undefined => {
  for (const a of as) {
    for (const b of bs) {
      const shared = sharedNumber(a, b);
      if (shared !== undefined) return shared;
    }
  }
  return undefined;
};

/**
 * Refuses number formats under which a later issue could meet a number already given (422), and
 * returns the retired formats to keep. The two series must never be able to print the same
 * number; a series' new format must not be able to print, past its counters, a number that any
 * format either series used may have printed. A format that printed nothing yet (its counters are
 * all 0, as for a new tenant) is free to change. Returning to a series' own earlier format is safe:
 * its counters only grow, and it prints each value once.
 */
export const checkNumberFormats = (
  before: Settings,
  after: Settings,
  retired: RetiredFormats,
  numbering: Numbering,
): RetiredFormats => {
  const changed = changedNumberFormats(before, after);
  if (!changed.length) return retired;
  const overlap = sharedNumber({ format: after.invoiceNumberFormat }, { format: after.creditNoteNumberFormat });
  if (overlap !== undefined) {
    throw new DomainError(
      'rule',
      'NUMBER_FORMATS_OVERLAP',
      `Invoices and credit notes could both be numbered ${overlap}`,
      changed.map((series) => ({
        field: FIELDS[series],
        code: 'overlaps_other_series',
        message: `can print ${overlap}, as the format of the other series can`,
      })),
    );
  }
  const kept: RetiredFormats = { ...retired };
  for (const series of changed) {
    const old = before[FIELDS[series]];
    if (issuedWith(numbering, series, old).length && !kept[series].includes(old)) kept[series] = [...kept[series], old];
  }
  for (const series of changed) {
    const format = after[FIELDS[series]];
    const future = toIssueWith(numbering, series, format);
    for (const other of SERIES) {
      for (const used of new Set([...kept[other], before[FIELDS[other]]])) {
        if (other === series && used === format) continue;
        const taken = firstShared(future, issuedWith(numbering, other, used));
        if (taken === undefined) continue;
        throw new DomainError(
          'rule',
          'NUMBER_FORMAT_REUSES_NUMBERS',
          `${format} could number ${NAMES[series]} ${taken}, which ${NAMES[other]} numbered with ${used} may carry already`,
          [{ field: FIELDS[series], code: 'reuses_numbers', message: `could print ${taken}, which ${used} may have printed` }],
        );
      }
    }
  }
  return kept;
};
