import * as z from './zod.js';
import { DomainError, type ErrorKind, type FieldError } from '../domain/errors.js';
import { isTransient } from './transient.js';

/** An HTTP-level failure that is not a domain rule: bad JSON, missing key, oversized body. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly errors: FieldError[] = [],
    /** Headers the status calls for, such as the `WWW-Authenticate` challenge of a 401. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpProblem';
  }
}

// 401 with the challenge of RFC 6750: no error code when no key was sent, `invalid_token` for a bad one.
const challenge = (detail: string, wwwAuthenticate: string): HttpProblem =>
  new HttpProblem(401, 'UNAUTHENTICATED', detail, [], { 'www-authenticate': wwwAuthenticate });

export const missingApiKey = (): HttpProblem => challenge('Send Authorization: Bearer <API key>', 'Bearer');

export const invalidApiKey = (): HttpProblem => challenge('The API key is not valid', 'Bearer error="invalid_token"');

/** How long a client should wait before it sends again a request that met a busy or slow moment. */
const RETRY_AFTER_SECONDS = '1';

/**
 * A request that ran out of the function's time. What it began is finished or undone by the same
 * request sent again (with its Idempotency-Key, it gets the first answer once that is made).
 */
export const timedOut = (): HttpProblem =>
  new HttpProblem(503, 'TIMED_OUT', 'The request ran out of time; send it again (with the same Idempotency-Key)', [], {
    'retry-after': RETRY_AFTER_SECONDS,
  });

// DynamoDB throttled, or failed a call, past the SDK's own retries: nothing the client did wrong.
const unavailable = (): HttpProblem =>
  new HttpProblem(503, 'SERVICE_UNAVAILABLE', 'The service is busy; send the request again shortly', [], {
    'retry-after': RETRY_AFTER_SECONDS,
  });

const statusByKind: Record<ErrorKind, number> = { invalid: 400, not_found: 404, conflict: 409, precondition: 412, rule: 422 };

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export const problemSchema = z.withMeta(
  z.object({
    type: z.string(),
    title: z.string(),
    status: z.number().check(z.int()),
    code: z.string(),
    detail: z.string(),
    instance: z.optional(z.string()),
    errors: z.optional(z.array(z.object({ field: z.string(), code: z.string(), message: z.string() }))),
  }),
  { id: 'Problem' },
);

export type Problem = z.infer<typeof problemSchema>;

/** The error as the API shows it: a transient AWS failure is a 503, not a 500. */
const asShown = (error: unknown): unknown => (isTransient(error) ? unavailable() : error);

/** RFC 9457 problem for any error; anything unknown is a 500 that reveals nothing. */
export const toProblem = (raw: unknown, instance?: string): Problem => {
  const error = asShown(raw);
  const known =
    error instanceof DomainError
      ? { status: statusByKind[error.kind], code: error.code, detail: error.message, errors: error.errors }
      : error instanceof HttpProblem
        ? { status: error.status, code: error.code, detail: error.message, errors: error.errors }
        : { status: 500, code: 'INTERNAL_ERROR', detail: 'An unexpected error occurred', errors: [] };
  return {
    type: `urn:tally:problem:${known.code.toLowerCase().replaceAll('_', '-')}`,
    title: titles[known.status] ?? 'Error',
    status: known.status,
    code: known.code,
    detail: known.detail,
    ...(instance ? { instance } : {}),
    ...(known.errors.length ? { errors: known.errors } : {}),
  };
};

/** Any error as the HTTP answer that carries its problem: status, problem JSON and the problem's own headers. */
export const problemResponse = (
  error: unknown,
  instance?: string,
): { statusCode: number; headers: Record<string, string>; body: string } => {
  const shown = asShown(error);
  const problem = toProblem(shown, instance);
  const headers = shown instanceof HttpProblem ? shown.headers : {};
  return {
    statusCode: problem.status,
    headers: { ...headers, 'content-type': 'application/problem+json' },
    body: JSON.stringify(problem),
  };
};
