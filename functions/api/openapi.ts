import {
  createDocument,
  type oas31,
  type ZodOpenApiOperationObject,
  type ZodOpenApiPathsObject,
  type ZodOpenApiResponseObject,
} from 'zod-openapi';
import * as z from '../shared/zod.js';
import { offeredTypes, representations } from './representations.js';
import { requestBody, type ResponseHeader, type ResponseSpec, type Route } from './route.js';
import { ETAG_PATTERN, idempotencyKey } from './schemas.js';
import { problemSchema } from '../shared/problems.js';

const PROBLEM = 'application/problem+json';

/** One tag per route group (`routes/index.ts`): the group is what a route is about. */
const TAGS: Record<string, { name: string; description: string }> = {
  meta: { name: 'Service', description: 'Health and this document; no API key needed' },
  customers: { name: 'Customers', description: 'Whom invoices bill: name, email, currency, billing address' },
  jobs: { name: 'Jobs', description: 'Work billed in phases: a job, its charges and its billing summary' },
  milestones: {
    name: 'Milestones',
    description: "A job's phases, each billed when done (and approved): their amounts, order and status",
  },
  expenditures: {
    name: 'Expenditures',
    description:
      "Hours, material and purchases spent on a job: booked, they are its Work in Process and a time and material job's price",
  },
  'change-orders': {
    name: 'Change orders',
    description: "Formal changes of a job's milestones (added, modified, removed), approved by the client before they bill",
  },
  estimates: {
    name: 'Estimates',
    description: 'What a job would be, its charges in order, sent to the client to accept (which makes the job) or decline',
  },
  invoices: {
    name: 'Invoices',
    description: 'Drafts as a policy computes them, issuing, voiding, payments, documents (HTML, PDF) and sending',
  },
  'partial-invoices': {
    name: 'Partial invoices',
    description:
      "Time and material partial invoices: a selection of a job's booked expenditures, each in one selection only, with lines copied from it or given free",
  },
  profiles: {
    name: 'Accumulating profiles',
    description:
      'Running tabs of a customer: items, discounts and taxes, invoiced every N days, with a preview of the next invoice',
  },
  settings: { name: 'Settings', description: "The tenant's billing settings: number formats, backdating, defaults" },
  events: { name: 'Events', description: 'Billing events of the last 30 days, to poll' },
  reports: { name: 'Accounting', description: 'The invoice journal and exports to accounting, as JSON or CSV' },
};

type HeaderName = ResponseHeader | 'Location' | 'Vary' | 'Idempotent-Replayed' | 'WWW-Authenticate' | 'Retry-After';

/** Every response header, described once; responses refer to them. */
const HEADERS: Record<HeaderName, oas31.HeaderObject> = {
  ETag: {
    description:
      'The version of the resource (for a charge, of its job; for a payment, of its invoice): send it back as `If-Match`',
    // As `etag()` writes it: the version, quoted.
    schema: { type: 'string', pattern: '^"\\d+"$', examples: ['"3"'] },
  },
  Location: {
    description: 'Where the created resource is read',
    required: true,
    schema: { type: 'string', format: 'uri-reference', examples: ['/v1/customers/cus_01J9Z3Q4R5S6T7V8W9X0Y1Z2A3'] },
  },
  'Content-Location': {
    description: 'Where the resource answered with is read',
    schema: { type: 'string', format: 'uri-reference' },
  },
  'Content-Disposition': {
    description: 'The file name of the document (`inline; filename="..."`)',
    schema: { type: 'string' },
  },
  Link: {
    description:
      'Where the next page is (RFC 8288, `rel="next"`), for a CSV page, which has no `nextCursor`; absent on the last page',
    schema: { type: 'string', examples: ['</v1/reports/wip?limit=20&cursor=AbC>; rel="next"'] },
  },
  Vary: {
    description: '`Accept`: the answer depends on the representation asked for, so caches keep them apart',
    required: true,
    schema: { type: 'string', const: 'Accept' },
  },
  'Idempotent-Replayed': {
    description: '`true` when this is the stored answer to an earlier request with the same `Idempotency-Key`',
    schema: { type: 'string', const: 'true' },
  },
  'WWW-Authenticate': {
    description: 'The Bearer challenge (RFC 6750) of the local stack; API Gateway answers without it',
    schema: { type: 'string', examples: ['Bearer', 'Bearer error="invalid_token"'] },
  },
  'Retry-After': {
    description: 'Seconds to wait before sending the request again',
    required: true,
    schema: { type: 'string', pattern: '^\\d+$', examples: ['1'] },
  },
};

const headers = (names: HeaderName[]): Pick<ZodOpenApiResponseObject, 'headers'> =>
  names.length ? { headers: Object.fromEntries(names.map((name) => [name, { $ref: `#/components/headers/${name}` }])) } : {};

type ProblemStatus = 400 | 401 | 404 | 406 | 409 | 412 | 413 | 415 | 422 | 500 | 503;

const PROBLEM_STATUSES: Record<ProblemStatus, string> = {
  400: 'The request is not valid; `errors` names each field',
  401: 'No API key, or not a valid one',
  404: "Not found (another tenant's ids are not found either)",
  406: '`Accept` takes none of the representations this operation answers in',
  409: "The resource's state refuses the change; read it again",
  412: '`If-Match` names a version the resource is no longer at: nothing changed',
  413: 'The body is larger than 256 KB',
  415: 'The body is not `application/json` in UTF-8',
  422: 'A business rule refuses the request; nothing changed',
  500: 'A failure of the service, with no detail',
  503: 'The service was busy, or the request ran out of time: send it again after `Retry-After` (a POST with its `Idempotency-Key`)',
};

type Codes = Partial<Record<ProblemStatus, readonly string[]>>;

const merge = (...parts: (Codes | false | undefined)[]): Codes => {
  const merged: Codes = {};
  for (const part of parts) {
    for (const [status, codes] of Object.entries(part || {})) {
      const key = Number(status) as ProblemStatus;
      merged[key] = [...new Set([...(merged[key] ?? []), ...codes])];
    }
  }
  return merged;
};

const hasCursor = (r: Route): boolean => r.query instanceof z.ZodMiniObject && 'cursor' in r.query.shape;

/**
 * Every problem an operation can answer, by status: those the HTTP layer gives every route of a
 * kind (input, API key, Accept, body, idempotency of POSTs, If-Match, a race lost past every
 * retry) and the route's own.
 */
const problemCodes = (r: Route): Codes => {
  const takesBody = requestBody(r) !== undefined;
  const isPost = r.method === 'POST';
  return merge(
    // Every operation refuses a query parameter it does not take.
    { 400: ['VALIDATION_FAILED'] },
    takesBody && {
      400: ['MALFORMED_JSON', 'MALFORMED_BODY', 'BODY_TOO_DEEP'],
      413: ['PAYLOAD_TOO_LARGE'],
      415: ['UNSUPPORTED_MEDIA_TYPE'],
    },
    hasCursor(r) && { 400: ['INVALID_CURSOR'] },
    !r.public && { 401: ['UNAUTHENTICATED'] },
    offeredTypes(r).length > 0 && { 406: ['NOT_ACCEPTABLE'] },
    r.method !== 'GET' && { 409: ['VERSION_CONFLICT'] },
    isPost && { 409: ['IDEMPOTENCY_REQUEST_IN_PROGRESS'], 422: ['IDEMPOTENCY_KEY_REUSED'] },
    r.ifMatch && { 412: ['PRECONDITION_FAILED'] },
    r.errors,
    { 500: ['INTERNAL_ERROR'], 503: ['SERVICE_UNAVAILABLE', 'TIMED_OUT'] },
  );
};

/** A problem of one status, its `code` one of those listed. */
const problemResponse = (status: ProblemStatus, codes: readonly string[], extra: HeaderName[]): ZodOpenApiResponseObject => ({
  description: `${PROBLEM_STATUSES[status]}: ${codes.map((c) => `\`${c}\``).join(', ')}`,
  ...headers([
    ...(status === 401 ? (['WWW-Authenticate'] as const) : []),
    ...(status === 503 ? (['Retry-After'] as const) : []),
    ...extra,
  ]),
  content: {
    [PROBLEM]: {
      schema: {
        allOf: [
          { $ref: '#/components/schemas/Problem' },
          { type: 'object', properties: { code: { type: 'string', enum: [...codes] } }, required: ['code'] },
        ],
      },
    },
  },
});

const contentOf = (spec: ResponseSpec) => {
  const content = Object.entries(representations(spec));
  return content.length ? { content: Object.fromEntries(content.map(([type, schema]) => [type, { schema }])) } : {};
};

// The HTTP layer makes every POST idempotent, so every POST declares the header.
const idempotencyHeader = z.withMeta(z.optional(idempotencyKey), {
  description: 'Runs the request once: a retry with the same key and body gets the first response (kept 72 hours)',
  examples: ['3f1c6a2e-4b7d-4e0a-9c1b-2d5e8f7a6b3c'],
});

const ifMatchHeader = z.withMeta(z.optional(z.string().check(z.regex(ETAG_PATTERN))), {
  description:
    'The `ETag` a read gave: the change applies only to that version, another one is 412. Without it (or with `*`) the change applies to the current version',
  examples: ['"3"'],
});

const requestHeaders = (r: Route) => {
  const shape = {
    ...(r.method === 'POST' ? { 'Idempotency-Key': idempotencyHeader } : {}),
    ...(r.ifMatch ? { 'If-Match': ifMatchHeader } : {}),
  };
  return Object.keys(shape).length ? { header: z.object(shape) } : {};
};

const bodyOf = (r: Route): Pick<ZodOpenApiOperationObject, 'requestBody'> => {
  const schema = requestBody(r);
  if (!schema) return {};
  return { requestBody: { required: !schema.safeParse(undefined).success, content: { 'application/json': { schema } } } };
};

/** What every operation of a kind shares, said where it applies: paging, representations, If-Match. */
const notes = (r: Route): string[] => {
  const types = offeredTypes(r);
  return [
    ...(hasCursor(r) ? ['A page at a time: send `nextCursor` back as `cursor` for the next page; the last page has none.'] : []),
    ...(types.length > 1 ? [`Answers as ${types.map((t) => `\`${t}\``).join(', ')} by \`Accept\` (the first by default).`] : []),
    ...(r.ifMatch ? ["`If-Match` with the resource's `ETag` makes the change only at that version (412 otherwise)."] : []),
  ];
};

const operation = (r: Route, tag: string): ZodOpenApiOperationObject => {
  const success = (status: string, spec: ResponseSpec): ZodOpenApiResponseObject => ({
    description: spec.description,
    ...headers([
      ...(spec.headers ?? []),
      ...(status === '201' ? (['Location'] as const) : []),
      ...(offeredTypes(r).length > 1 ? (['Vary'] as const) : []),
      ...(r.method === 'POST' ? (['Idempotent-Replayed'] as const) : []),
    ]),
    ...contentOf(spec),
  });
  // A replay answers a kept 404 or 422 again; problems of a route with a choice of types vary too.
  const problemHeaders = (status: ProblemStatus): HeaderName[] => [
    ...(offeredTypes(r).length > 1 ? (['Vary'] as const) : []),
    ...(r.method === 'POST' && (status === 404 || status === 422) ? (['Idempotent-Replayed'] as const) : []),
  ];
  const problems = Object.entries(problemCodes(r)).map(([status, codes]) => [Number(status) as ProblemStatus, codes] as const);
  return {
    operationId: r.operationId,
    summary: r.summary,
    description: [r.description, ...notes(r)].filter(Boolean).join('\n\n'),
    tags: [tag],
    security: r.public ? [] : [{ apiKey: [] }],
    requestParams: {
      ...(r.params ? { path: r.params as z.ZodMiniObject } : {}),
      ...(r.query ? { query: r.query as z.ZodMiniObject } : {}),
      ...requestHeaders(r),
    },
    ...bodyOf(r),
    responses: {
      ...Object.fromEntries(Object.entries(r.responses).map(([status, spec]) => [status, success(status, spec)])),
      ...Object.fromEntries(problems.map(([status, codes]) => [status, problemResponse(status, codes, problemHeaders(status))])),
    },
  };
};

const DESCRIPTION = `Billing for work in progress: customers, jobs and their charges, invoices drafted by policy
(deposit, progress, final, correction, retainage release), issued with gap-free numbers, paid, voided,
exported to accounting.

Conventions for every operation: JSON in camelCase; amounts and quantities as decimal strings
(\`"1234.50"\`), percents as percent strings (\`"20"\` is 20%); errors as RFC 9457 problems
(\`application/problem+json\`) whose \`code\` is stable (each response lists the codes it can carry);
lists a page at a time (\`limit\`, \`cursor\` -> \`nextCursor\`); \`ETag\` on versioned resources and
\`If-Match\` to change only the version read; \`Idempotency-Key\` on every POST.`;

/**
 * The OpenAPI 3.1 document of the route groups, from the same zod schemas that validate requests.
 * Built by `npm run openapi` (bin/openapi.ts) into functions/api/openapi.json, never at run time:
 * zod-openapi and the route table of every group stay out of the functions.
 */
export const openApiDocument = (groups: Record<string, Route[]>): ReturnType<typeof createDocument> => {
  const paths: ZodOpenApiPathsObject = {};
  for (const [group, routes] of Object.entries(groups)) {
    const tag = TAGS[group];
    if (!tag) throw new Error(`The route group ${group} has no tag`);
    for (const r of routes) {
      paths[r.path] = { ...paths[r.path], [r.method.toLowerCase()]: operation(r, tag.name) };
    }
  }
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Tally',
      version: '1',
      description: DESCRIPTION,
      contact: { name: 'Tally', email: 'api@tally.example' },
      // The project is private: no public license grants use of it.
      license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
    },
    servers: [
      // Relative: the API is where this document is served from, the local stack or the HTTP API on AWS.
      { url: '/', description: 'Where this document is served from' },
      {
        url: 'https://{apiId}.execute-api.{region}.amazonaws.com',
        description: "A deployment on AWS: the HTTP API's default stage",
        variables: {
          apiId: { default: 'abcd123456', description: 'The HTTP API id (the service stack prints its URL)' },
          region: { default: 'eu-central-1', description: 'The AWS region it is deployed to' },
        },
      },
    ],
    tags: Object.values(TAGS),
    components: {
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'An API key: `Authorization: Bearer tly_...`' },
      },
      schemas: { Problem: problemSchema },
      headers: HEADERS,
    },
    paths,
  });
};
