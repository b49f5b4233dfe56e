import * as z from '../../shared/zod.js';
import { MAX_CHARGES } from '../../domain/charge.js';
import { expenditureSummary } from '../../domain/expenditure.js';
import { billingSummary, masterJobIdOf, phaseJobIdsOf, type Job, type MasterBilling } from '../../domain/job.js';
import { MAX_MILESTONES } from '../../domain/milestone.js';
import { MAX_PHASES } from '../../domain/phases.js';
import { expenditureSummarySchema } from './expenditure.schemas.js';
import {
  billingSchema,
  billingType,
  chargeOrder,
  chargeParams,
  chargePatch,
  chargeSchema,
  jobTermsShape,
  newCharge,
} from './job.schemas.js';
import { milestoneStatus } from './milestone.schemas.js';
import * as jobs from '../../services/job.service.js';
import type { ChargeOfJob } from '../../services/job.service.js';
import { withMilestones, type MilestoneSummary } from '../../services/milestone.service.js';
import * as phases from '../../services/phase.service.js';
import { created, route } from '../route.js';
import {
  actionRoute,
  atLeastOneField,
  etag,
  idParams,
  pageOf,
  pageQuery,
  percentString,
  positiveDecimalString,
  currencyCode,
  resourceId,
} from '../schemas.js';

const jobStatus = z.enum(['open', 'closed', 'billed']);

const newJob = z.withMeta(
  z.strictObject({
    customerId: z.string().check(z.minLength(1), z.maxLength(64)),
    name: z.string().check(z.trim(), z.minLength(1), z.maxLength(200)),
    billingType,
    currency: z.optional(currencyCode),
    retainagePercent: z.optional(percentString),
  }),
  { examples: [{ customerId: 'cus_01J9Z3Q4R5S6T7V8W9X0Y1Z2A3', name: 'Kitchen refit', billingType: 'fixed_price' }] },
);

const jobPatch = z
  .partial(
    z.strictObject({ name: newJob.shape.name, customerId: newJob.shape.customerId, retainagePercent: z.nullable(percentString) }),
  )
  .check(z.refine(atLeastOneField, 'give at least one field'));

const jobQuery = z.extend(pageQuery, {
  customerId: z.optional(resourceId),
  status: z.optional(jobStatus),
  masterJobId: z.optional(z.withMeta(resourceId, { description: "A master job's id: lists its phase jobs" })),
});

const phaseTake = z
  .strictObject({ chargeId: resourceId, quantity: z.optional(positiveDecimalString), amount: z.optional(positiveDecimalString) })
  .check(z.refine((take) => take.quantity === undefined || take.amount === undefined, 'give quantity or amount, not both'));
const newPhase = z.withMeta(
  z.strictObject({
    name: newJob.shape.name,
    charges: z.withMeta(z.array(phaseTake).check(z.minLength(1), z.maxLength(MAX_CHARGES)), {
      description:
        'What the phase takes of each master charge: all that is unbilled (neither given), `quantity` units, or `amount`',
    }),
  }),
  {
    examples: [
      {
        name: 'Ground floor',
        charges: [{ chargeId: 'chg_01J9Z3Q4R5S6T7V8W9X0Y1Z2A3' }, { chargeId: 'chg_01J9Z3Q4R5S6T7V8W9X0Y1Z2B4', quantity: '2' }],
      },
    ],
  },
);

const milestoneLine = z.withMeta(
  z.object({
    id: z.string(),
    name: z.string(),
    status: milestoneStatus,
    amount: z.string(),
    invoiceId: z.nullable(z.string()),
    position: z.number().check(z.int(), z.gte(1)),
  }),
  { id: 'MilestoneSummary', description: "A line of the job's balance tracker" },
);

const billingTotals = {
  suggestedPrice: z.string(),
  invoicedToDate: z.string(),
  paidToDate: z.string(),
  depositsHeld: z.string(),
  retainageHeld: z.string(),
  remaining: z.string(),
};
const billingTotalsSchema = z.withMeta(z.object(billingTotals), { id: 'JobBillingTotals', description: 'Net amounts' });
const phasesSchema = z.withMeta(z.object({ count: z.number().check(z.int(), z.gte(1)), ...billingTotals }), {
  id: 'PhasesBilling',
  description: "The master's phase jobs: how many, and their billing summed (net)",
});

const jobFields = z.object({
  id: z.string(),
  ...jobTermsShape,
  status: jobStatus,
  charges: z.array(chargeSchema).check(z.maxLength(MAX_CHARGES)),
  billing: billingSchema,
  estimateId: z.withMeta(z.nullable(z.string()), { description: 'The estimate whose acceptance made the job; null for none' }),
  expenditures: expenditureSummarySchema,
  masterJobId: z.withMeta(z.nullable(z.string()), { description: 'The master job, when this job is a phase of one' }),
  phaseJobIds: z.withMeta(z.array(z.string()).check(z.maxLength(MAX_PHASES)), {
    description: 'Its phase jobs, in the order made',
  }),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  version: z.number().check(z.int()),
});

export const jobSchema = z.withMeta(
  z.extend(jobFields, {
    milestones: z.withMeta(z.array(milestoneLine).check(z.maxLength(MAX_MILESTONES)), {
      description: 'The balance tracker: every milestone in order, with its status and invoice',
    }),
    phases: z.withMeta(z.nullable(phasesSchema), {
      description: "A master's phases summed (net); null for a job without phases",
    }),
    total: z.withMeta(z.nullable(billingTotalsSchema), {
      description: 'What the master holds plus its phases (net); null for a job without phases',
    }),
  }),
  { id: 'Job' },
);

/** A job in a listing: without its milestones, which `GET /v1/jobs/{id}` adds (one read more per job). */
const jobListItemSchema = z.withMeta(jobFields, { id: 'JobListItem' });

/** The job as clients see it: its ledger folded into the billing summary (the schema drops the rest). */
const listedJob = (job: Job) => ({
  ...job,
  estimateId: job.estimateId ?? null,
  billing: billingSummary(job),
  expenditures: expenditureSummary(job),
  masterJobId: masterJobIdOf(job),
  phaseJobIds: phaseJobIdsOf(job),
});

export const jobView = (job: Job, milestones: MilestoneSummary[], rollUp: MasterBilling | null = null) => ({
  ...listedJob(job),
  milestones,
  phases: rollUp?.phases ?? null,
  total: rollUp?.total ?? null,
});

/** The job with its balance tracker and, for a master, its phases rolled up; the ETag is the version they were read with. */
const viewed = async (tenantId: string, job: Job) => {
  const [read, rollUp] = await Promise.all([withMilestones(tenantId, job), phases.rollUpOf(tenantId, job)]);
  return { ...jobView(read.job, read.milestones, rollUp), version: read.job.version };
};

const reply = async (status: number, tenantId: string, job: Job) => {
  const body = await viewed(tenantId, job);
  return { status, body, headers: etag(body) };
};
const jobResponse = { description: 'The job', schema: jobSchema, headers: ['ETag'] } as const;
const chargeResponse = { description: 'The charge', schema: chargeSchema, headers: ['ETag'] } as const;
// A charge is not found when its job is not, or the job has no such charge.
const chargeNotFound = ['JOB_NOT_FOUND', 'CHARGE_NOT_FOUND'] as const;
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
    description:
      "It bills in its customer's currency unless it names one; `customerId` must name a customer of the tenant (422 `CUSTOMER_NOT_FOUND`).",
    body: newJob,
    errors: { 422: ['CUSTOMER_NOT_FOUND'] },
    responses: { 201: jobResponse },
    handle: async ({ tenantId, body }) => {
      const job = await jobs.createJob(tenantId, body);
      return created(`/v1/jobs/${job.id}`, jobView(job, []), etag(job));
    },
  }),
  route<object, z.infer<typeof jobQuery>>({
    method: 'GET',
    path: '/v1/jobs',
    operationId: 'listJobs',
    summary: 'Lists jobs, newest first, by customer and status',
    query: jobQuery,
    responses: { 200: { description: 'A page of jobs', schema: pageOf(jobListItemSchema) } },
    handle: async ({ tenantId, query }) => {
      const page = await jobs.listJobs(tenantId, query, query.limit, query.cursor);
      return { status: 200, body: { items: page.items.map(listedJob), nextCursor: page.nextCursor } };
    },
  }),
  route<IdParams>({
    method: 'GET',
    path: '/v1/jobs/{id}',
    operationId: 'getJob',
    summary: 'Gets a job with its charges and billing summary',
    description:
      'The billing summary is in net amounts: suggested price, project value (the milestones), invoiced and paid to date, deposits and retainage held, remaining. `milestones` is the balance tracker: each milestone in order with its status, amount and invoice.',
    params: idParams,
    errors: { 404: ['JOB_NOT_FOUND'] },
    responses: { 200: jobResponse },
    handle: async ({ tenantId, params }) => reply(200, tenantId, await jobs.getJob(tenantId, params.id)),
  }),
  route<IdParams, object, z.infer<typeof jobPatch>>({
    method: 'PATCH',
    path: '/v1/jobs/{id}',
    operationId: 'updateJob',
    summary: 'Changes a job (If-Match: its ETag)',
    description:
      'A billed job cannot change (409 `JOB_BILLED`); its customer and retainage are fixed once it has invoices (409 `JOB_HAS_INVOICES`).',
    ifMatch: true,
    params: idParams,
    errors: { 404: ['JOB_NOT_FOUND'], 409: ['JOB_BILLED', 'JOB_HAS_INVOICES'], 422: ['CUSTOMER_NOT_FOUND'] },
    body: jobPatch,
    responses: { 200: jobResponse },
    handle: async ({ tenantId, params, body, expectedVersion }) =>
      reply(200, tenantId, await jobs.updateJob(tenantId, params.id, body, expectedVersion)),
  }),
  route<IdParams>({
    method: 'DELETE',
    path: '/v1/jobs/{id}',
    operationId: 'deleteJob',
    summary: 'Deletes a job that has no invoices',
    description:
      'A job with any invoice, even a voided one, stays (409 `JOB_HAS_INVOICES`); so does one with expenditures (409 `JOB_HAS_EXPENDITURES`: delete them first), and one an accepted estimate made (409 `JOB_FROM_ESTIMATE`, naming it: what the client accepted stays).',
    ifMatch: true,
    params: idParams,
    errors: {
      404: ['JOB_NOT_FOUND'],
      409: ['JOB_HAS_INVOICES', 'JOB_HAS_EXPENDITURES', 'JOB_FROM_ESTIMATE', 'PHASES_HAVE_INVOICES', 'JOB_BILLED'],
      422: ['TOO_MANY_CHARGES'],
    },
    responses: { 204: { description: 'Deleted' } },
    handle: async ({ tenantId, params, expectedVersion }) => {
      await jobs.deleteJob(tenantId, params.id, expectedVersion);
      return { status: 204 };
    },
  }),
  actionRoute({
    path: '/v1/jobs/{id}/close',
    operationId: 'closeJob',
    summary: 'Closes an open job: production is complete',
    description: 'A closed job takes partial invoices and its one complete (final) invoice.',
    errors: { 404: ['JOB_NOT_FOUND'], 409: ['JOB_NOT_OPEN', 'PHASES_OPEN'] },
    response: jobResponse,
    run: async (tenantId, id, expectedVersion) => viewed(tenantId, await jobs.closeJob(tenantId, id, expectedVersion)),
  }),
  actionRoute({
    path: '/v1/jobs/{id}/reopen',
    operationId: 'reopenJob',
    summary: 'Reopens a closed job',
    description: 'An open job takes partial invoices only.',
    errors: { 404: ['JOB_NOT_FOUND'], 409: ['JOB_NOT_CLOSED', 'MASTER_NOT_OPEN'] },
    response: jobResponse,
    run: async (tenantId, id, expectedVersion) => viewed(tenantId, await jobs.reopenJob(tenantId, id, expectedVersion)),
  }),
  route<IdParams, object, z.infer<typeof newPhase>>({
    method: 'POST',
    path: '/v1/jobs/{id}/phases',
    operationId: 'createPhase',
    summary: "Splits a phase job off a master job (If-Match: the master's ETag)",
    description: [
      'Each entry takes from one master charge what is unbilled of it: all (neither `quantity` nor `amount`), `quantity` units at its',
      'unit price, or `amount` (the two charges then one unit each at their amounts); the master keeps the rest, exact to the cent,',
      "and a charge taken whole leaves it. The phase is an ordinary job of the master's customer, currency, billing type and retainage.",
      'Refused: a master that is a phase (409 `PHASE_OF_PHASE`), not open (409 `JOB_NOT_OPEN`), of milestones (409 `PHASES_NEED_CHARGES`)',
      "or with 50 phases (409 `TOO_MANY_PHASES`); a charge not the master's (422 `CHARGE_NOT_FOUND`), a take past what is unbilled",
      '(422 `PHASE_EXCEEDS_CHARGE` naming `charges.N.quantity` or `.amount`), or one that leaves the master billed past its price',
      '(422 `PHASE_EXCEEDS_REMAINING`).',
    ].join(' '),
    ifMatch: true,
    params: idParams,
    body: newPhase,
    errors: {
      404: ['JOB_NOT_FOUND'],
      409: ['PHASE_OF_PHASE', 'JOB_NOT_OPEN', 'PHASES_NEED_CHARGES', 'TOO_MANY_PHASES'],
      422: ['CHARGE_NOT_FOUND', 'PHASE_EXCEEDS_CHARGE', 'PHASE_EXCEEDS_REMAINING'],
    },
    responses: { 201: jobResponse },
    handle: async ({ tenantId, params, body, expectedVersion }) => {
      const phase = await viewed(tenantId, await phases.createPhase(tenantId, params.id, body, expectedVersion));
      return created(`/v1/jobs/${phase.id}`, phase, etag(phase));
    },
  }),
  route<IdParams, object, z.infer<typeof chargeOrder>>({
    method: 'PUT',
    path: '/v1/jobs/{id}/charges/order',
    operationId: 'reorderCharges',
    summary: "Puts a job's charges in the order given (If-Match: the job's ETag)",
    description:
      '`ids` names every charge of the job once (400 `VALIDATION_FAILED` naming `ids`, saying which are unknown, repeated or missing). The order is the billing order: invoices drafted afterwards list the charges in it. What invoices billed stays with each charge. The order the job has already answers the job unchanged.',
    ifMatch: true,
    params: idParams,
    body: chargeOrder,
    errors: { 404: ['JOB_NOT_FOUND'], 409: ['JOB_BILLED'] },
    responses: { 200: jobResponse },
    handle: async ({ tenantId, params, body, expectedVersion }) =>
      reply(200, tenantId, await jobs.reorderCharges(tenantId, params.id, body.ids, expectedVersion)),
  }),
  route<IdParams, object, z.infer<typeof newCharge>>({
    method: 'POST',
    path: '/v1/jobs/{id}/charges',
    operationId: 'addCharge',
    summary: "Adds a charge to a job (ETag: the job's version)",
    description:
      'Answers with the charge. A job holds at most 500 charges (422 `TOO_MANY_CHARGES`), and a billed job takes none (409 `JOB_BILLED`).',
    ifMatch: true,
    params: idParams,
    body: newCharge,
    errors: { 404: ['JOB_NOT_FOUND'], 409: ['JOB_BILLED'], 422: ['TOO_MANY_CHARGES', 'AMOUNT_TOO_LARGE', 'JOB_TOO_LARGE'] },
    responses: { 201: chargeResponse },
    handle: async ({ tenantId, params, body, expectedVersion }) => {
      const { job, charge } = await jobs.addCharge(tenantId, params.id, body, expectedVersion);
      return created(`/v1/jobs/${job.id}/charges/${charge.id}`, charge, etag(job));
    },
  }),
  route<ChargeParams>({
    method: 'GET',
    path: '/v1/jobs/{id}/charges/{chargeId}',
    operationId: 'getCharge',
    summary: "Gets a charge (ETag: the job's version)",
    description: 'With what invoices have billed of it to date.',
    params: chargeParams,
    errors: { 404: chargeNotFound },
    responses: { 200: chargeResponse },
    handle: async ({ tenantId, params }) => chargeReply(await jobs.getCharge(tenantId, params.id, params.chargeId)),
  }),
  route<ChargeParams, object, z.infer<typeof chargePatch>>({
    method: 'PATCH',
    path: '/v1/jobs/{id}/charges/{chargeId}',
    operationId: 'updateCharge',
    summary: "Changes a charge (If-Match: the job's ETag)",
    description: 'Its amount may not go below what invoices have billed of it (422 `CHARGE_BELOW_BILLED`).',
    ifMatch: true,
    params: chargeParams,
    body: chargePatch,
    errors: { 404: chargeNotFound, 409: ['JOB_BILLED'], 422: ['CHARGE_BELOW_BILLED', 'AMOUNT_TOO_LARGE', 'JOB_TOO_LARGE'] },
    responses: { 200: chargeResponse },
    handle: async ({ tenantId, params, body, expectedVersion }) =>
      chargeReply(await jobs.updateCharge(tenantId, params.id, params.chargeId, body, expectedVersion)),
  }),
  route<ChargeParams>({
    method: 'DELETE',
    path: '/v1/jobs/{id}/charges/{chargeId}',
    operationId: 'removeCharge',
    summary: "Removes a charge nothing has billed (If-Match: the job's ETag)",
    description: 'A charge that invoices have billed stays (422 `CHARGE_BILLED`).',
    ifMatch: true,
    params: chargeParams,
    errors: { 404: chargeNotFound, 409: ['JOB_BILLED'], 422: ['CHARGE_BILLED'] },
    responses: { 204: { description: 'Removed' } },
    handle: async ({ tenantId, params, expectedVersion }) => {
      await jobs.removeCharge(tenantId, params.id, params.chargeId, expectedVersion);
      return { status: 204 };
    },
  }),
];
