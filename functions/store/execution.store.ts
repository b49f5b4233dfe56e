import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { queryAll } from './aggregate.js';
import { db, standIn, tableName } from './client.js';
import { indexes, keys } from './keys.js';
import { readItems } from './read.js';

export type ExecutionStatus = 'running' | 'succeeded' | 'failed';

/** One execution of a workflow as the local runner records it (Step Functions keeps its own on AWS). */
export interface ExecutionRecord {
  workflow: string;
  name: string;
  /** The execution's input, as JSON. */
  input: string;
  status: ExecutionStatus;
  startedAt: string;
  /** Runs of the execution: 1, and one more each time start-up recovery ran it again from the start. */
  runs: number;
  endedAt?: string;
  /** The result, as JSON, once succeeded. */
  output?: string;
  /** The error and its cause, once failed, as Step Functions names them. */
  error?: string;
  cause?: string;
}

export type ExecutionOutcome = { status: 'succeeded'; output: string } | { status: 'failed'; error: string; cause: string };

const { pk: RUNNING_PK, sk: RUNNING_SK, name: RUNNING_INDEX } = indexes.byOwner;

const isRunning = {
  ConditionExpression: '#status = :running',
  ExpressionAttributeNames: { '#status': 'status' },
};

/**
 * Records a new execution as running. False when the name was already used for the workflow (a
 * duplicate start, whatever became of the first one): nothing is written then.
 */
export const recordExecutionStart = standIn(
  async (execution: Pick<ExecutionRecord, 'workflow' | 'name' | 'input' | 'startedAt'>): Promise<boolean> => {
    const record: ExecutionRecord = { ...execution, status: 'running', runs: 1 };
    try {
      await db().send(
        new PutCommand({
          TableName: tableName(),
          Item: {
            ...keys.workflowExecution(execution.workflow, execution.name),
            [RUNNING_PK]: keys.runningExecutions(execution.workflow),
            [RUNNING_SK]: `${execution.startedAt}#${execution.name}`,
            ...record,
          },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  },
);

/**
 * Counts one more run of an execution still recorded as running, which recovery runs again. False
 * when it is not running any more (the listing it was found in is read eventually consistently).
 */
export const recordExecutionRerun = standIn(async (workflow: string, name: string): Promise<boolean> => {
  try {
    await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.workflowExecution(workflow, name),
        UpdateExpression: 'ADD runs :one',
        ...isRunning,
        ExpressionAttributeValues: { ':running': 'running', ':one': 1 },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
});

/**
 * Records how a running execution ended and takes it off the running list. False when it was not
 * running any more (another run of it ended first): the first outcome stands.
 */
export const recordExecutionEnd = standIn(
  async (workflow: string, name: string, endedAt: string, outcome: ExecutionOutcome): Promise<boolean> => {
    const fields = { ...outcome, endedAt };
    const names = Object.keys(fields);
    try {
      await db().send(
        new UpdateCommand({
          TableName: tableName(),
          Key: keys.workflowExecution(workflow, name),
          UpdateExpression: `SET ${names.map((n) => `#${n} = :${n}`).join(', ')} REMOVE ${RUNNING_PK}, ${RUNNING_SK}`,
          ConditionExpression: isRunning.ConditionExpression,
          ExpressionAttributeNames: Object.fromEntries(names.map((n) => [`#${n}`, n])),
          ExpressionAttributeValues: {
            ':running': 'running',
            ...Object.fromEntries(Object.entries(fields).map(([n, value]) => [`:${n}`, value])),
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  },
);

const recordOf = (item: Record<string, unknown>): ExecutionRecord => {
  const { PK: _pk, SK: _sk, [RUNNING_PK]: _rpk, [RUNNING_SK]: _rsk, ...record } = item;
  return record as unknown as ExecutionRecord;
};

export const getExecution = standIn(async (workflow: string, name: string): Promise<ExecutionRecord | undefined> => {
  const [item] = await readItems([keys.workflowExecution(workflow, name)]);
  return item && recordOf(item);
});

/** The workflow's executions recorded as running, oldest first: what a process that died left unfinished. */
export const runningExecutions = standIn(async (workflow: string): Promise<ExecutionRecord[]> =>
  (
    await queryAll({
      IndexName: RUNNING_INDEX,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': RUNNING_PK },
      ExpressionAttributeValues: { ':pk': keys.runningExecutions(workflow) },
    })
  ).map(recordOf),
);
