import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { DataStack } from '../../lib/stacks/data-stack.js';
import { ServiceStack } from '../../lib/stacks/service-stack.js';

/** The sender a deployment names (`cdk deploy -c mailFrom=...`). */
export const MAIL_FROM = 'billing@tally.example';

/**
 * An app with the feature flags of cdk.json, which `cdk synth` passes and `new App()` alone would
 * not, and the deploy parameters (`-c mailFrom=...`), which may be replaced.
 */
export const newApp = (parameters: Record<string, unknown> = { mailFrom: MAIL_FROM }): App => {
  const { context } = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8'));
  return new App({ context: { ...context, ...parameters } });
};

/** The stacks of bin/tally.ts, built without the CLI (environment-agnostic, as offline). */
export const tallyApp = (parameters?: Record<string, unknown>): { app: App; data: DataStack; service: ServiceStack } => {
  const app = newApp(parameters);
  const data = new DataStack(app, 'Tally-Data');
  const service = new ServiceStack(app, 'Tally-Service', { table: data.table });
  return { app, data, service };
};
