import { httpHandler } from './http.js';
import { eventRoutes } from './routes/events.routes.js';

export const handler = httpHandler(eventRoutes);
