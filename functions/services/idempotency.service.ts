import { createHash } from 'node:crypto';
import { canonicalJson } from '../shared/canonical-json.js';
import { logger } from '../shared/logger.js';
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  releaseIdempotencyKey,
  type StoredResponse,
} from '../store/idempotency.store.js';

export type { StoredResponse };

/**
 * What makes a retry the same request, Stripe's way: the path, the representation asked for (a
 * retry must get the same one) and the body's parameters, not its bytes.
 */
export const requestFingerprint = (path: string, accept: string, body: unknown): string =>
  createHash('sha256')
    .update(`POST ${path}\n${accept}\n${canonicalJson(body)}`)
    .digest('hex');

/** Outcomes a retry must see again; others (bad input, conflicts, failures) free the key. */
const isKept = (status: number): boolean => (status >= 200 && status < 300) || status === 404 || status === 422;

/**
 * Runs a request once per (tenant, key), Stripe's way: the first response is kept and replayed
 * to every retry with the same fingerprint; another fingerprint is refused (IDEMPOTENCY_KEY_REUSED).
 */
export const runOnce = async (
  request: { tenantId: string; key: string; fingerprint: string; now: Date },
  run: () => Promise<StoredResponse>,
): Promise<{ response: StoredResponse; replayed: boolean }> => {
  const { tenantId, key, fingerprint, now } = request;
  const kept = await claimIdempotencyKey(tenantId, key, fingerprint, now);
  if (kept) return { response: kept, replayed: true };
  let response: StoredResponse;
  try {
    response = await run();
  } catch (error) {
    await releaseIdempotencyKey(tenantId, key, fingerprint);
    throw error;
  }
  if (isKept(response.statusCode)) await keep(request, response);
  else await releaseIdempotencyKey(tenantId, key, fingerprint);
  return { response, replayed: false };
};

/**
 * Keeps the response of a request that ran. Its effect is done: should keeping fail, the client
 * still gets the answer (not a 500 that invites a retry), and the key stays held until its lock
 * expires.
 */
const keep = async (request: { tenantId: string; key: string; fingerprint: string; now: Date }, response: StoredResponse) => {
  try {
    await completeIdempotencyKey(request.tenantId, request.key, request.fingerprint, response, request.now);
  } catch (error) {
    logger.error('idempotent response not kept', { error: error as Error, key: request.key });
  }
};
