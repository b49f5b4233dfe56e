import * as z from '../../shared/zod.js';

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
