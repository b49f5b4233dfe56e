import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { domainErrorOf } from '../support/domain-errors.js';
import {
  checkNumberFormats,
  countersInUse,
  noRetiredFormats,
  numberingScopes,
  numberingYears,
  sharedNumber,
  type Numbering,
  type Numbers,
  type RetiredFormats,
} from '../../functions/domain/number-formats.js';
import { defaultSettings, formatNumber, numberTokens, type Settings } from '../../functions/domain/settings.js';
import { createTenant, updateSettings } from '../../functions/domain/tenant.js';

/**
 * How a format's token language holds `number`, if it does: the counter value and the digits of
 * each year token. Every token but the counter has a fixed length, so the counter's digits are known.
 */
const readNumber = (
  format: string,
  number: string,
): { sequence: number; years: Array<{ from: number; digits: string }> } | undefined => {
  const tokens = numberTokens(format);
  const seqLength = number.length - tokens.reduce((n, t) => n + (t.kind === 'seq' ? 0 : t.kind === 'year' ? t.length : 1), 0);
  if (seqLength < 1) return undefined;
  let at = 0;
  const years: Array<{ from: number; digits: string }> = [];
  let sequence = 0;
  for (const token of tokens) {
    const length = token.kind === 'seq' ? seqLength : token.kind === 'year' ? token.length : 1;
    const part = number.slice(at, at + length);
    at += length;
    if (token.kind === 'text' && part !== token.char) return undefined;
    if (token.kind !== 'text' && !/^\d+$/.test(part)) return undefined;
    if (token.kind === 'year') years.push({ from: token.from, digits: part });
    if (token.kind === 'seq') {
      sequence = Number(part);
      if (sequence < 1 || String(sequence).padStart(token.width, '0') !== part) return undefined;
    }
  }
  return { sequence, years };
};

/** Whether `numbers` holds `number`: in its format's language, as one of its years shows it, with a counter value in its range. */
const holds = (numbers: Numbers, number: string): boolean => {
  const read = readNumber(numbers.format, number);
  if (!read) return false;
  const yearFits =
    !numbers.years ||
    numbers.years.some((year) => read.years.every(({ from, digits }) => year.slice(from, from + digits.length) === digits));
  return yearFits && read.sequence > (numbers.above ?? 0) && read.sequence <= (numbers.upTo ?? Infinity);
};

/** The numbers a set holds for counter values 1 to `upTo` (within its range) in the given years. */
const enumerate = (numbers: Numbers, years: readonly string[], upTo: number): Set<string> => {
  // formatNumber, with the format parsed once: this prints hundreds of thousands of numbers
  const tokens = numberTokens(numbers.format);
  const printed = new Set<string>();
  for (const year of numbers.years ?? years) {
    for (let n = (numbers.above ?? 0) + 1; n <= Math.min(upTo, numbers.upTo ?? upTo); n++) {
      const seq = String(n);
      const number = tokens
        .map((t) =>
          t.kind === 'text' ? t.char : t.kind === 'year' ? year.slice(t.from, t.from + t.length) : seq.padStart(t.width, '0'),
        )
        .join('');
      if (n % 100 === 1) expect(number).toBe(formatNumber(numbers.format, n, `${year}-06-01`));
      printed.add(number);
    }
  }
  return printed;
};

describe('sharedNumber: do two formats ever print the same number?', () => {
  it.each([
    ['X-{SEQ}', 'X-1{SEQ}', 'X-11'],
    ['INV-{YYYY}-{SEQ:5}', 'INV-2026-{SEQ:5}', 'INV-2026-00001'],
    ['A{YY}/{SEQ:3}', 'A{YY}/{SEQ:4}', 'A00/1000'],
    ['INV-{SEQ}', 'INV-{SEQ:5}', 'INV-10000'],
    ['{SEQ}', '{SEQ:3}', '100'],
    ['{SEQ:2}', '{SEQ:3}', '100'],
    ['{SEQ}{YYYY}', '{SEQ:6}', '100000'],
    // in the token language each year token is any digits: 2026/25 may be a {YYYY}/{YY}
    ['{YY}{YYYY}-{SEQ}', '2526{YY}-{SEQ}', '252600-1'],
    ['{YYYY}/{YY}/{SEQ}', '2026/25/{SEQ}', '2026/25/1'],
    ['INV{SEQ}', 'INV{YY}{SEQ}', 'INV101'],
    ['{YYYY}{SEQ}', '{YY}{SEQ}', '00101'],
    ['X-{SEQ:0}', 'X-{SEQ:1}', 'X-1'],
  ])('%s and %s meet at %s', (a, b, witness) => {
    expect(sharedNumber({ format: a }, { format: b })).toBe(witness);
    expect(sharedNumber({ format: b }, { format: a })).toBe(witness);
  });

  it.each([
    ['INV-{YYYY}-{SEQ:5}', 'CN-{YYYY}-{SEQ:5}'],
    ['INV-{SEQ}', 'INV{SEQ}'],
    ['INV-{SEQ}', 'INV-{YYYY}-{SEQ}'],
    ['X-{SEQ}', 'X-0{SEQ}'],
    ['{SEQ}', '0{SEQ:2}'],
    ['INV-{SEQ}-{YY}', 'INV-{SEQ}-{YYYY}'],
  ])('%s and %s never meet', (a, b) => {
    expect(sharedNumber({ format: a }, { format: b })).toBeUndefined();
  });

  it('meets only within counter ranges and years when they are given', () => {
    // X-1{SEQ} up to 5 printed X-11..X-15, which X-{SEQ} prints at 11..15
    expect(sharedNumber({ format: 'X-1{SEQ}', upTo: 5 }, { format: 'X-{SEQ}', above: 5 })).toBe('X-11');
    // X-{SEQ} up to 5 printed X-1..X-5; X-1{SEQ} from 6 prints X-16 on
    expect(sharedNumber({ format: 'X-{SEQ}', upTo: 5 }, { format: 'X-1{SEQ}', above: 5 })).toBeUndefined();
    expect(sharedNumber({ format: 'INV-{SEQ}', upTo: 99999 }, { format: 'INV-{SEQ:5}', above: 99999 })).toBeUndefined();
    expect(sharedNumber({ format: '{SEQ:2}', upTo: 100 }, { format: '{SEQ}', above: 99 })).toBe('100');
    expect(sharedNumber({ format: '{SEQ}', upTo: 0 }, { format: '{SEQ}' })).toBeUndefined();
    expect(sharedNumber({ format: 'I{YYYY}{SEQ}', years: ['2025'], upTo: 9 }, { format: 'I2026{SEQ}' })).toBeUndefined();
    expect(sharedNumber({ format: 'I{YYYY}{SEQ}', years: ['2025', '2026'], upTo: 9 }, { format: 'I2026{SEQ}', above: 3 })).toBe(
      'I20264',
    );
    // with years given, every year token shows the same one: 2026 has no {YY} of 25
    expect(sharedNumber({ format: '{YYYY}/{YY}/{SEQ}', years: ['2026', '2125'] }, { format: '2026/25/{SEQ}' })).toBeUndefined();
    expect(sharedNumber({ format: '{YYYY}/{YY}/{SEQ}', years: ['2026'] }, { format: '2026/26/{SEQ}' })).toBe('2026/26/1');
  });

  it('answers at once for the widest formats', () => {
    const started = performance.now();
    expect(sharedNumber({ format: '{SEQ:99}', upTo: 123456 }, { format: '{SEQ:99}', above: 123456 })).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

// Small pieces, so that random formats often meet: digits that years and counters print too.
const piece = fc.constantFrom('A', '-', '0', '1', '2', '{YYYY}', '{YY}');
const format = fc
  .tuple(fc.array(piece, { maxLength: 3 }), fc.constantFrom('{SEQ}', '{SEQ:2}', '{SEQ:3}'), fc.array(piece, { maxLength: 3 }))
  .map(([before, seq, after]) => [...before, seq, ...after].join(''));
// Years whose digits the pieces can meet, and one that they cannot.
const YEARS = ['0000', '0001', '0010', '0101', '1000', '1010', '1100', '1111', '2012', '2026'];

describe('sharedNumber against the numbers themselves (property)', () => {
  it('says "disjoint" only when no printed numbers coincide, and its witness is printed by both', () => {
    fc.assert(
      fc.property(format, format, (a, b) => {
        const witness = sharedNumber({ format: a }, { format: b });
        if (witness !== undefined) {
          expect(holds({ format: a }, witness), `${a} holds ${witness}`).toBe(true);
          expect(holds({ format: b }, witness), `${b} holds ${witness}`).toBe(true);
        } else {
          const printedByA = enumerate({ format: a }, YEARS, 1200);
          const common = [...enumerate({ format: b }, YEARS, 1200)].find((n) => printedByA.has(n));
          expect(common, `${a} and ${b} both print ${common}`).toBeUndefined();
        }
      }),
      { numRuns: 150 },
    );
  }, 30_000);

  it('holds for counter ranges and years as well', () => {
    const bounded = fc.record({
      format,
      years: fc.option(fc.subarray(YEARS, { minLength: 1, maxLength: 3 }), { nil: undefined }),
      counter: fc.integer({ min: 0, max: 150 }),
    });
    fc.assert(
      fc.property(bounded, bounded, (p, f) => {
        const printed: Numbers = { format: p.format, upTo: p.counter, ...(p.years ? { years: p.years } : {}) };
        const future: Numbers = { format: f.format, above: f.counter, ...(f.years ? { years: f.years } : {}) };
        const witness = sharedNumber(printed, future);
        if (witness !== undefined) {
          expect(holds(printed, witness), `${witness} printed`).toBe(true);
          expect(holds(future, witness), `${witness} to come`).toBe(true);
        } else {
          const before = enumerate(printed, YEARS, 1200);
          const common = [...enumerate(future, YEARS, 1200)].find((n) => before.has(n));
          expect(common, `both print ${common}`).toBeUndefined();
        }
      }),
      { numRuns: 150 },
    );
  }, 30_000);
});

/** What a tenant numbered: last counter values by series and scope, this year 2026. */
const numbering = (counters: Partial<Numbering['counters']> = {}): Numbering => ({
  firstYear: 2016,
  thisYear: 2026,
  counters: { invoice: {}, credit_note: {}, ...counters },
});

const settings = (formats: Partial<Settings> = {}): Settings => ({ ...defaultSettings('EUR'), ...formats });


describe('checkNumberFormats: a settings change never makes a later issue meet a number', () => {
  const change = (
    before: Partial<Settings>,
    after: Partial<Settings>,
    counted: Numbering,
    retired: RetiredFormats = noRetiredFormats(),
  ) => checkNumberFormats(settings(before), settings({ ...before, ...after }), retired, counted);

  it('refuses two series that could print the same number: 422 NUMBER_FORMATS_OVERLAP naming the field changed', () => {
    const error = domainErrorOf(() => change({ invoiceNumberFormat: 'X-{SEQ}' }, { creditNoteNumberFormat: 'X-1{SEQ}' }, numbering()));
    expect(error).toMatchObject({ kind: 'rule', code: 'NUMBER_FORMATS_OVERLAP', errors: [{ field: 'creditNoteNumberFormat' }] });
    expect(error.message).toContain('X-11');
  });

  it('refuses a format whose numbers the series has printed already: 422 NUMBER_FORMAT_REUSES_NUMBERS', () => {
    const error = domainErrorOf(() => change({}, { invoiceNumberFormat: 'INV-2026-{SEQ:5}' }, numbering({ invoice: { '2026': 3 } })));
    expect(error).toMatchObject({
      kind: 'rule',
      code: 'NUMBER_FORMAT_REUSES_NUMBERS',
      errors: [{ field: 'invoiceNumberFormat' }],
    });
    expect(error.message).toContain('INV-2026-00001');
  });

  it('lets a tenant that numbered nothing yet change formats freely, and keeps no retired format', () => {
    expect(change({}, { invoiceNumberFormat: 'INV-2026-{SEQ:5}' }, numbering())).toEqual(noRetiredFormats());
    expect(change({}, { invoiceNumberFormat: 'X-{SEQ}', creditNoteNumberFormat: 'Y-{SEQ}' }, numbering())).toEqual(
      noRetiredFormats(),
    );
  });

  it('takes the year into a counting format, and back again, keeping what each printed', () => {
    const first = numbering({ invoice: { all: 2 } });
    const retired = change({ invoiceNumberFormat: 'INV-{SEQ}' }, { invoiceNumberFormat: 'INV-{YYYY}-{SEQ}' }, first);
    expect(retired.invoice).toEqual(['INV-{SEQ}']);
    const later = numbering({ invoice: { all: 2, '2026': 5 } });
    const back = change({ invoiceNumberFormat: 'INV-{YYYY}-{SEQ}' }, { invoiceNumberFormat: 'INV-{SEQ}' }, later, retired);
    expect(back.invoice).toEqual(['INV-{SEQ}', 'INV-{YYYY}-{SEQ}']);
    // ...but the year written out, counted on from 2, would print INV-2026-3 again
    const error = domainErrorOf(() =>
      change({ invoiceNumberFormat: 'INV-{SEQ}' }, { invoiceNumberFormat: 'INV-2026-{SEQ}' }, later, back),
    );
    expect(error.message).toContain('INV-2026-3');
  });

  it.each([
    ['INV-{SEQ}', 'INV-{SEQ:5}', { all: 7 }],
    ['INV-{SEQ:5}', 'INV-{SEQ}', { all: 7 }],
    ['INV-{YYYY}-{SEQ}', 'INV-{YYYY}-{SEQ:5}', { '2025': 40, '2026': 7 }],
    ['INV-{YYYY}-{SEQ:5}', 'INV-2027-{SEQ:5}', { '2025': 4, '2026': 9 }],
    // X-{SEQ} printed X-1..X-5; X-1{SEQ} goes on from X-16
    ['X-{SEQ}', 'X-1{SEQ}', { all: 5 }],
    ['INV-{YYYY}-{SEQ:5}', 'R{YY}-{SEQ}', { '2026': 9 }],
    // R2026{SEQ} from 6 on after R{YYYY}{SEQ} printed R20261..R20265 this year
    ['R{YYYY}{SEQ}', 'R20{YY}{SEQ}', { '2026': 5 }],
    // padding never meets: a padded counter value is printed only at that value
    ['INV-{SEQ:3}', 'INV-{SEQ:2}', { all: 12 }],
    ['INV-{YY}-{SEQ}', 'INV-{YY}-{SEQ:3}', { '2016': 900, '2025': 300, '2026': 500 }],
  ])('allows %s -> %s with the counters at %j', (before, after, counters) => {
    expect(() =>
      change({ invoiceNumberFormat: before }, { invoiceNumberFormat: after }, numbering({ invoice: counters })),
    ).not.toThrow();
  });

  it.each([
    // X-1{SEQ} printed X-110 as its 10th
    ['X-1{SEQ}', 'X-{SEQ}', { all: 20 }, 'X-110'],
    // a year-less format over last year's numbers
    ['INV-{YYYY}-{SEQ:5}', 'INV-2025-{SEQ:5}', { '2025': 4 }, 'INV-2025-00001'],
    ['INV-{YYYY}-1{SEQ}', 'INV-{YYYY}-{SEQ}', { '2026': 20 }, 'INV-2026-110'],
    // the year comes in: INV-{YY}{SEQ} prints INV-101 in 2110, which INV-{SEQ} printed as its 101st
    ['INV-{SEQ}', 'INV-{YY}{SEQ}', { all: 300 }, 'INV-101'],
  ])('refuses %s -> %s with the counters at %j (could print %s again)', (before, after, counters, taken) => {
    const error = domainErrorOf(() =>
      change({ invoiceNumberFormat: before }, { invoiceNumberFormat: after }, numbering({ invoice: counters })),
    );
    expect(error).toMatchObject({ code: 'NUMBER_FORMAT_REUSES_NUMBERS', errors: [{ field: 'invoiceNumberFormat' }] });
    expect(error.message).toContain(taken);
  });

  it("refuses a format that would print the other series' numbers, current or retired", () => {
    const counted = numbering({ credit_note: { all: 3 } });
    const retired = change({ creditNoteNumberFormat: 'CN-{SEQ}' }, { creditNoteNumberFormat: 'KN-{SEQ}' }, counted);
    expect(retired.credit_note).toEqual(['CN-{SEQ}']);
    const error = domainErrorOf(() =>
      change({ creditNoteNumberFormat: 'KN-{SEQ}' }, { invoiceNumberFormat: 'CN-{SEQ}' }, counted, retired),
    );
    expect(error).toMatchObject({ code: 'NUMBER_FORMAT_REUSES_NUMBERS', errors: [{ field: 'invoiceNumberFormat' }] });
    expect(error.message).toMatch(/CN-1.*a credit note/);
    // the same with both series moving at once: the credit notes' old format printed CN-1..CN-3
    expect(
      domainErrorOf(() =>
        change(
          { creditNoteNumberFormat: 'CN-{SEQ}' },
          { creditNoteNumberFormat: 'KN-{SEQ}', invoiceNumberFormat: 'CN-{SEQ}' },
          counted,
        ),
      ),
    ).toMatchObject({ code: 'NUMBER_FORMAT_REUSES_NUMBERS' });
  });

  it('returns a series to its own earlier format: its counter goes on past what it printed', () => {
    const retired = { invoice: ['INV-{SEQ}'], credit_note: [] };
    const counted = numbering({ invoice: { all: 30 } });
    expect(() =>
      change({ invoiceNumberFormat: 'FAC-{SEQ}' }, { invoiceNumberFormat: 'INV-{SEQ}' }, counted, retired),
    ).not.toThrow();
  });
});

describe('updateSettings', () => {
  const tenant = createTenant({ name: 'T' }, 'ten_1', new Date('2026-03-01T00:00:00Z'));

  it('leaves formats that already overlap alone when another field changes', () => {
    const legacy = { ...tenant, settings: settings({ invoiceNumberFormat: 'X-{SEQ}', creditNoteNumberFormat: 'X-1{SEQ}' }) };
    expect(updateSettings(legacy, { defaultDueDays: 14 }, new Date()).settings.defaultDueDays).toBe(14);
  });

  it('keeps the retired formats in the tenant', () => {
    const next = updateSettings(tenant, { invoiceNumberFormat: 'FAC-{SEQ}' }, new Date(), numbering({ invoice: { '2026': 1 } }));
    expect(next).toMatchObject({ version: 2, retiredNumberFormats: { invoice: ['INV-{YYYY}-{SEQ:5}'], credit_note: [] } });
  });

  it('refuses a backdating window past the widest the numbering check covers', () => {
    expect(domainErrorOf(() => updateSettings(tenant, { backdatingDays: 3651 }, new Date()))).toMatchObject({
      code: 'VALIDATION_FAILED',
      errors: [{ field: 'backdatingDays' }],
    });
  });
});

describe('the counters a format change reads', () => {
  it('spans from ten years before the tenant to now', () => {
    const years = numberingYears('2024-05-01T00:00:00.000Z', new Date('2026-02-01T00:00:00Z'));
    expect(years).toEqual({ firstYear: 2014, thisYear: 2026 });
    expect(numberingScopes(years)).toEqual(['all', ...Array.from({ length: 13 }, (_, i) => String(2014 + i))]);
  });

  it('holds those that issuing can move: the scope of each format, over the backdating window', () => {
    const inUse = countersInUse(
      settings({ invoiceNumberFormat: 'INV-{SEQ}', backdatingDays: 40 }),
      new Date('2026-01-15T12:00:00Z'),
    );
    expect(inUse).toEqual([
      { series: 'invoice', scope: 'all' },
      { series: 'credit_note', scope: '2025' },
      { series: 'credit_note', scope: '2026' },
    ]);
  });
});
