import { clock } from '../adapters/clock.js';
import { sweepOwedStarts } from '../services/workflow-starts.js';

/**
 * Runs every minute on AWS (lib/): makes the workflow starts that a recorded decision still owes,
 * those a function cut off between its write and StartExecution left behind (design §4).
 */
export const handler = async (): Promise<{ made: number }> => ({ made: await sweepOwedStarts(clock.now()) });
