import { gunzipSync, gzipSync } from 'node:zlib';
import { concurrentWrite, DomainError } from '../domain/errors.js';
import { tableName } from './client.js';
import { keys, TTL_ATTRIBUTE } from './keys.js';
import { assemble, layout, putPart } from './parts.js';
import { write } from './write.js';

export interface StoredResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

const KEEP_SECONDS = 72 * 3600;
/** How long a request may hold its key before a retry may take over (a crashed first try). */
const LOCK_SECONDS = 60;
/** The kept body, gzipped, in chunks: a large one goes to part items (store/parts.ts), whatever its size. */
const BODY_CHUNK_BYTES = 64 * 1024;
const RESPONSE_LISTS = ['body'] as const;

type Item = Record<string, unknown>;

const epochSeconds = (now: Date): number => Math.floor(now.getTime() / 1000);

const stored = (response: StoredResponse): Item => {
  const zipped = gzipSync(response.body);
  const body: Uint8Array[] = [];
  for (let at = 0; at < zipped.length; at += BODY_CHUNK_BYTES) body.push(zipped.subarray(at, at + BODY_CHUNK_BYTES));
  return { statusCode: response.statusCode, headers: response.headers, body };
};

const replayed = (item: Item): StoredResponse => ({
  statusCode: item.statusCode as number,
  headers: item.headers as Record<string, string>,
  body: gunzipSync(Buffer.concat(item.body as Uint8Array[])).toString('utf8'),
});

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
  let completed: Item | undefined;
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
          completed = old;
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
    if (!completed) throw error;
    const whole = await assemble(completed, keys.idempotency(tenantId, key), RESPONSE_LISTS);
    if (!whole) throw concurrentWrite('idempotency key');
    return replayed(whole);
  }
  return undefined;
};

/** The one request that holds a key: a late first try must not touch a key a retry took over. */
const heldBy = (fingerprint: string) => ({
  ConditionExpression: 'fingerprint = :fingerprint AND #state = :inProgress',
  ExpressionAttributeNames: { '#state': 'state' },
  ExpressionAttributeValues: { ':fingerprint': fingerprint, ':inProgress': 'in_progress' },
});

const takenOver = (): DomainError => new DomainError('conflict', 'TAKEN_OVER', 'a retry took the key over');

const unlessTakenOver = async (writing: Promise<unknown>): Promise<void> => {
  try {
    await writing;
  } catch (error) {
    if (!(error instanceof DomainError && error.code === 'TAKEN_OVER')) throw error;
  }
};

/**
 * Keeps the first response, to be replayed to every retry with the same key, whatever its size:
 * the parts of a large one are written first, then the record that names them.
 */
export const completeIdempotencyKey = async (
  tenantId: string,
  key: string,
  fingerprint: string,
  response: StoredResponse,
  now: Date,
): Promise<void> => {
  const expires = { [TTL_ATTRIBUTE]: epochSeconds(now) + KEEP_SECONDS };
  const record = { ...keys.idempotency(tenantId, key), fingerprint, state: 'completed', ...expires, ...stored(response) };
  // Its parts go one by one before the record, not in one transaction: no limit on the size.
  const { header, parts } = layout(record, RESPONSE_LISTS, { partAttributes: expires, maxBytes: Infinity });
  await Promise.all(parts.map((part) => write(putPart(part))));
  await unlessTakenOver(
    write({
      Put: { TableName: tableName(), Item: header, ...heldBy(fingerprint) },
      onConditionFailed: takenOver,
    }),
  );
};

/** Frees the key of a request whose outcome is not worth keeping, so that a retry runs anew. */
export const releaseIdempotencyKey = async (tenantId: string, key: string, fingerprint: string): Promise<void> => {
  await unlessTakenOver(
    write({
      Delete: { TableName: tableName(), Key: keys.idempotency(tenantId, key), ...heldBy(fingerprint) },
      onConditionFailed: takenOver,
    }),
  );
};
