import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { config, workflowArn } from '../shared/config.js';
import { nameRule } from './resource-names.js';

/**
 * Every workflow of Tally: `workflows/<name>.asl.json`, a state machine of its own on AWS (the
 * Workflow construct) and run by the local runner off AWS. A workflow's name is added here with its file.
 */
export const WORKFLOW_NAMES = ['milestone-billing', 'partial-invoice'] as const satisfies readonly string[];

export type WorkflowName = (typeof WORKFLOW_NAMES)[number];

/** The port services start workflows through: Step Functions on AWS, the local runner off AWS. */
export interface Workflows<Name extends string = WorkflowName> {
  /**
   * Starts an execution of the workflow under `executionName` (see `executionName()`). A name
   * already started is a no-op that answers `started: false`, never an error: the name is derived
   * from the business key, so a second start of one key is the same work asked for again.
   */
  start(workflow: Name, executionName: string, input: object): Promise<{ started: boolean }>;
}

/** Step Functions' limits on an execution: its name, and its input (256 KiB of UTF-8 JSON). */
const MAX_INPUT_BYTES = 256 * 1024;
// Decision: fewer characters than Step Functions takes, so that a name is also safe in log queries, ARNs and URLs.
const EXECUTION_NAMES = nameRule('an execution name', 80, 'A-Za-z0-9_-');

/**
 * The execution name of a business key (`milestone:<tenant>:<milestone>:<approval>`), the same for
 * the same key. A key that is already a valid name of at most 80 characters (letters, digits, `-`,
 * `_`) is its own name; any other keeps a readable prefix (other characters as `_`) and ends with
 * a hash of the whole key, so two keys never share a name however they are cut or rewritten.
 */
export const executionName = (businessKey: string): string => EXECUTION_NAMES.fromKey(businessKey);

/**
 * What Step Functions would refuse in a StartExecution, refused before it is sent, by every
 * implementation alike: the local runner takes no name or input that AWS would not.
 */
export const assertStartable = (name: string, input: object): string => {
  if (!EXECUTION_NAMES.isValid(name)) {
    throw new Error(`not a valid execution name (use executionName()): ${JSON.stringify(name)}`);
  }
  const json = JSON.stringify(input);
  if (Buffer.byteLength(json) > MAX_INPUT_BYTES) {
    throw new Error(`the input of execution ${name} is larger than Step Functions' ${MAX_INPUT_BYTES / 1024} KiB`);
  }
  return json;
};

/**
 * Starts executions with StartExecution on the workflow's state machine (its ARN from
 * `WORKFLOW_<NAME>_ARN`). `ExecutionAlreadyExists` (the name was used, by a running or a closed
 * execution) is the no-op `started: false`. Step Functions itself answers a repeat of a running
 * execution's name and input with success, naming the same execution: that is `started: true`
 * with no second execution, which is all the port promises.
 */
export const sfnWorkflows = (client: SFNClient): Workflows => ({
  async start(workflow, name, input) {
    const json = assertStartable(name, input);
    try {
      await client.send(new StartExecutionCommand({ stateMachineArn: workflowArn(workflow), name, input: json }));
      return { started: true };
    } catch (error) {
      if (error instanceof ExecutionAlreadyExists) return { started: false };
      throw error;
    }
  },
});

let shared: Workflows | undefined;

/** The local stack's runner takes the place of Step Functions for this process (local/workflows.ts). */
export const provideWorkflows = (workflows: Workflows): void => {
  shared = workflows;
};

/** The one Workflows of a process: the local runner when the local stack provided it, Step Functions otherwise. */
export const workflows = (): Workflows => {
  shared ??= sfnWorkflows(new SFNClient({ region: config().region }));
  return shared;
};
