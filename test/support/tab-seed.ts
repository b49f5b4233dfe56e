import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { clock } from '../../functions/adapters/clock.js';
import { combinedTotals, totalsOf, type TabItem } from '../../functions/domain/profile-tab.js';
import { newId } from '../../functions/services/ids.js';
import { db, tableName } from '../../functions/store/client.js';
import { getProfile, saveProfile, tabItemItem } from '../../functions/store/profile.store.js';

/**
 * Puts `count` items (`Item 0`, `Item 1`, ... at 2.00 each) on a profile's tab faster than the API
 * adds them (a request each): written in batches, then counted on the profile in one write, as
 * adding them one by one would leave it. For tests and fixtures that need a full tab.
 */
export const seedTab = async (tenantId: string, profileId: string, count: number): Promise<void> => {
  const at = clock.now().toISOString();
  const items: TabItem[] = Array.from({ length: count }, (_, i) => ({
    id: newId('itm'),
    profileId,
    description: `Item ${i}`,
    quantity: '1',
    unitPrice: '2.00',
    taxRate: null,
    amount: '2.00',
    createdAt: at,
    updatedAt: at,
    version: 1,
  }));
  for (let start = 0; start < items.length; start += 25) {
    let requests = items.slice(start, start + 25).map((item) => ({ PutRequest: { Item: tabItemItem(tenantId, item) } }));
    while (requests.length) {
      const { UnprocessedItems } = await db().send(new BatchWriteCommand({ RequestItems: { [tableName()]: requests } }));
      requests = (UnprocessedItems?.[tableName()] ?? []) as typeof requests;
    }
  }
  const profile = await getProfile(tenantId, profileId);
  const tab = combinedTotals(profile.tab, totalsOf(items), 1);
  await saveProfile(tenantId, { ...profile, tab, version: profile.version + 1 }, profile);
};
