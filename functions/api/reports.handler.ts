import { httpHandler } from './http.js';
import { reportRoutes } from './routes/reports.routes.js';

export const handler = httpHandler(reportRoutes);
