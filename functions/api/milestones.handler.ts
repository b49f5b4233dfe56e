import { httpHandler } from './http.js';
import { milestoneRoutes } from './routes/milestones.routes.js';

export const handler = httpHandler(milestoneRoutes);
