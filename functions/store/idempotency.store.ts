import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DomainError } from '../domain/errors.js';
import { db, tableName } from './client.js';
import { keys, TTL_ATTRIBUTE } from './keys.js';
import { write } from './write.js';

export interface StoredResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

const KEEP_SECONDS = 72 * 3600;
/** How long a request may hold its key before a retry may take over (a crashed first try). */
const LOCK_SECONDS = 60;

const epochSeconds = (now: Date): number => Math.floor(now.getTime() / 1000);

/**
 * Claims an idempotency key for one request fingerprint. Resolves to the stored response
 * when the same request already completed, to undefined when this request may run.
 */
export const claimIdempotencyKey = async (
  tenantId: string,
  key: string,
  fingerprint: string,
  now: Date,
): Promise<StoredResponse | undefined> => {
  let replay: StoredResponse | undefined;
  const at = epochSeconds(now);
  try {
    await write({
      Put: {
        TableName: tableName(),
        Item: {
          ...keys.idempotency(tenantId, key),
          fingerprint,
          state: 'in_progress',
          lockedUntil: at + LOCK_SECONDS,
          [TTL_ATTRIBUTE]: at + KEEP_SECONDS,
        },
        ConditionExpression:
          'attribute_not_exists(PK) OR #ttl < :now OR (#state = :inProgress AND lockedUntil < :now AND fingerprint = :fingerprint)',
        ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE, '#state': 'state' },
        ExpressionAttributeValues: { ':now': at, ':inProgress': 'in_progress', ':fingerprint': fingerprint },
      },
      onConditionFailed: (old) => {
        if (old?.fingerprint !== fingerprint) {
          return new DomainError('rule', 'IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used with another request');
        }
        if (old.state === 'completed') {
          replay = old.response as StoredResponse;
          return new DomainError('conflict', 'REPLAY', 'replay');
        }
        return new DomainError(
          'conflict',
          'IDEMPOTENCY_REQUEST_IN_PROGRESS',
          'A request with this Idempotency-Key is still in progress',
        );
      },
    });
  } catch (error) {
    if (replay) return replay;
    throw error;
  }
  return undefined;
};

/** The one request that holds a key: a late first try must not touch a key a retry took over. */
const heldBy = (fingerprint: string) => ({
  ConditionExpression: 'fingerprint = :fingerprint AND #state = :inProgress',
  ExpressionAttributeValues: { ':fingerprint': fingerprint, ':inProgress': 'in_progress' },
});

const unlessTakenOver = async (writing: Promise<unknown>): Promise<void> => {
  try {
    await writing;
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
};

/** Keeps the first response, to be replayed to every retry with the same key. */
export const completeIdempotencyKey = async (
  tenantId: string,
  key: string,
  fingerprint: string,
  response: StoredResponse,
): Promise<void> => {
  const held = heldBy(fingerprint);
  await unlessTakenOver(
    db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.idempotency(tenantId, key),
        UpdateExpression: 'SET #state = :completed, #response = :response REMOVE lockedUntil',
        ConditionExpression: held.ConditionExpression,
        ExpressionAttributeNames: { '#state': 'state', '#response': 'response' },
        ExpressionAttributeValues: { ...held.ExpressionAttributeValues, ':completed': 'completed', ':response': response },
      }),
    ),
  );
};

/** Frees the key of a request whose outcome is not worth keeping, so that a retry runs anew. */
export const releaseIdempotencyKey = async (tenantId: string, key: string, fingerprint: string): Promise<void> => {
  await unlessTakenOver(
    db().send(
      new DeleteCommand({
        TableName: tableName(),
        Key: keys.idempotency(tenantId, key),
        ...heldBy(fingerprint),
        ExpressionAttributeNames: { '#state': 'state' },
      }),
    ),
  );
};
