import { afterEach } from 'vitest';
import { provideWorkflows } from '../../functions/adapters/workflows.js';
import { steps, type StepRegistry } from '../../functions/steps/index.js';
import { localWorkflows, WORKFLOWS_DIR, type LocalWorkflows } from '../../local/workflows.js';

/** Tally's real steps, some failing first as told (by step: how many times, with which error), and the calls made. */
export const failing = (failures: Record<string, { times: number; error: () => Error }>) => {
  const calls: string[] = [];
  const registry: StepRegistry = Object.fromEntries(
    Object.entries(steps).map(([name, step]) => [
      name,
      async (input: unknown) => {
        calls.push(name);
        const failure = failures[name];
        if (failure && failure.times > 0) {
          failure.times--;
          throw failure.error();
        }
        return step(input);
      },
    ]),
  );
  return { registry, calls };
};

/**
 * The local runner over workflows/ with `registry`, provided to the services of this process; the
 * file's tests each get a new one, stopped after the test.
 */
export const workflowRunner = (): ((registry: StepRegistry) => LocalWorkflows) => {
  let runner: LocalWorkflows | undefined;
  afterEach(async () => {
    await runner?.stop();
    runner = undefined;
  });
  return (registry) => {
    runner = localWorkflows({ dir: WORKFLOWS_DIR, steps: registry });
    provideWorkflows(runner);
    return runner;
  };
};
