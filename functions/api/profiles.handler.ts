import { httpHandler } from './http.js';
import { profileRoutes } from './routes/profiles.routes.js';

export const handler = httpHandler(profileRoutes);
