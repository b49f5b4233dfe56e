import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { ScheduleSpec } from '../adapters/scheduler.js';
import { queryAll } from './aggregate.js';
import { db, standIn, tableName } from './client.js';
import { indexes, keys } from './keys.js';
import { readItems } from './read.js';

/**
 * A schedule as the local scheduler keeps it (EventBridge Scheduler keeps its own on AWS). Times
 * are ISO strings of one format (the scheduler's), so that they sort as they follow each other.
 */
export interface ScheduleRecord {
  spec: ScheduleSpec;
  /** One more at every write: each write is on condition of the version it read. */
  version: number;
  /** The next occurrence to fire. */
  nextFireAt: string;
  /** The last occurrence fired (kept across puts, so that a put again never fires one twice). */
  lastFiredAt?: string;
}

/** A fire that failed every attempt: kept, as Scheduler's dead-letter queue keeps it on AWS. */
export interface DeadLetteredFire {
  name: string;
  target: string;
  input: Record<string, unknown>;
  scheduledTime: string;
  attempts: number;
  error: string;
  cause: string;
  deadLetteredAt: string;
}

const { pk: LIST_PK, sk: LIST_SK, name: LIST_INDEX } = indexes.byOwner;

type StoredTiming = { at: string } | { every: { days: number; start: string; end: string | null } };

// DynamoDB keeps no Date: the spec is stored as JSON, its times as ISO strings.
const specOf = (json: string): ScheduleSpec => {
  const { timing, ...spec } = JSON.parse(json) as Omit<ScheduleSpec, 'timing'> & { timing: StoredTiming };
  if ('at' in timing) return { ...spec, timing: { at: new Date(timing.at) } };
  const { days, start, end } = timing.every;
  return { ...spec, timing: { every: { days, start: new Date(start), end: end === null ? null : new Date(end) } } };
};

const recordOf = (item: Record<string, unknown>): ScheduleRecord => ({
  spec: specOf(item.spec as string),
  version: item.version as number,
  nextFireAt: item.nextFireAt as string,
  ...(item.lastFiredAt === undefined ? {} : { lastFiredAt: item.lastFiredAt as string }),
});

const failedCondition = async (write: () => Promise<unknown>): Promise<boolean> => {
  try {
    await write();
    return false;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return true;
    throw error;
  }
};

/** The schedule of that name, read consistently. */
export const getSchedule = standIn(async (name: string): Promise<ScheduleRecord | undefined> => {
  const [item] = await readItems([keys.schedule(name)]);
  return item && recordOf(item);
});

/**
 * Writes the schedule's next version, listed under its next fire, on condition that the stored one
 * is still at `previousVersion` (none stored: undefined). False when another write came first:
 * nothing is written then.
 */
export const saveSchedule = standIn(
  async (record: ScheduleRecord, previousVersion: number | undefined): Promise<boolean> =>
    !(await failedCondition(() =>
      db().send(
        new PutCommand({
          TableName: tableName(),
          Item: {
            ...keys.schedule(record.spec.name),
            [LIST_PK]: keys.pendingSchedules(),
            [LIST_SK]: `${record.nextFireAt}#${record.spec.name}`,
            name: record.spec.name,
            spec: JSON.stringify(record.spec),
            version: record.version,
            nextFireAt: record.nextFireAt,
            lastFiredAt: record.lastFiredAt,
          },
          ...(previousVersion === undefined
            ? { ConditionExpression: 'attribute_not_exists(PK)' }
            : { ConditionExpression: 'version = :previous', ExpressionAttributeValues: { ':previous': previousVersion } }),
        }),
      ),
    )),
);

/** Deletes the schedule; with a version, only if it is still at it (false when it is not). */
export const deleteSchedule = standIn(
  async (name: string, version?: number): Promise<boolean> =>
    !(await failedCondition(() =>
      db().send(
        new DeleteCommand({
          TableName: tableName(),
          Key: keys.schedule(name),
          ...(version === undefined
            ? {}
            : { ConditionExpression: 'version = :version', ExpressionAttributeValues: { ':version': version } }),
        }),
      ),
    )),
);

/**
 * The schedule whose next fire comes first, if that fire is at or before `until`; ties by name.
 * Read from the index (DynamoDB Local updates it with the write): the caller reads the item again.
 */
export const firstDueSchedule = standIn(async (until: string): Promise<{ name: string; nextFireAt: string } | undefined> => {
  const { Items } = await db().send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: LIST_INDEX,
      // `<time>#<name>` < `<until>$`: every fire at `until` too, as `#` sorts before `$`.
      KeyConditionExpression: '#pk = :pk AND #sk < :bound',
      ExpressionAttributeNames: { '#pk': LIST_PK, '#sk': LIST_SK },
      ExpressionAttributeValues: { ':pk': keys.pendingSchedules(), ':bound': `${until}$` },
      Limit: 1,
    }),
  );
  // The index keeps keys only: its sort key is `<nextFireAt>#<name>`.
  const entry = Items?.[0]?.[LIST_SK] as string | undefined;
  if (entry === undefined) return undefined;
  const at = entry.indexOf('#');
  return { nextFireAt: entry.slice(0, at), name: entry.slice(at + 1) };
});

/** Keeps a fire that failed every attempt (one per schedule and scheduled time). */
export const recordDeadLetteredFire = standIn(async (fire: DeadLetteredFire): Promise<void> => {
  await db().send(
    new PutCommand({
      TableName: tableName(),
      Item: {
        ...keys.deadLetteredFire(fire.name, fire.scheduledTime),
        [LIST_PK]: keys.deadLetteredFires(),
        [LIST_SK]: `${fire.deadLetteredAt}#${fire.name}`,
        ...fire,
      },
    }),
  );
});

/** Every dead-lettered fire, oldest first. */
export const deadLetteredFires = standIn(
  async (): Promise<DeadLetteredFire[]> =>
    (
      await queryAll({
        IndexName: LIST_INDEX,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': LIST_PK },
        ExpressionAttributeValues: { ':pk': keys.deadLetteredFires() },
      })
    ).map(({ name, target, input, scheduledTime, attempts, error, cause, deadLetteredAt }) => ({
      name,
      target,
      input,
      scheduledTime,
      attempts,
      error,
      cause,
      deadLetteredAt,
    })) as DeadLetteredFire[],
);
