import * as z from '../../shared/zod.js';
import { MILESTONE_STATUSES } from '../../domain/milestone.js';
import { POSITIVE_DECIMAL_DESCRIPTION, percentString, positiveDecimalString, text } from '../schemas.js';

// Apart from the milestones' routes, so that the groups which share them (jobs, change orders) do not bundle those.

/** A milestone's fields as POST and PATCH take them, and as a change order proposes them. */
export const milestoneFields = {
  name: text(200),
  description: z.nullish(text(2000)),
  amount: z.withMeta(positiveDecimalString, {
    description: `${POSITIVE_DECIMAL_DESCRIPTION}, net, in the currency's minor units (400 beyond). The job's milestones with their tax stay below 10^15 (else 422 AMOUNT_TOO_LARGE)`,
  }),
  taxRate: z.optional(percentString),
  completionCriteria: z.nullish(text(2000)),
  requiresClientApproval: z.boolean(),
  approverEmail: z.withMeta(z.nullish(z.email().check(z.maxLength(254))), {
    description: "Who approves instead of the job's customer",
  }),
};

export const milestoneStatus = z.enum(MILESTONE_STATUSES);
