import type { BillingEvent, EventType } from '../domain/event.js';
import { queryPage, type Page } from './aggregate.js';
import { tableName } from './client.js';
import { keys, TTL_ATTRIBUTE } from './keys.js';
import type { WriteAction } from './write.js';

/** The feed keeps 30 days, as long as clients are expected to lag at most. */
const KEEP_SECONDS = 30 * 86_400;

/** An event as one action of the transaction that makes it true. */
export const putEvent = (tenantId: string, event: BillingEvent): WriteAction => ({
  Put: {
    TableName: tableName(),
    Item: {
      ...keys.event(tenantId, event.id),
      GSI2PK: keys.events(tenantId),
      GSI2SK: event.id,
      ...event,
      [TTL_ATTRIBUTE]: Math.floor(Date.parse(event.createdAt) / 1000) + KEEP_SECONDS,
    },
    ConditionExpression: 'attribute_not_exists(PK)',
  },
});

export const listEvents = (
  tenantId: string,
  type: EventType | undefined,
  limit: number,
  cursor?: string,
): Promise<Page<BillingEvent>> =>
  queryPage<BillingEvent & { expiresAt?: number }>({
    tenantId,
    index: 'byTenant',
    partition: keys.events(tenantId),
    where: { type },
    limit,
    cursor,
  }).then((page) => ({
    ...page,
    // Events written before profiles are of jobs' invoices.
    items: page.items.map(({ expiresAt: _, ...event }) => ({ ...event, profileId: event.profileId ?? null })),
  }));
