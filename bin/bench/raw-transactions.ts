/**
 * The issue's own transactions, replayed raw (bench section 3): captured as the issue sends them,
 * then sent again with every item under a shadow partition (`RAW#` before PK and the index partition
 * keys, so no listing sees them): a Put of the item as the issue left it where the issue updated it,
 * the same Put where it put one, a ConditionCheck (on a shadow copy, put first) where it checked one.
 * Same items, sizes and index writes: what DynamoDB itself takes for the write.
 */
import { GetCommand, PutCommand, type DynamoDBDocumentClient, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';

type Item = Record<string, unknown>;
type Key = { PK: string; SK: string };
type Action = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** Records, while on, every TransactWriteItems the client sends (its document-level input). */
export const transactionRecorder = (client: DynamoDBDocumentClient) => {
  let recording = false;
  const recorded: TransactWriteCommandInput[] = [];
  client.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as Partial<TransactWriteCommandInput>;
      if (recording && input.TransactItems) recorded.push(structuredClone(input as TransactWriteCommandInput));
      return next(args);
    },
    { step: 'initialize', name: 'benchRecordTransactions' },
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

/** The raw replays of `recorded`, their shadow copies put first where a ConditionCheck needs one. */
export const rawReplays = async (
  client: DynamoDBDocumentClient,
  table: string,
  recorded: readonly TransactWriteCommandInput[],
): Promise<TransactWriteCommandInput[]> => {
  if (!recorded.length) throw new Error('no transaction was recorded');
  const after = new Map<string, Item>();
  const imageOf = async (key: Key): Promise<Item> => {
    const id = `${key.PK}|${key.SK}`;
    if (!after.has(id)) {
      const { Item } = await client.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }));
      if (!Item) throw new Error(`the transaction's item ${id} is gone`);
      after.set(id, Item);
    }
    return after.get(id)!;
  };
  const replays: TransactWriteCommandInput[] = [];
  for (const transaction of recorded) {
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
    replays.push({ TransactItems: items });
  }
  return replays;
};
