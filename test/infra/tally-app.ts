import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { DataStack } from '../../lib/stacks/data-stack.js';
import { ServiceStack } from '../../lib/stacks/service-stack.js';

/** An app with the feature flags of cdk.json, which `cdk synth` passes and `new App()` alone would not. */
export const newApp = (): App => {
  const { context } = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8'));
  return new App({ context });
};

/** The stacks of bin/tally.ts, built without the CLI (environment-agnostic, as offline). */
export const tallyApp = (): { app: App; data: DataStack; service: ServiceStack } => {
  const app = newApp();
  const data = new DataStack(app, 'Tally-Data');
  const service = new ServiceStack(app, 'Tally-Service', { table: data.table });
  return { app, data, service };
};
