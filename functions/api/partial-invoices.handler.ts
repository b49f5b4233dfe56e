import { httpHandler } from './http.js';
import { partialInvoiceRoutes } from './routes/partial-invoices.routes.js';

export const handler = httpHandler(partialInvoiceRoutes);
