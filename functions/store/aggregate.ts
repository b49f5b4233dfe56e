import { createHash } from 'node:crypto';
import { GetCommand, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { concurrentWrite, DomainError, notFound, unknownReference } from '../domain/errors.js';
import { db, tableName } from './client.js';
import { indexes, keys, type IndexName, type Key } from './keys.js';
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
  const { Item } = await db().send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true }));
  if (!Item) throw notFound(entity);
  return fromItem<T>(Item);
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

type Index = (typeof indexes)[IndexName];

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

/** The key a page resumes after: the table key and the index key of the last item read. */
const startKeyOf = (item: Item, index: Index): Item => ({
  PK: item.PK,
  SK: item.SK,
  [index.pk]: item[index.pk],
  [index.sk]: item[index.sk],
});

/** What a cursor is good for: the index partition, the range and the filters, unset ones left out. */
const listingOf = (request: PageRequest): string =>
  createHash('sha256')
    .update(JSON.stringify([request.index, request.partition, request.range ?? {}, request.where ?? {}]))
    .digest('base64url');

const encodeCursor = (key: Item, request: PageRequest): string =>
  Buffer.from(JSON.stringify({ key, listing: listingOf(request) })).toString('base64url');

/**
 * The start key of a cursor that this very listing returned (same partition, range and filters, of
 * the caller's tenant), and a 400 for any other: DynamoDB would answer a start key outside the key
 * condition, or with an empty or extra attribute, with an error.
 */
const decodeCursor = (cursor: string, request: PageRequest): Item => {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  const index = indexes[request.index];
  const key = (decoded as { key?: unknown } | null)?.key;
  const record = (typeof key === 'object' && key !== null ? key : {}) as Item;
  const sortKey = String(record[index.sk]);
  const { lower, upper } = boundsOf(request.range);
  const ours =
    // Re-encoding gives the cursor back only for the same listing and a key with nothing added.
    encodeCursor(startKeyOf(record, index), request) === cursor &&
    ['PK', 'SK', index.pk, index.sk].every((name) => typeof record[name] === 'string' && record[name] !== '') &&
    record[index.pk] === request.partition &&
    String(record.PK).startsWith(keys.tenantPrefix(request.tenantId)) &&
    (lower === undefined || sortKey >= lower) &&
    (upper === undefined || sortKey <= upper);
  if (!ours) throw invalidCursor();
  return record;
};

/**
 * One page of an index partition, newest first. Filters may skip items, so it reads on until
 * the page is full; the cursor is the key of the last item returned, good for this listing only.
 */
export const queryPage = async <T>(request: PageRequest): Promise<Page<T>> => {
  const index = indexes[request.index];
  const bounds = boundsOf(request.range);
  const sortKey = sortKeyCondition(bounds);
  const filters = Object.entries(request.where ?? {}).filter((entry): entry is [string, string] => entry[1] !== undefined);
  const input: QueryCommandInput = {
    TableName: tableName(),
    IndexName: index.name,
    KeyConditionExpression: sortKey ? `#pk = :pk AND ${sortKey}` : '#pk = :pk',
    ExpressionAttributeNames: {
      '#pk': index.pk,
      ...(sortKey ? { '#sk': index.sk } : {}),
      ...Object.fromEntries(filters.map(([name], i) => [`#f${i}`, name])),
    },
    ExpressionAttributeValues: {
      ':pk': request.partition,
      ...(bounds.lower === undefined ? {} : { ':lower': bounds.lower }),
      ...(bounds.upper === undefined ? {} : { ':upper': bounds.upper }),
      ...Object.fromEntries(filters.map(([, value], i) => [`:f${i}`, value])),
    },
    ...(filters.length ? { FilterExpression: filters.map((_, i) => `#f${i} = :f${i}`).join(' AND ') } : {}),
    ScanIndexForward: false,
  };
  const items: Item[] = [];
  let start = request.cursor ? decodeCursor(request.cursor, request) : undefined;
  do {
    const page = await db().send(new QueryCommand({ ...input, Limit: request.limit - items.length, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start && items.length < request.limit);
  const last = items.at(-1);
  const nextCursor = start && last ? encodeCursor(startKeyOf(last, index), request) : null;
  return { items: items.map((item) => fromItem<T>(item)), nextCursor };
};
