import { DomainError, notFound } from './errors.js';
import { amount, assertPayable, roundMoney, toAmountString } from './money.js';
import { assertModifiable, touched, type Charge, type Job } from './job.js';

export interface ChargeFields {
  description: string;
  group?: string | null;
  quantity: string;
  unitPrice: string;
  taxRate?: string;
}

/** One job item holds all its charges; this keeps it well under DynamoDB's 400 KB. */
export const MAX_CHARGES = 500;

const priced = (charge: Omit<Charge, 'amount'>, currency: string): Charge => ({
  ...charge,
  amount: toAmountString(
    roundMoney(amount(charge.quantity, 'quantity').times(amount(charge.unitPrice, 'unitPrice')), currency),
    currency,
  ),
});

/** The request fields that make a charge's amount and tax. */
const PRICING_FIELDS = ['quantity', 'unitPrice', 'taxRate'] as const;

/**
 * The job's charges, each at its size with its tax, taken as one invoice, stay within the amount
 * bound (else 422 naming `fields`): so does every invoice that bills them within their amounts,
 * the final one included, and one payment can pay it.
 */
const assertChargesPayable = (job: Job, fields: string[]): Job => {
  const sizes = job.charges.map((c) => ({ net: amount(c.amount).abs(), taxRate: c.taxRate }));
  assertPayable(sizes, job.currency, "The job's charges with tax", fields);
  return job;
};

export const findCharge = (job: Job, chargeId: string): Charge => {
  const charge = job.charges.find((c) => c.id === chargeId);
  if (!charge) throw notFound('charge');
  return charge;
};

export const addCharge = (job: Job, input: ChargeFields, id: string, now: Date): Job => {
  assertModifiable(job);
  if (job.charges.length >= MAX_CHARGES) {
    throw new DomainError('rule', 'TOO_MANY_CHARGES', `A job holds at most ${MAX_CHARGES} charges`);
  }
  const charge = priced(
    {
      id,
      description: input.description,
      group: input.group ?? null,
      quantity: input.quantity,
      unitPrice: input.unitPrice,
      taxRate: input.taxRate ?? '0',
      billedToDate: toAmountString(0, job.currency),
    },
    job.currency,
  );
  const fields = PRICING_FIELDS.filter((field) => input[field] !== undefined);
  return assertChargesPayable(touched(job, now, { charges: [...job.charges, charge] }), fields);
};

/** A charge cannot shrink below what its invoices have billed already. */
export const updateCharge = (job: Job, chargeId: string, patch: Partial<ChargeFields>, now: Date): Job => {
  assertModifiable(job);
  const current = findCharge(job, chargeId);
  const given = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined));
  const next = priced({ ...current, ...given }, job.currency);
  if (amount(current.billedToDate).gt(0) && amount(next.amount).lt(current.billedToDate)) {
    throw new DomainError(
      'rule',
      'CHARGE_BELOW_BILLED',
      `The charge has ${current.billedToDate} billed already; its amount cannot go below that`,
    );
  }
  const fields = PRICING_FIELDS.filter((field) => patch[field] !== undefined);
  return assertChargesPayable(touched(job, now, { charges: job.charges.map((c) => (c.id === chargeId ? next : c)) }), fields);
};

export const removeCharge = (job: Job, chargeId: string, now: Date): Job => {
  assertModifiable(job);
  const charge = findCharge(job, chargeId);
  if (!amount(charge.billedToDate).isZero()) {
    throw new DomainError('rule', 'CHARGE_BILLED', 'A charge that invoices have billed cannot be deleted');
  }
  return touched(job, now, { charges: job.charges.filter((c) => c.id !== chargeId) });
};
