import { httpHandler } from './http.js';
import { changeOrderRoutes } from './routes/change-orders.routes.js';

export const handler = httpHandler(changeOrderRoutes);
