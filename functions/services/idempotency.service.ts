import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  releaseIdempotencyKey,
  type StoredResponse,
} from '../store/idempotency.store.js';

export type { StoredResponse };

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
  if (isKept(response.statusCode)) await completeIdempotencyKey(tenantId, key, fingerprint, response);
  else await releaseIdempotencyKey(tenantId, key, fingerprint);
  return { response, replayed: false };
};
