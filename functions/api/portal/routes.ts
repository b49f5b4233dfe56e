import type { Route } from '../route.js';

/** A page of the client portal: public (its token is the credential), HTML, outside `/v1` and the OpenAPI document. */
export type PortalRoute = Pick<Route, 'method' | 'path' | 'summary'> & { public: true };

/** Every portal page, served by `functions/api/portal.handler.ts`: locally, and as public API Gateway routes on AWS. */
export const portalRoutes: PortalRoute[] = [
  { method: 'GET', path: '/portal/approvals/{token}', summary: 'The approval page an emailed link opens', public: true },
  { method: 'HEAD', path: '/portal/approvals/{token}', summary: "The approval page's headers, for link checkers", public: true },
  { method: 'POST', path: '/portal/approvals/{token}', summary: "The client's decision, posted by its form", public: true },
];
