import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyStructuredResultV2, APIGatewayRequestAuthorizerEventV2, Context } from 'aws-lambda';
import { clock } from '../functions/adapters/clock.js';
import { AUTHORIZER_CACHE_SECONDS, handler as authorizer } from '../functions/api/authorizer.handler.js';
import type { HttpEvent } from '../functions/api/http.js';
import type { Route } from '../functions/api/route.js';
import { routeTable } from '../functions/api/route-match.js';
import { logger } from '../functions/shared/logger.js';
import { HttpProblem, invalidApiKey, missingApiKey, problemResponse } from '../functions/shared/problems.js';
import { lambdaContext, toHttpEvent } from './api-gateway.js';

type LambdaHandler = (event: HttpEvent, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/** What serving a route needs of it: where it is, and whether it takes no API key. */
export type ServedRoute = Pick<Route, 'method' | 'path' | 'public'>;

export interface LocalFunction {
  name: string;
  routes: ServedRoute[];
  handler: LambdaHandler;
  /** Its own timeout, in ms, in place of the server's. */
  timeoutMs?: number;
}

/** API Gateway's own payload limit; the handlers enforce the API's smaller one. */
const GATEWAY_MAX_BYTES = 10 * 1024 * 1024;

const NO_BODY = Buffer.alloc(0);

/** A request has a body only if its framing says so (RFC 9112, 6.3): a GET without Content-Length or Transfer-Encoding has none. */
const hasBody = ({ headers }: IncomingMessage): boolean =>
  headers['transfer-encoding'] !== undefined || (headers['content-length'] !== undefined && headers['content-length'] !== '0');

/** The body's bytes; past API Gateway's limit the rest is discarded and the request answered 413. */
const readBody = (request: IncomingMessage): Promise<Buffer> => {
  if (!hasBody(request)) return Promise.resolve(NO_BODY);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= GATEWAY_MAX_BYTES) chunks.push(chunk);
      else reject(new HttpProblem(413, 'PAYLOAD_TOO_LARGE', 'The body is larger than 10 MB'));
    });
    request.on('end', () => resolve(Buffer.concat(chunks, size)));
    request.on('error', reject);
  });
};

// What fails here (a handler past its timeout, as Lambda would end it) is logged as the function's own failures are.
const sendProblem = (response: ServerResponse, error: unknown, instance: string): void => {
  const { statusCode, headers, body } = problemResponse(error, instance);
  if (statusCode >= 500) logger.error('request failed', { error: error as Error, instance });
  response.writeHead(statusCode, headers).end(body);
};

/** So many answers at most; past it the oldest goes (keys made up by the thousand must not fill memory). */
const AUTHORIZER_CACHE_ENTRIES = 10_000;

/**
 * The authorizer behind API Gateway's cache: one answer per Authorization header (its identity
 * source), allowed or not, kept for the cache's time by the process clock (so the test clock moves it).
 */
const cachedAuthorizer = () => {
  const answers = new Map<string, { tenantId: string | undefined; until: number }>();
  return async (event: HttpEvent, authorization: string): Promise<string | undefined> => {
    const now = clock.now().getTime();
    const cached = answers.get(authorization);
    if (cached && cached.until > now) return cached.tenantId;
    const verdict = await authorizer({
      ...event,
      type: 'REQUEST',
      routeArn: event.routeKey,
      identitySource: [authorization],
    } as unknown as APIGatewayRequestAuthorizerEventV2);
    const tenantId = verdict.isAuthorized ? (verdict.context as { tenantId: string }).tenantId : undefined;
    answers.delete(authorization);
    if (answers.size >= AUTHORIZER_CACHE_ENTRIES) answers.delete(answers.keys().next().value!);
    answers.set(authorization, { tenantId, until: now + AUTHORIZER_CACHE_SECONDS * 1000 });
    return tenantId;
  };
};

/**
 * Serves the functions as API Gateway would: matches the route, runs the same Lambda authorizer,
 * hands the route's function a payload 2.0 event and writes back its result.
 */
export const startApiServer = async (functions: LocalFunction[], port: number, timeoutMs?: number): Promise<Server> => {
  const owners = new Map(functions.flatMap((fn) => fn.routes.map((route) => [route, fn] as const)));
  const table = routeTable<ServedRoute>([...owners.keys()]);
  const authorize = cachedAuthorizer();

  const serve = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', `http://${request.headers.host ?? 'localhost'}`);
    try {
      const body = await readBody(request);
      const method = request.method ?? 'GET';
      const found = table.match(method, url.pathname);
      // On AWS the `$default` route's function answers this from the same table (lib/constructs/api.ts).
      if (!found) throw table.unmatched(method, url.pathname);
      const event = toHttpEvent(request, url, body, found, undefined);
      if (!found.route.public) {
        // API Gateway itself answers these with bare JSON (docs/api.md); locally they are problems.
        if (!event.headers.authorization) throw missingApiKey();
        const tenantId = await authorize(event, event.headers.authorization);
        if (!tenantId) throw invalidApiKey();
        event.requestContext.authorizer = { lambda: { tenantId } };
      }
      const fn = owners.get(found.route)!;
      const result = await fn.handler(event, lambdaContext(fn.name, event.requestContext.requestId, fn.timeoutMs ?? timeoutMs));
      const payload = result.body ?? '';
      response
        .writeHead(result.statusCode ?? 200, result.headers as Record<string, string>)
        .end(result.isBase64Encoded ? Buffer.from(payload, 'base64') : payload);
    } catch (error) {
      sendProblem(response, error, url.pathname);
    }
  };

  const server = createServer((request, response) => void serve(request, response));
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
};
