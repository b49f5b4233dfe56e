import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { problemResponse } from '../../functions/shared/problems.js';

describe('the problem an error is answered with', () => {
  it('is 503 SERVICE_UNAVAILABLE with Retry-After for DynamoDB throttling past the SDK retries', () => {
    // Prepare
    const throttled = new ProvisionedThroughputExceededException({
      message: 'Rate exceeded',
      $metadata: { httpStatusCode: 400 },
    });
    // Act
    const response = problemResponse(throttled, '/v1/customers');
    // Assess
    expect(response.statusCode).toBe(503);
    expect(response.headers).toEqual({ 'retry-after': '1', 'content-type': 'application/problem+json' });
    expect(JSON.parse(response.body)).toMatchObject({ code: 'SERVICE_UNAVAILABLE', instance: '/v1/customers' });
  });

  it('is a 500 that reveals nothing for an error of ours', () => {
    // Act
    const response = problemResponse(new TypeError('secret internals'));
    // Assess
    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body)).toMatchObject({ code: 'INTERNAL_ERROR', detail: 'An unexpected error occurred' });
  });
});
