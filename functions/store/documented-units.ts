import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { itemSize } from './item-size.js';
import { indexes, type Key } from './keys.js';

/**
 * The write units DynamoDB's documented rules give a write command, from the items it writes as they
 * were before it and are after it. DynamoDB Local's `ConsumedCapacity` falls below these rules for
 * some transactions, so the capacity metrics (client.ts) count both.
 *
 * The rules: a write costs 1 unit per KB (rounded up, at least 1) of the larger of the item before and
 * after it; inside a transaction 2. Every index entry written or deleted costs as much again at the
 * same rate, an entry being the table's keys, the index's keys and 100 bytes (our indexes project
 * keys only); an entry whose keys stay is not rewritten, and an index key that moves is a delete and
 * a put. A batch write is priced item by item, its unprocessed items not at all. A ConditionCheck is
 * counted 0: it writes nothing, and DynamoDB Local counts none for it; we assume AWS does the same
 * (its pricing names no rate for it).
 */

type Item = Record<string, unknown>;

/** DynamoDB counts an index entry as its keys and 100 bytes more. */
const INDEX_ENTRY_OVERHEAD = 100;

const kilobytes = (bytes: number): number => Math.max(1, Math.ceil(bytes / 1024));

const entryOf = (item: Item | undefined, index: (typeof indexes)[keyof typeof indexes]): Item | undefined =>
  item?.[index.pk] !== undefined && item[index.sk] !== undefined
    ? { PK: item.PK, SK: item.SK, [index.pk]: item[index.pk], [index.sk]: item[index.sk] }
    : undefined;

const sameKeys = (a: Item | undefined, b: Item | undefined): boolean =>
  a === b || (a !== undefined && b !== undefined && Object.keys(a).every((name) => a[name] === b[name]));

/** The units of one item written at `rate` units per KB (1, or 2 in a transaction), index entries included. */
const itemWriteUnits = (before: Item | undefined, after: Item | undefined, rate: number): number =>
  rate * kilobytes(Math.max(before ? itemSize(before) : 0, after ? itemSize(after) : 0)) +
  Object.values(indexes).reduce((sum, index) => {
    const [was, is] = [entryOf(before, index), entryOf(after, index)];
    if (sameKeys(was, is)) return sum;
    const units = (entry: Item | undefined) => (entry ? rate * kilobytes(itemSize(entry) + INDEX_ENTRY_OVERHEAD) : 0);
    return sum + units(was) + units(is);
  }, 0);

interface Place {
  table: string;
  key: Key;
}

/** One item a command writes, and the units per KB it is written at. */
interface Written extends Place {
  rate: number;
}

const keyOf = (item: Item): Key => ({ PK: item.PK as string, SK: item.SK as string });

type BatchRequests = Record<string, { PutRequest?: { Item?: Item }; DeleteRequest?: { Key?: Item } }[]>;

const batchItems = (requests: BatchRequests | undefined): Written[] =>
  Object.entries(requests ?? {}).flatMap(([table, entries]) =>
    entries.flatMap((entry) => {
      const item = entry.PutRequest?.Item ?? entry.DeleteRequest?.Key;
      return item ? [{ table, key: keyOf(item), rate: 1 }] : [];
    }),
  );

interface Action {
  TableName?: string;
  Item?: Item;
  Key?: Item;
}

/** The items a write command (document-level input) writes; a ConditionCheck writes none. */
const writtenBy = (command: string, input: Item): Written[] => {
  const single = (action: Action | undefined, rate: number): Written[] => {
    const item = action?.Item ?? action?.Key;
    return action?.TableName && item ? [{ table: action.TableName, key: keyOf(item), rate }] : [];
  };
  switch (command) {
    case 'PutItem':
    case 'UpdateItem':
    case 'DeleteItem':
      return single(input as Action, 1);
    case 'BatchWriteItem':
      return batchItems(input.RequestItems as BatchRequests);
    case 'TransactWriteItems':
      return ((input.TransactItems ?? []) as { Put?: Action; Update?: Action; Delete?: Action }[]).flatMap((action) =>
        single(action.Put ?? action.Update ?? action.Delete, 2),
      );
    default:
      return [];
  }
};

const idOf = (table: string, key: Key): string => JSON.stringify([table, key.PK, key.SK]);

/** The items as stored now (consistent reads, 100 keys a request), by `idOf`. */
const storedItems = async (peek: DynamoDBDocumentClient, places: Place[]): Promise<Map<string, Item>> => {
  const found = new Map<string, Item>();
  let pending = [...places];
  while (pending.length) {
    const chunk = pending.slice(0, 100);
    pending = pending.slice(100);
    const tables = [...new Set(chunk.map((w) => w.table))];
    const { Responses, UnprocessedKeys } = await peek.send(
      new BatchGetCommand({
        RequestItems: Object.fromEntries(
          tables.map((table) => [
            table,
            { Keys: chunk.filter((w) => w.table === table).map((w) => w.key), ConsistentRead: true },
          ]),
        ),
      }),
    );
    for (const [table, items] of Object.entries(Responses ?? {}))
      for (const item of items) found.set(idOf(table, keyOf(item)), item);
    for (const [table, { Keys }] of Object.entries(UnprocessedKeys ?? {}))
      pending.push(...(Keys ?? []).map((key) => ({ table, key: keyOf(key) })));
  }
  return found;
};

/**
 * Sends a write command through `send` and returns its output with the units DynamoDB's documented
 * rules give it, reading the items it writes before and after it through `peek`, a client outside
 * the metrics. The reads are not atomic with the write: a concurrent writer of the same item can
 * shift the count, so measure one writer at a time.
 */
export const sendCountingWriteUnits = async <R extends { output: unknown }>(
  peek: DynamoDBDocumentClient,
  command: string,
  input: Item,
  send: () => Promise<R>,
): Promise<{ result: R; units: number }> => {
  const written = writtenBy(command, input);
  if (!written.length) return { result: await send(), units: 0 };
  const before = await storedItems(peek, written);
  const result = await send();
  const unprocessed = new Set(
    batchItems((result.output as { UnprocessedItems?: BatchRequests }).UnprocessedItems).map((w) => idOf(w.table, w.key)),
  );
  const done = written.filter((w) => !unprocessed.has(idOf(w.table, w.key)));
  const after = await storedItems(peek, done);
  const units = done.reduce((sum, w) => {
    const id = idOf(w.table, w.key);
    return sum + itemWriteUnits(before.get(id), after.get(id), w.rate);
  }, 0);
  return { result, units };
};
