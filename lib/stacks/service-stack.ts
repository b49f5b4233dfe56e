import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { WORKFLOW_NAMES, type WorkflowName } from '../../functions/adapters/workflows.js';
import { Api } from '../constructs/api.js';
import { type FunctionNeeds, mailSender } from '../constructs/billing-function.js';
import { RecurringFunction } from '../constructs/recurring-function.js';
import { Schedules } from '../constructs/schedules.js';
import { Workflow } from '../constructs/workflow.js';

export interface ServiceStackProps extends StackProps {
  /** The table of the data stack. */
  table: ITable;
}

/** What a workflow's steps need beyond the table, by workflow and step (the steps not named need only the table). */
const STEP_NEEDS: Partial<Record<WorkflowName, Record<string, FunctionNeeds>>> = {
  // Renders the invoice PDF and emails it.
  'milestone-billing': { SendMilestoneInvoice: { rendersDocuments: true, sendsMail: true } },
  'partial-invoice': { SendFinalized: { rendersDocuments: true, sendsMail: true } },
};

/** The stateless stack: everything that can be destroyed and rebuilt without losing data. */
export class ServiceStack extends Stack {
  /** A state machine per workflow (`workflows/<name>.asl.json`); `grantStart` it to the functions that start it. */
  readonly workflows: Readonly<Record<WorkflowName, Workflow>>;
  /** The schedule group, its target function, role and dead-letter queue; `grantSchedule` it to the functions that schedule. */
  readonly schedules: Schedules;

  constructor(scope: Construct, id: string, { table, ...props }: ServiceStackProps) {
    super(scope, id, props);

    const mail = mailSender(this);
    this.workflows = Object.fromEntries(
      WORKFLOW_NAMES.map((name) => [
        name,
        new Workflow(this, `Workflow-${name}`, { name, table, mail, stepNeeds: STEP_NEEDS[name] }),
      ]),
    ) as Record<WorkflowName, Workflow>;
    // What the targets of schedules (functions/scheduled/targets.ts) need beyond the table: a profile's
    // snapshot and late fee render the invoice PDF and email it; an approval reminder emails a new
    // portal link; a deemed acceptance starts the milestone's billing; a snapshot removes its
    // profile's schedule after the last cycle and schedules the late fee of the invoice it issued.
    this.schedules = new Schedules(this, 'Schedules', {
      table,
      mail,
      targetNeeds: { rendersDocuments: true, sendsMail: true },
    });
    const api = new Api(this, 'Api', { table, mail, workflows: this.workflows, schedules: this.schedules });
    api.bindPortalUrl(this.schedules.target);
    this.workflows['milestone-billing'].grantStart(this.schedules.target);
    this.schedules.grantSchedule(this.schedules.target);
    new CfnOutput(this, 'ApiUrl', { value: api.url, description: 'Base URL of the Tally HTTP API' });

    // A decision records that a workflow start is owed in the same write; this starts any still owed (design §4).
    const owedStarts = new RecurringFunction(this, 'OwedStarts', {
      entry: 'functions/scheduled/owed-starts.handler.ts',
      every: Duration.minutes(1),
      description: 'Tally: starts the workflows that recorded decisions are owed and did not get',
    });
    owedStarts.function.bindTable(table);
    for (const workflow of Object.values<Workflow>(this.workflows)) workflow.grantStart(owedStarts.function);
  }
}
