import { httpHandler } from './http.js';
import { documentedRoutes, servedDocument } from './openapi-document.js';
import { portalRoutes } from './portal/routes.js';
import { metaRoutes } from './routes/meta.routes.js';

// Also behind API Gateway's `$default` route: what no route matched is told about from the paths and
// methods of the OpenAPI document, which holds every group's routes, and from the portal's pages (a
// PUT on one is 405, as locally), without bundling the other groups' routes and services.
export const handler = httpHandler(metaRoutes, () => [...documentedRoutes(servedDocument()), ...portalRoutes]);
