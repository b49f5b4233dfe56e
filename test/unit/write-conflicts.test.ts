// DynamoDB Local runs transactions one at a time, so it never answers TransactionConflict (200
// concurrent transactions on one item gave none): this one behaviour of DynamoDB is mocked here.
import {
  ConditionalCheckFailedException,
  TransactionCanceledException,
  TransactionConflictException,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DomainError } from '../../functions/domain/errors.js';
import { retrying } from '../../functions/services/retry.js';
import { write, type WriteAction } from '../../functions/store/write.js';

const dynamo = mockClient(DynamoDBDocumentClient);

const put = (id: string): WriteAction => ({
  Put: { TableName: 'tally', Item: { PK: id, SK: id }, ConditionExpression: 'attribute_not_exists(PK)' },
  onConditionFailed: () => new DomainError('conflict', 'TAKEN', `${id} is taken`),
});

const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

const conflict = () => new TransactionConflictException({ message: 'Transaction is ongoing for the item', $metadata: {} });

describe('write() meeting another transaction', () => {
  beforeAll(() => {
    vi.stubEnv('TABLE_NAME', 'tally');
  });
  afterAll(() => {
    vi.unstubAllEnvs();
    dynamo.restore();
  });
  beforeEach(() => {
    dynamo.reset();
  });

  it('turns a transaction cancelled by a conflict into a retryable 409, sent once', async () => {
    dynamo.on(TransactWriteCommand).rejects(cancelled('None', 'TransactionConflict'));

    const error = await write(put('a'), put('b')).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: 'VERSION_CONFLICT', retryable: true });
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });

  it('turns a single write that met a transaction into a retryable 409, not a 500', async () => {
    dynamo.on(PutCommand).rejects(conflict());

    const error = await write(put('a')).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: 'VERSION_CONFLICT', retryable: true });
  });

  it('lets a use case that retries win once the other transaction is done', async () => {
    dynamo.on(PutCommand).rejectsOnce(conflict()).rejectsOnce(conflict()).resolves({});

    await retrying(() => write(put('a')));

    expect(dynamo.commandCalls(PutCommand)).toHaveLength(3);
  });

  it('maps a failed condition to the action’s own domain error', async () => {
    dynamo.on(TransactWriteCommand).rejects(cancelled('None', 'ConditionalCheckFailed'));
    dynamo.on(PutCommand).rejects(new ConditionalCheckFailedException({ message: 'failed', $metadata: {} }));

    await expect(write(put('a'), put('b'))).rejects.toMatchObject({ code: 'TAKEN', message: 'b is taken' });
    await expect(write(put('c'))).rejects.toMatchObject({ code: 'TAKEN', message: 'c is taken' });
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(1);
    expect(dynamo.commandCalls(PutCommand)).toHaveLength(1);
  });
});
