import type { Estimate, EstimateStatus } from '../domain/estimate.js';
import { concurrentWrite, notFound } from '../domain/errors.js';
import { mustExist, queryPage, type Page } from './aggregate.js';
import { tableName } from './client.js';
import { keys } from './keys.js';
import { deleteParts, getAggregate, putAggregate, withLists } from './parts.js';
import { write, type WriteAction } from './write.js';

/** An estimate is an item of its own (keys.ts), listed under its customer and the tenant. */
const estimateItem = (tenantId: string, estimate: Estimate) => ({
  ...keys.estimate(tenantId, estimate.id),
  GSI1PK: keys.customerEstimates(tenantId, estimate.customerId),
  GSI1SK: estimate.id,
  GSI2PK: keys.estimates(tenantId),
  GSI2SK: estimate.id,
  ...estimate,
});

/** The list that grows with the estimate: past 64 KB its entries move to part items, as a job's do (store/parts.ts). */
const ESTIMATE_LISTS = ['charges'] as const;

export const getEstimate = (tenantId: string, id: string): Promise<Estimate> =>
  getAggregate<Estimate>(keys.estimate(tenantId, id), 'estimate', ESTIMATE_LISTS);

/**
 * Writes the estimate's next version (`previous` is the one it came from, null when new), on
 * condition of the version read; a customer it names anew is checked in the same transaction.
 * `extra` are the caller's actions that land with it or not at all: the job an acceptance makes,
 * the portal's approval request.
 */
export const saveEstimate = (
  tenantId: string,
  estimate: Estimate,
  previous: Estimate | null,
  extra: WriteAction[] = [],
): Promise<void> =>
  write(
    ...putAggregate('estimate', estimateItem(tenantId, estimate), previous && estimateItem(tenantId, previous), ESTIMATE_LISTS),
    ...(estimate.customerId === previous?.customerId
      ? []
      : [mustExist(keys.customer(tenantId, estimate.customerId), 'customer', 'customerId')]),
    ...extra,
  );

/** Deletes the estimate (and its parts) if it is still the version read. */
export const deleteEstimate = (tenantId: string, estimate: Estimate): Promise<void> =>
  write(
    {
      Delete: {
        TableName: tableName(),
        Key: keys.estimate(tenantId, estimate.id),
        ConditionExpression: 'version = :version',
        ExpressionAttributeValues: { ':version': estimate.version },
      },
      onConditionFailed: (old) => (old ? concurrentWrite('estimate') : notFound('estimate')),
    },
    ...deleteParts(estimateItem(tenantId, estimate), ESTIMATE_LISTS),
  );

export interface EstimateFilter {
  customerId?: string;
  status?: EstimateStatus;
}

/** A page of the tenant's estimates, or a customer's, newest first; `status` filters. */
export const listEstimates = async (
  tenantId: string,
  filter: EstimateFilter,
  limit: number,
  cursor?: string,
): Promise<Page<Estimate>> => {
  const page = await queryPage<Estimate>({
    tenantId,
    ...(filter.customerId
      ? { index: 'byOwner', partition: keys.customerEstimates(tenantId, filter.customerId) }
      : { index: 'byTenant', partition: keys.estimates(tenantId) }),
    where: { status: filter.status },
    limit,
    cursor,
  });
  return {
    ...page,
    items: await withLists(page.items, (e) => keys.estimate(tenantId, e.id), ESTIMATE_LISTS, 'estimate'),
  };
};
