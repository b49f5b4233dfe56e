import { httpHandler } from './http.js';
import { settingsRoutes } from './routes/settings.routes.js';

export const handler = httpHandler(settingsRoutes);
