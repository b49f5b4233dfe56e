import { describe, expect, it } from 'vitest';
import { routeTable } from '../../functions/api/route-match.js';
import { allRoutes } from '../../functions/api/routes/index.js';
import { newTenant, send } from '../support/api.js';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** Every path template of the API with the methods it is served with. */
const templates = (): [string, string[]][] => {
  const methods = new Map<string, string[]>();
  for (const r of allRoutes()) methods.set(r.path, [...(methods.get(r.path) ?? []), r.method]);
  return [...methods];
};

// A value no literal segment has, for every {parameter}.
const concrete = (template: string): string => template.replace(/\{\w+\}/g, 'zz_1');

// A method that another template takes on the same path is that route's, as API Gateway routes it
// (`GET /v1/jobs/{id}/milestones/order` is `GET /v1/jobs/{id}/milestones/{mid}`), and `Allow` lists it.
const table = routeTable(allRoutes());
const takenOn = (path: string): string[] => METHODS.filter((m) => table.match(m, path));

describe('a known path with another method', () => {
  it('is 405 METHOD_NOT_ALLOWED with Allow listing the methods of that path, on every path of the API', async () => {
    // Prepare
    const api = await newTenant('Methods');
    for (const [template, allowed] of templates()) {
      for (const method of METHODS.filter((m) => !allowed.includes(m) && !table.match(m, template))) {
        // Act: with and without the API key, as API Gateway's public $default route takes both
        const responses = [await api.request(method, concrete(template)), await send(method, concrete(template))];
        // Assess
        for (const response of responses) {
          const what = `${method} ${template}`;
          expect(response.status, what).toBe(405);
          expect(response.headers.get('content-type'), what).toBe('application/problem+json');
          expect(response.body, what).toMatchObject({ status: 405, code: 'METHOD_NOT_ALLOWED', title: 'Method Not Allowed' });
          expect(response.headers.get('allow')?.split(', ').sort(), what).toEqual(takenOn(concrete(template)).sort());
        }
      }
    }
  });

  it('changes nothing: a DELETE of the list path leaves the resources listed', async () => {
    const api = await newTenant('Methods');
    const customer = (await api.request('POST', '/v1/customers', { name: 'Kept' })).body;
    expect((await api.request('DELETE', '/v1/customers')).status).toBe(405);
    expect((await api.request('PUT', `/v1/customers/${customer.id}`, { name: 'Changed' })).status).toBe(405);
    expect((await api.request('GET', `/v1/customers/${customer.id}`)).body).toMatchObject({ id: customer.id, name: 'Kept' });
  });
});

describe('a path the API does not have', () => {
  it('is 404 ROUTE_NOT_FOUND without Allow, whatever the method', async () => {
    for (const [method, path] of [
      ['GET', '/v1/nowhere'],
      ['DELETE', '/v1/jobs/zz_1/nowhere'],
      ['GET', '/v1/jobs/'],
      ['POST', '/'],
    ]) {
      const response = await send(method!, path!);
      expect([response.status, response.body.code, response.headers.get('allow')], `${method} ${path}`).toEqual([
        404,
        'ROUTE_NOT_FOUND',
        null,
      ]);
    }
  });
});
