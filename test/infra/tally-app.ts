import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { DataStack } from '../../lib/stacks/data-stack.js';
import { ServiceStack } from '../../lib/stacks/service-stack.js';

/** The sender a deployment names (`cdk deploy -c mailFrom=...`). */
export const MAIL_FROM = 'billing@tally.example';

export interface AppOptions {
  /**
   * Whether the functions' assets are built (esbuild and the SDK layer, about 15 s a synth). Only a
   * test of an asset's contents needs them: without, the templates differ only in the assets' hashes
   * (CDK's `aws:cdk:bundling-stacks`). `npm run synth` and test/infra/bundles.test.ts build them all.
   */
  bundled?: boolean;
}

/**
 * An app with the feature flags of cdk.json, which `cdk synth` passes and `new App()` alone would
 * not, and the deploy parameters (`-c mailFrom=...`), which may be replaced.
 */
export const newApp = (
  parameters: Record<string, unknown> = { mailFrom: MAIL_FROM },
  { bundled = false }: AppOptions = {},
): App => {
  const { context } = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8'));
  return new App({ context: { ...context, ...(bundled ? {} : { 'aws:cdk:bundling-stacks': [] }), ...parameters } });
};

/** The stacks of bin/tally.ts, built without the CLI (environment-agnostic, as offline). */
export const tallyApp = (
  parameters?: Record<string, unknown>,
  options?: AppOptions,
): { app: App; data: DataStack; service: ServiceStack } => {
  const app = newApp(parameters, options);
  const data = new DataStack(app, 'Tally-Data');
  const service = new ServiceStack(app, 'Tally-Service', { table: data.table });
  return { app, data, service };
};
