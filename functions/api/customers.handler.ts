import { httpHandler } from './http.js';
import { customerRoutes } from './routes/customers.routes.js';

export const handler = httpHandler(customerRoutes);
