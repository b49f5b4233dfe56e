import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { concurrentWrite, notFound } from '../domain/errors.js';
import type { Profile } from '../domain/profile.js';
import type { Snapshot } from '../domain/profile-snapshot.js';
import type { TabItem } from '../domain/profile-tab.js';
import { fromItem, putVersioned, queryAll } from './aggregate.js';
import { db, tableName } from './client.js';
import { keys } from './keys.js';
import { readItem } from './read.js';
import { putProfile } from './profile.store.js';
import { write, type WriteAction } from './write.js';

/**
 * Items a claim moves in one transaction: each is a put and a delete, beside the snapshot's next
 * version, within DynamoDB's 100 actions.
 */
export const CLAIM_CHUNK = 49;

const snapshotItem = (tenantId: string, snapshot: Snapshot) => ({
  ...keys.snapshot(tenantId, snapshot.profileId, snapshot.runDay),
  ...snapshot,
});

const putSnapshot = (tenantId: string, snapshot: Snapshot, previous: Snapshot | null): WriteAction =>
  putVersioned('snapshot', snapshotItem(tenantId, snapshot), previous && previous.version);

export const getSnapshot = async (tenantId: string, profileId: string, runDay: string): Promise<Snapshot | undefined> => {
  const item = await readItem(keys.snapshot(tenantId, profileId, runDay));
  return item && fromItem<Snapshot>(item);
};

/** Writes a snapshot's next version (`previous` null: a new one, refused as a concurrent write when another run made it). */
export const saveSnapshot = (tenantId: string, snapshot: Snapshot, previous: Snapshot | null): Promise<void> =>
  write(putSnapshot(tenantId, snapshot, previous));

/**
 * A page of the tab's items in the order made (their ULIDs), read consistently from the profile's
 * collection, from `after` on; `next` continues it.
 */
export const tabItemsPage = async (
  tenantId: string,
  profileId: string,
  after: Record<string, unknown> | undefined,
): Promise<{ items: TabItem[]; next: Record<string, unknown> | undefined }> => {
  const prefix = keys.tabItem(tenantId, profileId, '');
  const page = await db().send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': prefix.PK, ':prefix': prefix.SK },
      ConsistentRead: true,
      Limit: CLAIM_CHUNK,
      ExclusiveStartKey: after,
    }),
  );
  return { items: (page.Items ?? []).map((item) => fromItem<TabItem>(item)), next: page.LastEvaluatedKey };
};

/**
 * Moves items from the tab to the snapshot in one transaction, with the snapshot's next version
 * (conditional on the one read: claims end when it moves on). Each item is deleted from the tab on
 * condition that it is still the version read, so an item changed or removed meanwhile fails the
 * chunk, which is then read and claimed again.
 */
export const claimItems = (tenantId: string, snapshot: { next: Snapshot; previous: Snapshot }, items: TabItem[]): Promise<void> =>
  write(
    putSnapshot(tenantId, snapshot.next, snapshot.previous),
    ...items.flatMap((item): WriteAction[] => [
      {
        Put: {
          TableName: tableName(),
          Item: { ...keys.snapshotItem(tenantId, item.profileId, snapshot.next.runDay, item.id), ...item },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
        onConditionFailed: () => concurrentWrite('tab_item'),
      },
      {
        Delete: {
          TableName: tableName(),
          Key: keys.tabItem(tenantId, item.profileId, item.id),
          ConditionExpression: 'version = :version',
          ExpressionAttributeValues: { ':version': item.version },
        },
        onConditionFailed: (old) => (old ? concurrentWrite('tab_item') : notFound('tab_item')),
      },
    ]),
  );

/** Every item the snapshot claimed, in the order they were made: a consistent read of the collection. */
export const claimedItems = async (tenantId: string, profileId: string, runDay: string): Promise<TabItem[]> => {
  const prefix = keys.snapshotItem(tenantId, profileId, runDay);
  const found = await queryAll({
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
    ExpressionAttributeValues: { ':pk': prefix.PK, ':prefix': prefix.SK },
    ConsistentRead: true,
  });
  return found.map((item) => fromItem<TabItem>(item));
};

/** The cycle counted on the profile and the snapshot done, in one transaction, each on condition of the version read. */
export const finishCycle = (
  tenantId: string,
  { profile, snapshot }: { profile: { next: Profile; previous: Profile }; snapshot: { next: Snapshot; previous: Snapshot } },
): Promise<void> =>
  write(putProfile(tenantId, profile.next, profile.previous), putSnapshot(tenantId, snapshot.next, snapshot.previous));

/** Items in a snapshot's invoice go, a chunk a transaction (deleting one gone already is no error). */
export const deleteClaimedItems = async (tenantId: string, items: TabItem[], runDay: string): Promise<void> => {
  for (let start = 0; start < items.length; start += 100) {
    await write(
      ...items.slice(start, start + 100).map((item): WriteAction => ({
        Delete: { TableName: tableName(), Key: keys.snapshotItem(tenantId, item.profileId, runDay, item.id) },
      })),
    );
  }
};
