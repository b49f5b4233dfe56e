import { HttpProblem } from '../shared/problems.js';
import type { Route } from './route.js';

/** What matching needs of a route: its method and path template. */
export type Routable = Pick<Route, 'method' | 'path'>;

export interface RouteMatch<R extends Routable = Route> {
  route: R;
  pathParameters: Record<string, string>;
}

export interface RouteTable<R extends Routable = Route> {
  /** The route API Gateway would pick for the request, if any. */
  match(method: string, path: string): RouteMatch<R> | undefined;
  /** Why no route takes the request: 405 with `Allow` when its path is known with other methods, else 404. */
  unmatched(method: string, path: string): HttpProblem;
}

type Segment = { literal: string } | { parameter: string };

const PARAMETER = /^\{(\w+)\}$/;

const decodeSegment = (segment: string): string => {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpProblem(400, 'MALFORMED_PATH', `The path segment ${segment} is not valid percent-encoding`);
  }
};

/**
 * Matches requests against the routes' templates (`/v1/jobs/{id}`) as API Gateway HTTP APIs do: on
 * the exact method, and the most specific template first, whatever the order of declaration: segment
 * by segment from the left, a literal beats a `{parameter}` (`/v1/things/special` before `/v1/things/{id}`).
 */
export const routeTable = <R extends Routable = Route>(routes: R[]): RouteTable<R> => {
  const templates = routes
    .map((route) => {
      const segments: Segment[] = route.path.split('/').map((segment) => {
        const parameter = PARAMETER.exec(segment)?.[1];
        return parameter === undefined ? { literal: segment } : { parameter };
      });
      // One character per segment, literal 0 and parameter 1: sorted, the most specific template comes first.
      const rank = segments.map((segment) => ('parameter' in segment ? '1' : '0')).join('');
      const parameters = segments.flatMap((segment, i) => ('parameter' in segment ? [[segment.parameter, i] as const] : []));
      return { route, segments, rank, parameters };
    })
    .sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0));

  // Only templates of the request's method and number of segments can take it: looked up, not searched.
  const shapeKey = (method: string, segments: number): string => `${method} ${segments}`;
  const candidates = Map.groupBy(templates, ({ route, segments }) => shapeKey(route.method, segments.length));

  // A parameter takes one whole segment, never an empty one.
  const fits = (segments: Segment[], parts: string[]): boolean =>
    segments.length === parts.length &&
    segments.every((segment, i) => ('parameter' in segment ? parts[i] !== '' : segment.literal === parts[i]));

  return {
    match: (method, path) => {
      const parts = path.split('/');
      const found = candidates.get(shapeKey(method, parts.length))?.find(({ segments }) => fits(segments, parts));
      if (!found) return undefined;
      const pathParameters: Record<string, string> = {};
      for (const [name, i] of found.parameters) pathParameters[name] = decodeSegment(parts[i]!);
      return { route: found.route, pathParameters };
    },
    unmatched: (method, path) => {
      const parts = path.split('/');
      const allowed = [...new Set(templates.filter(({ segments }) => fits(segments, parts)).map(({ route }) => route.method))];
      if (!allowed.length) return new HttpProblem(404, 'ROUTE_NOT_FOUND', `No route ${method} ${path}`);
      return new HttpProblem(405, 'METHOD_NOT_ALLOWED', `${path} takes ${allowed.join(', ')}, not ${method}`, [], {
        allow: allowed.join(', '),
      });
    },
  };
};
