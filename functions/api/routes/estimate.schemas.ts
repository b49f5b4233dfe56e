import * as z from '../../shared/zod.js';
import { DECIDERS } from '../../domain/approval.js';
import { MAX_CHARGES } from '../../domain/charge.js';
import { ESTIMATE_STATUSES } from '../../domain/estimate.js';
import { atLeastOneField, currencyCode, isoDate, pageQuery, percentString, requiredSaying, resourceId } from '../schemas.js';
import { billingType, chargeSchema, jobTermsShape } from './job.schemas.js';

const estimateName = z.string().check(z.trim(), z.minLength(1), z.maxLength(200));
const validUntil = z.withMeta(isoDate, {
  description: "The last day (the tenant's calendar) it can be accepted; a day past it refuses acceptance",
});

export const newEstimate = z.withMeta(
  z.strictObject({
    customerId: resourceId,
    name: estimateName,
    billingType,
    currency: z.optional(currencyCode),
    retainagePercent: z.optional(percentString),
    validUntil: z.optional(z.nullable(validUntil)),
  }),
  {
    examples: [
      {
        customerId: 'cus_01J9Z3Q4R5S6T7V8W9X0Y1Z2A3',
        name: 'Bathroom refit',
        billingType: 'fixed_price',
        validUntil: '2026-12-31',
      },
    ],
  },
);

export const estimatePatch = z
  .partial(
    z.strictObject({
      name: estimateName,
      customerId: resourceId,
      retainagePercent: z.nullable(percentString),
      validUntil: z.nullable(validUntil),
    }),
  )
  .check(z.refine(atLeastOneField, 'give at least one field'));

export const estimateQuery = z.extend(pageQuery, {
  customerId: z.optional(resourceId),
  status: z.optional(z.enum(ESTIMATE_STATUSES)),
});

export const sendEstimateRequest = z.optional(
  z.strictObject({
    to: z.withMeta(z.optional(z.email().check(z.maxLength(254))), {
      description: "Whom to ask (default: the estimate's customer)",
    }),
  }),
);

export const declineRequest = z.strictObject({
  reason: z.withMeta(requiredSaying(2000), { description: 'Why it is declined (required)' }),
});

const nullableText = z.nullable(z.string());
const amount = z.string();

export const estimateSchema = z.withMeta(
  z.object({
    id: z.string(),
    ...jobTermsShape,
    validUntil: z.nullable(isoDate),
    status: z.enum(ESTIMATE_STATUSES),
    charges: z.withMeta(z.array(chargeSchema).check(z.maxLength(MAX_CHARGES)), {
      description: 'In billing order: the job its acceptance makes has them in this order',
    }),
    totals: z.withMeta(z.object({ net: amount, tax: amount, gross: amount }), {
      description: 'Of every charge, tax per rate on the sum of its nets',
    }),
    taxes: z.array(z.object({ rate: z.string(), base: amount, amount })),
    approval: z.withMeta(
      z.nullable(
        z.object({
          requestId: z.string(),
          recipient: z.string(),
          expiresAt: z.iso.datetime(),
          sentVersion: z.withMeta(z.number().check(z.int()), {
            description:
              'The version sent: once the estimate changes (`version` past it), the link decides nothing until sent again',
          }),
        }),
      ),
      { description: "The client's decision it was sent for (its emailed link); null until sent" },
    ),
    decision: z.withMeta(
      z.nullable(
        z.object({
          outcome: z.withMeta(z.enum(['approve', 'reject']), { description: '`approve`: accepted; `reject`: declined' }),
          by: z.enum(DECIDERS),
          at: z.iso.datetime(),
          ip: nullableText,
          userAgent: nullableText,
          comment: z.withMeta(nullableText, { description: 'The reason of a decline' }),
        }),
      ),
      { description: 'Who decided, when, from where (the portal) and why; null until decided' },
    ),
    jobId: z.withMeta(z.nullable(z.string()), { description: 'The job its acceptance made; null until accepted' }),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    version: z.number().check(z.int()),
  }),
  { id: 'Estimate' },
);
