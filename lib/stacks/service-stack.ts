import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { Api } from '../constructs/api.js';

export interface ServiceStackProps extends StackProps {
  /** The table of the data stack. */
  table: ITable;
}

/** The stateless stack: everything that can be destroyed and rebuilt without losing data. */
export class ServiceStack extends Stack {
  constructor(scope: Construct, id: string, { table, ...props }: ServiceStackProps) {
    super(scope, id, props);

    const api = new Api(this, 'Api', { table });
    new CfnOutput(this, 'ApiUrl', { value: api.url, description: 'Base URL of the Tally HTTP API' });
  }
}
