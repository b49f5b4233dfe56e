import { startLocalStack } from '../local/stack.js';

const stack = await startLocalStack({
  port: Number(process.env.PORT ?? 3000),
  dataDir: process.env.DATA_DIR ?? '.tally',
  apiKey: process.env.TALLY_API_KEY || undefined,
  sesPort: Number(process.env.SES_PORT ?? 0),
});

console.log(`Tally is running locally.
  API:        ${stack.apiUrl}   (try: curl ${stack.apiUrl}/health)
  OpenAPI:    ${stack.apiUrl}/v1/openapi.json
  Mail store: ${stack.mailUrl}
  API key:    ${stack.apiKey}   (tenant ${stack.tenantId})
Press Ctrl-C to stop.`);

const shutdown = (): void => {
  void stack.stop().then(() => process.exit(0));
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
