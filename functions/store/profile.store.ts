import { addDays } from '../domain/dates.js';
import { concurrentWrite, notFound } from '../domain/errors.js';
import type { Profile, ProfileStatus } from '../domain/profile.js';
import type { TabItem } from '../domain/profile-tab.js';
import { getItem, mustExist, putVersioned, queryPage, type Page } from './aggregate.js';
import { tableName } from './client.js';
import { keys } from './keys.js';
import { write, type WriteAction } from './write.js';

const profileItem = (tenantId: string, profile: Profile) => ({
  ...keys.profile(tenantId, profile.id),
  GSI1PK: keys.customerProfiles(tenantId, profile.customerId),
  GSI1SK: profile.id,
  GSI2PK: keys.profiles(tenantId),
  GSI2SK: profile.id,
  ...profile,
});

/** A tab item as stored, with its keys (its listing under the tab in GSI1). */
export const tabItemItem = (tenantId: string, item: TabItem) => ({
  ...keys.tabItem(tenantId, item.profileId, item.id),
  GSI1PK: keys.tabItems(tenantId, item.profileId),
  GSI1SK: item.id,
  ...item,
});

/** Profiles stored before their run days were kept run from their first creation date, a cycle an interval. */
type StoredProfile = Omit<Profile, 'nextRunDate' | 'lastRunDate' | 'cyclesSkipped'> &
  Partial<Pick<Profile, 'nextRunDate' | 'lastRunDate' | 'cyclesSkipped'>>;

const fromStored = (p: StoredProfile): Profile => ({
  ...p,
  cyclesSkipped: p.cyclesSkipped ?? 0,
  nextRunDate: p.nextRunDate ?? addDays(p.firstCreationDate, p.cyclesDone * p.intervalDays),
  lastRunDate: p.lastRunDate ?? (p.cyclesDone > 0 ? addDays(p.firstCreationDate, (p.cyclesDone - 1) * p.intervalDays) : null),
});

export const getProfile = async (tenantId: string, id: string): Promise<Profile> =>
  fromStored(await getItem<StoredProfile>(keys.profile(tenantId, id), 'profile'));

export const getTabItem = (tenantId: string, profileId: string, id: string): Promise<TabItem> =>
  getItem<TabItem>(keys.tabItem(tenantId, profileId, id), 'tab_item');

export const putProfile = (tenantId: string, profile: Profile, previous: Profile | null): WriteAction =>
  putVersioned('profile', profileItem(tenantId, profile), previous && previous.version);

/** Writes the profile's next version (`previous` null when new: its customer is checked in the same transaction). */
export const saveProfile = (tenantId: string, profile: Profile, previous: Profile | null): Promise<void> =>
  write(
    putProfile(tenantId, profile, previous),
    ...(previous ? [] : [mustExist(keys.customer(tenantId, profile.customerId), 'customer', 'customerId')]),
  );

/**
 * Writes a tab item's change with the profile's next version (its tab totals moved by it) in one
 * transaction, each on condition of the version read: concurrent changes of one tab are counted once
 * each, or lose and are retried. `item` null with `previousItem` deletes it.
 */
export const saveTabChange = (
  tenantId: string,
  {
    profile,
    previous,
    item,
    previousItem,
  }: { profile: Profile; previous: Profile; item: TabItem | null; previousItem: TabItem | null },
): Promise<void> => {
  const itemAction: WriteAction = item
    ? putVersioned('tab_item', tabItemItem(tenantId, item), previousItem && previousItem.version)
    : {
        Delete: {
          TableName: tableName(),
          Key: keys.tabItem(tenantId, previousItem!.profileId, previousItem!.id),
          ConditionExpression: 'version = :version',
          ExpressionAttributeValues: { ':version': previousItem!.version },
        },
        onConditionFailed: (old) => (old ? concurrentWrite('tab_item') : notFound('tab_item')),
      };
  return write(itemAction, putProfile(tenantId, profile, previous));
};

export interface ProfileFilter {
  customerId?: string;
  status?: ProfileStatus;
}

export const listProfiles = async (
  tenantId: string,
  filter: ProfileFilter,
  limit: number,
  cursor?: string,
): Promise<Page<Profile>> => {
  const page = await queryPage<StoredProfile>({
    tenantId,
    ...(filter.customerId
      ? { index: 'byOwner', partition: keys.customerProfiles(tenantId, filter.customerId) }
      : { index: 'byTenant', partition: keys.profiles(tenantId) }),
    where: { status: filter.status },
    limit,
    cursor,
  });
  return { ...page, items: page.items.map(fromStored) };
};

/** A page of the tab's items, newest first. */
export const listTabItems = (tenantId: string, profileId: string, limit: number, cursor?: string): Promise<Page<TabItem>> =>
  queryPage<TabItem>({ tenantId, index: 'byOwner', partition: keys.tabItems(tenantId, profileId), limit, cursor });
