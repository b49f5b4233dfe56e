import * as z from '../../shared/zod.js';
import type { EventType } from '../../domain/event.js';
import { listEvents } from '../../services/event.service.js';
import { route } from '../route.js';
import { currencyCode, pageOf, pageQuery } from '../schemas.js';

const eventType = z.enum([
  'invoice.issued',
  'invoice.voided',
  'invoice.paid',
  'payment.recorded',
  'invoice.late_fee_added',
] as const satisfies readonly EventType[]);

const eventSchema = z.withMeta(
  z.object({
    id: z.string(),
    type: eventType,
    invoiceId: z.string(),
    jobId: z.withMeta(z.nullable(z.string()), {
      description: 'The job of the invoice; null for an invoice of an accumulating profile',
    }),
    profileId: z.withMeta(z.nullable(z.string()), {
      description: 'The accumulating profile of the invoice; null for an invoice of a job',
    }),
    customerId: z.string(),
    number: z.nullable(z.string()),
    currency: currencyCode,
    amount: z.withMeta(z.string(), {
      description: "The invoice's gross; for payment.recorded the payment, for invoice.late_fee_added the fee",
    }),
    createdAt: z.iso.datetime(),
  }),
  { id: 'Event' },
);

const eventQuery = z.extend(pageQuery, { type: z.optional(eventType) });

export const eventRoutes = [
  route<object, z.infer<typeof eventQuery>>({
    method: 'GET',
    path: '/v1/events',
    operationId: 'listEvents',
    summary: 'Billing events of the last 30 days, newest first: each written in the transaction of its change',
    description: 'A client that keeps the id of the newest event it has seen polls until it meets that id again.',
    query: eventQuery,
    responses: { 200: { description: 'A page of events', schema: pageOf(eventSchema) } },
    handle: async ({ tenantId, query }) => ({
      status: 200,
      body: await listEvents(tenantId, query.type, query.limit, query.cursor),
    }),
  }),
];
