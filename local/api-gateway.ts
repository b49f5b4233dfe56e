import { isUtf8 } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Context } from 'aws-lambda';
import type { HttpEvent, TenantContext } from '../functions/api/http.js';
import { routeKey } from '../functions/api/route.js';
import { FUNCTION_TIMEOUT_SECONDS } from '../functions/shared/config.js';
import type { Routable, RouteMatch } from '../functions/api/route-match.js';

// Node joins a repeated header itself, all but Set-Cookie, which it lists; API Gateway joins it with commas.
const headersOf = (request: IncomingMessage): Record<string, string> => {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  return headers;
};

const TEXT = /^(text\/|application\/([\w.+-]+\+)?(json|xml|x-www-form-urlencoded))/;

/** The API Gateway HTTP API (payload 2.0) event that AWS would hand the route's Lambda. */
export const toHttpEvent = (
  request: IncomingMessage,
  url: URL,
  body: Buffer,
  match: RouteMatch<Routable>,
  authorizer: TenantContext | undefined,
): HttpEvent => {
  const headers = headersOf(request);
  const query: Record<string, string> = {};
  if (url.search) {
    for (const [name, value] of url.searchParams) query[name] = query[name] === undefined ? value : `${query[name]},${value}`;
  }
  // Bytes that are not UTF-8 travel base64-encoded, so that the handler sees them as they came.
  const isText = body.length > 0 && TEXT.test(headers['content-type'] ?? 'application/json') && isUtf8(body);
  const now = new Date();
  const key = routeKey(match.route);
  return {
    version: '2.0',
    routeKey: key,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(Object.keys(match.pathParameters).length ? { pathParameters: match.pathParameters } : {}),
    ...(body.length ? { body: isText ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: body.length > 0 && !isText,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: url.host,
      domainPrefix: 'local',
      http: {
        method: request.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: key,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
      authorizer: { lambda: authorizer as TenantContext },
    },
  };
};

/** The Lambda context the local runtime passes to a handler. */
export const lambdaContext = (functionName: string, requestId: string, timeoutMs = FUNCTION_TIMEOUT_SECONDS * 1000): Context => {
  // As on AWS: the function's timeout, counted from the start of the request.
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => deadline - Date.now(),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
};
