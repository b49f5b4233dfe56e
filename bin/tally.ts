import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DataStack } from '../lib/stacks/data-stack.js';
import { ServiceStack } from '../lib/stacks/service-stack.js';

// Environment-agnostic unless the CLI knows an account: `npm run synth` needs no AWS credentials.
const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };

const app = new App();
const data = new DataStack(app, 'Tally-Data', { env, description: 'Tally: the billing table' });
new ServiceStack(app, 'Tally-Service', { env, table: data.table, description: 'Tally: HTTP API and functions' });

// Any AwsSolutions finding that is not acknowledged in code with a reason fails the synth.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
