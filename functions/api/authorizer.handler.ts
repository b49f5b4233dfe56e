import type { APIGatewayRequestAuthorizerEventV2, APIGatewaySimpleAuthorizerWithContextResult } from 'aws-lambda';
import { tenantIdForAuthorization } from '../services/tenant.service.js';
import type { TenantContext } from './http.js';

/**
 * How long API Gateway keeps an answer of this authorizer per Authorization header (its
 * `resultsCacheTtl`), and the local server likewise: a revoked key keeps working at most this long.
 */
export const AUTHORIZER_CACHE_SECONDS = 300;

/** HTTP API Lambda authorizer (simple responses): the bearer key's tenant becomes the request's context. */
export const handler = async (
  event: APIGatewayRequestAuthorizerEventV2,
): Promise<APIGatewaySimpleAuthorizerWithContextResult<TenantContext | Record<string, never>>> => {
  const tenantId = await tenantIdForAuthorization(event.headers?.authorization);
  return tenantId ? { isAuthorized: true, context: { tenantId } } : { isAuthorized: false, context: {} };
};
