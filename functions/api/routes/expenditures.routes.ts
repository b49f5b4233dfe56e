import * as z from '../../shared/zod.js';
import {
  EXPENDITURE_DECIMALS,
  EXPENDITURE_LISTINGS,
  MAX_BATCH_EXPENDITURES,
  type Expenditure,
} from '../../domain/expenditure.js';
import { BILLING_STATUSES, EXPENDITURE_KINDS } from '../../domain/expenditure-totals.js';
import * as expenditures from '../../services/expenditure.service.js';
import { created, route } from '../route.js';
import { atLeastOneField, etag, idParams, isoDate, pageOf, pageQuery, rangeInOrder, resourceId, text } from '../schemas.js';

const kind = z.enum(EXPENDITURE_KINDS);

// Not negative, at most 15 integer digits (the amount bound) and 4 decimals.
const unitDecimal = z.withMeta(
  z.string().check(
    z.regex(new RegExp(`^\\d{1,15}(\\.\\d{1,${EXPENDITURE_DECIMALS}})?$`), {
      message: `must be a decimal string of at most 15 integer and ${EXPENDITURE_DECIMALS} fraction digits, not negative, such as "7.25"`,
      abort: true,
    }),
  ),
  { description: `A decimal string, not negative: at most 15 integer and ${EXPENDITURE_DECIMALS} fraction digits` },
);

const quantity = z.withMeta(
  unitDecimal.check(z.regex(/^(?:\d*[1-9]\d*(?:\.\d+)?|\d*\.\d*[1-9]\d*)$/, 'must be greater than zero')),
  { description: `A decimal string greater than zero: at most 15 integer and ${EXPENDITURE_DECIMALS} fraction digits` },
);

const expenditureFields = {
  kind,
  date: z.withMeta(isoDate, { description: 'When the work was done or the material bought' }),
  description: text(500),
  resource: z.withMeta(z.nullish(text(200)), { description: 'Who or what was spent: an employee, a machine, a supplier' }),
  quantity,
  unitCost: unitDecimal,
  unitPrice: z.withMeta(unitDecimal, { description: 'The unit sales price' }),
};

const newExpenditure = z.strictObject({
  ...expenditureFields,
  booked: z.withMeta(z.optional(z.boolean()), { description: 'Book it at once (default false: book it later)' }),
});
const example = {
  kind: 'hours',
  date: '2026-03-02',
  description: 'Electrician, wiring',
  resource: 'J. Smith',
  quantity: '7.5',
  unitCost: '42.00',
  unitPrice: '68.00',
  booked: true,
};
const newExpenditureBody = z.withMeta(newExpenditure, { examples: [example] });
const batchBody = z.withMeta(
  z.strictObject({ items: z.array(newExpenditure).check(z.minLength(1), z.maxLength(MAX_BATCH_EXPENDITURES)) }),
  { examples: [{ items: [example, { ...example, kind: 'material', description: 'Cable', quantity: '40' }] }] },
);
const expenditurePatch = z.partial(z.strictObject(expenditureFields)).check(z.refine(atLeastOneField, 'give at least one field'));

const listQuery = z
  .extend(pageQuery, {
    status: z.withMeta(z.optional(z.enum(EXPENDITURE_LISTINGS)), {
      description:
        '`unbooked`: not booked yet; `unbilled`, `selected`, `settled`: booked ones by billing status (`unbilled` is what a partial invoice may select). Without it, all',
    }),
    kind: z.optional(kind),
    from: z.withMeta(z.optional(isoDate), { description: 'Expenditures dated from this day (inclusive)' }),
    to: z.withMeta(z.optional(isoDate), { description: 'Expenditures dated up to this day (inclusive)' }),
  })
  .check(z.superRefine(rangeInOrder));

const expenditureParams = z.object({ id: resourceId, eid: resourceId });
type IdParams = z.infer<typeof idParams>;
type ExpenditureParams = z.infer<typeof expenditureParams>;

export const expenditureSchema = z.withMeta(
  z.object({
    id: z.string(),
    jobId: z.string(),
    kind,
    date: isoDate,
    description: z.string(),
    resource: z.nullable(z.string()),
    quantity: z.string(),
    unitCost: z.string(),
    unitPrice: z.string(),
    cost: z.withMeta(z.string(), { description: "quantity x unitCost, rounded to the currency's minor unit" }),
    salesValue: z.withMeta(z.string(), { description: "quantity x unitPrice, rounded to the currency's minor unit" }),
    booked: z.boolean(),
    bookedAt: z.nullable(z.iso.datetime()),
    status: z.enum(BILLING_STATUSES),
    selection: z.withMeta(z.nullable(z.string()), { description: 'The partial invoice whose selection holds it' }),
    settledBy: z.withMeta(z.nullable(z.string()), { description: 'The partial invoice that settled it' }),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    version: z.number().check(z.int()),
  }),
  { id: 'Expenditure' },
);

const expenditureResponse = { description: 'The expenditure', schema: expenditureSchema, headers: ['ETag'] } as const;
const reply = (e: Expenditure) => ({ status: 200, body: e, headers: etag(e) });
const expenditureNotFound = ['JOB_NOT_FOUND', 'EXPENDITURE_NOT_FOUND'] as const;
const editRefusals = ['JOB_BILLED', 'EXPENDITURE_SELECTED', 'EXPENDITURE_SETTLED'] as const;

export const expenditureRoutes = [
  route<IdParams, object, z.infer<typeof newExpenditure>>({
    method: 'POST',
    path: '/v1/jobs/{id}/expenditures',
    operationId: 'createExpenditure',
    summary: 'Records hours, material or a purchase spent on a job, booked at once or later',
    description:
      "Any job takes expenditures; a booked one adds its cost to the job's Work in Process, and its sales value to a `time_and_material` job's suggested price. `cost` and `salesValue` are quantity x unit cost and x unit price, rounded to the job's currency (422 `AMOUNT_TOO_LARGE` past the amount bound). A billed job takes none (409 `JOB_BILLED`).",
    params: idParams,
    body: newExpenditureBody,
    errors: { 404: ['JOB_NOT_FOUND'], 409: ['JOB_BILLED'], 422: ['AMOUNT_TOO_LARGE', 'JOB_TOO_LARGE'] },
    responses: { 201: expenditureResponse },
    handle: async ({ tenantId, params, body }) => {
      const e = await expenditures.createExpenditure(tenantId, params.id, body);
      return created(`/v1/jobs/${e.jobId}/expenditures/${e.id}`, e, etag(e));
    },
  }),
  route<IdParams, object, z.infer<typeof batchBody>>({
    method: 'POST',
    path: '/v1/jobs/{id}/expenditures/batch',
    operationId: 'createExpenditureBatch',
    summary: 'Records up to 500 expenditures at once, all or nothing',
    description:
      "Every item is checked before anything is written: a refusal names the item (`items.3.quantity`) and writes nothing. The answer lists the expenditures in the order of the items. With an `Idempotency-Key`, a retry of a request cut off part-way finishes the same batch (never a second one); a batch a crash left half-written is finished or undone by the next read of the job's expenditures. 409 `BATCH_IN_PROGRESS` while another request writes the same batch.",
    params: idParams,
    body: batchBody,
    errors: {
      404: ['JOB_NOT_FOUND'],
      409: ['JOB_BILLED', 'BATCH_IN_PROGRESS', 'BATCH_MOVED'],
      422: ['AMOUNT_TOO_LARGE', 'JOB_TOO_LARGE'],
    },
    responses: {
      201: { description: 'The expenditures made', schema: z.object({ items: z.array(expenditureSchema) }) },
    },
    handle: async ({ tenantId, params, body, headers }) => {
      const items = await expenditures.createExpenditureBatch(tenantId, params.id, body.items, headers['idempotency-key']);
      return created(`/v1/jobs/${params.id}/expenditures`, { items });
    },
  }),
  route<IdParams, z.infer<typeof listQuery>>({
    method: 'GET',
    path: '/v1/jobs/{id}/expenditures',
    operationId: 'listExpenditures',
    summary: "Lists a job's expenditures, newest date first, by status, kind and date",
    description: 'A job may have tens of thousands: each status is a listing of its own, read a page at a time.',
    params: idParams,
    query: listQuery,
    errors: { 404: ['JOB_NOT_FOUND'] },
    responses: { 200: { description: 'A page of expenditures', schema: pageOf(expenditureSchema) } },
    handle: async ({ tenantId, params, query }) => {
      const { status, kind: ofKind, from, to, limit, cursor } = query;
      const page = await expenditures.listExpenditures(
        tenantId,
        params.id,
        { listing: status, kind: ofKind, from, to },
        limit,
        cursor,
      );
      return { status: 200, body: page };
    },
  }),
  route<ExpenditureParams>({
    method: 'GET',
    path: '/v1/jobs/{id}/expenditures/{eid}',
    operationId: 'getExpenditure',
    summary: 'Gets an expenditure with its booking and billing status',
    description: "Its `ETag` is the expenditure's own version.",
    params: expenditureParams,
    errors: { 404: expenditureNotFound },
    responses: { 200: expenditureResponse },
    handle: async ({ tenantId, params }) => reply(await expenditures.getExpenditure(tenantId, params.id, params.eid)),
  }),
  route<ExpenditureParams, object, z.infer<typeof expenditurePatch>>({
    method: 'PATCH',
    path: '/v1/jobs/{id}/expenditures/{eid}',
    operationId: 'updateExpenditure',
    summary: "Changes an expenditure no partial invoice holds (If-Match: the expenditure's ETag)",
    description:
      'One in a selection (409 `EXPENDITURE_SELECTED`) or settled (409 `EXPENDITURE_SETTLED`) stays as billed. A booked one moves WIP and the price by the difference.',
    ifMatch: true,
    params: expenditureParams,
    body: expenditurePatch,
    errors: { 404: expenditureNotFound, 409: editRefusals, 422: ['AMOUNT_TOO_LARGE', 'JOB_TOO_LARGE'] },
    responses: { 200: expenditureResponse },
    handle: async ({ tenantId, params, body, expectedVersion }) =>
      reply(await expenditures.updateExpenditure(tenantId, params.id, params.eid, body, expectedVersion)),
  }),
  route<ExpenditureParams>({
    method: 'DELETE',
    path: '/v1/jobs/{id}/expenditures/{eid}',
    operationId: 'deleteExpenditure',
    summary: "Deletes an expenditure no partial invoice holds (If-Match: the expenditure's ETag)",
    description: 'One in a selection or settled stays (409). A booked one leaves WIP and the price.',
    ifMatch: true,
    params: expenditureParams,
    errors: { 404: expenditureNotFound, 409: editRefusals, 422: ['JOB_TOO_LARGE'] },
    responses: { 204: { description: 'Deleted' } },
    handle: async ({ tenantId, params, expectedVersion }) => {
      await expenditures.deleteExpenditure(tenantId, params.id, params.eid, expectedVersion);
      return { status: 204 };
    },
  }),
  route<ExpenditureParams>({
    method: 'POST',
    path: '/v1/jobs/{id}/expenditures/{eid}/book',
    operationId: 'bookExpenditure',
    summary: 'Books an expenditure: it counts in WIP and the price, and can be billed',
    description: 'Booking a booked expenditure changes nothing and answers it. There is no un-booking: delete it while unbilled.',
    ifMatch: true,
    params: expenditureParams,
    errors: { 404: expenditureNotFound, 409: ['JOB_BILLED'], 422: ['AMOUNT_TOO_LARGE', 'JOB_TOO_LARGE'] },
    responses: { 200: expenditureResponse },
    handle: async ({ tenantId, params, expectedVersion }) =>
      reply(await expenditures.bookExpenditure(tenantId, params.id, params.eid, expectedVersion)),
  }),
];
