import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { DomainError } from '../../functions/domain/errors.js';
import {
  Dec,
  allocate,
  amount,
  isCurrency,
  isDecimalString,
  minorUnits,
  percentOf,
  roundMoney,
  sumAmounts,
  taxesByRate,
  toAmountString,
  type Amount,
} from '../../functions/domain/money.js';

const strings = (values: Amount[]): string[] => values.map((v) => v.toFixed());

describe('currencies', () => {
  it('knows ISO 4217 codes and their minor units', () => {
    expect(isCurrency('EUR')).toBe(true);
    expect(isCurrency('XYZ')).toBe(false);
    expect(minorUnits('EUR')).toBe(2);
    expect(minorUnits('JPY')).toBe(0);
    expect(minorUnits('BHD')).toBe(3);
  });

  it('refuses an unknown currency with a domain error', () => {
    expect(() => minorUnits('XYZ')).toThrow(DomainError);
  });
});

describe('rounding', () => {
  it('rounds half away from zero to the minor unit', () => {
    expect(toAmountString('0.005', 'EUR')).toBe('0.01');
    expect(toAmountString('-0.005', 'EUR')).toBe('-0.01');
    expect(toAmountString('2.5', 'JPY')).toBe('3');
    expect(toAmountString('-2.5', 'JPY')).toBe('-3');
    expect(toAmountString('0.0005', 'BHD')).toBe('0.001');
    expect(roundMoney('0.004999', 'EUR').toFixed()).toBe('0');
  });

  it('prints exactly the minor-unit digits and never a negative zero', () => {
    expect(toAmountString('1234.5', 'EUR')).toBe('1234.50');
    expect(toAmountString('-0.01', 'EUR')).toBe('-0.01');
    expect(toAmountString('100', 'JPY')).toBe('100');
    expect(toAmountString('-0.001', 'EUR')).toBe('0.00');
    expect(toAmountString(new Dec('-0'), 'EUR')).toBe('0.00');
  });

  it('gives a string in the edge format back as it is, and every other string as decimal.js rounds it', () => {
    // Forms stored amounts and client input take: signs, zeros, leading zeros, too few or many digits.
    const decimalString = fc
      .tuple(
        fc.constantFrom('', '-'),
        fc.constantFrom('0', '00', '7', '07', '1234', '999999999999999'),
        fc.constantFrom('', '.', '.0', '.00', '.000', '.5', '.50', '.05', '.995', '.125', '.0001'),
      )
      .map(([sign, whole, fraction]) => `${sign}${whole}${fraction}`)
      .filter((s) => /^-?\d+(\.\d+)?$/.test(s));
    fc.assert(
      fc.property(decimalString, fc.constantFrom('EUR', 'JPY', 'BHD'), (value, currency) => {
        expect(toAmountString(value, currency)).toBe(roundMoney(value, currency).toFixed(minorUnits(currency)));
      }),
      { numRuns: 2000 },
    );
    expect(toAmountString('-0.00', 'EUR')).toBe('0.00');
    expect(toAmountString('-0', 'JPY')).toBe('0');
    expect(toAmountString('012.50', 'EUR')).toBe('12.50');
  });

  it('takes percents as percent strings and rounds the result', () => {
    expect(percentOf('19.99', '20', 'EUR').toFixed()).toBe('4');
    expect(percentOf('10.05', '5', 'EUR').toFixed()).toBe('0.5'); // 0.5025
    expect(percentOf('-0.10', '25', 'EUR').toFixed()).toBe('-0.03'); // -0.025
  });

  it('sums exactly and rejects what is not a number', () => {
    expect(sumAmounts(['0.1', '0.2', amount(0.3)]).toFixed()).toBe('0.6');
    expect(() => amount('abc')).toThrow(DomainError);
    expect(() => amount('Infinity')).toThrow(DomainError);
  });

  it('accepts decimal strings at the edges only in plain notation', () => {
    expect(isDecimalString('-1234.50')).toBe(true);
    expect(isDecimalString('1e5')).toBe(false);
    expect(isDecimalString('.5')).toBe(false);
    expect(isDecimalString('1234567890123456')).toBe(false);
  });
});

describe('taxesByRate', () => {
  it('rounds the tax once per rate on the sum of nets, not per line', () => {
    // Prepare: 3 x 0.05 at 10% is 0.005 per line (0.01 each when rounded, 0.03 in all), 0.015 on the sum
    const lines = [
      { net: '0.05', taxRate: '10' },
      { net: '0.05', taxRate: '10.0' },
      { net: '0.05', taxRate: '10.00' },
      { net: '100.00', taxRate: '7' },
    ];

    // Act
    const groups = taxesByRate(lines, 'EUR');

    // Assess
    expect(groups.map((g) => [g.rate, g.base.toFixed(), g.amount.toFixed()])).toEqual([
      ['7', '100', '7'],
      ['10', '0.15', '0.02'],
    ]);
  });

  it('sorts rates numerically, not as text', () => {
    const rates = taxesByRate(
      ['20', '5.5', '100', '0'].map((taxRate) => ({ net: '1.00', taxRate })),
      'EUR',
    ).map((g) => g.rate);
    expect(rates).toEqual(['0', '5.5', '20', '100']);
  });

  it('refuses a malformed or negative rate', () => {
    expect(() => taxesByRate([{ net: '1', taxRate: '-5' }], 'EUR')).toThrow(DomainError);
    expect(() => taxesByRate([{ net: '1', taxRate: 'twenty' }], 'EUR')).toThrow(DomainError);
  });
});

describe('allocate', () => {
  it('gives the leftover cents to the largest remainders, ties to the earlier position', () => {
    expect(strings(allocate('100.00', ['1', '1', '1'], 'EUR'))).toEqual(['33.34', '33.33', '33.33']);
    expect(strings(allocate('-100.00', ['1', '1', '1'], 'EUR'))).toEqual(['-33.34', '-33.33', '-33.33']);
    expect(strings(allocate('10.00', ['1', '2'], 'EUR'))).toEqual(['3.33', '6.67']);
    expect(strings(allocate('100', ['0.5', '0.25', '0.25'], 'JPY'))).toEqual(['50', '25', '25']);
  });

  it('splits evenly when every weight is zero', () => {
    expect(strings(allocate('0.05', ['0', '0', '0'], 'EUR'))).toEqual(['0.02', '0.02', '0.01']);
  });

  it('refuses a total below the minor unit, a negative weight and no weights', () => {
    expect(() => allocate('1.005', ['1'], 'EUR')).toThrow(DomainError);
    expect(() => allocate('1.00', ['1', '-1'], 'EUR')).toThrow(DomainError);
    expect(() => allocate('1.00', [], 'EUR')).toThrow(DomainError);
    expect(allocate('0', [], 'EUR')).toEqual([]);
  });
});

describe('money properties', () => {
  const currency = fc.constantFrom('EUR', 'JPY', 'BHD');
  const weight = fc.oneof(
    fc.nat({ max: 1_000_000 }).map(String),
    fc.tuple(fc.nat({ max: 9999 }), fc.nat({ max: 9999 })).map(([i, f]) => `${i}.${f}`),
    fc.constant('0'),
  );

  it('allocate: parts are whole minor units, add up to the total and stay within one unit of the share', () => {
    fc.assert(
      fc.property(
        currency,
        fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }),
        fc.array(weight, { minLength: 1, maxLength: 20 }),
        (cur, minor, weights) => {
          // Prepare
          const unit = new Dec(10).pow(-minorUnits(cur));
          const total = unit.times(minor);
          const sumWeights = sumAmounts(weights);

          // Act
          const parts = allocate(total, weights, cur);

          // Assess
          expect(parts).toHaveLength(weights.length);
          expect(sumAmounts(parts).eq(total)).toBe(true);
          parts.forEach((part, i) => {
            expect(part.div(unit).isInteger()).toBe(true);
            const share = sumWeights.isZero() ? total.div(weights.length) : total.times(weights[i] ?? '0').div(sumWeights);
            expect(part.minus(share).abs().lt(unit)).toBe(true);
          });
        },
      ),
    );
  });

  it('taxesByRate: each base is the sum of its nets, and net + tax = gross exactly', () => {
    const line = fc.record({
      minor: fc.integer({ min: -10_000_000, max: 10_000_000 }),
      taxRate: fc.constantFrom('0', '5', '5.0', '7.7', '10', '19', '20', '20.00', '21'),
    });
    fc.assert(
      fc.property(currency, fc.array(line, { maxLength: 30 }), (cur, raw) => {
        // Prepare
        const unit = new Dec(10).pow(-minorUnits(cur));
        const lines = raw.map((l) => ({ net: unit.times(l.minor), taxRate: l.taxRate }));

        // Act
        const groups = taxesByRate(lines, cur);

        // Assess
        for (const g of groups) {
          const nets = lines.filter((l) => new Dec(l.taxRate).eq(g.rate)).map((l) => l.net);
          expect(g.base.eq(sumAmounts(nets))).toBe(true);
          expect(g.amount.eq(roundMoney(g.base.times(g.rate).div(100), cur))).toBe(true);
        }
        const net = sumAmounts(lines.map((l) => l.net));
        const tax = sumAmounts(groups.map((g) => g.amount));
        const gross = net.plus(tax);
        expect(sumAmounts(groups.map((g) => g.base)).eq(net)).toBe(true);
        expect(gross.minus(tax).eq(net)).toBe(true);
        expect(roundMoney(gross, cur).eq(gross)).toBe(true); // no rounding needed: exact in minor units
      }),
    );
  });
});
