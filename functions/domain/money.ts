import { Decimal } from 'decimal.js';
import { DomainError, invalidField } from './errors.js';

/**
 * The one rounding rule: ROUND_HALF_UP in decimal.js rounds half away from zero
 * (0.005 -> 0.01, -0.005 -> -0.01). 50 significant digits keep intermediate products exact.
 */
export const Dec = Decimal.clone({ precision: 50, rounding: Decimal.ROUND_HALF_UP });
export type Amount = InstanceType<typeof Dec>;
export type AmountInput = Amount | string | number;

/**
 * The one bound on amounts: every amount Tally takes or computes (a charge, a job's price, an
 * invoice line, tax, net and gross, a payment) stays below 10^15 in magnitude, i.e. has at most
 * 15 integer digits, as a payment may carry. So one payment can pay any invoice in full.
 */
export const AMOUNT_INTEGER_DIGITS = 15;
export const AMOUNT_LIMIT = new Dec(10).pow(AMOUNT_INTEGER_DIGITS);

/** Decimal strings accepted at the edges (API, storage): at most 15 integer digits (the bound) and 10 fraction digits. */
export const DECIMAL_PATTERN = new RegExp(`^-?\\d{1,${AMOUNT_INTEGER_DIGITS}}(\\.\\d{1,10})?$`);
export const isDecimalString = (s: string): boolean => DECIMAL_PATTERN.test(s);

let currencies: Set<string> | undefined;
const digits = new Map<string, number>();

/** True for an ISO 4217 code the runtime knows (upper case only). */
export function isCurrency(code: string): boolean {
  currencies ??= new Set(Intl.supportedValuesOf('currency'));
  return currencies.has(code);
}

/** Digits after the decimal point for a currency, as CLDR (via Intl) defines them: EUR 2, JPY 0, BHD 3. */
export function minorUnits(currency: string): number {
  let units = digits.get(currency);
  if (units === undefined) {
    if (!isCurrency(currency)) throw invalidField('currency', 'invalid_currency', `unknown currency ${currency}`);
    units = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    digits.set(currency, units);
  }
  return units;
}

/** Builds an amount; throws a validation error for anything that is not a finite number. */
export function amount(value: AmountInput, field = 'amount'): Amount {
  let result: Amount;
  try {
    result = new Dec(value);
  } catch {
    throw invalidField(field, 'invalid_decimal', `${field} is not a decimal number`);
  }
  if (!result.isFinite()) throw invalidField(field, 'invalid_decimal', `${field} is not a finite number`);
  return result;
}

// decimal.js keeps the sign of zero; "-0.00" must never reach an invoice.
const unsigned = (value: Amount): Amount => (value.isZero() ? new Dec(0) : value);

/** Rounds to the currency's minor unit, half away from zero. */
export function roundMoney(value: AmountInput, currency: string): Amount {
  return unsigned(amount(value).toDecimalPlaces(minorUnits(currency), Dec.ROUND_HALF_UP));
}

/** By minor-unit digits: a string already in the edge format (no leading zeros, exactly those digits, not "-0"). */
const edgeFormats = new Map<number, RegExp>();
const edgeFormat = (units: number): RegExp => {
  let format = edgeFormats.get(units);
  if (!format) {
    format = new RegExp(`^(?!-0(\\.0*)?$)-?(0|[1-9]\\d*)${units ? `\\.\\d{${units}}` : ''}$`);
    edgeFormats.set(units, format);
  }
  return format;
};

/** The edge format: rounded, exactly the minor-unit digits ("1234.50", "100" for JPY), never "-0.00". */
export function toAmountString(value: AmountInput, currency: string): string {
  const units = minorUnits(currency);
  // Stored amounts are in the edge format already: returned as they are, without a decimal round trip.
  if (typeof value === 'string' && edgeFormat(units).test(value)) return value;
  return roundMoney(value, currency).toFixed(units);
}

/** `percent` percent of `base` ("20" means 20%), rounded to the minor unit. */
export function percentOf(base: AmountInput, percent: string, currency: string): Amount {
  return roundMoney(amount(base).times(amount(percent, 'percent')).div(100), currency);
}

/** Exact sum, not rounded. */
export function sumAmounts(values: Iterable<Amount | string>): Amount {
  let sum = new Dec(0);
  for (const value of values) sum = sum.plus(amount(value));
  return sum;
}

// An exact integer of 10^-scale units, so that allocation needs no division that rounds.
const toScaledBigInt = (value: Amount, scale: number): bigint => BigInt(value.toFixed(scale).replace('.', ''));

/**
 * Splits `total` in proportion to `weights` by the largest-remainder method: the parts add up
 * exactly to `total`, each is a whole number of minor units and lies within one minor unit of its
 * exact share. Ties go to the earlier position; all-zero weights split evenly. Negative totals
 * split symmetrically. `total` must already be whole minor units; weights must be >= 0.
 */
export function allocate(total: AmountInput, weights: (Amount | string)[], currency: string): Amount[] {
  const units = minorUnits(currency);
  const whole = amount(total, 'total');
  if (whole.decimalPlaces() > units) {
    throw invalidField('total', 'not_minor_units', `total ${whole.toFixed()} is not a whole number of ${currency} minor units`);
  }
  const ws = weights.map((w) => amount(w, 'weights'));
  if (ws.some((w) => w.isNegative() && !w.isZero()))
    throw invalidField('weights', 'negative_weight', 'weights must not be negative');
  if (ws.length === 0) {
    if (whole.isZero()) return [];
    throw invalidField('weights', 'no_weights', 'cannot allocate a non-zero total over no weights');
  }
  const scale = Math.max(0, ...ws.map((w) => w.decimalPlaces()));
  let ints = ws.map((w) => toScaledBigInt(w.abs(), scale));
  let sumWeights = ints.reduce((a, b) => a + b, 0n);
  if (sumWeights === 0n) {
    ints = ints.map(() => 1n);
    sumWeights = BigInt(ints.length);
  }
  const signed = toScaledBigInt(whole, units);
  const target = signed < 0n ? -signed : signed;
  const parts = ints.map((w) => (target * w) / sumWeights);
  const remainders = ints.map((w) => (target * w) % sumWeights);
  let leftover = target - parts.reduce((a, b) => a + b, 0n);
  const order = remainders.map((r, i) => ({ r, i })).sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1));
  for (const { i } of order) {
    if (leftover === 0n) break;
    parts[i] = (parts[i] ?? 0n) + 1n;
    leftover -= 1n;
  }
  return parts.map((p) => new Dec(`${signed < 0n ? -p : p}e-${units}`));
}

export interface TaxGroup {
  rate: string;
  base: Amount;
  amount: Amount;
}

/**
 * Tax per rate as EN 16931 requires: the nets of each rate are summed and the tax on that sum is
 * rounded once (not per line). Sorted by rate, numerically; rates normalised ("20.0" -> "20").
 */
export function taxesByRate(lines: { net: Amount | string; taxRate: string }[], currency: string): TaxGroup[] {
  const bases = new Map<string, { rate: Amount; base: Amount }>();
  for (const line of lines) {
    const rate = isDecimalString(line.taxRate) ? unsigned(new Dec(line.taxRate)) : undefined;
    if (!rate || rate.isNegative()) {
      throw invalidField('taxRate', 'invalid_decimal', `tax rate ${line.taxRate} is not a non-negative decimal`);
    }
    const key = rate.toFixed();
    const group = bases.get(key);
    bases.set(key, { rate, base: (group?.base ?? new Dec(0)).plus(amount(line.net, 'net')) });
  }
  return [...bases.values()]
    .sort((a, b) => a.rate.comparedTo(b.rate))
    .map(({ rate, base }) => ({ rate: rate.toFixed(), base, amount: percentOf(base, rate.toFixed(), currency) }));
}

/** The code itself when it is an ISO 4217 currency; else a validation error naming the field. */
export function checkCurrency(code: string, field = 'currency'): string {
  if (!isCurrency(code)) throw invalidField(field, 'invalid_currency', `${code} is not an ISO 4217 currency`);
  return code;
}

/** The largest amount (in magnitude) the bound lets a currency carry: 999999999999999.99 in EUR. */
export const maxAmount = (currency: string): string => AMOUNT_LIMIT.minus(new Dec(10).pow(-minorUnits(currency))).toFixed();

/**
 * Refuses amounts that reach the bound (422 `AMOUNT_TOO_LARGE`), naming the request fields that
 * led to them (none when nothing in the request did). `what` says whose amounts they are.
 */
export function assertWithinBound(values: Amount[], currency: string, what: string, fields: string[]): void {
  const over = values.find((value) => value.abs().gte(AMOUNT_LIMIT));
  if (!over) return;
  const message = `${what} would carry ${toAmountString(over, currency)} ${currency}, past ${maxAmount(currency)}, the largest amount one payment can carry`;
  throw new DomainError(
    'rule',
    'AMOUNT_TOO_LARGE',
    message,
    fields.map((field) => ({ field, code: 'amount_too_large', message })),
  );
}

/**
 * Refuses lines whose amounts, tax bases, taxes, net or gross (taxed per rate, as an invoice is)
 * reach the bound, as `assertWithinBound` does: what passes can be invoiced and paid in one payment.
 */
export function assertPayable(
  lines: { net: Amount | string; taxRate: string }[],
  currency: string,
  what: string,
  fields: string[],
): void {
  const taxes = taxesByRate(lines, currency);
  const net = sumAmounts(lines.map((l) => l.net));
  const tax = sumAmounts(taxes.map((t) => t.amount));
  const amounts = [...lines.map((l) => amount(l.net)), ...taxes.flatMap((t) => [t.base, t.amount]), net, tax, net.plus(tax)];
  assertWithinBound(amounts, currency, what, fields);
}

/** An amount a client gives in `currency`: refused (400 naming `field`) with more decimals than the currency has, not rounded away. */
export const assertMinorUnits = (value: AmountInput, currency: string, field: string): Amount => {
  const parsed = amount(value, field);
  if (parsed.decimalPlaces() > minorUnits(currency))
    throw invalidField(field, 'too_precise', `has more decimals than ${currency} has`);
  return parsed;
};
