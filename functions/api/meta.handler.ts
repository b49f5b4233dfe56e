import { httpHandler } from './http.js';
import { routeGroups } from './routes/index.js';

export const handler = httpHandler(routeGroups.meta);
