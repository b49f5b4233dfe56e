import { stepName } from '../shared/config.js';
import { steps } from './index.js';

const name = stepName();
const step = steps[name];
// Fails the cold start, not an execution later: the Workflow construct named a step that does not exist.
if (!step) throw new Error(`no step named ${name} in functions/steps/index.ts`);

/** Every step function's entry: the Workflow construct gives each its step (`STEP_NAME`). */
export const handler = (input: unknown): Promise<unknown> => step(input);
