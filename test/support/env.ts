import { inject } from 'vitest';
import { TABLE_NAME } from '../../local/stack.js';

// Store and service tests talk to the run's DynamoDB Local, as the handlers of the local stack do.
Object.assign(process.env, {
  TABLE_NAME,
  DYNAMODB_ENDPOINT: inject('dynamoEndpoint'),
  AWS_REGION: 'local',
  POWERTOOLS_LOG_LEVEL: 'ERROR',
});
