import { createHash } from 'node:crypto';
import { concurrentWrite, notFound } from '../domain/errors.js';
import { canonicalJson } from '../shared/canonical-json.js';
import { fromItem, putVersioned, queryAll } from './aggregate.js';
import { tableName } from './client.js';
import { itemSize, PART_BYTES } from './item-size.js';
import type { Key } from './keys.js';
import { readItem } from './read.js';
import { tooLarge, type WriteAction } from './write.js';

type Item = Record<string, unknown>;
type KeyedItem = Item & Key;

/** An aggregate stays one item while it is this small (most are: a few KB). */
const INLINE_BYTES = 64 * 1024;
/**
 * The most one aggregate weighs in all: twice the largest the API's limits allow (a job of 500
 * charges of maximum-length text is about 1.3 MB), so that its answer stays within Lambda's 6 MB
 * and a transaction of it and its job within DynamoDB's 4 MB.
 */
export const MAX_AGGREGATE_BYTES = 2_500_000;
/** A read that meets a write half-way reads again this often before it gives up as a conflict. */
const READ_ATTEMPTS = 3;

/**
 * How an aggregate whose lists can grow (a job's charges, an invoice's lines and payments) is
 * stored: one item while it is small; past that a header item without the lists, and part items
 * in its item collection (`<SK>#PART#0000`, ...) that carry the list entries in order. No item
 * comes near DynamoDB's 400 KB. Each part carries a tag (a hash of its entries) and the header the
 * tags of its parts in order, so that a read which meets a write half-way notices, and a write
 * rewrites only the parts whose entries changed (adding a charge writes the last part alone).
 */
interface Layout {
  header: KeyedItem;
  parts: KeyedItem[];
}

const partKey = (key: Key, index: number): Key => ({ PK: key.PK, SK: `${key.SK}#PART#${String(index).padStart(4, '0')}` });

const partPrefix = (key: Key): string => `${key.SK}#PART#`;

const tagOf = (entries: Record<string, unknown[]>): string =>
  createHash('sha256').update(canonicalJson(entries)).digest('base64url').slice(0, 22);

/**
 * Splits an item as it is to be stored (see Layout). `partAttributes` go on each part too (a TTL
 * that must take the parts along with their header); `maxBytes` is what the whole may weigh.
 */
export const layout = (
  item: KeyedItem,
  lists: readonly string[],
  { partAttributes = {}, maxBytes = MAX_AGGREGATE_BYTES }: { partAttributes?: Item; maxBytes?: number } = {},
): Layout => {
  const size = itemSize(item);
  if (size <= INLINE_BYTES) return { header: item, parts: [] };
  if (size > maxBytes) throw tooLarge(item, `larger than the ${maxBytes / 1_000_000} MB an aggregate may weigh`);
  const parts: KeyedItem[] = [];
  let entries: Record<string, unknown[]> = {};
  let partSize = 0;
  const close = (): void => {
    parts.push({ ...partAttributes, ...partKey(item, parts.length), tag: tagOf(entries), lists: entries });
    entries = {};
    partSize = 0;
  };
  for (const list of lists) {
    for (const entry of (item[list] as unknown[] | undefined) ?? []) {
      const entrySize = itemSize({ entry });
      if (partSize > 0 && partSize + entrySize > PART_BYTES) close();
      (entries[list] ??= []).push(entry);
      partSize += entrySize;
    }
  }
  if (partSize > 0 || parts.length === 0) close();
  const header = Object.fromEntries(Object.entries(item).filter(([name]) => !lists.includes(name))) as KeyedItem;
  return { header: { ...header, parts: parts.map((part) => part.tag) }, parts };
};

/**
 * The aggregate's next version as write actions: its header, on condition that the stored one is
 * still `previous` (none when new); the parts whose entries changed; deletes of the parts that
 * `previous` had beyond them.
 */
export const putAggregate = (
  entity: string,
  item: KeyedItem,
  previous: KeyedItem | null,
  lists: readonly string[],
): WriteAction[] => {
  const next = layout(item, lists);
  const before = previous ? layout(previous, lists).parts : [];
  return [
    putVersioned(entity, next.header, previous ? (previous.version as number) : null),
    ...next.parts.filter((part, i) => part.tag !== before[i]?.tag).map(putPart),
    ...before.slice(next.parts.length).map(deletePart),
  ];
};

/** Deletes of the parts an aggregate has, to go with the delete of its header. */
export const deleteParts = (item: KeyedItem, lists: readonly string[]): WriteAction[] =>
  layout(item, lists).parts.map((part) => deletePart(part));

const deletePart = (part: KeyedItem): WriteAction => ({
  Delete: { TableName: tableName(), Key: { PK: part.PK, SK: part.SK } },
});

/** A part as a write of its own, for an item whose header is written after its parts. */
export const putPart = (part: KeyedItem): WriteAction => ({ Put: { TableName: tableName(), Item: part } });

const readParts = (key: Key): Promise<Item[]> =>
  queryAll({
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
    ExpressionAttributeValues: { ':pk': key.PK, ':prefix': partPrefix(key) },
    ConsistentRead: true,
  });

/**
 * The stored item with its lists back in it, read from its parts if it has any; undefined when a
 * part is of another version of the lists than the header (a write came in between the reads).
 */
export const assemble = async (header: Item, key: Key, lists: readonly string[]): Promise<Item | undefined> => {
  if (header.parts === undefined) return header;
  const { parts: tags, ...rest } = header as Item & { parts: string[] };
  const parts = (await readParts(key)).slice(0, tags.length);
  if (parts.length !== tags.length || parts.some((part, i) => part.tag !== tags[i])) return undefined;
  const whole: Item = { ...rest };
  for (const list of lists) {
    whole[list] = parts.flatMap((part) => (part.lists as Record<string, unknown[]>)[list] ?? []);
  }
  return whole;
};

/** Reads an aggregate, consistently, with its lists whether inline or in parts. */
export const getAggregate = async <T>(key: Key, entity: string, lists: readonly string[]): Promise<T> => {
  for (let attempt = 1; ; attempt++) {
    const item = await readItem(key);
    if (!item) throw notFound(entity);
    const whole = await assemble(item, key, lists);
    if (whole) return fromItem<T>(whole);
    if (attempt >= READ_ATTEMPTS) throw concurrentWrite(entity);
  }
};

/**
 * The aggregates of a listing page (as the index holds them) with their lists: the few large ones
 * are read from their parts (again by key, should a part be of a newer write than the index showed).
 */
export const withLists = <T>(items: T[], keyOf: (item: T) => Key, lists: readonly string[], entity: string): Promise<T[]> =>
  Promise.all(
    items.map(async (item) => {
      const key = keyOf(item);
      const whole = await assemble(item as Item, key, lists);
      return whole ? (whole as T) : getAggregate<T>(key, entity, lists);
    }),
  );
