import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { concurrentWrite, DomainError, notFound } from '../domain/errors.js';
import {
  effective,
  listingOf,
  type Expenditure,
  type ExpenditureChange,
  type ExpenditureListing,
} from '../domain/expenditure.js';
import type { ExpenditureKind } from '../domain/expenditure-totals.js';
import type { Job } from '../domain/job.js';
import { fromItem, putVersioned, queryAll, queryPage, type Page } from './aggregate.js';
import { db, tableName } from './client.js';
import { EXPENDITURE_BATCH_PREFIX, keys, TTL_ATTRIBUTE } from './keys.js';
import { readItem, readItems } from './read.js';
import { putJob } from './job.store.js';
import { write, type WriteAction } from './write.js';

type Item = Record<string, unknown>;

const indexKeys = (tenantId: string, e: Expenditure) => ({
  GSI1PK: keys.jobExpenditures(tenantId, e.jobId, listingOf(e)),
  GSI1SK: `${e.date}#${e.id}`,
  GSI2PK: keys.allJobExpenditures(tenantId, e.jobId),
  GSI2SK: `${e.date}#${e.id}`,
});

const expenditureItem = (tenantId: string, e: Expenditure) => ({
  ...keys.expenditure(tenantId, e.jobId, e.id),
  ...indexKeys(tenantId, e),
  ...e,
});

/** The attribute of an expenditure written by a batch that is not visible yet (no index keys): its batch id. */
const PENDING = 'pendingBatch';

/** An expenditure as stored: with the batch it waits for, while that batch has not made it visible. */
export interface StoredExpenditure {
  expenditure: Expenditure;
  pendingBatch?: string;
}

const fromStored = (item: Item): StoredExpenditure => {
  const { [PENDING]: pendingBatch, ...expenditure } = fromItem<Expenditure & { [PENDING]?: string }>(item);
  return pendingBatch === undefined ? { expenditure } : { expenditure, pendingBatch };
};

export const getStoredExpenditure = async (tenantId: string, jobId: string, id: string): Promise<StoredExpenditure> => {
  const item = await readItem(keys.expenditure(tenantId, jobId, id));
  if (!item) throw notFound('expenditure');
  return fromStored(item);
};

/** BatchWriteItem takes at most this many writes. */
const BATCH_WRITES = 25;

/** The stored expenditures of `ids` that exist, consistently, by id (any number). */
export const getExpenditures = async (
  tenantId: string,
  jobId: string,
  ids: string[],
): Promise<Map<string, StoredExpenditure>> => {
  const found = await readItems(ids.map((id) => keys.expenditure(tenantId, jobId, id)));
  return new Map(found.map(fromStored).map((stored) => [stored.expenditure.id, stored]));
};

/**
 * The writes of the changes (those that change something): each expenditure put or deleted on
 * condition of the version read (none when new), its index keys those of its new state.
 */
export const expenditureActions = (tenantId: string, changes: ExpenditureChange[]): WriteAction[] =>
  effective(changes).map(({ previous, next }): WriteAction => {
    if (next) return putVersioned('expenditure', expenditureItem(tenantId, next), previous ? previous.version : null);
    const gone = previous!;
    return {
      Delete: {
        TableName: tableName(),
        Key: keys.expenditure(tenantId, gone.jobId, gone.id),
        ConditionExpression: 'version = :version',
        ExpressionAttributeValues: { ':version': gone.version },
      },
      onConditionFailed: (old) => (old ? concurrentWrite('expenditure') : notFound('expenditure')),
    };
  });

/**
 * Writes expenditures' changes with the job's next version (its totals moved by them) in one
 * transaction, each on condition of the version read; with `extra`, what the change decides beside
 * them (a partial invoice's selection marker, say). At most 100 actions: callers chunk.
 */
export const saveExpenditures = (
  tenantId: string,
  { job, previousJob, changes }: { job: Job; previousJob: Job; changes: ExpenditureChange[] },
  extra: WriteAction[] = [],
): Promise<void> => write(...expenditureActions(tenantId, changes), ...putJob(tenantId, job, previousJob), ...extra);

export interface ExpenditureFilter {
  listing?: ExpenditureListing;
  kind?: ExpenditureKind;
  from?: string;
  to?: string;
}

/** A page of the job's visible expenditures, newest date first: of one listing (GSI1) or all (GSI2); the kind filters. */
export const listExpenditures = (
  tenantId: string,
  jobId: string,
  filter: ExpenditureFilter,
  limit: number,
  cursor?: string,
): Promise<Page<Expenditure>> =>
  queryPage<Expenditure>({
    tenantId,
    ...(filter.listing
      ? { index: 'byOwner', partition: keys.jobExpenditures(tenantId, jobId, filter.listing) }
      : { index: 'byTenant', partition: keys.allJobExpenditures(tenantId, jobId) }),
    where: { kind: filter.kind },
    range: { from: filter.from, to: filter.to },
    limit,
    cursor,
  });

/**
 * A batch of expenditures larger than one transaction, while it is being written: its id, its
 * expenditures' ids (drawn once, so that a retry writes the same ones) and how far it got.
 * `writing`: its expenditures are being written, invisible and counted nowhere; `committed`: the job
 * counts them (one transaction with this state), and they are being made visible; `aborted`: they are
 * being deleted. Done, it is kept as a record of what it made (`DoneBatch`).
 */
export interface ExpenditureBatch {
  batchId: string;
  jobId: string;
  ids: string[];
  state: 'writing' | 'committed' | 'aborted';
  createdAt: string;
}

export interface DoneBatch {
  batchId: string;
  jobId: string;
  ids: string[];
}

/** A done batch is kept this long: past the 72 hours an Idempotency-Key's answer is, so that a late retry finds it. */
const DONE_KEEP_SECONDS = 7 * 24 * 3600;

export const getOpenBatch = async (tenantId: string, jobId: string, batchId: string): Promise<ExpenditureBatch | undefined> => {
  const item = await readItem(keys.expenditureBatch(tenantId, jobId, batchId));
  return item ? fromItem<ExpenditureBatch>(item) : undefined;
};

export const getDoneBatch = async (tenantId: string, jobId: string, batchId: string): Promise<DoneBatch | undefined> => {
  const item = await readItem(keys.doneExpenditureBatch(tenantId, jobId, batchId));
  if (!item) return undefined;
  const { batchId: id, jobId: job, ids } = fromItem<DoneBatch>(item);
  return { batchId: id, jobId: job, ids };
};

/** The job's open batches (almost always none: one Query of the job's collection). */
export const openBatches = async (tenantId: string, jobId: string): Promise<ExpenditureBatch[]> =>
  (
    await queryAll({
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.job(tenantId, jobId).PK, ':prefix': EXPENDITURE_BATCH_PREFIX },
      ConsistentRead: true,
    })
  ).map((item) => fromItem<ExpenditureBatch>(item));

const batchInProgress = (): DomainError =>
  new DomainError('conflict', 'BATCH_IN_PROGRESS', 'This batch is being written by another request; retry later');

/** The batch moved on (another request finished or undid it) since it was read. */
const batchMoved = (): DomainError =>
  new DomainError('conflict', 'BATCH_MOVED', 'The batch was finished or undone by another request meanwhile');

/** Opens a batch, on condition that it is new (a second request writing the same batch is refused, retryable later). */
export const startBatch = (tenantId: string, batch: ExpenditureBatch): Promise<void> =>
  write({
    Put: {
      TableName: tableName(),
      Item: { ...keys.expenditureBatch(tenantId, batch.jobId, batch.batchId), ...batch },
      ConditionExpression: 'attribute_not_exists(PK)',
    },
    onConditionFailed: batchInProgress,
  });

/** Sends writes with BatchWriteItem, 25 a request, again those DynamoDB leaves unprocessed. */
const batchWrite = async (requests: Item[]): Promise<void> => {
  for (let at = 0; at < requests.length; at += BATCH_WRITES) {
    let pending = requests.slice(at, at + BATCH_WRITES);
    while (pending.length) {
      const { UnprocessedItems } = await db().send(new BatchWriteCommand({ RequestItems: { [tableName()]: pending } }));
      pending = (UnprocessedItems?.[tableName()] ?? []) as Item[];
    }
  }
};

/**
 * Writes a batch's expenditures invisible: no index keys, marked with the batch. Plain puts: their
 * ids are the batch's alone, and nothing reads an invisible expenditure as one of the job's.
 */
export const writePendingExpenditures = (tenantId: string, batchId: string, expenditures: Expenditure[]): Promise<void> =>
  batchWrite(
    expenditures.map((e) => ({
      PutRequest: { Item: { ...keys.expenditure(tenantId, e.jobId, e.id), ...e, [PENDING]: batchId } },
    })),
  );

const setBatchState = (
  tenantId: string,
  batch: ExpenditureBatch,
  from: ExpenditureBatch['state'],
  to: ExpenditureBatch['state'],
): WriteAction => ({
  Update: {
    TableName: tableName(),
    Key: keys.expenditureBatch(tenantId, batch.jobId, batch.batchId),
    UpdateExpression: 'SET #state = :to',
    ConditionExpression: '#state = :from',
    ExpressionAttributeNames: { '#state': 'state' },
    ExpressionAttributeValues: { ':from': from, ':to': to },
  },
  onConditionFailed: batchMoved,
});

/** Counts a batch's expenditures on the job (its next version) and marks the batch committed, in one transaction. */
export const commitBatch = (tenantId: string, batch: ExpenditureBatch, job: Job, previousJob: Job): Promise<void> =>
  write(...putJob(tenantId, job, previousJob), setBatchState(tenantId, batch, 'writing', 'committed'));

/** Makes one pending expenditure of the batch visible; one no longer pending (a later write made it visible) is left. */
const reveal = async (tenantId: string, batchId: string, e: Expenditure): Promise<void> => {
  const index = indexKeys(tenantId, e);
  try {
    await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.expenditure(tenantId, e.jobId, e.id),
        UpdateExpression: 'SET GSI1PK = :g1pk, GSI1SK = :g1sk, GSI2PK = :g2pk, GSI2SK = :g2sk REMOVE #pending',
        ConditionExpression: '#pending = :batch',
        ExpressionAttributeNames: { '#pending': PENDING },
        ExpressionAttributeValues: {
          ':g1pk': index.GSI1PK,
          ':g1sk': index.GSI1SK,
          ':g2pk': index.GSI2PK,
          ':g2sk': index.GSI2SK,
          ':batch': batchId,
        },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
};

/** How many updates run at once when a batch is made visible. */
const REVEAL_CONCURRENCY = 25;

/**
 * Gives a committed batch's expenditures their index keys (each on condition that it still waits for
 * this batch), then turns the marker into the done record, in one transaction.
 */
export const finishBatch = async (tenantId: string, batch: ExpenditureBatch, now: Date): Promise<void> => {
  const stored = await getExpenditures(tenantId, batch.jobId, batch.ids);
  const waiting = [...stored.values()].filter((s) => s.pendingBatch === batch.batchId).map((s) => s.expenditure);
  for (let at = 0; at < waiting.length; at += REVEAL_CONCURRENCY) {
    await Promise.all(waiting.slice(at, at + REVEAL_CONCURRENCY).map((e) => reveal(tenantId, batch.batchId, e)));
  }
  const done: DoneBatch = { batchId: batch.batchId, jobId: batch.jobId, ids: batch.ids };
  await write(
    {
      Delete: {
        TableName: tableName(),
        Key: keys.expenditureBatch(tenantId, batch.jobId, batch.batchId),
        ConditionExpression: '#state = :committed',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':committed': 'committed' },
      },
      onConditionFailed: batchMoved,
    },
    {
      Put: {
        TableName: tableName(),
        Item: {
          ...keys.doneExpenditureBatch(tenantId, batch.jobId, batch.batchId),
          ...done,
          [TTL_ATTRIBUTE]: Math.floor(now.getTime() / 1000) + DONE_KEEP_SECONDS,
        },
      },
    },
  );
};

/**
 * Undoes a batch that was not committed: marks it aborted (so that it can no longer commit), deletes
 * its invisible expenditures, then the marker. A crash part-way leaves it aborted, for the next read
 * to undo again.
 */
export const abortBatch = async (tenantId: string, batch: ExpenditureBatch): Promise<void> => {
  if (batch.state === 'writing') await write(setBatchState(tenantId, batch, 'writing', 'aborted'));
  const stored = await getExpenditures(tenantId, batch.jobId, batch.ids);
  const invisible = [...stored.values()].filter((s) => s.pendingBatch === batch.batchId).map((s) => s.expenditure);
  await batchWrite(invisible.map((e) => ({ DeleteRequest: { Key: keys.expenditure(tenantId, e.jobId, e.id) } })));
  await write({
    Delete: {
      TableName: tableName(),
      Key: keys.expenditureBatch(tenantId, batch.jobId, batch.batchId),
      ConditionExpression: '#state = :aborted',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':aborted': 'aborted' },
    },
    onConditionFailed: batchMoved,
  });
};
