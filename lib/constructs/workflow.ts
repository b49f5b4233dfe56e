import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { workflowArnVariable } from '../../functions/shared/config.js';
import { stepPlaceholder, taskSteps, type AslMachine } from '../../functions/steps/asl.js';
import { BillingFunction, type FunctionNeeds, type MailSender } from './billing-function.js';

const WORKFLOWS_DIR = fileURLToPath(new URL('../../workflows', import.meta.url));
const STEP_ENTRY = 'functions/steps/step.handler.ts';

export interface WorkflowProps {
  /** The workflow: `<dir>/<name>.asl.json`. */
  name: string;
  /** The table of the data stack, which every step reads and writes. */
  table: ITable;
  /** Where the definition is (default `workflows/`; tests use a fixture directory). */
  dir?: string;
  /** X-Ray tracing of executions (default on). */
  tracing?: boolean;
  /** What a step needs beyond the table, by step name; a step the definition does not name is an error. */
  stepNeeds?: Readonly<Record<string, FunctionNeeds>>;
  /** The sender of the steps that send mail (required when one does). */
  mail?: MailSender;
}

/**
 * A Standard state machine from `workflows/<name>.asl.json` (design §4): one BillingFunction per step
 * the definition names (`${<Step>FunctionArn}`), whose ARNs are substituted in; a role that may invoke
 * those functions and nothing else; every event logged; and an alarm on any failed execution.
 */
export class Workflow extends Construct {
  readonly name: string;
  readonly stateMachine: StateMachine;
  /** The step functions, by step name. */
  readonly steps: Readonly<Record<string, BillingFunction>>;
  readonly failedAlarm: Alarm;

  constructor(
    scope: Construct,
    id: string,
    { name, table, dir = WORKFLOWS_DIR, tracing = true, stepNeeds = {}, mail }: WorkflowProps,
  ) {
    super(scope, id);
    this.name = name;

    const file = join(dir, `${name}.asl.json`);
    const stepNames = [...new Set(Object.values(taskSteps(JSON.parse(readFileSync(file, 'utf8')) as AslMachine)))];
    const unknown = Object.keys(stepNeeds).filter((step) => !stepNames.includes(step));
    if (unknown.length) throw new Error(`The ${name} workflow has no step ${unknown.join(', ')} (stepNeeds)`);
    this.steps = Object.fromEntries(
      stepNames.map((step) => {
        const needs = stepNeeds[step] ?? {};
        const fn = new BillingFunction(this, `${step}Step`, { entry: STEP_ENTRY, needs });
        fn.bindTable(table);
        fn.fn.addEnvironment('STEP_NAME', step);
        if (needs.sendsMail) {
          if (!mail) throw new Error(`The ${step} step of the ${name} workflow sends mail: give the Workflow a sender`);
          fn.bindMail(mail);
        }
        return [step, fn];
      }),
    );

    // Our own role, so that the only functions it may invoke are its steps (no `*`, no versions).
    const role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('states.amazonaws.com') });
    role.addToPolicy(
      new PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: Object.values(this.steps).map((step) => step.fn.functionArn),
      }),
    );
    const logGroup = new LogGroup(this, 'Logs', {
      // The `/aws/vendedlogs/` prefix keeps the resource policy Step Functions writes under its size limit.
      logGroupName: `/aws/vendedlogs/states/tally-${name}-${this.node.addr.slice(0, 8)}`,
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromFile(file),
      definitionSubstitutions: Object.fromEntries(
        Object.entries(this.steps).map(([step, fn]) => [stepPlaceholder(step), fn.fn.functionArn]),
      ),
      role,
      tracingEnabled: tracing,
      // Every event, without the data: inputs and results hold customers' names, addresses and amounts.
      logs: { destination: logGroup, level: LogLevel.ALL, includeExecutionData: false },
    });

    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        "Only what CDK adds for logging and tracing, whose actions take no resource: CloudWatch Logs' log delivery (logs:CreateLogDelivery, ...) and X-Ray's xray:PutTraceSegments. Invoking is granted on the step functions alone.",
    });

    this.failedAlarm = new Alarm(this, 'ExecutionsFailed', {
      alarmDescription: `An execution of the ${name} workflow failed: its work is not done (see the state machine's log).`,
      metric: this.stateMachine.metricFailed({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }

  /** Lets the function start executions of this workflow, and tells it the state machine (`WORKFLOW_<NAME>_ARN`). */
  grantStart(fn: BillingFunction): void {
    this.stateMachine.grantStartExecution(fn.fn);
    fn.fn.addEnvironment(workflowArnVariable(this.name), this.stateMachine.stateMachineArn);
  }
}
