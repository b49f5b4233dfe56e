import { pingTable } from '../store/health.store.js';

/** Throws unless everything a request needs is reachable: today, the table. */
export const checkHealth = (): Promise<void> => pingTable();
