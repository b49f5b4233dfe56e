import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { hashApiKey } from '../../functions/services/tenant.service.js';
import { db, dbMetrics, resetDbMetrics, tableName } from '../../functions/store/client.js';
import { keys } from '../../functions/store/keys.js';
import { ownStack } from '../support/own-stack.js';

// The test clock moves the time of a whole stack: this file has a stack of its own.
const { request, advance, local } = ownStack();

describe('the local authorizer, cached per Authorization header for 5 minutes as API Gateway caches it', () => {
  it('reads the API key once, keeps a revoked key working for 5 minutes of the test clock and refuses it after', async () => {
    // Prepare
    expect((await request('GET', '/v1/customers')).status).toBe(200);
    resetDbMetrics();

    // Act: two more requests, then the key revoked (its item deleted)
    expect((await request('GET', '/v1/customers')).status).toBe(200);
    expect((await request('GET', '/v1/customers')).status).toBe(200);
    const readsOfKnownKey = dbMetrics().GetItem?.requests ?? 0;
    await db().send(new DeleteCommand({ TableName: tableName(), Key: keys.apiKey(hashApiKey(local().apiKey)) }));

    // Assess
    expect(readsOfKnownKey).toBe(0);
    expect((await request('GET', '/v1/customers')).status).toBe(200);
    await advance('PT4M50S');
    expect((await request('GET', '/v1/customers')).status).toBe(200);
    await advance('PT15S');
    const refused = await request('GET', '/v1/customers');
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('UNAUTHENTICATED');
  });

  it('caches a refusal too, per header: another header is asked for itself', async () => {
    const unknown = { authorization: 'Bearer tly_unknown' };
    const send = async (headers: Record<string, string>) => {
      const response = await fetch(`${local().apiUrl}/v1/customers`, { headers });
      await response.text();
      return response.status;
    };
    expect(await send(unknown)).toBe(401);
    resetDbMetrics();

    expect(await send(unknown)).toBe(401);
    expect(dbMetrics().GetItem?.requests ?? 0).toBe(0);
    expect(await send({ authorization: 'Bearer tly_other' })).toBe(401);
    expect(dbMetrics().GetItem?.requests).toBe(1);
  });
});
