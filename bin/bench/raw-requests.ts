/**
 * The issue's own DynamoDB requests, replayed raw (bench section 3): captured as the issue sends them,
 * then sent again. Reads as they were (they change nothing). Transactions with every item under a
 * shadow partition (`RAW#` before PK and the index partition keys, so no listing sees them): a Put of
 * the item as the issue left it where the issue updated it, the same Put where it put one, a
 * ConditionCheck (on a shadow copy, put first) where it checked one. Same items, sizes and index
 * writes: what DynamoDB itself takes for the requests, without Tally's code around them.
 */
import {
  BatchGetCommand,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  type BatchGetCommandInput,
  type DynamoDBDocumentClient,
  type GetCommandInput,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';

type Item = Record<string, unknown>;
type Key = { PK: string; SK: string };
type Action = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** One request as sent (its document-level input), by the SDK command that sent it. */
export type Recorded =
  | { command: 'GetItemCommand'; input: GetCommandInput }
  | { command: 'BatchGetItemCommand'; input: BatchGetCommandInput }
  | { command: 'TransactWriteItemsCommand'; input: TransactWriteCommandInput };

const REPLAYED = new Set(['GetItemCommand', 'BatchGetItemCommand', 'TransactWriteItemsCommand']);

/**
 * Records, while on, every GetItem, BatchGetItem and TransactWriteItems the client sends (an issue
 * sends nothing else; the local stack's background polls are queries, left out).
 */
export const requestRecorder = (client: DynamoDBDocumentClient) => {
  let recording = false;
  const recorded: Recorded[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (recording && REPLAYED.has(context.commandName ?? '')) {
        recorded.push({ command: context.commandName, input: structuredClone(args.input) } as Recorded);
      }
      return next(args);
    },
    { step: 'initialize', name: 'benchRecordRequests' },
  );
  return {
    recorded,
    during: async <T>(work: () => Promise<T>): Promise<T> => {
      recording = true;
      try {
        return await work();
      } finally {
        recording = false;
      }
    },
  };
};

const shadow = (item: Item): Item =>
  Object.fromEntries(
    Object.entries(item).map(([name, value]) => [
      name,
      /^(PK|GSI\d+PK)$/.test(name) && typeof value === 'string' ? `RAW#${value}` : value,
    ]),
  );

const keyOf = (action: Action): Key =>
  (action.Put?.Item ?? action.Update?.Key ?? action.Delete?.Key ?? action.ConditionCheck?.Key) as Key;

/** The raw replay of a transaction recorded as sent: its shadow copies put first where a ConditionCheck needs one. */
export const rawTransaction = async (
  client: DynamoDBDocumentClient,
  table: string,
  transaction: TransactWriteCommandInput,
): Promise<TransactWriteCommandInput> => {
  const imageOf = async (key: Key): Promise<Item> => {
    const { Item } = await client.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }));
    if (!Item) throw new Error(`the transaction's item ${key.PK}|${key.SK} is gone`);
    return Item;
  };
  const items: Action[] = [];
  for (const action of transaction.TransactItems ?? []) {
    const key = keyOf(action);
    if (action.Put) items.push({ Put: { TableName: table, Item: shadow(action.Put.Item as Item) } });
    else if (action.Update) items.push({ Put: { TableName: table, Item: shadow(await imageOf(key)) } });
    else if (action.Delete) items.push({ Delete: { TableName: table, Key: shadow(key) } });
    else {
      await client.send(new PutCommand({ TableName: table, Item: shadow(await imageOf(key)) }));
      items.push({ ConditionCheck: { TableName: table, Key: shadow(key), ConditionExpression: 'attribute_exists(PK)' } });
    }
  }
  return { TransactItems: items };
};

/** A recorded request made ready to send again: the same read, or the raw replay of the transaction. */
export const replayable = async (
  client: DynamoDBDocumentClient,
  table: string,
  request: Recorded,
): Promise<() => Promise<unknown>> => {
  if (request.command === 'GetItemCommand') return () => client.send(new GetCommand(request.input));
  if (request.command === 'BatchGetItemCommand') return () => client.send(new BatchGetCommand(request.input));
  const replay = await rawTransaction(client, table, request.input);
  return () => client.send(new TransactWriteCommand(replay));
};
