import type { TestProject } from 'vitest/node';
import { startLocalStack } from '../../local/stack.js';

declare module 'vitest' {
  export interface ProvidedContext {
    apiUrl: string;
    mailUrl: string;
    dynamoEndpoint: string;
  }
}

/** One local stack (DynamoDB Local in memory, local SES, the API) for the whole test run. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
  // Every answer is also parsed with its schema (functions/api/response-shape.ts: checkedShape).
  process.env.TALLY_CHECK_RESPONSES ??= '1';
  const stack = await startLocalStack({ port: 0, dataDir: null, sesPort: 0 });
  project.provide('apiUrl', stack.apiUrl);
  project.provide('mailUrl', stack.mailUrl);
  project.provide('dynamoEndpoint', stack.dynamoEndpoint);
  return () => stack.stop();
}
