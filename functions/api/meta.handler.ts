import { httpHandler } from './http.js';
import { allRoutes, routeGroups } from './routes/index.js';

// Also behind API Gateway's `$default` route: what no route matched is told about from the whole table.
export const handler = httpHandler(routeGroups.meta, allRoutes());
