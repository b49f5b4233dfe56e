/** What the local runner and the CDK read in a workflow definition (`workflows/<name>.asl.json`, JSONPath mode). */

interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
}

export interface AslState {
  Type: string;
  Resource?: string;
  Retry?: Retrier[];
  Seconds?: number;
  Iterator?: AslMachine;
  ItemProcessor?: AslMachine;
  Branches?: AslMachine[];
}

export interface AslMachine {
  StartAt: string;
  States: Record<string, AslState>;
}

/** Every state, those inside Map and Parallel states included, with its name (names are unique in a machine). */
export const allStates = (machine: AslMachine): [string, AslState][] =>
  Object.entries(machine.States).flatMap(([name, state]) => [
    [name, state] as [string, AslState],
    ...[state.Iterator, state.ItemProcessor, ...(state.Branches ?? [])].flatMap((inner) => (inner ? allStates(inner) : [])),
  ]);

const STEP_RESOURCE = /^\$\{(\w+)FunctionArn\}$/;

/** The placeholder a Task's Resource names its step's function by, substituted with the ARN on AWS. */
export const stepPlaceholder = (step: string): string => `${step}FunctionArn`;

/**
 * The step of each Task state, by state name. A Task must name its step as `${<Name>FunctionArn}`:
 * anything else would run one thing on AWS and another (or nothing) locally.
 */
export const taskSteps = (machine: AslMachine): Record<string, string> =>
  Object.fromEntries(
    allStates(machine)
      .filter(([, state]) => state.Type === 'Task')
      .map(([name, state]) => {
        const step = STEP_RESOURCE.exec(state.Resource ?? '')?.[1];
        if (!step) throw new Error(`Task ${name}: its Resource must be \${<Step>FunctionArn}, not ${state.Resource}`);
        return [name, step];
      }),
  );

/**
 * The definition as Step Functions gets it: each `${<Name>}` replaced by its value, as the CDK's
 * `definitionSubstitutions` do. A placeholder without a value is an error, not left in.
 */
export const substitute = (text: string, values: Readonly<Record<string, string>>): string =>
  text.replace(/\$\{(\w+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for the placeholder \${${name}}`);
    return value;
  });

/** A Lambda ARN for each step placeholder of the definition, for a definition run or checked off AWS. */
export const localStepArns = (machine: AslMachine): Record<string, string> =>
  Object.fromEntries(
    Object.values(taskSteps(machine)).map((step) => [
      stepPlaceholder(step),
      `arn:aws:lambda:us-east-1:000000000000:function:tally-step-${step}`,
    ]),
  );
