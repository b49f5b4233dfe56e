import * as z from '../../shared/zod.js';
import { APPROVAL_STATUSES, DECIDERS } from '../../domain/approval.js';
import { MAX_MILESTONES } from '../../domain/milestone.js';
import * as billing from '../../services/milestone-billing.service.js';
import * as milestones from '../../services/milestone.service.js';
import type { PositionedMilestone } from '../../services/milestone.service.js';
import { created, route } from '../route.js';
import { milestoneFields, milestoneStatus } from './milestone.schemas.js';
import { atLeastOneField, etag, idParams, pageOf, pageQuery, note, requiredSaying, resourceId } from '../schemas.js';

const newMilestone = z.withMeta(z.strictObject(milestoneFields), {
  examples: [
    {
      name: 'Framing',
      description: 'Walls and roof structure',
      amount: '12500.00',
      taxRate: '19',
      completionCriteria: 'Inspection passed',
      requiresClientApproval: true,
    },
  ],
});
const milestonePatch = z.partial(z.strictObject(milestoneFields)).check(z.refine(atLeastOneField, 'give at least one field'));
const milestoneOrder = z.withMeta(
  z.strictObject({ ids: z.array(resourceId).check(z.minLength(1), z.maxLength(MAX_MILESTONES)) }),
  {
    examples: [{ ids: ['mil_01J9Z3Q4R5S6T7V8W9X0Y1Z2B2', 'mil_01J9Z3Q4R5S6T7V8W9X0Y1Z2B1'] }],
  },
);

const milestoneParams = z.object({ id: resourceId, mid: resourceId });
const completion = z.optional(z.strictObject({ note: z.optional(note(2000)) }));
const approval = z.optional(z.strictObject({ note: z.optional(note(2000)) }));
const revision = z.strictObject({
  comment: z.withMeta(requiredSaying(2000), { description: 'What should be revised (required)' }),
});
type IdParams = z.infer<typeof idParams>;
type MilestoneParams = z.infer<typeof milestoneParams>;

export const decisionSchema = z.withMeta(
  z.object({
    outcome: z.enum(['approve', 'request_revision', 'reject']),
    by: z.enum(DECIDERS),
    at: z.iso.datetime(),
    ip: z.withMeta(z.nullable(z.string()), { description: "The client's IP address (portal); null for staff" }),
    userAgent: z.nullable(z.string()),
    comment: z.nullable(z.string()),
  }),
  { id: 'ApprovalDecision' },
);

const approvalSchema = z.withMeta(
  z.object({
    requestId: z.string(),
    recipient: z.string(),
    status: z.enum(APPROVAL_STATUSES),
    requestedAt: z.iso.datetime(),
    expiresAt: z.iso.datetime(),
    decision: z.nullable(decisionSchema),
  }),
  { id: 'MilestoneApproval' },
);

export const milestoneSchema = z.withMeta(
  z.object({
    id: z.string(),
    jobId: z.string(),
    position: z.withMeta(z.number().check(z.int(), z.gte(1)), { description: "Where it stands in the job's order, from 1" }),
    name: z.string(),
    description: z.nullable(z.string()),
    amount: z.string(),
    taxRate: z.string(),
    completionCriteria: z.nullable(z.string()),
    requiresClientApproval: z.boolean(),
    approverEmail: z.nullable(z.string()),
    status: milestoneStatus,
    invoiceId: z.nullable(z.string()),
    completedAt: z.nullable(z.iso.datetime()),
    completionNote: z.nullable(z.string()),
    approvedAt: z.nullable(z.iso.datetime()),
    revisionComment: z.nullable(z.string()),
    approval: z.withMeta(z.nullable(approvalSchema), {
      description: 'The last approval asked for, with its decision (the evidence) once made',
    }),
    billing: z.withMeta(
      z.nullable(
        z.object({
          round: z.number().check(z.int(), z.gte(1)),
          invoiceId: z.string(),
          state: z.enum(['running', 'done', 'failed', 'voided']),
          startedAt: z.iso.datetime(),
        }),
      ),
      { description: 'The last run of the billing workflow: the invoice it bills, and whether it is done' },
    ),
    billingError: z.withMeta(z.nullable(z.object({ code: z.string(), message: z.string(), at: z.iso.datetime() })), {
      description: 'Why the last billing run failed; `retry-billing` runs it again',
    }),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    version: z.number().check(z.int()),
  }),
  { id: 'Milestone' },
);

const orderSchema = z.withMeta(z.object({ ids: z.array(z.string()).check(z.maxLength(MAX_MILESTONES)) }), {
  id: 'MilestoneOrder',
  description: "The job's milestone ids in order",
});

const milestoneResponse = { description: 'The milestone', schema: milestoneSchema, headers: ['ETag'] } as const;
const reply = (m: PositionedMilestone) => ({ status: 200, body: m, headers: etag(m) });
// A milestone is not found when its job is not, or the job has no such milestone.
const milestoneNotFound = ['JOB_NOT_FOUND', 'MILESTONE_NOT_FOUND'] as const;
const editRefusals = { 409: ['JOB_BILLED', 'MILESTONE_INVOICED'] } as const;

export const milestoneRoutes = [
  route<IdParams, object, z.infer<typeof newMilestone>>({
    method: 'POST',
    path: '/v1/jobs/{id}/milestones',
    operationId: 'createMilestone',
    summary: 'Adds a milestone to a job, last in its order',
    description:
      "Any job may have milestones; a `milestone` job's suggested price is the sum of its milestones. A new milestone is `pending`. A job holds at most 200 (422 `TOO_MANY_MILESTONES`); a billed job takes none (409 `JOB_BILLED`).",
    params: idParams,
    body: newMilestone,
    errors: { 404: ['JOB_NOT_FOUND'], 409: ['JOB_BILLED'], 422: ['TOO_MANY_MILESTONES', 'AMOUNT_TOO_LARGE', 'JOB_TOO_LARGE'] },
    responses: { 201: milestoneResponse },
    handle: async ({ tenantId, params, body }) => {
      const m = await milestones.createMilestone(tenantId, params.id, body);
      return created(`/v1/jobs/${m.jobId}/milestones/${m.id}`, m, etag(m));
    },
  }),
  route<IdParams, z.infer<typeof pageQuery>>({
    method: 'GET',
    path: '/v1/jobs/{id}/milestones',
    operationId: 'listMilestones',
    summary: "Lists a job's milestones in their order (ETag: the job's version)",
    description:
      "Send the `ETag` as `If-Match` to reorder them. Pages follow the order as it is when each is read; the job's `milestones` has the whole balance tracker in one read.",
    params: idParams,
    query: pageQuery,
    errors: { 404: ['JOB_NOT_FOUND'] },
    responses: { 200: { description: 'A page of milestones', schema: pageOf(milestoneSchema), headers: ['ETag'] } },
    handle: async ({ tenantId, params, query }) => {
      const page = await milestones.listMilestones(tenantId, params.id, query.limit, query.cursor);
      return { status: 200, body: { items: page.items, nextCursor: page.nextCursor }, headers: etag(page.job) };
    },
  }),
  route<IdParams, object, z.infer<typeof milestoneOrder>>({
    method: 'PUT',
    path: '/v1/jobs/{id}/milestones/order',
    operationId: 'reorderMilestones',
    summary: "Puts a job's milestones in a new order (If-Match: the job's ETag)",
    description:
      "`ids` lists every milestone of the job exactly once, in the new order (else 400 naming `ids`). Only positions move: statuses, amounts, approvals and invoices stay. Answers with the order and the job's new ETag; the same order again changes nothing.",
    ifMatch: true,
    params: idParams,
    body: milestoneOrder,
    errors: { 404: ['JOB_NOT_FOUND'], 409: ['JOB_BILLED'] },
    responses: { 200: { description: 'The new order', schema: orderSchema, headers: ['ETag'] } },
    handle: async ({ tenantId, params, body, expectedVersion }) => {
      const job = await milestones.reorderMilestones(tenantId, params.id, body.ids, expectedVersion);
      return { status: 200, body: { ids: (job.milestonePlan ?? []).map((m) => m.id) }, headers: etag(job) };
    },
  }),
  route<MilestoneParams>({
    method: 'GET',
    path: '/v1/jobs/{id}/milestones/{mid}',
    operationId: 'getMilestone',
    summary: 'Gets a milestone with its status and position',
    description: "With its completion, approval and invoice as they stand; its `ETag` is the milestone's own version.",
    params: milestoneParams,
    errors: { 404: milestoneNotFound },
    responses: { 200: milestoneResponse },
    handle: async ({ tenantId, params }) => reply(await milestones.getMilestone(tenantId, params.id, params.mid)),
  }),
  route<MilestoneParams, object, z.infer<typeof milestonePatch>>({
    method: 'PATCH',
    path: '/v1/jobs/{id}/milestones/{mid}',
    operationId: 'updateMilestone',
    summary: "Changes a milestone no invoice bills (If-Match: the milestone's ETag)",
    description:
      'An invoiced milestone stays as billed (409 `MILESTONE_INVOICED`); whether the client approves is fixed from completion until a revision is asked for (409 `MILESTONE_APPROVAL_FIXED`), and so are the amount and tax rate the client is asked to approve, or approved (409 `MILESTONE_TERMS_APPROVED`).',
    ifMatch: true,
    params: milestoneParams,
    body: milestonePatch,
    errors: {
      404: milestoneNotFound,
      409: [...editRefusals[409], 'MILESTONE_APPROVAL_FIXED', 'MILESTONE_TERMS_APPROVED'],
      422: ['AMOUNT_TOO_LARGE', 'JOB_TOO_LARGE'],
    },
    responses: { 200: milestoneResponse },
    handle: async ({ tenantId, params, body, expectedVersion }) =>
      reply(await milestones.updateMilestone(tenantId, params.id, params.mid, body, expectedVersion)),
  }),
  route<MilestoneParams>({
    method: 'DELETE',
    path: '/v1/jobs/{id}/milestones/{mid}',
    operationId: 'deleteMilestone',
    summary: "Deletes a milestone no invoice bills (If-Match: the milestone's ETag)",
    description: 'An invoiced milestone stays (409 `MILESTONE_INVOICED`).',
    ifMatch: true,
    params: milestoneParams,
    errors: { 404: milestoneNotFound, ...editRefusals },
    responses: { 204: { description: 'Deleted' } },
    handle: async ({ tenantId, params, expectedVersion }) => {
      await milestones.deleteMilestone(tenantId, params.id, params.mid, expectedVersion);
      return { status: 204 };
    },
  }),
  route<MilestoneParams, object, z.infer<typeof completion>>({
    method: 'POST',
    path: '/v1/jobs/{id}/milestones/{mid}/complete',
    operationId: 'completeMilestone',
    summary: 'Records that the work of a milestone is done (again, after a revision)',
    description:
      "Without client approval the milestone-billing workflow starts at once: it drafts, issues and emails the milestone's invoice (watch `billing` and `invoiceId`). With it, the milestone awaits approval and its approver (`approverEmail`, else the job's customer) is emailed a portal link that works for the tenant's `approvalExpiryDays`; without an address it is 422 `NO_RECIPIENT` and nothing changes. If-Match: the milestone's ETag.",
    ifMatch: true,
    params: milestoneParams,
    body: completion,
    errors: {
      404: milestoneNotFound,
      409: ['JOB_BILLED', 'MILESTONE_TRANSITION_NOT_ALLOWED', 'MILESTONE_BILLING_RUNNING'],
      422: ['NO_RECIPIENT'],
    },
    responses: { 200: milestoneResponse },
    handle: async ({ tenantId, params, body, expectedVersion }) =>
      reply(await billing.completeMilestone(tenantId, params.id, params.mid, body?.note ?? null, expectedVersion)),
  }),
  route<MilestoneParams, object, z.infer<typeof approval>>({
    method: 'POST',
    path: '/v1/jobs/{id}/milestones/{mid}/approve',
    operationId: 'approveMilestone',
    summary: 'Approves a milestone for the client (staff), which starts its billing',
    description:
      "Decides the milestone's open approval request as the client's link would, recorded as staff's decision with `note`; the link then says it is used. A request decided already (by the client, say) is 409 `APPROVAL_DECIDED`: one decision stands.",
    params: milestoneParams,
    body: approval,
    errors: {
      404: milestoneNotFound,
      409: ['JOB_BILLED', 'MILESTONE_TRANSITION_NOT_ALLOWED', 'APPROVAL_DECIDED'],
    },
    responses: { 200: milestoneResponse },
    handle: async ({ tenantId, params, body }) =>
      reply(await billing.decideForClient(tenantId, params.id, params.mid, 'approve', body?.note ?? null)),
  }),
  route<MilestoneParams, object, z.infer<typeof revision>>({
    method: 'POST',
    path: '/v1/jobs/{id}/milestones/{mid}/request-revision',
    operationId: 'requestMilestoneRevision',
    summary: 'Sends a milestone back to work for the client (staff), saying why',
    description:
      "Decides the open approval request as a revision, recorded as staff's decision; the milestone is `revision_requested` and may be completed again. 409 `APPROVAL_DECIDED` when it was decided already.",
    params: milestoneParams,
    body: revision,
    errors: {
      400: ['COMMENT_REQUIRED'],
      404: milestoneNotFound,
      409: ['JOB_BILLED', 'MILESTONE_TRANSITION_NOT_ALLOWED', 'APPROVAL_DECIDED'],
    },
    responses: { 200: milestoneResponse },
    handle: async ({ tenantId, params, body }) =>
      reply(await billing.decideForClient(tenantId, params.id, params.mid, 'request_revision', body.comment ?? null)),
  }),
  route<MilestoneParams>({
    method: 'POST',
    path: '/v1/jobs/{id}/milestones/{mid}/resend-approval',
    operationId: 'resendMilestoneApproval',
    summary: 'Emails a new approval link for a milestone awaiting approval',
    description:
      'For a mail that went astray or a link that expired: the new link replaces the last one, which then says it is used. 409 `MILESTONE_NOT_AWAITING_APPROVAL` otherwise.',
    params: milestoneParams,
    errors: { 404: milestoneNotFound, 409: ['JOB_BILLED', 'MILESTONE_NOT_AWAITING_APPROVAL'], 422: ['NO_RECIPIENT'] },
    responses: { 200: milestoneResponse },
    handle: async ({ tenantId, params }) => reply(await billing.resendApproval(tenantId, params.id, params.mid)),
  }),
  route<MilestoneParams>({
    method: 'POST',
    path: '/v1/jobs/{id}/milestones/{mid}/retry-billing',
    operationId: 'retryMilestoneBilling',
    summary: 'Runs the billing of a milestone again after it failed',
    description:
      'After `billingError` says why billing failed (a customer without an email, a job closed meanwhile) and the cause is fixed: a new run bills the same invoice, going on from what the failed run did; it never makes a second invoice. After a void of the invoice of the milestone, it bills a new one. 409 `MILESTONE_BILLING_RUNNING` while a run is going, `MILESTONE_BILLED` once billed.',
    params: milestoneParams,
    errors: {
      404: milestoneNotFound,
      409: ['JOB_BILLED', 'MILESTONE_TRANSITION_NOT_ALLOWED', 'MILESTONE_BILLING_RUNNING', 'MILESTONE_BILLED'],
    },
    responses: { 200: milestoneResponse },
    handle: async ({ tenantId, params }) => reply(await billing.retryBilling(tenantId, params.id, params.mid)),
  }),
];
