import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { db, tableName } from './client.js';

/** Reads one key: throws unless the table is reachable. */
export const pingTable = async (): Promise<void> => {
  await db().send(new GetCommand({ TableName: tableName(), Key: { PK: 'HEALTH', SK: 'HEALTH' } }));
};
