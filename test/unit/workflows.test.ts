// Step Functions is not run here: the adapter's one request is checked against a mocked client.
import { ExecutionAlreadyExists, InvalidName, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { executionName, sfnWorkflows, type Workflows } from '../../functions/adapters/workflows.js';

const sfn = mockClient(SFNClient);
const STATE_MACHINE_ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:tally-demo-billing';

// The port is typed by Tally's workflow names; these tests start one that exists only here.
const adapter = (): Workflows<string> => sfnWorkflows(new SFNClient({ region: 'eu-west-1' })) as Workflows<string>;

describe('executionName', () => {
  it('keeps a key that is already a valid name as it is', () => {
    expect(executionName('ms_01J0ABC-apr_01J0DEF')).toBe('ms_01J0ABC-apr_01J0DEF');
  });

  it('derives the same valid name from the same key, and other names from other keys', () => {
    // Prepare: characters Step Functions refuses, and keys past 80 characters that differ only at the end
    const keys = ['milestone:ten_1:ms_2:apr_3', 'milestone ten_1/ms_2#apr_3', `${'x'.repeat(90)}a`, `${'x'.repeat(90)}b`];
    // Act
    const names = keys.map(executionName);
    // Assess
    for (const name of names) expect(name).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
    expect(keys.map(executionName)).toEqual(names);
    expect(new Set(names).size).toBe(keys.length);
    expect(names[0]).toMatch(/^milestone_ten_1_ms_2_apr_3-[0-9a-f]{16}$/);
  });

  it('tells apart a key from the name another key is rewritten to', () => {
    expect(executionName('a:b')).not.toBe(executionName('a_b'));
  });
});

describe('sfnWorkflows', () => {
  beforeAll(() => {
    vi.stubEnv('WORKFLOW_DEMO_BILLING_ARN', STATE_MACHINE_ARN);
  });
  afterAll(() => {
    vi.unstubAllEnvs();
    sfn.restore();
  });
  beforeEach(() => {
    sfn.reset();
  });

  it('starts an execution of the workflow state machine, named, with the input as JSON', async () => {
    // Prepare
    sfn.on(StartExecutionCommand).resolves({ executionArn: `${STATE_MACHINE_ARN}:run-1`, startDate: new Date() });
    // Act
    const result = await adapter().start('demo-billing', 'run-1', { milestoneId: 'ms_1', amount: '12.50' });
    // Assess
    expect(result).toEqual({ started: true });
    expect(sfn.commandCalls(StartExecutionCommand).map((call) => call.args[0].input)).toEqual([
      { stateMachineArn: STATE_MACHINE_ARN, name: 'run-1', input: '{"milestoneId":"ms_1","amount":"12.50"}' },
    ]);
  });

  it('answers started: false when the name was used already', async () => {
    // Prepare
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));
    // Act
    const result = await adapter().start('demo-billing', 'run-1', {});
    // Assess
    expect(result).toEqual({ started: false });
  });

  it('lets any other failure through', async () => {
    // Prepare
    sfn.on(StartExecutionCommand).rejects(new InvalidName({ message: 'Invalid Name', $metadata: {} }));
    // Act, Assess
    await expect(adapter().start('demo-billing', 'run-1', {})).rejects.toBeInstanceOf(InvalidName);
  });

  it('refuses, sending nothing, a name or an input that Step Functions would refuse', async () => {
    // Act, Assess
    await expect(adapter().start('demo-billing', 'milestone:ms_1', {})).rejects.toThrow(/not a valid execution name/);
    await expect(adapter().start('demo-billing', 'x'.repeat(81), {})).rejects.toThrow(/not a valid execution name/);
    await expect(adapter().start('demo-billing', 'run-1', { text: 'x'.repeat(256 * 1024) })).rejects.toThrow(/256 KiB/);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('fails the start of a workflow whose state machine ARN the function was not given', async () => {
    // Act, Assess
    await expect(adapter().start('other-workflow', 'run-1', {})).rejects.toThrow(/WORKFLOW_OTHER_WORKFLOW_ARN is not set/);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });
});

describe('step functions', () => {
  afterAll(() => {
    vi.unstubAllEnvs();
  });

  it('fail their cold start when told a step that the registry does not have', async () => {
    // Prepare
    vi.stubEnv('STEP_NAME', 'NoSuchStep');
    // Act, Assess
    await expect(import('../../functions/steps/step.handler.js')).rejects.toThrow(/no step named NoSuchStep/);
  });
});
