import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { db, tableName } from './client.js';
import { keys } from './keys.js';
import { readItem } from './read.js';

/** How far ahead of real time the local stack's test clock runs, in ms (0 until it is moved). */
export const storedClockOffset = async (): Promise<number> => {
  const item = await readItem(keys.testClock());
  return (item?.offsetMs as number | undefined) ?? 0;
};

export const saveClockOffset = async (offsetMs: number): Promise<void> => {
  await db().send(new PutCommand({ TableName: tableName(), Item: { ...keys.testClock(), offsetMs } }));
};
