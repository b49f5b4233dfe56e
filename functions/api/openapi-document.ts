import { brotliDecompressSync } from 'node:zlib';
import { OPENAPI_BROTLI_BASE64 } from './openapi.generated.js';
import type { Method } from './route.js';
import type { Routable } from './route-match.js';

/** The parts of the OpenAPI document that its server reads: the operations under each path. */
export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Partial<Record<Lowercase<Method>, unknown>>>;
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const satisfies readonly Method[];

let document: OpenApiDocument | undefined;

/** The committed document (functions/api/openapi.json, built by `npm run openapi`), decoded on first use. */
export const servedDocument = (): OpenApiDocument =>
  (document ??= JSON.parse(brotliDecompressSync(Buffer.from(OPENAPI_BROTLI_BASE64, 'base64')).toString('utf8')));

/** Every operation of `source` as route matching sees it: its method and path template. */
export const documentedRoutes = (source: OpenApiDocument): Routable[] =>
  Object.entries(source.paths).flatMap(([path, item]) =>
    METHODS.filter((method) => Object.hasOwn(item, method.toLowerCase())).map((method) => ({ method, path })),
  );
