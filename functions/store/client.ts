import { AsyncLocalStorage } from 'node:async_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { config } from '../shared/config.js';
import { sendCountingWriteUnits } from './documented-units.js';

let documentClient: DynamoDBDocumentClient | undefined;
/** A client outside the metrics, to read the items a metered write writes (documented-units.ts). */
let peekClient: DynamoDBDocumentClient | undefined;

/** What one kind of command cost this process since the last reset. */
export interface CommandMetrics {
  /** Commands sent (one per `send`, whatever the SDK's own retries). */
  requests: number;
  /** Of those, the ones that failed (a failed condition, a cancelled transaction, ...). */
  failed: number;
  /** Capacity units DynamoDB reported; only while capacity metering is on, and only for successful commands. */
  readUnits: number;
  writeUnits: number;
  /**
   * Of write commands while capacity metering is on (successful ones): the write units DynamoDB's
   * documented rules give them (documented-units.ts), which DynamoDB Local's fall below for some
   * transactions.
   */
  documentedWriteUnits?: number;
}

export type DbMetrics = Record<string, CommandMetrics>;

let metrics: DbMetrics = {};
let metering = false;
/** Set while a local stand-in of an AWS service (`standIn`) sends its requests. */
const standIns = new AsyncLocalStorage<true>();

/**
 * `work` as the local stand-in of an AWS service keeps its own records in the table (the workflow
 * runner's executions, the scheduler's schedules): on AWS Step Functions and EventBridge Scheduler
 * keep them, so their requests are no DynamoDB use of Tally's and no metric counts them (the bench's
 * cost model prices those services apart). Their reads must not join Tally's batched reads (read.ts).
 */
export const standIn =
  <A extends unknown[], R>(work: (...args: A) => Promise<R>) =>
  (...args: A): Promise<R> =>
    standIns.run(true, () => work(...args));

/** The commands that take `ReturnConsumedCapacity`, and whether their units are reads. */
const METERED: Record<string, 'read' | 'write'> = {
  GetItem: 'read',
  BatchGetItem: 'read',
  Query: 'read',
  Scan: 'read',
  TransactGetItems: 'read',
  PutItem: 'write',
  UpdateItem: 'write',
  DeleteItem: 'write',
  BatchWriteItem: 'write',
  TransactWriteItems: 'write',
};

interface ConsumedCapacity {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

type CapacityOutput = { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] };

const metricsOf = (command: string): CommandMetrics =>
  (metrics[command] ??= { requests: 0, failed: 0, readUnits: 0, writeUnits: 0 });

/** Adds the units of a response (one ConsumedCapacity, or one per table for batches and transactions). */
const addCapacity = (
  into: CommandMetrics,
  kind: 'read' | 'write',
  consumed: ConsumedCapacity | ConsumedCapacity[] | undefined,
): void => {
  for (const c of [consumed ?? []].flat()) {
    if (c.ReadCapacityUnits === undefined && c.WriteCapacityUnits === undefined) {
      if (kind === 'read') into.readUnits += c.CapacityUnits ?? 0;
      else into.writeUnits += c.CapacityUnits ?? 0;
    } else {
      into.readUnits += c.ReadCapacityUnits ?? 0;
      into.writeUnits += c.WriteCapacityUnits ?? 0;
    }
  }
};

/**
 * Process-wide switch (default off): when on, every metered command asks DynamoDB for its consumed
 * capacity (`ReturnConsumedCapacity: 'TOTAL'`) and the units are summed in `dbMetrics()`, and every
 * write command's items are read before and after it to count its units by DynamoDB's documented
 * rules as well. Off, requests go out exactly as the code wrote them; only their count is kept.
 */
export const setCapacityMetering = (on: boolean): void => {
  metering = on;
};

/** Commands by name (`GetItem`, `TransactWriteItems`, ...) since the process started or the last reset. */
export const dbMetrics = (): DbMetrics => structuredClone(metrics);

export const resetDbMetrics = (): void => {
  metrics = {};
};

const newClient = (): DynamoDBClient => {
  const { dynamoEndpoint, region } = config();
  return new DynamoDBClient(
    dynamoEndpoint
      ? { endpoint: dynamoEndpoint, region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : { region },
  );
};

/** The one DynamoDB client of a process, built on first use from the config. */
export const db = (): DynamoDBDocumentClient => {
  if (!documentClient) {
    const client = newClient();
    // Initialize step: once per command (before the SDK's retries), on the document-level input and output.
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (standIns.getStore()) return next(args);
        const command = String(context.commandName ?? 'Unknown').replace(/Command$/, '');
        const counted = metricsOf(command);
        counted.requests++;
        const kind = METERED[command];
        const input = args.input as Record<string, unknown>;
        const metered = metering && kind !== undefined && input.ReturnConsumedCapacity === undefined;
        try {
          const send = () => next(metered ? { ...args, input: { ...input, ReturnConsumedCapacity: 'TOTAL' } } : args);
          if (!metering || !kind) return await send();
          if (kind === 'read') {
            const result = await send();
            addCapacity(counted, kind, (result.output as CapacityOutput).ConsumedCapacity);
            return result;
          }
          peekClient ??= DynamoDBDocumentClient.from(newClient());
          const { result, units } = await sendCountingWriteUnits(peekClient, command, input, send);
          addCapacity(counted, kind, (result.output as CapacityOutput).ConsumedCapacity);
          counted.documentedWriteUnits = (counted.documentedWriteUnits ?? 0) + units;
          return result;
        } catch (error) {
          counted.failed++;
          throw error;
        }
      },
      { step: 'initialize', name: 'tallyDbMetrics', override: true },
    );
    documentClient = DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true },
    });
  }
  return documentClient;
};

export const tableName = (): string => config().tableName;
