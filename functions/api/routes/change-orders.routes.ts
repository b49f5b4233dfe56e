import * as z from '../../shared/zod.js';
import { DECIDERS } from '../../domain/approval.js';
import { CHANGE_ORDER_STATUSES, MAX_CHANGES, type ChangeOrder } from '../../domain/change-order.js';
import { decideChangeOrderForClient } from '../../services/approval-decisions.js';
import { sendChangeOrder } from '../../services/change-order-approval.service.js';
import * as changeOrders from '../../services/change-order.service.js';
import { created, route } from '../route.js';
import { atLeastOneField, idParams, pageOf, pageQuery, note, requiredSaying, resourceId, text } from '../schemas.js';
import { milestoneFields } from './milestone.schemas.js';

const changeRequest = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('add'), milestone: z.strictObject(milestoneFields) }),
  z.strictObject({
    op: z.literal('modify'),
    milestoneId: resourceId,
    fields: z.partial(z.strictObject(milestoneFields)).check(z.refine(atLeastOneField, 'give at least one field')),
  }),
  z.strictObject({ op: z.literal('remove'), milestoneId: resourceId }),
]);

const newChangeOrder = z.withMeta(
  z.strictObject({
    description: z.withMeta(text(2000), { description: 'Why the scope changes, as the client reads it' }),
    changes: z.array(changeRequest).check(z.minLength(1), z.maxLength(MAX_CHANGES)),
  }),
  {
    examples: [
      {
        description: 'Client asked for a skylight; the old roof stays',
        changes: [
          { op: 'add', milestone: { name: 'Skylight', amount: '1800.00', taxRate: '19', requiresClientApproval: true } },
          { op: 'modify', milestoneId: 'mil_01J9Z3Q4R5S6T7V8W9X0Y1Z2B1', fields: { amount: '9000.00' } },
          { op: 'remove', milestoneId: 'mil_01J9Z3Q4R5S6T7V8W9X0Y1Z2B2' },
        ],
      },
    ],
  },
);

const sendRequest = z.optional(
  z.strictObject({
    to: z.withMeta(z.optional(z.email().check(z.maxLength(254))), { description: "Whom to ask (default: the job's customer)" }),
  }),
);
const approveRequest = z.optional(z.strictObject({ note: z.optional(note(2000)) }));
const rejectRequest = z.strictObject({
  comment: z.withMeta(requiredSaying(2000), { description: 'Why it is rejected (required)' }),
});

const nullableText = z.nullable(z.string());

const changeSchema = z.discriminatedUnion('op', [
  z.object({
    op: z.literal('add'),
    milestoneId: z.withMeta(z.string(), { description: 'The id the milestone has once the change order is approved' }),
    milestone: z.object({
      name: z.string(),
      description: nullableText,
      amount: z.string(),
      taxRate: z.string(),
      completionCriteria: nullableText,
      requiresClientApproval: z.boolean(),
      approverEmail: nullableText,
    }),
  }),
  z.object({
    op: z.literal('modify'),
    milestoneId: z.string(),
    fields: z.withMeta(
      z.object({
        name: z.optional(z.string()),
        description: z.optional(nullableText),
        amount: z.optional(z.string()),
        taxRate: z.optional(z.string()),
        completionCriteria: z.optional(nullableText),
        requiresClientApproval: z.optional(z.boolean()),
        approverEmail: z.optional(nullableText),
      }),
      { description: 'What changes; a field left out stays, a null clears it' },
    ),
  }),
  z.object({ op: z.literal('remove'), milestoneId: z.string() }),
]);

export const changeOrderSchema = z.withMeta(
  z.object({
    id: z.string(),
    jobId: z.string(),
    description: z.string(),
    status: z.enum(CHANGE_ORDER_STATUSES),
    changes: z.array(changeSchema),
    approval: z.withMeta(z.nullable(z.object({ requestId: z.string(), recipient: z.string(), expiresAt: z.iso.datetime() })), {
      description: "The client's approval it was sent for (its emailed link); null until sent",
    }),
    decision: z.withMeta(
      z.nullable(
        z.object({
          outcome: z.enum(['approve', 'reject']),
          by: z.enum(DECIDERS),
          at: z.iso.datetime(),
          ip: nullableText,
          userAgent: nullableText,
          comment: nullableText,
        }),
      ),
      { description: 'Who decided, when, from where (the portal) and what they said; null until decided' },
    ),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    version: z.number().check(z.int()),
  }),
  { id: 'ChangeOrder' },
);

type IdParams = z.infer<typeof idParams>;

const changeOrderResponse = { description: 'The change order', schema: changeOrderSchema } as const;
const reply = (co: ChangeOrder) => ({ status: 200, body: co });
const notFound = { 404: ['CHANGE_ORDER_NOT_FOUND'] } as const;
// What applying the changes can refuse, at creation (checked as if approved now) and at approval.
const applyRefusals = {
  409: ['JOB_BILLED', 'MILESTONE_INVOICED', 'MILESTONE_APPROVAL_FIXED', 'MILESTONE_TERMS_APPROVED'],
  422: ['MILESTONE_NOT_FOUND', 'TOO_MANY_MILESTONES', 'AMOUNT_TOO_LARGE'],
} as const;

export const changeOrderRoutes = [
  route<IdParams, object, z.infer<typeof newChangeOrder>>({
    method: 'POST',
    path: '/v1/jobs/{id}/change-orders',
    operationId: 'createChangeOrder',
    summary: "Proposes a change of a job's milestones: added, modified and removed ones, approved as a whole",
    description: [
      `A new change order is a \`draft\`: nothing of it counts in the job's price or bills until it is approved. It makes 1 to ${MAX_CHANGES} changes,`,
      "each checked as approving it now would: a milestone it modifies or removes must be the job's (422 `MILESTONE_NOT_FOUND` naming",
      '`changes.<i>.milestoneId`), named by one change only (400), and not invoiced (409 `MILESTONE_INVOICED` naming `changes.<i>`);',
      'the job must not be billed and keeps at most 200 milestones after it. Refusals name the field under its change',
      '(`changes.2.milestone.amount`). An added milestone gets its id now (`changes.<i>.milestoneId`).',
    ].join(' '),
    params: idParams,
    body: newChangeOrder,
    errors: { 404: ['JOB_NOT_FOUND'], 409: applyRefusals[409], 422: [...applyRefusals[422], 'CHANGE_ORDER_TOO_LARGE'] },
    responses: { 201: changeOrderResponse },
    handle: async ({ tenantId, params, body }) => {
      const co = await changeOrders.createChangeOrder(tenantId, params.id, body);
      return created(`/v1/change-orders/${co.id}`, co);
    },
  }),
  route<IdParams, z.infer<typeof pageQuery>>({
    method: 'GET',
    path: '/v1/jobs/{id}/change-orders',
    operationId: 'listChangeOrders',
    summary: "Lists a job's change orders, newest first",
    description: 'Every status: drafts, those sent to the client, approved and rejected ones.',
    params: idParams,
    query: pageQuery,
    errors: { 404: ['JOB_NOT_FOUND'] },
    responses: { 200: { description: 'A page of change orders', schema: pageOf(changeOrderSchema) } },
    handle: async ({ tenantId, params, query }) => ({
      status: 200,
      body: await changeOrders.listChangeOrders(tenantId, params.id, query.limit, query.cursor),
    }),
  }),
  route<IdParams>({
    method: 'GET',
    path: '/v1/change-orders/{id}',
    operationId: 'getChangeOrder',
    summary: 'Gets a change order with its changes, status and decision',
    description: 'A change order of a deleted job is gone with it (404).',
    params: idParams,
    errors: notFound,
    responses: { 200: changeOrderResponse },
    handle: async ({ tenantId, params }) => reply(await changeOrders.getChangeOrder(tenantId, params.id)),
  }),
  route<IdParams>({
    method: 'DELETE',
    path: '/v1/change-orders/{id}',
    operationId: 'deleteChangeOrder',
    summary: 'Deletes a draft change order',
    description: 'One sent to the client or decided stays on record (409 `CHANGE_ORDER_NOT_DRAFT`).',
    params: idParams,
    errors: { ...notFound, 409: ['CHANGE_ORDER_NOT_DRAFT'] },
    responses: { 204: { description: 'Deleted' } },
    handle: async ({ tenantId, params }) => {
      await changeOrders.deleteChangeOrder(tenantId, params.id);
      return { status: 204 };
    },
  }),
  route<IdParams, object, z.infer<typeof approveRequest>>({
    method: 'POST',
    path: '/v1/change-orders/{id}/approve',
    operationId: 'approveChangeOrder',
    summary: 'Approves a change order for the client and applies all of its changes at once',
    description: [
      'Staff decide for the client (the decision records `by: staff` and the `note`). A draft or sent change order is decided once',
      '(409 `APPROVAL_DECIDED`). Every change lands in one write with the decision, or none does: added milestones are pending',
      "last in the job's order, and the job's price (`billing.projectValue`) moves at once. It is checked again",
      'against the job as it is now: a milestone invoiced or deleted since, or a billed job, refuses it and nothing changes.',
    ].join(' '),
    params: idParams,
    body: approveRequest,
    errors: {
      ...notFound,
      409: ['APPROVAL_DECIDED', ...applyRefusals[409]],
      422: [...applyRefusals[422], 'JOB_TOO_LARGE'],
    },
    responses: { 200: changeOrderResponse },
    handle: async ({ tenantId, params, body }) =>
      reply(await decideChangeOrderForClient(tenantId, params.id, 'approve', changeOrders.staffEvidence(body?.note ?? null))),
  }),
  route<IdParams, object, z.infer<typeof rejectRequest>>({
    method: 'POST',
    path: '/v1/change-orders/{id}/reject',
    operationId: 'rejectChangeOrder',
    summary: 'Rejects a change order for the client, saying why',
    description:
      'The `comment` is required. A draft or sent change order is decided once (409 `APPROVAL_DECIDED`); a rejection changes nothing but the change order.',
    params: idParams,
    body: rejectRequest,
    errors: { ...notFound, 400: ['COMMENT_REQUIRED'], 409: ['APPROVAL_DECIDED'] },
    responses: { 200: changeOrderResponse },
    handle: async ({ tenantId, params, body }) =>
      reply(await decideChangeOrderForClient(tenantId, params.id, 'reject', changeOrders.staffEvidence(body.comment ?? null))),
  }),
  route<IdParams, object, z.infer<typeof sendRequest>>({
    method: 'POST',
    path: '/v1/change-orders/{id}/send',
    operationId: 'sendChangeOrder',
    summary: 'Emails the client a link to approve or reject the change order',
    description: [
      "The link opens the portal's page of the change order (every change, the project value before and after) and works for the",
      "tenant's `approvalExpiryDays`. Sending again sends a new link, and the last one stops working. The change order must still",
      'apply (as approving checks) and be undecided (409 `APPROVAL_DECIDED`); without an address it is 422 `NO_RECIPIENT`.',
    ].join(' '),
    params: idParams,
    body: sendRequest,
    errors: {
      ...notFound,
      409: ['APPROVAL_DECIDED', ...applyRefusals[409]],
      422: [...applyRefusals[422], 'NO_RECIPIENT'],
    },
    responses: { 200: changeOrderResponse },
    handle: async ({ tenantId, params, body }) => reply(await sendChangeOrder(tenantId, params.id, body?.to)),
  }),
];
