import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StateMachine, type RunOptions } from 'aws-local-stepfunctions';
import { clock as systemClock, type Clock } from '../functions/adapters/clock.js';
import { assertStartable, type Workflows } from '../functions/adapters/workflows.js';
import { logger } from '../functions/shared/logger.js';
import { allStates, localStepArns, substitute, taskSteps, type AslMachine } from '../functions/steps/asl.js';
import type { StepRegistry } from '../functions/steps/index.js';
import {
  recordExecutionEnd,
  recordExecutionRerun,
  recordExecutionStart,
  runningExecutions,
  type ExecutionOutcome,
  type ExecutionRecord,
} from '../functions/store/execution.store.js';
import { addUsage, metered } from './usage.js';

/** Tally's workflows: the files the CDK deploys. */
export const WORKFLOWS_DIR = fileURLToPath(new URL('../workflows', import.meta.url));

/**
 * How much shorter than on AWS a Retry's pause or a Wait's seconds are locally: the definition keeps
 * the real values for AWS, the local stack and its tests should not sit through them.
 */
export const LOCAL_TIME_SCALE = 0.001;

export interface LocalWorkflowsOptions {
  /** Where `<workflow>.asl.json` are: `WORKFLOWS_DIR`, or a directory of test definitions. */
  dir: string;
  /** The step handlers, by the name a Task's Resource gives (`${<Name>FunctionArn}`). */
  steps: StepRegistry;
  /** Factor on every Retry interval and Wait `Seconds` (default `LOCAL_TIME_SCALE`). */
  timeScale?: number;
  clock?: Clock;
}

/** Step Functions in process, for the local stack: the same definitions, the same step handlers. */
export interface LocalWorkflows<Name extends string = string> extends Workflows<Name> {
  /**
   * Runs again, from the start, every execution recorded as running: the process that ran it died
   * (its steps are idempotent, so the work is still done once). Resolves with their number once
   * they are started, without waiting for them to end.
   */
  recover(): Promise<number>;
  /** Resolves when no execution is in flight (one started meanwhile is waited for too). */
  idle(): Promise<void>;
  /** Aborts what is in flight and leaves it recorded as running, as a process that dies would. */
  stop(): Promise<void>;
}

type JSONValue = Parameters<StateMachine['run']>[0];

interface Loaded {
  machine: StateMachine;
  overrides: NonNullable<RunOptions['overrides']>;
}

/** The same data as Lambda would see: JSON in, JSON out (no Date, no undefined, no shared object). */
const overJson = (value: unknown): JSONValue => JSON.parse(JSON.stringify(value ?? null)) as JSONValue;

/**
 * What the library runs in place of AWS: each Task's step handler (by state name), and every Retry
 * and Wait shortened by the time scale (a Retry's backoff then pauses the same scaled interval each time).
 */
const overridesOf = (definition: AslMachine, steps: StepRegistry, timeScale: number, file: string): Loaded['overrides'] => {
  const taskResourceLocalHandlers = Object.fromEntries(
    Object.entries(taskSteps(definition)).map(([state, step]) => {
      const handler = steps[step];
      if (!handler) throw new Error(`${file}: Task ${state} runs step ${step}, which functions/steps/index.ts does not have`);
      return [state, (input: JSONValue) => metered('step', async () => overJson(await handler(overJson(input))))];
    }),
  );
  const states = allStates(definition);
  const retryIntervalOverrides = Object.fromEntries(
    states
      .filter(([, state]) => state.Retry)
      .map(([name, state]) => [name, state.Retry!.map((r) => (r.IntervalSeconds ?? 1) * 1000 * timeScale)]),
  );
  const waitTimeOverrides = Object.fromEntries(
    states
      .filter(([, state]) => state.Type === 'Wait' && state.Seconds !== undefined)
      .map(([name, state]) => [name, state.Seconds! * 1000 * timeScale]),
  );
  return { taskResourceLocalHandlers, retryIntervalOverrides, waitTimeOverrides };
};

/** Step Functions Standard bills a transition for every state entered, retries included. */
const countTransitions = async (events: AsyncGenerator<{ type: string }>): Promise<void> => {
  for await (const event of events) {
    if (event.type === 'StateEntered' || event.type === 'StateRetried') addUsage({ transitions: 1 });
  }
};

const failure = (error: unknown): ExecutionOutcome => {
  // The library wraps what ended the execution (a step's error, a Fail state) in an ExecutionError.
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  return cause instanceof Error
    ? { status: 'failed', error: cause.name, cause: cause.message }
    : { status: 'failed', error: 'Error', cause: String(cause) };
};

/**
 * Runs `<dir>/<workflow>.asl.json` with aws-local-stepfunctions, each Task on its step handler, and
 * records every execution in the table (functions/store/execution.store.ts): a name already
 * recorded is not started again, and one left running by a process that died is run again by
 * `recover()`. An execution runs in the background of `start`, as on AWS.
 */
export const localWorkflows = <Name extends string = string>(options: LocalWorkflowsOptions): LocalWorkflows<Name> => {
  const { dir, steps, timeScale = LOCAL_TIME_SCALE, clock = systemClock } = options;
  const loaded = new Map<string, Loaded>();
  const inFlight = new Map<string, { abort: () => void; done: Promise<void> }>();
  let stopping = false;

  /** Read and checked on the first start of a workflow: a missing file or step fails that start. */
  const load = (workflow: string): Loaded => {
    let found = loaded.get(workflow);
    if (!found) {
      const file = join(dir, `${workflow}.asl.json`);
      const text = readFileSync(file, 'utf8');
      const definition = JSON.parse(text) as AslMachine;
      // Each Task runs its step handler here; its Resource gets an ARN only to be a valid definition.
      const machine = new StateMachine(JSON.parse(substitute(text, localStepArns(definition))));
      found = { machine, overrides: overridesOf(definition, steps, timeScale, file) };
      loaded.set(workflow, found);
    }
    return found;
  };

  const run = (record: Pick<ExecutionRecord, 'workflow' | 'name' | 'input' | 'startedAt'>): void => {
    const { workflow, name } = record;
    const { machine, overrides } = load(workflow);
    const input = JSON.parse(record.input) as JSONValue;
    const execution = machine.run(input, {
      overrides,
      noThrowOnAbort: true,
      context: {
        Execution: {
          Id: `arn:aws:states:local:000000000000:execution:${workflow}:${name}`,
          Name: name,
          Input: input,
          StartTime: record.startedAt,
        },
        StateMachine: { Id: `arn:aws:states:local:000000000000:stateMachine:${workflow}`, Name: workflow },
      },
    });
    void countTransitions(execution.eventLogs);
    const key = `${workflow}/${name}`;
    const done = execution.result
      .then((output): ExecutionOutcome => ({ status: 'succeeded', output: JSON.stringify(output) }), failure)
      .then(async (outcome) => {
        // Stopped mid-way, it stays running, to be run again at the next start-up.
        if (stopping) return;
        if (outcome.status === 'failed') logger.warn('workflow execution failed', { workflow, name, ...outcome });
        await recordExecutionEnd(workflow, name, clock.now().toISOString(), outcome);
      })
      .catch((error: unknown) => logger.error('workflow execution not recorded as ended', { workflow, name, error }))
      .finally(() => inFlight.delete(key));
    inFlight.set(key, { abort: execution.abort, done });
  };

  const workflowsIn = (): string[] =>
    readdirSync(dir)
      .filter((file) => file.endsWith('.asl.json'))
      .map((file) => file.slice(0, -'.asl.json'.length));

  return {
    async start(workflow, name, input) {
      const json = assertStartable(name, input);
      load(workflow);
      const record = { workflow, name, input: json, startedAt: clock.now().toISOString() };
      if (!(await recordExecutionStart(record))) return { started: false };
      run(record);
      return { started: true };
    },

    async recover() {
      let recovered = 0;
      for (const workflow of workflowsIn()) {
        for (const record of await runningExecutions(workflow)) {
          if (inFlight.has(`${workflow}/${record.name}`) || !(await recordExecutionRerun(workflow, record.name))) continue;
          logger.info('running again a workflow execution that had not ended', { workflow, name: record.name });
          run(record);
          recovered++;
        }
      }
      return recovered;
    },

    async idle() {
      while (inFlight.size) await Promise.all([...inFlight.values()].map((e) => e.done));
    },

    async stop() {
      stopping = true;
      for (const execution of inFlight.values()) execution.abort();
      await Promise.all([...inFlight.values()].map((e) => e.done));
    },
  };
};
