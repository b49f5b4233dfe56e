import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../functions/domain/errors.js';
import { getJournal, MAX_JOURNAL_DOCUMENTS } from '../../functions/services/journal.service.js';
import { db, dbMetrics, resetDbMetrics, tableName } from '../../functions/store/client.js';
import { keys } from '../../functions/store/keys.js';

const DAY = '2026-03-02';

/** `count` index entries of invoices issued on DAY: all the listing reads before the limit applies. */
const seedListing = async (tenantId: string, count: number): Promise<void> => {
  const items = Array.from({ length: count }, () => {
    const id = `inv_${ulid()}`;
    return { ...keys.invoice(tenantId, id), GSI2PK: keys.invoices(tenantId), GSI2SK: `${DAY}#${id}`, id, currency: 'EUR' };
  });
  for (let i = 0; i < items.length; i += 25) {
    let requests = { [tableName()]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) };
    // DynamoDB may leave some of a batch unwritten: send those again until none is left.
    while (Object.keys(requests).length > 0) {
      const { UnprocessedItems } = await db().send(new BatchWriteCommand({ RequestItems: requests }));
      requests = (UnprocessedItems ?? {}) as typeof requests;
    }
  }
};

describe('the journal of a range with more documents than one answer carries', () => {
  it('is refused with 422 naming to, as soon as the listing passes the limit', async () => {
    // Prepare
    const tenantId = `ten_journal_${ulid()}`;
    await seedListing(tenantId, MAX_JOURNAL_DOCUMENTS + 1);
    resetDbMetrics();
    // Act
    const error = await getJournal(tenantId, DAY, DAY).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ kind: 'rule', code: 'JOURNAL_RANGE_TOO_WIDE', errors: [{ field: 'to' }] });
    expect(dbMetrics().Query?.requests).toBeLessThanOrEqual(MAX_JOURNAL_DOCUMENTS / 100 + 1);
    expect((await getJournal(tenantId, '2026-03-03', '2026-03-31')).items).toEqual([]);
  }, 60_000);
});
