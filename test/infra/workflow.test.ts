import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { VALIDATION_REPORT_FILE } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { BillingFunction } from '../../lib/constructs/billing-function.js';
import { Workflow, type WorkflowProps } from '../../lib/constructs/workflow.js';
import { DataStack } from '../../lib/stacks/data-stack.js';
import { newApp } from './tally-app.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/workflows', import.meta.url));
const STEPS = ['Prepare', 'Charge', 'RecordFailure'];
const SENDER = { from: 'billing@tally.example', identity: 'tally.example' };

type Resource = { Properties: Record<string, any> };

describe('Workflow construct', () => {
  let app: App;
  let stack: Stack;
  let template: Template;
  let ids: { stateMachine: string; starter: string; steps: Record<string, string> };

  beforeAll(() => {
    // Prepare: the fixture workflow, and an API function that starts it
    app = newApp();
    const data = new DataStack(app, 'Tally-Data');
    stack = new Stack(app, 'Workflow-Test');
    const workflow = new Workflow(stack, 'Demo', {
      name: 'demo-billing',
      table: data.table,
      dir: FIXTURES,
      stepNeeds: { Charge: { sendsMail: true } },
      mail: SENDER,
    });
    const starter = new BillingFunction(stack, 'Starter', { entry: 'functions/api/meta.handler.ts' });
    workflow.grantStart(starter);
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    // Act
    template = Template.fromStack(stack);
    const logicalId = (construct: { node: { defaultChild?: unknown } }) =>
      stack.getLogicalId(construct.node.defaultChild as never);
    ids = {
      stateMachine: logicalId(workflow.stateMachine),
      starter: logicalId(starter.fn),
      steps: Object.fromEntries(Object.entries(workflow.steps).map(([step, fn]) => [step, logicalId(fn.fn)])),
    };
  }, 120_000);

  it('is a Standard state machine of the file, each step placeholder given its own function', () => {
    // Assess
    expect(Object.keys(ids.steps).sort()).toEqual([...STEPS].sort());
    const [machine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine')) as Resource[];
    expect(machine!.Properties.StateMachineType).toBe('STANDARD');
    expect(machine!.Properties.DefinitionSubstitutions).toEqual(
      Object.fromEntries(STEPS.map((step) => [`${step}FunctionArn`, { 'Fn::GetAtt': [ids.steps[step], 'Arn'] }])),
    );
    // The file as it is (DefinitionBody.fromFile), uploaded as an asset and substituted by CloudFormation.
    expect(machine!.Properties.DefinitionS3Location).toMatchObject({
      Bucket: expect.anything(),
      Key: expect.stringMatching(/\.json$/),
    });
    expect(machine!.Properties.DefinitionString).toBeUndefined();
  });

  it('runs each step in a function of its own that knows its step and the table', () => {
    // Assess
    for (const [step, id] of Object.entries(ids.steps)) {
      const fn = template.findResources('AWS::Lambda::Function')[id] as Resource;
      expect(fn.Properties.Environment.Variables.STEP_NAME).toBe(step);
      expect(fn.Properties.Environment.Variables.TABLE_NAME).toBeDefined();
    }
  });

  it('gives a step what its needs name, and the others only the table', () => {
    // Prepare: the SES statements of each step's role
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    const functions = template.findResources('AWS::Lambda::Function');
    const mailStatements = (id: string) =>
      policies
        .filter(
          (p) =>
            JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: functions[id]!.Properties.Role['Fn::GetAtt'][0] }]),
        )
        .flatMap((p) => p.Properties.PolicyDocument.Statement as { Action: string | string[] }[])
        .filter((s) => [s.Action].flat().some((a) => a.startsWith('ses:')));
    // Assess
    for (const [step, id] of Object.entries(ids.steps)) {
      const mails = step === 'Charge';
      expect(mailStatements(id), step).toEqual(
        mails ? [expect.objectContaining({ Condition: { StringEquals: { 'ses:FromAddress': SENDER.from } } })] : [],
      );
      expect(functions[id]!.Properties.Environment.Variables.MAIL_FROM, step).toBe(mails ? SENDER.from : undefined);
    }
  });

  it('refuses needs for a step its definition does not name, and a step that mails without a sender', () => {
    // Prepare
    const build = (props: Partial<WorkflowProps>) => () => {
      const scope = new Stack(newApp(), 'Refused');
      const table = new DataStack(scope.node.scope as App, 'Data').table;
      new Workflow(scope, 'Demo', { name: 'demo-billing', table, dir: FIXTURES, ...props });
    };
    // Assess
    expect(build({ stepNeeds: { Chrage: { sendsMail: true } }, mail: SENDER })).toThrow(/no step Chrage/);
    expect(build({ stepNeeds: { Charge: { sendsMail: true } } })).toThrow(/Charge step .* sends mail/);
  });

  it('logs every event without the execution data, and traces with X-Ray', () => {
    // Assess
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      LoggingConfiguration: {
        Level: 'ALL',
        IncludeExecutionData: false,
        Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: Match.anyValue() } }],
      },
      TracingConfiguration: { Enabled: true },
    });
  });

  it('has a role that may invoke its step functions and no other function', () => {
    // Assess
    const [role] = Object.entries(template.findResources('AWS::IAM::Role')).filter(([, r]) =>
      JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('states.amazonaws.com'),
    );
    const [machine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine')) as Resource[];
    expect(machine!.Properties.RoleArn).toEqual({ 'Fn::GetAtt': [role![0], 'Arn'] });
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: role![0] }]))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]);
    const invoking = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('lambda:')));
    expect(invoking.map((s) => s.Action)).toEqual(['lambda:InvokeFunction']);
    expect(invoking[0]!.Resource).toEqual(
      expect.arrayContaining(STEPS.map((step) => ({ 'Fn::GetAtt': [ids.steps[step], 'Arn'] }))),
    );
    expect(invoking[0]!.Resource).toHaveLength(STEPS.length);
    // What takes `*` is only log delivery and tracing, whose actions take no resource.
    const wildcard = statements.filter((s) => s.Resource === '*').flatMap((s) => [s.Action].flat());
    for (const action of wildcard)
      expect(action).toMatch(/^(logs:(\w*LogDeliver\w*|PutResourcePolicy|DescribeResourcePolicies|DescribeLogGroups)|xray:\w+)$/);
  });

  it('alarms on a failed execution', () => {
    // Assess
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/States',
      MetricName: 'ExecutionsFailed',
      Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: ids.stateMachine } }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
  });

  it('lets a function granted the start start executions of this state machine only, and tells it the ARN', () => {
    // Assess
    const starter = template.findResources('AWS::Lambda::Function')[ids.starter] as Resource;
    expect(starter.Properties.Environment.Variables.WORKFLOW_DEMO_BILLING_ARN).toEqual({ Ref: ids.stateMachine });
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[],
    );
    expect(statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('states:')))).toEqual([
      expect.objectContaining({ Action: 'states:StartExecution', Resource: { Ref: ids.stateMachine } }),
    ]);
  });

  it('passes the cdk-nag AwsSolutions checks, acknowledging only the wildcard that logging and tracing need', () => {
    // Act: synth throws, with the report, on any unacknowledged finding
    const { directory } = app.synth();
    // Assess
    const report = JSON.parse(readFileSync(join(directory, VALIDATION_REPORT_FILE), 'utf8')) as {
      pluginReports: { violations: unknown[] }[];
    };
    expect(report.pluginReports.flatMap((p) => p.violations)).toEqual([]);
  });
});
