import { BatchGetCommand, GetCommand, type BatchGetCommandOutput } from '@aws-sdk/lib-dynamodb';
import { db, tableName } from './client.js';
import type { Key } from './keys.js';

type Item = Record<string, unknown>;

/** BatchGetItem takes at most this many keys. */
const BATCH_KEYS = 100;

const keyId = (key: Key): string => JSON.stringify([key.PK, key.SK]);

/**
 * The items of `keys` that exist, read consistently by BatchGetItem (100 keys a request, the keys
 * DynamoDB left unprocessed asked again), in no particular order.
 */
export const readItems = async (keys: Key[]): Promise<Item[]> => {
  const found: Item[] = [];
  for (let at = 0; at < keys.length; at += BATCH_KEYS) {
    let pending: Key[] = keys.slice(at, at + BATCH_KEYS);
    while (pending.length) {
      const { Responses, UnprocessedKeys }: BatchGetCommandOutput = await db().send(
        new BatchGetCommand({ RequestItems: { [tableName()]: { Keys: pending, ConsistentRead: true } } }),
      );
      found.push(...(Responses?.[tableName()] ?? []));
      pending = (UnprocessedKeys?.[tableName()]?.Keys ?? []) as Key[];
    }
  }
  return found;
};

interface Waiting {
  key: Key;
  resolve: (item: Item | undefined) => void;
  reject: (error: unknown) => void;
}

let waiting: Waiting[] = [];

/** Sends the reads asked for since the last flush: one GetItem for one key, else one BatchGetItem. */
const flush = async (): Promise<void> => {
  const reads = waiting;
  waiting = [];
  try {
    if (reads.length === 1) {
      const { Item } = await db().send(new GetCommand({ TableName: tableName(), Key: reads[0]!.key, ConsistentRead: true }));
      reads[0]!.resolve(Item);
      return;
    }
    // BatchGetItem refuses a key asked twice.
    const unique = [...new Map(reads.map(({ key }) => [keyId(key), { PK: key.PK, SK: key.SK }])).values()];
    const byKey = new Map((await readItems(unique)).map((item) => [keyId(item as Key), item]));
    for (const read of reads) read.resolve(byKey.get(keyId(read.key)));
  } catch (error) {
    for (const read of reads) read.reject(error);
  }
};

/**
 * Reads one item consistently (undefined when there is none). The reads a use case asks for in the
 * same turn of the event loop (its `Promise.all` of independent reads, and what they read before
 * their first answer) go out together: one DynamoDB request, not one each.
 */
export const readItem = (key: Key): Promise<Item | undefined> =>
  new Promise((resolve, reject) => {
    // After every promise callback of this turn has run, so that reads started in them join too.
    if (!waiting.length) setImmediate(() => void flush());
    waiting.push({ key, resolve, reject });
  });
