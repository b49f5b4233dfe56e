import { describe, expect, it } from 'vitest';
import type { HttpEvent } from '../../functions/api/http.js';
import { handler } from '../../functions/api/meta.handler.js';
import { lambdaContext } from '../../local/api-gateway.js';

/** What API Gateway hands the function of its `$default` route: the route key is `$default`, not the request's. */
const defaultRouteEvent = (method: string, path: string): HttpEvent =>
  ({
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: {},
    isBase64Encoded: false,
    requestContext: {
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      requestId: 'req-1',
      routeKey: '$default',
      stage: '$default',
    },
  }) as unknown as HttpEvent;

const answer = (method: string, path: string) => handler(defaultRouteEvent(method, path), lambdaContext('tally-meta', 'req-1'));

describe("the meta function behind API Gateway's $default route", () => {
  it('answers a known path with another method 405, Allow naming the methods of the whole API for it', async () => {
    const response = await answer('PUT', '/v1/jobs/job_1');
    expect(response.statusCode).toBe(405);
    expect(response.headers).toMatchObject({ 'content-type': 'application/problem+json' });
    expect(String(response.headers?.allow).split(', ').sort()).toEqual(['DELETE', 'GET', 'PATCH']);
    expect(JSON.parse(response.body!)).toMatchObject({ status: 405, code: 'METHOD_NOT_ALLOWED', instance: '/v1/jobs/job_1' });
  });

  it('answers a path of no route 404 ROUTE_NOT_FOUND', async () => {
    const response = await answer('GET', '/v1/nowhere');
    expect([response.statusCode, JSON.parse(response.body!).code, response.headers?.allow]).toEqual([
      404,
      'ROUTE_NOT_FOUND',
      undefined,
    ]);
  });
});
