import { describe, expect, it } from 'vitest';
import { route, type Method, type Route } from '../../functions/api/route.js';
import { routeTable } from '../../functions/api/route-match.js';
import { HttpProblem } from '../../functions/shared/problems.js';

/** A route that is only a method and a template: matching reads nothing else. */
const synthetic = (method: Method, path: string): Route =>
  route({
    method,
    path,
    operationId: `${method} ${path}`,
    summary: path,
    responses: {},
    handle: async () => ({ status: 204 }),
  });

const byId = synthetic('GET', '/v1/things/{id}');
const special = synthetic('GET', '/v1/things/special');
const nested = synthetic('GET', '/v1/things/{id}/parts/{partId}');
const nestedSpecial = synthetic('GET', '/v1/things/{id}/parts/first');
const deleteById = synthetic('DELETE', '/v1/things/{id}');
const ownerFirst = synthetic('GET', '/v1/{owner}/special');

const matched = (routes: Route[], method: string, path: string) => {
  const found = routeTable(routes).match(method, path);
  return found && { operation: found.route.operationId, parameters: found.pathParameters };
};

describe('route matching, as API Gateway HTTP APIs match', () => {
  it('takes a literal segment before a {parameter} one, whichever is declared first', () => {
    for (const routes of [
      [byId, special],
      [special, byId],
    ]) {
      expect(matched(routes, 'GET', '/v1/things/special')).toEqual({ operation: 'GET /v1/things/special', parameters: {} });
      expect(matched(routes, 'GET', '/v1/things/thg_1')).toEqual({
        operation: 'GET /v1/things/{id}',
        parameters: { id: 'thg_1' },
      });
    }
  });

  it('compares templates segment by segment from the left', () => {
    for (const routes of [
      [nested, nestedSpecial, ownerFirst, byId],
      [byId, ownerFirst, nestedSpecial, nested],
    ]) {
      expect(matched(routes, 'GET', '/v1/things/a/parts/first')?.operation).toBe('GET /v1/things/{id}/parts/first');
      expect(matched(routes, 'GET', '/v1/things/a/parts/b')).toEqual({
        operation: 'GET /v1/things/{id}/parts/{partId}',
        parameters: { id: 'a', partId: 'b' },
      });
      // `things` is literal in /v1/things/{id}, `special` in /v1/{owner}/special: the leftmost difference decides.
      expect(matched(routes, 'GET', '/v1/things/special')?.operation).toBe('GET /v1/things/{id}');
      expect(matched(routes, 'GET', '/v1/people/special')).toEqual({
        operation: 'GET /v1/{owner}/special',
        parameters: { owner: 'people' },
      });
    }
  });

  it('matches the exact method: a more specific path of another method does not take the request', () => {
    expect(matched([special, deleteById], 'DELETE', '/v1/things/special')).toEqual({
      operation: 'DELETE /v1/things/{id}',
      parameters: { id: 'special' },
    });
    expect(matched([special, byId], 'POST', '/v1/things/special')).toBeUndefined();
  });

  it('matches literal segments exactly, and a parameter only to one whole, non-empty segment', () => {
    const routes = [synthetic('GET', '/v1/openapi.json'), byId];
    expect(matched(routes, 'GET', '/v1/openapi.json')?.operation).toBe('GET /v1/openapi.json');
    expect(matched(routes, 'GET', '/v1/openapiXjson')).toBeUndefined();
    expect(matched(routes, 'GET', '/v1/things/')).toBeUndefined();
    expect(matched(routes, 'GET', '/v1/things/a/b')).toBeUndefined();
    expect(matched(routes, 'GET', '/v1/things')).toBeUndefined();
  });

  it('decodes parameters, and refuses a segment that is not valid percent-encoding', () => {
    expect(matched([byId], 'GET', '/v1/things/a%20b%2Fc')?.parameters).toEqual({ id: 'a b/c' });
    expect(() => matched([byId], 'GET', '/v1/things/%E0%A4%A')).toThrow(
      expect.objectContaining({ status: 400, code: 'MALFORMED_PATH' }),
    );
  });
});

describe('what no route takes', () => {
  const table = routeTable([byId, special, deleteById, synthetic('POST', '/v1/things')]);

  it('is 405 with Allow naming every method the path is served with, when the path is known', () => {
    const problem = table.unmatched('PUT', '/v1/things/special');
    expect(problem).toBeInstanceOf(HttpProblem);
    expect({ status: problem.status, code: problem.code }).toEqual({ status: 405, code: 'METHOD_NOT_ALLOWED' });
    expect(problem.headers.allow?.split(', ').sort()).toEqual(['DELETE', 'GET']);
    expect(table.unmatched('PATCH', '/v1/things/thg_1').headers.allow?.split(', ').sort()).toEqual(['DELETE', 'GET']);
    expect(table.unmatched('GET', '/v1/things').headers).toEqual({ allow: 'POST' });
  });

  it('is 404 ROUTE_NOT_FOUND when no route has the path', () => {
    for (const path of ['/v1/nowhere', '/v1/things/a/b', '/v1/things/', '/']) {
      const problem = table.unmatched('GET', path);
      expect({ path, status: problem.status, code: problem.code, headers: problem.headers }).toEqual({
        path,
        status: 404,
        code: 'ROUTE_NOT_FOUND',
        headers: {},
      });
    }
  });
});
