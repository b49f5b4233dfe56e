import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { queryAll } from './aggregate.js';
import { db, tableName } from './client.js';
import { indexes, keys } from './keys.js';
import type { WriteAction } from './write.js';

/** A workflow start that a recorded decision owes, until it is made (design §4). */
export interface OwedStart {
  tenantId: string;
  workflow: string;
  name: string;
  /** The execution's input, as JSON. */
  input: string;
  owedAt: string;
}

const { pk: OWED_PK, sk: OWED_SK, name: OWED_INDEX } = indexes.byOwner;

/**
 * The start, owed, as an action of the transaction that records the decision owing it. A start of
 * that name owed already is the same start: it is written again, not refused.
 */
export const oweStart = (start: OwedStart): WriteAction => ({
  Put: {
    TableName: tableName(),
    Item: {
      ...keys.owedStart(start.tenantId, start.workflow, start.name),
      [OWED_PK]: keys.owedStarts(),
      [OWED_SK]: `${start.owedAt}#${start.tenantId}#${start.name}`,
      ...start,
    },
  },
});

/** The start is made (or was, by an earlier attempt): it is owed no longer. */
export const settleStart = async (start: Pick<OwedStart, 'tenantId' | 'workflow' | 'name'>): Promise<void> => {
  await db().send(new DeleteCommand({ TableName: tableName(), Key: keys.owedStart(start.tenantId, start.workflow, start.name) }));
};

/** Every tenant's starts owed since before `before` (ISO time), oldest first. */
export const owedStartsBefore = async (before: string): Promise<OwedStart[]> =>
  (
    await queryAll({
      IndexName: OWED_INDEX,
      KeyConditionExpression: '#pk = :pk AND #sk < :before',
      ExpressionAttributeNames: { '#pk': OWED_PK, '#sk': OWED_SK },
      ExpressionAttributeValues: { ':pk': keys.owedStarts(), ':before': before },
    })
  ).map(({ tenantId, workflow, name, input, owedAt }) => ({ tenantId, workflow, name, input, owedAt }) as OwedStart);
