import { httpHandler } from './http.js';
import { jobRoutes } from './routes/jobs.routes.js';

export const handler = httpHandler(jobRoutes);
