import { describe, expect, it } from 'vitest';
import { allRoutes } from '../../functions/api/routes/index.js';
import { send } from '../support/api.js';

describe('the API', () => {
  it('answers health once the table is reachable', async () => {
    const response = await send('GET', '/health');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok' });
  });

  it('wants an API key: 401 problem with a Bearer challenge without one and for an unknown one', async () => {
    const missing = await send('GET', '/v1/customers');
    const unknown = await send('GET', '/v1/customers', { headers: { authorization: 'Bearer tly_unknown' } });
    const notBearer = await send('POST', '/v1/customers', { body: { name: 'A' }, headers: { authorization: 'Basic dTpw' } });
    for (const response of [missing, unknown, notBearer]) {
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(response.body).toMatchObject({ status: 401, code: 'UNAUTHENTICATED', title: 'Unauthorized' });
    }
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    expect(unknown.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    expect(notBearer.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
  });

  it('answers a path that is not valid percent-encoding with a 400 problem', async () => {
    const response = await send('GET', '/v1/jobs/%E0%A4%A', { headers: { authorization: 'Bearer x' } });
    expect([response.status, response.body.code]).toEqual([400, 'MALFORMED_PATH']);
  });

  it('answers an unknown route with a 404 problem', async () => {
    const response = await send('GET', '/v1/nowhere');
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ status: 404, code: 'ROUTE_NOT_FOUND', title: 'Not Found' });
  });

  it('serves an OpenAPI 3.1 document of every route, generated from the zod schemas', async () => {
    const response = await send('GET', '/v1/openapi.json');
    expect(response.status).toBe(200);
    expect(response.body.openapi).toBe('3.1.0');
    for (const r of allRoutes()) {
      expect(response.body.paths[r.path]?.[r.method.toLowerCase()]?.operationId, `${r.method} ${r.path}`).toBe(r.operationId);
    }
    const createJob = response.body.paths['/v1/jobs'].post;
    expect(createJob.requestBody.content['application/json'].schema.required).toEqual(['customerId', 'name', 'billingType']);
    expect(response.body.components.schemas.Problem.required).toContain('code');
  });

  it('declares the optional Idempotency-Key header on every POST and every representation a response has', async () => {
    const { paths } = (await send('GET', '/v1/openapi.json')).body;
    const posts = allRoutes().filter((r) => r.method === 'POST');
    expect(posts.length).toBeGreaterThan(10);
    for (const r of posts) {
      const header = paths[r.path].post.parameters?.find((p: { name: string }) => p.name === 'Idempotency-Key');
      expect(header, r.path).toMatchObject({ in: 'header', schema: { type: 'string' } });
      expect(header.required ?? false, r.path).toBe(false);
    }
    expect(paths['/v1/jobs'].get.parameters.map((p: { name: string }) => p.name)).not.toContain('Idempotency-Key');
    const types = (operation: { responses: Record<string, { content?: object }> }, status: string) =>
      Object.keys(operation.responses[status]!.content ?? {});
    expect(types(paths['/v1/journal'].get, '200')).toEqual(['application/json', 'text/csv']);
    expect(types(paths['/v1/exports'].post, '201')).toEqual(['application/json', 'text/csv']);
    expect(types(paths['/v1/exports'].post, '200')).toEqual(['application/json', 'text/csv']);
    expect(types(paths['/v1/exports/{id}'].get, '200')).toEqual(['application/json', 'text/csv']);
    expect(types(paths['/v1/invoices/{id}'].get, '200')).toEqual(['application/json', 'text/html', 'application/pdf']);
    expect(types(paths['/v1/jobs'].post, '201')).toEqual(['application/json']);
  });
});
