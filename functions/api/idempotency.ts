import { createHash } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { HttpProblem } from '../shared/problems.js';
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  releaseIdempotencyKey,
  type StoredResponse,
} from '../store/idempotency.store.js';

/** Outcomes a retry must see again; others (bad input, conflicts, failures) free the key. */
const KEPT = (status: number): boolean => (status >= 200 && status < 300) || status === 404 || status === 422;

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/**
 * Stripe semantics for POST: the first response of a key is replayed to every retry with the
 * same request; the same key with another request is refused (422 IDEMPOTENCY_KEY_REUSED).
 */
export const idempotent = async (
  event: APIGatewayProxyEventV2,
  tenantId: string | undefined,
  now: Date,
  run: () => Promise<StoredResponse>,
): Promise<StoredResponse> => {
  const key = event.headers['idempotency-key'];
  if (event.requestContext.http.method !== 'POST' || key === undefined || tenantId === undefined) return run();
  if (!KEY_PATTERN.test(key)) {
    throw new HttpProblem(400, 'VALIDATION_FAILED', 'Idempotency-Key must be 1 to 255 visible ASCII characters', [
      { field: 'Idempotency-Key', code: 'invalid_format', message: 'must be 1 to 255 visible ASCII characters' },
    ]);
  }
  const fingerprint = createHash('sha256')
    .update(`${event.requestContext.http.method} ${event.rawPath}\n${event.body ?? ''}`)
    .digest('hex');
  const replay = await claimIdempotencyKey(tenantId, key, fingerprint, now);
  if (replay) return { ...replay, headers: { ...replay.headers, 'idempotent-replayed': 'true' } };
  let response: StoredResponse;
  try {
    response = await run();
  } catch (error) {
    await releaseIdempotencyKey(tenantId, key);
    throw error;
  }
  if (KEPT(response.statusCode)) await completeIdempotencyKey(tenantId, key, response);
  else await releaseIdempotencyKey(tenantId, key);
  return response;
};
