import { fileURLToPath } from 'node:url';
import { ulid } from 'ulid';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { executionName } from '../../functions/adapters/workflows.js';
import { TransientStepError, type StepRegistry } from '../../functions/steps/index.js';
import { getExecution, recordExecutionStart } from '../../functions/store/execution.store.js';
import { localWorkflows, type LocalWorkflows } from '../../local/workflows.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/workflows', import.meta.url));
const WORKFLOW = 'demo-billing';

interface DemoInput {
  key: string;
  /** How many times Charge fails with a transient error before it succeeds. */
  transientFailures?: number;
  /** Charge fails for good. */
  declined?: boolean;
  /** Prepare waits until the test lets it go. */
  hold?: boolean;
}

/** Steps that record what they were called with, by execution key. */
const demoSteps = () => {
  const calls: [string, unknown][] = [];
  const chargeAttempts = new Map<string, number>();
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  const steps: StepRegistry = {
    async Prepare(input) {
      const { key, hold } = input as DemoInput;
      calls.push(['Prepare', key]);
      if (hold) await held;
      return { preparedFor: key };
    },
    async Charge(input) {
      const { key, transientFailures = 0, declined } = input as DemoInput;
      const attempt = (chargeAttempts.get(key) ?? 0) + 1;
      chargeAttempts.set(key, attempt);
      calls.push(['Charge', key]);
      if (declined) throw Object.assign(new Error('card declined'), { name: 'Demo.Declined' });
      if (attempt <= transientFailures) throw new TransientStepError('throttled');
      return { chargeId: `ch_${key}` };
    },
    async RecordFailure(input) {
      const { key, failure } = input as DemoInput & { failure: unknown };
      calls.push(['RecordFailure', { key, failure }]);
      return { recorded: true };
    },
  };
  return { steps, calls, release };
};

const newInput = (fields: Partial<DemoInput> = {}): DemoInput => ({ key: `k_${ulid()}`, ...fields });

describe('local workflow runner', () => {
  let demo: ReturnType<typeof demoSteps>;
  let runner: LocalWorkflows;

  beforeEach(() => {
    demo = demoSteps();
    runner = localWorkflows({ dir: FIXTURES, steps: demo.steps });
  });
  afterEach(async () => {
    demo.release();
    await runner.stop();
  });

  it('runs the definition on the step handlers and records the execution as succeeded', async () => {
    // Prepare
    const input = newInput();
    const name = executionName(`demo:${input.key}`);
    // Act
    const started = await runner.start(WORKFLOW, name, input);
    await runner.idle();
    // Assess
    expect(started).toEqual({ started: true });
    expect(demo.calls).toEqual([
      ['Prepare', input.key],
      ['Charge', input.key],
    ]);
    const record = await getExecution(WORKFLOW, name);
    expect(record).toMatchObject({ workflow: WORKFLOW, name, status: 'succeeded', runs: 1, input: JSON.stringify(input) });
    expect(JSON.parse(record!.output!)).toEqual({
      ...input,
      prepared: { preparedFor: input.key },
      charged: { chargeId: `ch_${input.key}` },
    });
    expect(Date.parse(record!.endedAt!)).toBeGreaterThanOrEqual(Date.parse(record!.startedAt));
  });

  it('retries a step on the named transient error, its pauses scaled down, until it succeeds', async () => {
    // Prepare: on AWS the Wait (5 s) and the two pauses (2 s, then 4 s) would take 11 s
    const input = newInput({ transientFailures: 2 });
    const name = executionName(input.key);
    const began = Date.now();
    // Act
    await runner.start(WORKFLOW, name, input);
    await runner.idle();
    // Assess
    expect(Date.now() - began).toBeLessThan(2_000);
    expect(demo.calls.filter(([step]) => step === 'Charge')).toHaveLength(3);
    expect(await getExecution(WORKFLOW, name)).toMatchObject({ status: 'succeeded' });
  });

  it('catches a step that fails for good into the recording step, which ends the execution', async () => {
    // Prepare
    const input = newInput({ declined: true });
    const name = executionName(input.key);
    // Act
    await runner.start(WORKFLOW, name, input);
    await runner.idle();
    // Assess: not retried (not transient), caught with its error's name
    expect(demo.calls).toEqual([
      ['Prepare', input.key],
      ['Charge', input.key],
      ['RecordFailure', { key: input.key, failure: { Error: 'Demo.Declined', Cause: 'card declined' } }],
    ]);
    expect(await getExecution(WORKFLOW, name)).toMatchObject({ status: 'succeeded' });
  });

  it('records as failed an execution whose error nothing catches', async () => {
    // Prepare: Prepare has neither Retry nor Catch
    const failing = localWorkflows({
      dir: FIXTURES,
      steps: { ...demo.steps, Prepare: () => Promise.reject(new TransientStepError('still throttled')) },
    });
    const name = executionName(`failing-${ulid()}`);
    // Act
    await failing.start(WORKFLOW, name, newInput());
    await failing.idle();
    // Assess
    expect(await getExecution(WORKFLOW, name)).toMatchObject({
      status: 'failed',
      error: 'Tally.Transient',
      cause: 'still throttled',
    });
  });

  it('does nothing for a second start of a name, while the first runs or after it ended', async () => {
    // Prepare
    const input = newInput();
    const name = executionName(input.key);
    // Act
    const concurrent = await Promise.all([runner.start(WORKFLOW, name, input), runner.start(WORKFLOW, name, input)]);
    await runner.idle();
    const later = await runner.start(WORKFLOW, name, { ...input, other: true });
    await runner.idle();
    // Assess
    expect(concurrent.map((r) => r.started).sort()).toEqual([false, true]);
    expect(later).toEqual({ started: false });
    expect(demo.calls.filter(([step]) => step === 'Prepare')).toHaveLength(1);
    expect(await getExecution(WORKFLOW, name)).toMatchObject({ status: 'succeeded', runs: 1, input: JSON.stringify(input) });
  });

  it('runs again from the start an execution left running by a process that died', async () => {
    // Prepare: what a process that died mid-execution leaves behind: the record, still running
    const input = newInput();
    const name = executionName(input.key);
    await recordExecutionStart({ workflow: WORKFLOW, name, input: JSON.stringify(input), startedAt: new Date().toISOString() });
    // Act
    const recovered = await runner.recover();
    await runner.idle();
    // Assess
    expect(recovered).toBe(1);
    expect(demo.calls).toEqual([
      ['Prepare', input.key],
      ['Charge', input.key],
    ]);
    expect(await getExecution(WORKFLOW, name)).toMatchObject({ status: 'succeeded', runs: 2 });
    expect(await runner.recover()).toBe(0);
  });

  it('leaves a stopped execution running, for the next runner to recover without waiting for it to end', async () => {
    // Prepare: an execution cut off in its first step
    const input = newInput({ hold: true });
    const name = executionName(input.key);
    await runner.start(WORKFLOW, name, input);
    await runner.stop();
    expect(await getExecution(WORKFLOW, name)).toMatchObject({ status: 'running' });
    const next = demoSteps();
    const restarted = localWorkflows({ dir: FIXTURES, steps: next.steps });
    // Act: recovery resolves while the execution is still held in Prepare
    const recovered = await restarted.recover();
    // Assess
    expect(recovered).toBe(1);
    expect(await getExecution(WORKFLOW, name)).toMatchObject({ status: 'running', runs: 2 });
    next.release();
    await restarted.idle();
    expect(await getExecution(WORKFLOW, name)).toMatchObject({ status: 'succeeded', runs: 2 });
    expect(next.calls.map(([step]) => step)).toEqual(['Prepare', 'Charge']);
  });

  it('refuses to start a workflow it has no definition of, or a definition naming a step it lacks', async () => {
    // Act, Assess
    await expect(runner.start('no-such-workflow', 'run-1', {})).rejects.toThrow(/no-such-workflow\.asl\.json/);
    const lacking = localWorkflows({ dir: FIXTURES, steps: { Prepare: demo.steps.Prepare! } });
    await expect(lacking.start(WORKFLOW, executionName(ulid()), {})).rejects.toThrow(/runs step Charge/);
  });
});
