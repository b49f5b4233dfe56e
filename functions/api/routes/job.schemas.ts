import * as z from '../../shared/zod.js';
import { MAX_CHARGES } from '../../domain/charge.js';
import {
  DECIMAL_DESCRIPTION,
  atLeastOneField,
  currencyCode,
  decimalString,
  percentString,
  positiveDecimalString,
  resourceId,
} from '../schemas.js';

// Apart from the jobs' routes, so that the invoices' group, which shows a job's billing, does not bundle those.

const amountField = z.string();
export const billingSchema = z.withMeta(
  z.object({
    suggestedPrice: amountField,
    projectValue: z.withMeta(amountField, { description: "The sum of the job's milestones" }),
    invoicedToDate: amountField,
    paidToDate: amountField,
    depositsHeld: amountField,
    retainageHeld: amountField,
    remaining: amountField,
  }),
  { id: 'JobBilling', description: 'Net amounts' },
);

// A charge, as jobs and estimates take and show it: here, so that each group bundles them without the other's routes.

export const billingType = z.enum(['fixed_price', 'time_and_material', 'milestone']);

/** A job's terms as a job and an estimate show them (domain/job.ts `JobTerms`). */
export const jobTermsShape = {
  customerId: z.string(),
  name: z.string(),
  billingType,
  currency: currencyCode,
  retainagePercent: z.nullable(z.string()),
};

const chargeFields = {
  description: z.string().check(z.trim(), z.minLength(1), z.maxLength(500)),
  group: z.nullish(z.string().check(z.trim(), z.minLength(1), z.maxLength(100))),
  quantity: positiveDecimalString,
  unitPrice: z.withMeta(decimalString, {
    description: `${DECIMAL_DESCRIPTION}. Negative for a discount. The job's (or estimate's) charges, each at its size with its tax, stay below 10^15 (else 422 AMOUNT_TOO_LARGE)`,
  }),
  taxRate: z.optional(percentString),
};
export const newCharge = z.withMeta(z.strictObject(chargeFields), {
  examples: [{ description: 'Cabinets', group: 'Joinery', quantity: '12', unitPrice: '350.00', taxRate: '19' }],
});
export const chargePatch = z.partial(z.strictObject(chargeFields)).check(z.refine(atLeastOneField, 'give at least one field'));

export const chargeParams = z.object({
  id: z.string().check(z.minLength(1), z.maxLength(64)),
  chargeId: z.string().check(z.minLength(1), z.maxLength(64)),
});

/** The billing order of an owner's charges: every charge id once. */
export const chargeOrder = z.withMeta(
  z.strictObject({
    ids: z.withMeta(z.array(resourceId).check(z.maxLength(MAX_CHARGES)), {
      description: 'Every charge id once, in the order wanted',
    }),
  }),
  { examples: [{ ids: ['chg_01J9Z3Q4R5S6T7V8W9X0Y1Z2C2', 'chg_01J9Z3Q4R5S6T7V8W9X0Y1Z2C1'] }] },
);

export const chargeSchema = z.withMeta(
  z.object({
    id: z.string(),
    description: z.string(),
    group: z.nullable(z.string()),
    quantity: z.string(),
    unitPrice: z.string(),
    taxRate: z.string(),
    amount: z.string(),
    billedToDate: z.string(),
    fromChargeId: z.withMeta(z.optional(z.string()), { description: "On a phase job: the master's charge it was taken from" }),
  }),
  { id: 'Charge' },
);
