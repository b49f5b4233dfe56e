/**
 * Whether an AWS SDK error says that trying again may succeed: throttled, a 5xx, a lost
 * transaction race, a call timed out. The SDK has retried it already; a workflow step retries it
 * by name and the API answers 503 with Retry-After.
 */
export const isTransient = (error: unknown): boolean => {
  if (!(error instanceof Error)) return false;
  const sdk = error as Error & { $retryable?: unknown; $metadata?: { httpStatusCode?: number } };
  return (
    sdk.$retryable !== undefined ||
    (sdk.$metadata?.httpStatusCode ?? 0) >= 500 ||
    /Throttl|ProvisionedThroughputExceeded|RequestLimitExceeded|TransactionConflict|TimeoutError/.test(error.name)
  );
};
