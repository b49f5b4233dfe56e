import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { WORKFLOW_NAMES, type WorkflowName } from '../../functions/adapters/workflows.js';
import { Api } from '../constructs/api.js';
import { Workflow } from '../constructs/workflow.js';

export interface ServiceStackProps extends StackProps {
  /** The table of the data stack. */
  table: ITable;
}

/** The stateless stack: everything that can be destroyed and rebuilt without losing data. */
export class ServiceStack extends Stack {
  /** A state machine per workflow (`workflows/<name>.asl.json`); `grantStart` it to the functions that start it. */
  readonly workflows: Readonly<Record<WorkflowName, Workflow>>;

  constructor(scope: Construct, id: string, { table, ...props }: ServiceStackProps) {
    super(scope, id, props);

    this.workflows = Object.fromEntries(
      WORKFLOW_NAMES.map((name) => [name, new Workflow(this, `Workflow-${name}`, { name, table })]),
    ) as Record<WorkflowName, Workflow>;
    const api = new Api(this, 'Api', { table });
    new CfnOutput(this, 'ApiUrl', { value: api.url, description: 'Base URL of the Tally HTTP API' });
  }
}
