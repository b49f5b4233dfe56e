import { httpHandler } from './http.js';
import { metaRoutes } from './routes/meta.routes.js';

export const handler = httpHandler(metaRoutes);
