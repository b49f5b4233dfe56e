import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { concurrentWrite, DomainError, notFound, unknownReference } from '../domain/errors.js';
import { db, tableName } from './client.js';
import { openCursor, sealCursor } from './cursor.js';
import { storedBytes } from './item-size.js';
import { indexes, type IndexName, type Key } from './keys.js';
import { readItem, readItems } from './read.js';
import type { WriteAction } from './write.js';

type Item = Record<string, unknown>;

/** The item without its key attributes: what the domain knows of it. */
const KEY_ATTRIBUTES = new Set(['PK', 'SK', ...Object.values(indexes).flatMap((i) => [i.pk, i.sk])]);

export const fromItem = <T>(item: Item): T =>
  Object.fromEntries(Object.entries(item).filter(([name]) => !KEY_ATTRIBUTES.has(name))) as T;

/**
 * Reads an aggregate, always consistently: a client reads its own writes, and no decision is taken
 * on a stale item (it costs one read unit per 4 KB instead of a half).
 */
export const getItem = async <T>(key: Key, entity: string): Promise<T> => {
  const item = await readItem(key);
  if (!item) throw notFound(entity);
  return fromItem<T>(item);
};

/**
 * Puts an aggregate's next version, on condition that the stored one is still the version it
 * came from (`previousVersion`), or that none exists when it is new (null).
 */
export const putVersioned = (entity: string, item: Item & Key, previousVersion: number | null): WriteAction => ({
  Put: {
    TableName: tableName(),
    Item: item,
    ConditionExpression: previousVersion === null ? 'attribute_not_exists(PK)' : 'version = :previous',
    ...(previousVersion === null ? {} : { ExpressionAttributeValues: { ':previous': previousVersion } }),
  },
  onConditionFailed: (old) => (old ? concurrentWrite(entity) : notFound(entity)),
});

type Index = (typeof indexes)[IndexName];

const keyId = (item: Item): string => JSON.stringify([item.PK, item.SK]);

/**
 * The items behind index entries, read consistently, in the entries' order. The indexes project
 * keys only (keys.ts), so that a write that moves no index key writes no index; an entry whose item
 * is gone, or has left that place in the index since (an index lags behind the table), is dropped.
 */
const itemsAt = async (entries: Item[], index: Index): Promise<Item[]> => {
  if (!entries.length) return [];
  const items = await readItems(entries.map((entry) => ({ PK: entry.PK, SK: entry.SK }) as Key));
  const byKey = new Map(items.map((item) => [keyId(item), item]));
  return entries.flatMap((entry) => {
    const item = byKey.get(keyId(entry));
    return item && item[index.pk] === entry[index.pk] && item[index.sk] === entry[index.sk] ? [item] : [];
  });
};

const indexNamed = (name: string): Index => Object.values(indexes).find((index) => index.name === name)!;

/**
 * Every item a query finds, all its pages read (DynamoDB answers at most 1 MB a page); a query of
 * an index reads the items its entries point to.
 */
export const queryAll = async (input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>): Promise<Item[]> => {
  const found: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db().send(new QueryCommand({ ...input, TableName: tableName(), ExclusiveStartKey: start }));
    found.push(...(input.IndexName ? await itemsAt(page.Items ?? [], indexNamed(input.IndexName)) : (page.Items ?? [])));
    start = page.LastEvaluatedKey;
  } while (start);
  return found;
};

/** Fails the transaction with a 422 naming the field unless the item exists. */
export const mustExist = (key: Key, entity: string, field: string): WriteAction => ({
  ConditionCheck: { TableName: tableName(), Key: key, ConditionExpression: 'attribute_exists(PK)' },
  onConditionFailed: () => unknownReference(entity, field),
});

export interface PageRequest {
  tenantId: string;
  index: IndexName;
  partition: string;
  limit: number;
  cursor?: string;
  /** Attribute equality filters applied to the listing. */
  where?: Record<string, string | undefined>;
  /** Bounds of the index sort key, both inclusive, either open (`to` is a prefix: `2026-11-30` takes that whole day). */
  range?: { from?: string | undefined; to?: string | undefined };
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

const invalidCursor = (): DomainError =>
  new DomainError('invalid', 'INVALID_CURSOR', 'The cursor is not one this listing returned', [
    { field: 'cursor', code: 'invalid_cursor', message: 'not a cursor of this listing' },
  ]);

/** Sort key bounds, both inclusive; a missing one leaves that end open. */
interface Bounds {
  lower?: string | undefined;
  upper?: string | undefined;
}

// Everything that starts with `to` sorts before `to` followed by U+FFFF.
const boundsOf = (range: PageRequest['range']): Bounds => ({
  lower: range?.from,
  upper: range?.to === undefined ? undefined : `${range.to}\uffff`,
});

// DynamoDB takes neither an open bound in BETWEEN nor an empty string as a key value.
const sortKeyCondition = ({ lower, upper }: Bounds): string | undefined => {
  if (lower !== undefined && upper !== undefined) return '#sk BETWEEN :lower AND :upper';
  if (lower !== undefined) return '#sk >= :lower';
  if (upper !== undefined) return '#sk <= :upper';
  return undefined;
};

/** The listing a cursor is sealed for: tenant, index partition, range and filters, unset ones left out. */
const listingOf = (request: PageRequest): string =>
  JSON.stringify([request.tenantId, request.index, request.partition, request.range ?? {}, request.where ?? {}]);

/** What a cursor holds of the last item returned: its table key and index sort key (the partition is the listing's). */
type Position = [pk: string, sk: string, indexSortKey: string];

const encodeCursor = (item: Item, request: PageRequest): string =>
  sealCursor([item.PK, item.SK, item[indexes[request.index].sk]], listingOf(request));

/**
 * The start key of a cursor that this very listing returned (same tenant, partition, range and
 * filters), and a 400 for any other. Sealed, a cursor shows nothing of the keys, and one that opens
 * for this listing is one we made for it, so its key lies inside the key condition.
 */
const startKeyOf = (cursor: string, request: PageRequest): Item => {
  const position = openCursor(cursor, listingOf(request)) as Position | undefined;
  if (!position) throw invalidCursor();
  const [PK, SK, sortKey] = position;
  const index = indexes[request.index];
  return { PK, SK, [index.pk]: request.partition, [index.sk]: sortKey };
};

/** A page answers within Lambda's 6 MB: it ends early, at one item at least, once its items pass this. */
const PAGE_BYTES = 3_000_000;

/** How many of the items, in order, fit in one page's bytes (their parts counted at their most). */
const withinPageBytes = (items: Item[]): number => {
  let total = 0;
  const over = items.findIndex((item) => (total += storedBytes(item)) > PAGE_BYTES);
  return over < 0 ? items.length : Math.max(over, 1);
};

/**
 * One page of an index partition, newest first: the items its entries point to, those that the
 * filters take. Filters may skip items, so it reads on until it holds one item more than the page:
 * that item tells that another page follows, and a last page that is exactly full has no cursor. The
 * cursor seals the key of the last item returned, good for this listing only.
 */
export const queryPage = async <T>(request: PageRequest): Promise<Page<T>> => {
  const index = indexes[request.index];
  const bounds = boundsOf(request.range);
  const sortKey = sortKeyCondition(bounds);
  const filters = Object.entries(request.where ?? {}).filter((entry): entry is [string, string] => entry[1] !== undefined);
  const taken = (item: Item): boolean => filters.every(([name, value]) => item[name] === value);
  const input: QueryCommandInput = {
    TableName: tableName(),
    IndexName: index.name,
    KeyConditionExpression: sortKey ? `#pk = :pk AND ${sortKey}` : '#pk = :pk',
    ExpressionAttributeNames: { '#pk': index.pk, ...(sortKey ? { '#sk': index.sk } : {}) },
    ExpressionAttributeValues: {
      ':pk': request.partition,
      ...(bounds.lower === undefined ? {} : { ':lower': bounds.lower }),
      ...(bounds.upper === undefined ? {} : { ':upper': bounds.upper }),
    },
    ScanIndexForward: false,
  };
  const items: Item[] = [];
  let start = request.cursor ? startKeyOf(request.cursor, request) : undefined;
  do {
    const page = await db().send(
      new QueryCommand({ ...input, Limit: request.limit + 1 - items.length, ExclusiveStartKey: start }),
    );
    items.push(...(await itemsAt(page.Items ?? [], index)).filter(taken));
    start = page.LastEvaluatedKey;
  } while (start && items.length <= request.limit);
  const returned = items.slice(0, Math.min(request.limit, withinPageBytes(items)));
  const nextCursor = items.length > returned.length ? encodeCursor(returned.at(-1)!, request) : null;
  return { items: returned.map((item) => fromItem<T>(item)), nextCursor };
};
