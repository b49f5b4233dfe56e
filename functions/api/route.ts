import * as z from '../shared/zod.js';

/** HEAD is served by the portal's pages only (link checkers send it); API routes answer it with 405. */
export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** What a route handler gets: parsed and validated input, and the caller's tenant. */
export interface Request<P, Q, B> {
  tenantId: string;
  params: P;
  query: Q;
  body: B;
  headers: Record<string, string | undefined>;
  /** The version `If-Match` names, on a route that takes it (`ifMatch`); undefined without one, or for `*`. */
  expectedVersion: number | undefined;
  requestId: string;
}

/** What a route handler returns; `body` is sent as JSON unless a `content-type` header says otherwise. */
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface ResponseSpec {
  description: string;
  /** The JSON body. */
  schema?: z.ZodMiniType;
  /** Every representation by media type, where there is more than JSON. */
  content?: Record<string, z.ZodMiniType>;
  /** Headers the route sets on this response; those the HTTP layer adds (Location, Vary, ...) the document adds itself. */
  headers?: readonly ResponseHeader[];
}

/** Response headers a route may set, each described once in the OpenAPI document. */
export type ResponseHeader = 'ETag' | 'Content-Location' | 'Content-Disposition' | 'Link';

/** Problem statuses a route's own rules answer with. */
export type DomainStatus = 400 | 404 | 409 | 422;

/**
 * The problem codes a route's domain can answer, by status (`notFound('job')` is 404 `JOB_NOT_FOUND`).
 * The OpenAPI document adds those every route of a kind shares (validation, auth, idempotency, If-Match).
 */
export type ProblemCodes = Partial<Record<DomainStatus, readonly string[]>>;

/**
 * One HTTP operation. The same table feeds the group's Lambda dispatcher, the local server,
 * the API Gateway routes in the CDK app and the OpenAPI document.
 */
export interface Route<P = unknown, Q = unknown, B = unknown> {
  method: Method;
  /** API Gateway syntax: `/v1/jobs/{id}`. */
  path: string;
  operationId: string;
  summary: string;
  /** What a client should know beyond the summary: rules, limits, what to send (the OpenAPI description). */
  description?: string;
  /** Served without an API key. */
  public?: boolean;
  /** Takes `If-Match` with the ETag of the resource: another version is refused with 412. */
  ifMatch?: boolean;
  /** The route's own problem codes; see ProblemCodes. */
  errors?: ProblemCodes;
  params?: z.ZodMiniType<P>;
  query?: z.ZodMiniType<Q>;
  body?: z.ZodMiniType<B>;
  responses: Record<number, ResponseSpec>;
  handle(request: Request<P, Q, B>): Promise<Reply>;
}

/** Declares a route with its input types inferred from its schemas. */
export const route = <P = Record<string, never>, Q = Record<string, never>, B = undefined>(definition: Route<P, Q, B>): Route =>
  definition as unknown as Route;

export const routeKey = (r: Pick<Route, 'method' | 'path'>): string => `${r.method} ${r.path}`;

/** What a POST without parameters takes: nothing, or an empty JSON object (what many clients send). */
const noParameters = z.optional(z.strictObject({}));

/**
 * The body a route takes: its own schema; for a POST without one, nothing or `{}`; for other
 * methods none (any body is refused).
 */
export const requestBody = (r: Pick<Route, 'method' | 'body'>): z.ZodMiniType | undefined =>
  r.body ?? (r.method === 'POST' ? noParameters : undefined);

/** 201 with the created resource and where it lives (`Location`), plus its other headers (its ETag). */
export const created = (location: string, body: unknown, headers: Record<string, string> = {}): Reply => ({
  status: 201,
  body,
  headers: { location, ...headers },
});
