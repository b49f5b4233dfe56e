import { executionName, workflows, type WorkflowName } from '../adapters/workflows.js';
import { logger } from '../shared/logger.js';
import { owedStartsBefore, settleStart, type OwedStart } from '../store/workflow-start.store.js';

/**
 * A start of `workflow` for the business key, to be owed by the write that records the decision
 * (store/workflow-start.store.ts `oweStart`) and made after it (`startOwed`).
 */
export const owedStart = (tenantId: string, workflow: WorkflowName, businessKey: string, input: object, now: Date): OwedStart => ({
  tenantId,
  workflow,
  name: executionName(businessKey),
  input: JSON.stringify(input),
  owedAt: now.toISOString(),
});

/** Starts the execution (a no-op when it was started before) and settles what was owed. */
const make = async (start: OwedStart): Promise<void> => {
  await workflows().start(start.workflow as WorkflowName, start.name, JSON.parse(start.input) as object);
  await settleStart(start);
};

/**
 * Makes the start that the write just recorded as owed. Its failure fails nothing: the decision
 * stands, and the sweep makes the start later.
 */
export const startOwed = async (start: OwedStart): Promise<void> => {
  try {
    await make(start);
  } catch (error) {
    logger.warn('workflow start left owed for the sweep', { workflow: start.workflow, name: start.name, error: error as Error });
  }
};

/**
 * How long a start may stay owed before the sweep makes it: longer than a request takes to make it
 * itself (the function's timeout), so that the sweep makes only the starts that a crash left owed.
 */
export const OWED_START_GRACE_MS = 30_000;

/**
 * Makes every start owed for longer than `graceMs`, oldest first, and answers how many. A start
 * made twice is one execution: its name is the business key's.
 */
export const sweepOwedStarts = async (now: Date, graceMs = OWED_START_GRACE_MS): Promise<number> => {
  const owed = await owedStartsBefore(new Date(now.getTime() - graceMs).toISOString());
  for (const start of owed) {
    logger.info('making a workflow start that was owed', { workflow: start.workflow, name: start.name, owedAt: start.owedAt });
    await make(start);
  }
  return owed.length;
};
