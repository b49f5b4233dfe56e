import {
  ConditionalCheckFailedException,
  TransactionCanceledException,
  TransactionConflictException,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { concurrentWrite, DomainError } from '../domain/errors.js';
import { db } from './client.js';
import { itemSize, MAX_ITEM_BYTES, MAX_TRANSACTION_ACTIONS, MAX_TRANSACTION_BYTES } from './item-size.js';
import { itemKind, type Key } from './keys.js';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
type Item = Record<string, unknown>;

/**
 * One write of a transaction. `onConditionFailed` turns a failed condition into the domain error
 * that explains it, given the item as it was (undefined when it did not exist).
 */
export type WriteAction = TransactItem & { onConditionFailed?: (old: Item | undefined) => DomainError };

const fromWire = (item: Record<string, AttributeValue> | undefined): Item | undefined => (item ? unmarshall(item) : undefined);

/**
 * Writes the actions atomically: one action as a single conditional write, more as one
 * TransactWriteItems. A failed condition becomes the action's domain error. A conflict with another
 * transaction in flight (which the SDK does not retry) becomes a retryable conflict: the write did
 * nothing, and reading again shows what the other one changed.
 */
export const write = async (...actions: WriteAction[]): Promise<void> => {
  assertFits(actions);
  const items = actions.map(withOldItemOnFailure);
  try {
    if (items.length === 1) await writeOne(items[0]!);
    else await db().send(new TransactWriteCommand({ TransactItems: items }));
  } catch (error) {
    const failed = conditionFailure(actions, error);
    if (failed) throw failed;
    if (isTransactionConflict(error)) throw concurrentWrite('item');
    throw error;
  }
};

const keyOf = (action: TransactItem): Key =>
  (action.Put?.Item ?? action.Update?.Key ?? action.Delete?.Key ?? action.ConditionCheck?.Key) as Key;

/**
 * Refuses, before anything is written, what DynamoDB would refuse for its size: an item over its
 * 400 KB, a transaction over 100 actions or 4 MB. The 422 names the item too large, or for a
 * transaction its first item (`JOB_TOO_LARGE`, `INVOICE_TOO_LARGE`, `EXPORT_TOO_LARGE`).
 */
const assertFits = (actions: WriteAction[]): void => {
  const sizes = actions.map((action) => (action.Put?.Item ? itemSize(action.Put.Item) : 0));
  const oversized = sizes.findIndex((size) => size > MAX_ITEM_BYTES);
  const total = sizes.reduce((sum, size) => sum + size, 0);
  if (oversized < 0 && actions.length <= MAX_TRANSACTION_ACTIONS && total <= MAX_TRANSACTION_BYTES) return;
  const key = keyOf(actions[Math.max(oversized, 0)]!);
  throw oversized >= 0
    ? tooLarge(key, `larger than the ${MAX_ITEM_BYTES / 1000} KB one stored item may hold; make it smaller`)
    : tooLarge(
        key,
        `too large to write in one transaction (${MAX_TRANSACTION_ACTIONS} items, ${MAX_TRANSACTION_BYTES / 1_000_000} MB); make the change in smaller steps`,
      );
};

/** 422 `<ITEM>_TOO_LARGE` for the item under `key` (`JOB_TOO_LARGE`), saying why. */
export const tooLarge = (key: Key, why: string): DomainError => {
  const kind = itemKind(key);
  return new DomainError('rule', `${kind}_TOO_LARGE`, `The ${kind.toLowerCase()} would be ${why}`);
};

/** The domain error of the action whose condition failed, if one did and it has one. */
const conditionFailure = (actions: WriteAction[], error: unknown): DomainError | undefined => {
  if (error instanceof ConditionalCheckFailedException) return actions[0]?.onConditionFailed?.(fromWire(error.Item));
  if (!(error instanceof TransactionCanceledException)) return undefined;
  const reasons = error.CancellationReasons ?? [];
  const failed = reasons.findIndex((reason) => reason.Code === 'ConditionalCheckFailed');
  return failed >= 0 ? actions[failed]?.onConditionFailed?.(fromWire(reasons[failed]?.Item)) : undefined;
};

/** Another transaction was writing one of the items: a transaction names it as a reason, a single write as its error. */
const isTransactionConflict = (error: unknown): boolean =>
  error instanceof TransactionConflictException ||
  (error instanceof TransactionCanceledException &&
    (error.CancellationReasons ?? []).some((reason) => reason.Code === 'TransactionConflict'));

// Ask for the old item on a failed condition, so that onConditionFailed can tell why it failed.
const withOldItemOnFailure = ({ onConditionFailed: _, ...item }: WriteAction): TransactItem => {
  const all = { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const };
  if (item.Put) return { Put: { ...item.Put, ...all } };
  if (item.Update) return { Update: { ...item.Update, ...all } };
  if (item.Delete) return { Delete: { ...item.Delete, ...all } };
  if (item.ConditionCheck) return { ConditionCheck: { ...item.ConditionCheck, ...all } };
  return item;
};

const writeOne = async (item: TransactItem): Promise<void> => {
  if (item.Put) await db().send(new PutCommand(item.Put));
  else if (item.Update) await db().send(new UpdateCommand(item.Update));
  else if (item.Delete) await db().send(new DeleteCommand(item.Delete));
  else await db().send(new TransactWriteCommand({ TransactItems: [item] }));
};
