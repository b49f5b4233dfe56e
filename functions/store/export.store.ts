import { concurrentWrite } from '../domain/errors.js';
import type { Invoice } from '../domain/invoice.js';
import type { AccountingExport } from '../domain/journal-entries.js';
import { fromItem, queryPage } from './aggregate.js';
import { tableName } from './client.js';
import { putInvoice, type Versioned } from './invoice.store.js';
import { keys } from './keys.js';
import { readItem } from './read.js';
import { write, type WriteAction } from './write.js';

export interface DateRange {
  from: string;
  to: string;
}

export const findExport = async (tenantId: string, id: string): Promise<AccountingExport | undefined> => {
  const item = await readItem(keys.export(tenantId, id));
  return item ? fromItem<AccountingExport>(item) : undefined;
};

/** The last export made from exactly this date range, if any. */
export const lastExportOfRange = async (tenantId: string, { from, to }: DateRange): Promise<AccountingExport | undefined> => {
  const page = await queryPage<AccountingExport>({
    tenantId,
    index: 'byOwner',
    partition: keys.rangeExports(tenantId, from, to),
    limit: 1,
  });
  return page.items[0];
};

/** The invoice's exported version, on condition that the stored one is still the approved version read. */
const putExported = (tenantId: string, invoice: Invoice, previous: Invoice): WriteAction[] => {
  const [action, ...parts] = putInvoice(tenantId, invoice, previous);
  const put = action!.Put!;
  const exported = {
    ...action,
    Put: {
      ...put,
      // Still as read: approved (to be exported), or exported or posted (to export its adjustments).
      ConditionExpression: `${put.ConditionExpression} AND #status = :status`,
      ExpressionAttributeNames: { ...put.ExpressionAttributeNames, '#status': 'status' },
      ExpressionAttributeValues: { ...put.ExpressionAttributeValues, ':status': previous.status },
    },
  };
  return [exported, ...parts];
};

/**
 * Saves an export and moves its invoices to exported in one transaction (at most 99 invoices and
 * the export: within the 100 actions DynamoDB allows). A concurrent export of the same batch makes
 * it fail as a retryable conflict, and the retry finds the stored export.
 */
export const saveExport = (
  tenantId: string,
  batch: AccountingExport,
  invoices: Versioned<Invoice>[],
  range?: DateRange,
): Promise<void> =>
  // The export first: a batch too large for one transaction is then refused as EXPORT_TOO_LARGE.
  write(
    {
      Put: {
        TableName: tableName(),
        Item: {
          ...keys.export(tenantId, batch.id),
          ...(range
            ? { GSI1PK: keys.rangeExports(tenantId, range.from, range.to), GSI1SK: `${batch.createdAt}#${batch.id}` }
            : {}),
          ...batch,
        },
        ConditionExpression: 'attribute_not_exists(PK)',
      },
      onConditionFailed: () => concurrentWrite('export'),
    },
    ...invoices.flatMap(({ next, previous }) => putExported(tenantId, next, previous)),
  );
