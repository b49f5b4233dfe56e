import { httpHandler } from './http.js';
import { portalRoutes } from './portal/routes.js';
import { allRoutes, routeGroups } from './routes/index.js';

// Also behind API Gateway's `$default` route: what no route matched is told about from the whole
// table, the portal's pages included (a PUT on one is 405, as locally).
export const handler = httpHandler(routeGroups.meta, [...allRoutes(), ...portalRoutes]);
