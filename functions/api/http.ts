import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEventV2WithLambdaAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type * as z from '../shared/zod.js';
import { clock } from '../adapters/clock.js';
import { logger } from '../shared/logger.js';
import type { FieldError } from '../domain/errors.js';
import { HttpProblem, missingApiKey, problemResponse, timedOut } from '../shared/problems.js';
import { requestFingerprint, runOnce, type StoredResponse } from '../services/idempotency.service.js';
import { assertAcceptable, offeredTypes, representations } from './representations.js';
import { checkedShape, shapeOf } from './response-shape.js';
import { parse as parseMediaType } from 'content-type';
import { requestBody, routeKey, type Reply, type Route } from './route.js';
import { routeTable, type Routable, type RouteTable } from './route-match.js';
import { idempotencyKey, ifMatchVersion } from './schemas.js';

export interface TenantContext {
  tenantId: string;
}

export type HttpEvent = APIGatewayProxyEventV2WithLambdaAuthorizer<TenantContext>;

const MAX_BODY_BYTES = 256 * 1024;
/** How long before the function's timeout a request still running is answered 503 TIMED_OUT: time enough to send it. */
const TIMEOUT_EARLY_MS = 250;
/** No body of ours nests deeper; a deeper one is refused before anything walks it recursively. */
const MAX_BODY_DEPTH = 32;

/** One error per field: an unknown key is named by its own path (`lines.0.foo`), not by its object's. */
const fieldErrors = (issue: z.core.$ZodIssue): FieldError[] => {
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ field: [...path, key].join('.'), code: issue.code, message: 'is not a known field' }));
  }
  return [{ field: path.join('.') || '(body)', code: issue.code, message: issue.message }];
};

const parse = <T>(schema: z.ZodMiniType<T> | undefined, value: unknown): T => {
  if (!schema) return undefined as T;
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new HttpProblem(400, 'VALIDATION_FAILED', 'The request has invalid fields', result.error.issues.flatMap(fieldErrors));
  }
  return result.data;
};

const invalidBody = (code: string, message: string): HttpProblem => new HttpProblem(400, code, message);

// `application/json` or a structured `+json` type (RFC 6839), matched case-insensitively and exactly.
const JSON_MEDIA_TYPE = /^application\/([a-z0-9!#$&^_.-]+\+)?json$/;

/** A body must say it is JSON (none said is taken as JSON), in UTF-8 if it names a charset. */
const assertJson = (contentType: string | undefined): void => {
  if (contentType === undefined) return;
  let media: { type: string; parameters: Record<string, string> } | undefined;
  try {
    media = parseMediaType(contentType);
  } catch {
    media = undefined;
  }
  const charset = media?.parameters.charset?.toLowerCase();
  if (!media || !JSON_MEDIA_TYPE.test(media.type) || (charset !== undefined && charset !== 'utf-8')) {
    throw new HttpProblem(415, 'UNSUPPORTED_MEDIA_TYPE', 'The body must be application/json (UTF-8)', [
      { field: 'Content-Type', code: 'unsupported_media_type', message: 'must be application/json' },
    ]);
  }
};

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The body's text; bytes that are not UTF-8 are refused, never read as U+FFFD. */
const bodyText = (event: HttpEvent): string => {
  const body = event.body ?? '';
  const text = event.isBase64Encoded ? decodeUtf8(Buffer.from(body, 'base64')) : body;
  if (!text.isWellFormed()) throw invalidBody('MALFORMED_BODY', 'The body is not valid UTF-8');
  return text;
};

const decodeUtf8 = (bytes: Buffer): string => {
  try {
    return utf8.decode(bytes);
  } catch {
    throw invalidBody('MALFORMED_BODY', 'The body is not valid UTF-8');
  }
};

const jsonBody = (event: HttpEvent): unknown => {
  const text = bodyText(event);
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) {
    throw new HttpProblem(413, 'PAYLOAD_TOO_LARGE', `The body is larger than ${MAX_BODY_BYTES / 1024} KB`);
  }
  if (text === '') return undefined;
  assertJson(event.headers['content-type']);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalidBody('MALFORMED_JSON', 'The body is not valid JSON');
  }
  assertPlainJson(value);
  return value;
};

/**
 * Walks the parsed body without recursion: it may nest at most MAX_BODY_DEPTH levels, and every
 * string (keys too) must be Unicode, which a JSON escape of half a surrogate pair (`"\ud800"`) is not.
 */
const assertPlainJson = (body: unknown): void => {
  const pending: [value: unknown, depth: number][] = [[body, 0]];
  while (pending.length) {
    const [value, depth] = pending.pop()!;
    if (typeof value === 'string' && !value.isWellFormed()) {
      throw invalidBody('MALFORMED_BODY', 'The body holds a string that is not valid Unicode (a lone surrogate)');
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_BODY_DEPTH) throw invalidBody('BODY_TOO_DEEP', `The body nests deeper than ${MAX_BODY_DEPTH} levels`);
    for (const [key, item] of Object.entries(value)) pending.push([key, depth], [item, depth + 1]);
  }
};

/** The query, if the route takes every parameter in it: an unknown one is refused, as an unknown body field is. */
const knownQuery = (r: Route, query: Record<string, string | undefined>): Record<string, string | undefined> => {
  const known = (r.query as z.ZodMiniObject | undefined)?.shape ?? {};
  const unknown = Object.keys(query).filter((name) => !Object.hasOwn(known, name));
  if (unknown.length) {
    throw new HttpProblem(
      400,
      'VALIDATION_FAILED',
      'The request has invalid fields',
      unknown.map((name) => ({ field: name, code: 'unrecognized_keys', message: 'is not a known query parameter' })),
    );
  }
  return query;
};

/** The route's body, validated; a route that takes none refuses any. */
const parseBody = (r: Route, payload: unknown): unknown => {
  const schema = requestBody(r);
  if (schema) return parse(schema, payload);
  if (payload === undefined) return undefined;
  throw new HttpProblem(400, 'VALIDATION_FAILED', `${r.method} ${r.path} takes no body`, [
    { field: '(body)', code: 'not_allowed', message: 'this operation takes no body' },
  ]);
};

/**
 * A JSON body as the route's response schema shows it: fields in the documented order, and nothing
 * internal (versions of the ledger, idempotency keys) that the contract does not name. Each status's
 * shape is made once; `checked` (TALLY_CHECK_RESPONSES=1, the tests' stack) parses every body too.
 */
const shaperOf = (r: Route, checked: boolean): ((reply: Reply) => Reply) => {
  const byStatus = new Map(
    Object.entries(r.responses).flatMap(([status, spec]) => {
      const schema = representations(spec)['application/json'];
      if (!schema) return [];
      const shape = shapeOf(schema);
      return [[Number(status), checked ? checkedShape(schema, shape) : shape] as const];
    }),
  );
  return (reply) => {
    const shape = byStatus.get(reply.status);
    const isJson = typeof reply.body === 'object' && reply.body !== null && !Buffer.isBuffer(reply.body);
    return shape && isJson ? { ...reply, body: shape(reply.body) } : reply;
  };
};

/** A route as its handler serves it: with the media types it offers and its shapes, made once. */
interface Served {
  r: Route;
  types: string[];
  shaped: (reply: Reply) => Reply;
}

const toResponse = (reply: Reply): StoredResponse => {
  const headers = { ...reply.headers };
  if (reply.body === undefined) return { statusCode: reply.status, headers, body: '' };
  if (Buffer.isBuffer(reply.body)) return { statusCode: reply.status, headers, body: reply.body.toString('base64') };
  if (typeof reply.body === 'string' && headers['content-type']) return { statusCode: reply.status, headers, body: reply.body };
  return {
    statusCode: reply.status,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(reply.body),
  };
};

const failed = (error: unknown, event: HttpEvent): StoredResponse => {
  const response = problemResponse(error, event.rawPath);
  if (response.statusCode >= 500) logger.error('request failed', { error: error as Error });
  return response;
};

/**
 * The Lambda handler of one route group: validates, runs the route, maps errors to RFC 9457
 * problems and makes POSTs idempotent. API Gateway and the local server call it alike. A request
 * of no route here (API Gateway's `$default` route) is answered from `known()`: 404, or 405 with `Allow`.
 */
export const httpHandler = (routes: Route[], known: () => Routable[] = () => routes) => {
  const checked = process.env.TALLY_CHECK_RESPONSES === '1';
  const byKey = new Map(
    routes.map((r): [string, Served] => [routeKey(r), { r, types: offeredTypes(r), shaped: shaperOf(r, checked) }]),
  );
  // Made on the first request that no route takes, not at init: the meta function reads it from the document.
  let table: RouteTable<Routable> | undefined;
  const unmatched = (method: string, path: string): HttpProblem => (table ??= routeTable(known())).unmatched(method, path);

  const run = async (r: Route, shaped: (reply: Reply) => Reply, event: HttpEvent, payload: unknown): Promise<StoredResponse> => {
    const reply = await r.handle({
      tenantId: event.requestContext.authorizer?.lambda?.tenantId ?? '',
      params: parse(r.params, event.pathParameters ?? {}),
      query: parse(r.query, knownQuery(r, event.queryStringParameters ?? {})),
      body: parseBody(r, payload),
      headers: event.headers,
      expectedVersion: r.ifMatch ? ifMatchVersion(event.headers) : undefined,
      requestId: event.requestContext.requestId,
    });
    return toResponse(shaped(reply));
  };

  /** The route's answer; an idempotent retry gets the route's own answers again, problems included. */
  const answer = async ({ r, types, shaped }: Served, event: HttpEvent): Promise<StoredResponse> => {
    if (!r.public && !event.requestContext.authorizer?.lambda?.tenantId) throw missingApiKey();
    assertAcceptable(types, event.headers);
    const payload = jsonBody(event);
    return idempotent(event, payload, () => run(r, shaped, event, payload).catch((error: unknown) => failed(error, event)));
  };

  const dispatch = async (event: HttpEvent): Promise<StoredResponse> => {
    const found = byKey.get(event.routeKey);
    if (!found) throw unmatched(event.requestContext.http.method, event.rawPath);
    const response = await answer(found, event).catch((error: unknown) => failed(error, event));
    // Where there is a choice the answer (a 406 too) depends on Accept: caches must key on it.
    return found.types.length > 1 ? { ...response, headers: { ...response.headers, vary: 'Accept' } } : response;
  };

  const respond = async (event: HttpEvent): Promise<APIGatewayProxyStructuredResultV2> => {
    logger.appendKeys({ requestId: event.requestContext.requestId, route: event.routeKey });
    const response = await dispatch(event).catch((error: unknown) => failed(error, event));
    return { ...response, isBase64Encoded: isBinary(response.headers) };
  };

  // Just before Lambda would end the request with a bare 500, it is answered with a problem instead.
  const outOfTime = (): APIGatewayProxyStructuredResultV2 => {
    logger.error('request timed out');
    return { ...problemResponse(timedOut()), isBase64Encoded: false };
  };

  return middy<HttpEvent, APIGatewayProxyStructuredResultV2>({
    timeoutEarlyInMillis: TIMEOUT_EARLY_MS,
    timeoutEarlyResponse: outOfTime,
  })
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(respond);
};

/** Every POST with an `Idempotency-Key` runs once per key; a retry gets the first response. */
const idempotent = async (event: HttpEvent, body: unknown, run: () => Promise<StoredResponse>): Promise<StoredResponse> => {
  const key = event.headers['idempotency-key'];
  const tenantId = event.requestContext.authorizer?.lambda?.tenantId;
  if (event.requestContext.http.method !== 'POST' || key === undefined || !tenantId) return run();
  const checked = idempotencyKey.safeParse(key);
  if (!checked.success) {
    const message = checked.error.issues[0]!.message;
    throw new HttpProblem(400, 'VALIDATION_FAILED', `Idempotency-Key ${message}`, [
      { field: 'Idempotency-Key', code: 'invalid_format', message },
    ]);
  }
  const fingerprint = requestFingerprint(event.rawPath, event.headers.accept ?? '', body);
  const { response, replayed } = await runOnce({ tenantId, key, fingerprint, now: clock.now() }, run);
  return replayed ? { ...response, headers: { ...response.headers, 'idempotent-replayed': 'true' } } : response;
};

const isBinary = (headers: Record<string, string>): boolean =>
  /^(application\/pdf|application\/octet-stream)/.test(headers['content-type'] ?? '');
