import { httpHandler } from './http.js';
import { estimateRoutes } from './routes/estimates.routes.js';

export const handler = httpHandler(estimateRoutes);
