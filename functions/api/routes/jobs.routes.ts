import { z } from 'zod';
import { billingSummary, type Job } from '../../domain/job.js';
import * as jobs from '../../services/job.service.js';
import type { ChargeOfJob } from '../../services/job.service.js';
import { created, route } from '../route.js';
import {
  actionRoute,
  atLeastOneField,
  decimalString,
  etag,
  idParams,
  ifMatchVersion,
  pageOf,
  pageQuery,
  percentString,
  positiveDecimalString,
  currencyCode,
  resourceId,
} from '../schemas.js';

const billingType = z.enum(['fixed_price', 'time_and_material', 'milestone']);
const jobStatus = z.enum(['open', 'closed', 'billed']);

const newJob = z.strictObject({
  customerId: z.string().min(1).max(64),
  name: z.string().trim().min(1).max(200),
  billingType,
  currency: currencyCode.optional(),
  retainagePercent: percentString.optional(),
});

const jobPatch = z
  .strictObject({ name: newJob.shape.name, customerId: newJob.shape.customerId, retainagePercent: percentString.nullable() })
  .partial()
  .refine(atLeastOneField, 'give at least one field');

const chargeFields = {
  description: z.string().trim().min(1).max(500),
  group: z.string().trim().min(1).max(100).nullish(),
  quantity: positiveDecimalString,
  unitPrice: decimalString.meta({
    description: `${decimalString.description}. Negative for a discount. The job's charges, each at its size with its tax, stay below 10^15 (else 422 AMOUNT_TOO_LARGE)`,
  }),
  taxRate: percentString.optional(),
};
const newCharge = z.strictObject(chargeFields);
const chargePatch = z.strictObject(chargeFields).partial().refine(atLeastOneField, 'give at least one field');

const jobQuery = pageQuery.extend({ customerId: resourceId.optional(), status: jobStatus.optional() });
const chargeParams = z.object({ id: z.string().min(1).max(64), chargeId: z.string().min(1).max(64) });

const chargeSchema = z
  .object({
    id: z.string(),
    description: z.string(),
    group: z.string().nullable(),
    quantity: z.string(),
    unitPrice: z.string(),
    taxRate: z.string(),
    amount: z.string(),
    billedToDate: z.string(),
  })
  .meta({ id: 'Charge' });
const amountField = z.string();
export const billingSchema = z
  .object({
    suggestedPrice: amountField,
    invoicedToDate: amountField,
    paidToDate: amountField,
    depositsHeld: amountField,
    retainageHeld: amountField,
    remaining: amountField,
  })
  .meta({ id: 'JobBilling', description: 'Net amounts' });

export const jobSchema = z
  .object({
    id: z.string(),
    customerId: z.string(),
    name: z.string(),
    billingType,
    currency: z.string(),
    retainagePercent: z.string().nullable(),
    status: jobStatus,
    charges: z.array(chargeSchema),
    billing: billingSchema,
    createdAt: z.string(),
    updatedAt: z.string(),
    version: z.number().int(),
  })
  .meta({ id: 'Job' });

/** The job as clients see it: its ledger folded into the billing summary (the schema drops the rest). */
export const jobView = (job: Job) => ({ ...job, billing: billingSummary(job) });

const reply = (status: number, job: Job) => ({ status, body: jobView(job), headers: etag(job) });
const jobResponse = { description: 'The job', schema: jobSchema };
const chargeResponse = { description: 'The charge', schema: chargeSchema };
// A charge has no version of its own: the job's is the one that If-Match checks.
const chargeReply = ({ job, charge }: ChargeOfJob) => ({ status: 200, body: charge, headers: etag(job) });
type IdParams = z.infer<typeof idParams>;
type ChargeParams = z.infer<typeof chargeParams>;

export const jobRoutes = [
  route<object, object, z.infer<typeof newJob>>({
    method: 'POST',
    path: '/v1/jobs',
    operationId: 'createJob',
    summary: 'Creates a job for a customer',
    body: newJob,
    responses: { 201: jobResponse },
    handle: async ({ tenantId, body }) => {
      const job = await jobs.createJob(tenantId, body);
      return created(`/v1/jobs/${job.id}`, jobView(job), etag(job));
    },
  }),
  route<object, z.infer<typeof jobQuery>>({
    method: 'GET',
    path: '/v1/jobs',
    operationId: 'listJobs',
    summary: 'Lists jobs, newest first, by customer and status',
    query: jobQuery,
    responses: { 200: { description: 'A page of jobs', schema: pageOf(jobSchema) } },
    handle: async ({ tenantId, query }) => {
      const page = await jobs.listJobs(tenantId, query, query.limit, query.cursor);
      return { status: 200, body: { items: page.items.map(jobView), nextCursor: page.nextCursor } };
    },
  }),
  route<IdParams>({
    method: 'GET',
    path: '/v1/jobs/{id}',
    operationId: 'getJob',
    summary: 'Gets a job with its charges and billing summary',
    params: idParams,
    responses: { 200: jobResponse },
    handle: async ({ tenantId, params }) => reply(200, await jobs.getJob(tenantId, params.id)),
  }),
  route<IdParams, object, z.infer<typeof jobPatch>>({
    method: 'PATCH',
    path: '/v1/jobs/{id}',
    operationId: 'updateJob',
    summary: 'Changes a job (If-Match: its ETag)',
    params: idParams,
    body: jobPatch,
    responses: { 200: jobResponse },
    handle: async ({ tenantId, params, body, headers }) =>
      reply(200, await jobs.updateJob(tenantId, params.id, body, ifMatchVersion(headers))),
  }),
  route<IdParams>({
    method: 'DELETE',
    path: '/v1/jobs/{id}',
    operationId: 'deleteJob',
    summary: 'Deletes a job that has no invoices',
    params: idParams,
    responses: { 204: { description: 'Deleted' } },
    handle: async ({ tenantId, params, headers }) => {
      await jobs.deleteJob(tenantId, params.id, ifMatchVersion(headers));
      return { status: 204 };
    },
  }),
  actionRoute({
    path: '/v1/jobs/{id}/close',
    operationId: 'closeJob',
    summary: 'Closes an open job: production is complete',
    response: jobResponse,
    run: jobs.closeJob,
    view: jobView,
  }),
  actionRoute({
    path: '/v1/jobs/{id}/reopen',
    operationId: 'reopenJob',
    summary: 'Reopens a closed job',
    response: jobResponse,
    run: jobs.reopenJob,
    view: jobView,
  }),
  route<IdParams, object, z.infer<typeof newCharge>>({
    method: 'POST',
    path: '/v1/jobs/{id}/charges',
    operationId: 'addCharge',
    summary: "Adds a charge to a job (ETag: the job's version)",
    params: idParams,
    body: newCharge,
    responses: { 201: chargeResponse },
    handle: async ({ tenantId, params, body, headers }) => {
      const { job, charge } = await jobs.addCharge(tenantId, params.id, body, ifMatchVersion(headers));
      return created(`/v1/jobs/${job.id}/charges/${charge.id}`, charge, etag(job));
    },
  }),
  route<ChargeParams>({
    method: 'GET',
    path: '/v1/jobs/{id}/charges/{chargeId}',
    operationId: 'getCharge',
    summary: "Gets a charge (ETag: the job's version)",
    params: chargeParams,
    responses: { 200: chargeResponse },
    handle: async ({ tenantId, params }) => chargeReply(await jobs.getCharge(tenantId, params.id, params.chargeId)),
  }),
  route<ChargeParams, object, z.infer<typeof chargePatch>>({
    method: 'PATCH',
    path: '/v1/jobs/{id}/charges/{chargeId}',
    operationId: 'updateCharge',
    summary: "Changes a charge (If-Match: the job's ETag)",
    params: chargeParams,
    body: chargePatch,
    responses: { 200: chargeResponse },
    handle: async ({ tenantId, params, body, headers }) =>
      chargeReply(await jobs.updateCharge(tenantId, params.id, params.chargeId, body, ifMatchVersion(headers))),
  }),
  route<ChargeParams>({
    method: 'DELETE',
    path: '/v1/jobs/{id}/charges/{chargeId}',
    operationId: 'removeCharge',
    summary: "Removes a charge nothing has billed (If-Match: the job's ETag)",
    params: chargeParams,
    responses: { 204: { description: 'Removed' } },
    handle: async ({ tenantId, params, headers }) => {
      await jobs.removeCharge(tenantId, params.id, params.chargeId, ifMatchVersion(headers));
      return { status: 204 };
    },
  }),
];
