import * as z from '../../shared/zod.js';
import { estimateTotals, type Estimate } from '../../domain/estimate.js';
import { renderEstimate } from '../../services/estimate-document.service.js';
import { acceptEstimate, declineEstimate, sendEstimate } from '../../services/estimate-approval.service.js';
import * as estimates from '../../services/estimate.service.js';
import type { ChargeOfEstimate } from '../../services/estimate.service.js';
import { documentReply, preferredType } from '../representations.js';
import { created, route } from '../route.js';
import { etag, idParams, pageOf } from '../schemas.js';
import {
  declineRequest,
  estimatePatch,
  estimateQuery,
  estimateSchema,
  newEstimate,
  sendEstimateRequest,
} from './estimate.schemas.js';
import { chargeOrder, chargeParams, chargePatch, chargeSchema, newCharge } from './job.schemas.js';

type IdParams = z.infer<typeof idParams>;
type ChargeParams = z.infer<typeof chargeParams>;

/** The estimate as clients see it: with its totals (the schema keeps what it shows). */
const estimateView = (estimate: Estimate) => ({ ...estimate, ...estimateTotals(estimate) });

const reply = (status: number, estimate: Estimate, headers: Record<string, string> = {}) => ({
  status,
  body: estimateView(estimate),
  headers: { ...etag(estimate), ...headers },
});
const estimateResponse = { description: 'The estimate', schema: estimateSchema, headers: ['ETag'] } as const;
const chargeResponse = { description: 'The charge', schema: chargeSchema, headers: ['ETag'] } as const;
const notFound = { 404: ['ESTIMATE_NOT_FOUND'] } as const;
const chargeNotFound = { 404: ['ESTIMATE_NOT_FOUND', 'CHARGE_NOT_FOUND'] } as const;
// A charge has no version of its own: the estimate's is the one that If-Match checks.
const chargeReply = ({ estimate, charge }: ChargeOfEstimate) => ({ status: 200, body: charge, headers: etag(estimate) });
const readOnly = 'ESTIMATE_NOT_EDITABLE';

export const estimateRoutes = [
  route<object, object, z.infer<typeof newEstimate>>({
    method: 'POST',
    path: '/v1/estimates',
    operationId: 'createEstimate',
    summary: 'Creates an estimate for a customer: what a job would be, for the client to accept',
    description:
      "A new estimate is a `draft` with no charges. It is in its customer's currency unless it names one; `customerId` must name a customer of the tenant (422 `CUSTOMER_NOT_FOUND`). `validUntil` (optional) is its last valid day. A `milestone` job is priced by milestones, which an estimate does not offer: 422 `ESTIMATE_BILLING_TYPE_UNSUPPORTED` naming `billingType`.",
    body: newEstimate,
    errors: { 422: ['CUSTOMER_NOT_FOUND', 'ESTIMATE_BILLING_TYPE_UNSUPPORTED'] },
    responses: { 201: estimateResponse },
    handle: async ({ tenantId, body }) => {
      const estimate = await estimates.createEstimate(tenantId, body);
      return created(`/v1/estimates/${estimate.id}`, estimateView(estimate), etag(estimate));
    },
  }),
  route<object, z.infer<typeof estimateQuery>>({
    method: 'GET',
    path: '/v1/estimates',
    operationId: 'listEstimates',
    summary: 'Lists estimates, newest first, by customer and status',
    description: 'Every status: drafts, those sent to the client, accepted ones (with their `jobId`) and declined ones.',
    query: estimateQuery,
    responses: { 200: { description: 'A page of estimates', schema: pageOf(estimateSchema) } },
    handle: async ({ tenantId, query }) => {
      const page = await estimates.listEstimates(tenantId, query, query.limit, query.cursor);
      return { status: 200, body: { items: page.items.map(estimateView), nextCursor: page.nextCursor } };
    },
  }),
  route<IdParams>({
    method: 'GET',
    path: '/v1/estimates/{id}',
    operationId: 'getEstimate',
    summary: 'Gets an estimate: JSON, or the document as HTML (Accept: text/html) or PDF (Accept: application/pdf)',
    description:
      'The document is laid out as an invoice is: every charge in order with its quantity, unit price and tax, tax per rate, net, tax and total. The JSON carries the `ETag`.',
    params: idParams,
    errors: notFound,
    responses: {
      200: {
        description: 'The estimate',
        content: {
          'application/json': estimateSchema,
          'text/html': z.withMeta(z.string(), { contentMediaType: 'text/html' }),
          'application/pdf': z.withMeta(z.string(), { format: 'binary', contentMediaType: 'application/pdf' }),
        },
        headers: ['ETag', 'Content-Disposition'],
      },
    },
    handle: async ({ tenantId, params, headers }) => {
      const type = preferredType(headers, ['application/json', 'text/html', 'application/pdf']);
      if (type === 'application/json') return reply(200, await estimates.getEstimate(tenantId, params.id), { vary: 'accept' });
      return documentReply(await renderEstimate(tenantId, params.id, type === 'application/pdf' ? 'pdf' : 'html'));
    },
  }),
  route<IdParams, object, z.infer<typeof estimatePatch>>({
    method: 'PATCH',
    path: '/v1/estimates/{id}',
    operationId: 'updateEstimate',
    summary: 'Changes a draft or sent estimate (If-Match: its ETag)',
    description:
      'Name, customer, retainage, validity. An accepted or declined estimate is read-only (409 `ESTIMATE_NOT_EDITABLE`).',
    ifMatch: true,
    params: idParams,
    body: estimatePatch,
    errors: { ...notFound, 409: [readOnly], 422: ['CUSTOMER_NOT_FOUND'] },
    responses: { 200: estimateResponse },
    handle: async ({ tenantId, params, body, expectedVersion }) =>
      reply(200, await estimates.updateEstimate(tenantId, params.id, body, expectedVersion)),
  }),
  route<IdParams>({
    method: 'DELETE',
    path: '/v1/estimates/{id}',
    operationId: 'deleteEstimate',
    summary: 'Deletes an estimate that made no job',
    description:
      'An accepted estimate stays: its job links to it (409 `ESTIMATE_ACCEPTED`). A link sent for a deleted one decides nothing.',
    ifMatch: true,
    params: idParams,
    errors: { ...notFound, 409: ['ESTIMATE_ACCEPTED'] },
    responses: { 204: { description: 'Deleted' } },
    handle: async ({ tenantId, params, expectedVersion }) => {
      await estimates.deleteEstimate(tenantId, params.id, expectedVersion);
      return { status: 204 };
    },
  }),
  route<IdParams, object, z.infer<typeof newCharge>>({
    method: 'POST',
    path: '/v1/estimates/{id}/charges',
    operationId: 'addEstimateCharge',
    summary: "Adds a charge to an estimate (ETag: the estimate's version)",
    description: 'Answers with the charge, last in the order. An estimate holds at most 500 charges (422 `TOO_MANY_CHARGES`).',
    ifMatch: true,
    params: idParams,
    body: newCharge,
    errors: { ...notFound, 409: [readOnly], 422: ['TOO_MANY_CHARGES', 'AMOUNT_TOO_LARGE', 'ESTIMATE_TOO_LARGE'] },
    responses: { 201: chargeResponse },
    handle: async ({ tenantId, params, body, expectedVersion }) => {
      const { estimate, charge } = await estimates.addCharge(tenantId, params.id, body, expectedVersion);
      return created(`/v1/estimates/${estimate.id}/charges/${charge.id}`, charge, etag(estimate));
    },
  }),
  route<ChargeParams>({
    method: 'GET',
    path: '/v1/estimates/{id}/charges/{chargeId}',
    operationId: 'getEstimateCharge',
    summary: "Gets a charge of an estimate (ETag: the estimate's version)",
    description:
      'Its amount is quantity x unit price, rounded to the currency; an estimate bills nothing, so its billed to date stays zero.',
    params: chargeParams,
    errors: chargeNotFound,
    responses: { 200: chargeResponse },
    handle: async ({ tenantId, params }) => chargeReply(await estimates.getCharge(tenantId, params.id, params.chargeId)),
  }),
  route<ChargeParams, object, z.infer<typeof chargePatch>>({
    method: 'PATCH',
    path: '/v1/estimates/{id}/charges/{chargeId}',
    operationId: 'updateEstimateCharge',
    summary: "Changes a charge of an estimate (If-Match: the estimate's ETag)",
    ifMatch: true,
    params: chargeParams,
    body: chargePatch,
    errors: { ...chargeNotFound, 409: [readOnly], 422: ['AMOUNT_TOO_LARGE', 'ESTIMATE_TOO_LARGE'] },
    responses: { 200: chargeResponse },
    handle: async ({ tenantId, params, body, expectedVersion }) =>
      chargeReply(await estimates.updateCharge(tenantId, params.id, params.chargeId, body, expectedVersion)),
  }),
  route<ChargeParams>({
    method: 'DELETE',
    path: '/v1/estimates/{id}/charges/{chargeId}',
    operationId: 'removeEstimateCharge',
    summary: "Removes a charge of an estimate (If-Match: the estimate's ETag)",
    ifMatch: true,
    params: chargeParams,
    errors: { ...chargeNotFound, 409: [readOnly] },
    responses: { 204: { description: 'Removed' } },
    handle: async ({ tenantId, params, expectedVersion }) => {
      await estimates.removeCharge(tenantId, params.id, params.chargeId, expectedVersion);
      return { status: 204 };
    },
  }),
  route<IdParams, object, z.infer<typeof chargeOrder>>({
    method: 'PUT',
    path: '/v1/estimates/{id}/charges/order',
    operationId: 'reorderEstimateCharges',
    summary: "Puts an estimate's charges in the order given (If-Match: its ETag)",
    description:
      '`ids` names every charge of the estimate once (400 `VALIDATION_FAILED` naming `ids`, saying which are unknown, repeated or missing); the job its acceptance makes has them in this order. The order it has already answers the estimate unchanged.',
    ifMatch: true,
    params: idParams,
    body: chargeOrder,
    errors: { ...notFound, 409: [readOnly] },
    responses: { 200: estimateResponse },
    handle: async ({ tenantId, params, body, expectedVersion }) =>
      reply(200, await estimates.reorderCharges(tenantId, params.id, body.ids, expectedVersion)),
  }),
  route<IdParams, object, z.infer<typeof sendEstimateRequest>>({
    method: 'POST',
    path: '/v1/estimates/{id}/send',
    operationId: 'sendEstimate',
    summary: 'Emails the client a link to accept or decline the estimate',
    description: [
      "The link opens the portal's page of the estimate (every charge in order, the total, Accept and Decline with a reason). It works",
      "to the end of `validUntil` in the tenant's calendar, or else for the tenant's `approvalExpiryDays`; a silence never accepts an",
      'estimate. Sending again sends a new link, and the last one stops working. The link decides the estimate as sent',
      '(`approval.sentVersion`): changed after it, the link says so (409) and decides nothing until sent again.',
      'The estimate needs a charge (422 `ESTIMATE_EMPTY`),',
      'must be valid (409 `ESTIMATE_EXPIRED`) and undecided (409 `ESTIMATE_NOT_EDITABLE`); without an address it is 422 `NO_RECIPIENT`.',
    ].join(' '),
    params: idParams,
    body: sendEstimateRequest,
    errors: { ...notFound, 409: [readOnly, 'ESTIMATE_EXPIRED'], 422: ['ESTIMATE_EMPTY', 'NO_RECIPIENT'] },
    responses: { 200: estimateResponse },
    handle: async ({ tenantId, params, body }) => reply(200, await sendEstimate(tenantId, params.id, body?.to)),
  }),
  route<IdParams>({
    method: 'POST',
    path: '/v1/estimates/{id}/accept',
    operationId: 'acceptEstimate',
    summary: 'Accepts an estimate for the client: makes its job, in one write',
    description: [
      "Staff decide for the client (`by: staff`). The job has the estimate's customer, name, billing type, currency and retainage,",
      'the same charges in the same order, and `estimateId`; the estimate answers with `jobId`. Accepting an accepted estimate',
      'answers it again (the same job: accepting twice, at once too, makes one). A declined one is 409 `APPROVAL_DECIDED`, one past',
      '`validUntil` 409 `ESTIMATE_EXPIRED`, one without charges 422 `ESTIMATE_EMPTY`.',
    ].join(' '),
    params: idParams,
    errors: { ...notFound, 409: ['APPROVAL_DECIDED', 'ESTIMATE_EXPIRED'], 422: ['ESTIMATE_EMPTY', 'JOB_TOO_LARGE'] },
    responses: { 200: estimateResponse },
    handle: async ({ tenantId, params }) => reply(200, await acceptEstimate(tenantId, params.id)),
  }),
  route<IdParams, object, z.infer<typeof declineRequest>>({
    method: 'POST',
    path: '/v1/estimates/{id}/decline',
    operationId: 'declineEstimate',
    summary: 'Declines an estimate for the client, saying why',
    description:
      'The `reason` is required (400 naming it). A declined estimate makes no job and is read-only; a decided one is 409 `APPROVAL_DECIDED`.',
    params: idParams,
    body: declineRequest,
    errors: { ...notFound, 400: ['REASON_REQUIRED'], 409: ['APPROVAL_DECIDED'] },
    responses: { 200: estimateResponse },
    handle: async ({ tenantId, params, body }) => reply(200, await declineEstimate(tenantId, params.id, body.reason ?? null)),
  }),
];
