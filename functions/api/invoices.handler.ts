import { httpHandler } from './http.js';
import { invoiceRoutes } from './routes/invoices.routes.js';

export const handler = httpHandler(invoiceRoutes);
