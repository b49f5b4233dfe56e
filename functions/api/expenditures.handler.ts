import { httpHandler } from './http.js';
import { expenditureRoutes } from './routes/expenditures.routes.js';

export const handler = httpHandler(expenditureRoutes);
