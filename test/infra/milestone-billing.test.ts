import { readFileSync } from 'node:fs';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnTable } from 'aws-cdk-lib/aws-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { WORKFLOW_NAMES } from '../../functions/adapters/workflows.js';
import { portalRoutes } from '../../functions/api/portal/routes.js';
import { routeKey } from '../../functions/api/route.js';
import { allRoutes, routeGroups } from '../../functions/api/routes/index.js';
import { workflowArnVariable } from '../../functions/shared/config.js';
import { tallyApp } from './tally-app.js';
import { functionStatements, grantsOf, type Resource, roleStatements, servingFunction } from './template-queries.js';

const DEFINITION = new URL('../../workflows/milestone-billing.asl.json', import.meta.url);
const STEPS = [
  'ApplyMilestoneApproval',
  'CreateMilestoneInvoice',
  'IssueMilestoneInvoice',
  'SendMilestoneInvoice',
  'MarkMilestoneInvoiced',
  'RecordMilestoneBillingFailure',
];
const BILLING_ARN_VARIABLE = workflowArnVariable('milestone-billing');

describe('milestone billing and the client portal on AWS', () => {
  let template: Template;
  let functions: Record<string, Resource>;
  let machine: Resource;
  let tableId: string;
  let ids: {
    machine: string;
    steps: Record<string, string>;
    milestones: string;
    portal: string;
    httpApi: string;
    /** The schedules' target function and dead-letter queue (test/infra/schedules.test.ts). */
    scheduledTarget: string;
    schedulesQueue: string;
  };

  beforeAll(() => {
    // Prepare
    const { data, service } = tallyApp();
    // Act
    template = Template.fromStack(service);
    functions = template.findResources('AWS::Lambda::Function') as Record<string, Resource>;
    const logicalId = (construct: { node: { defaultChild?: unknown } }) =>
      service.getLogicalId(construct.node.defaultChild as never);
    const workflow = service.workflows['milestone-billing'];
    tableId = data.getLogicalId(data.table.node.defaultChild as CfnTable);
    ids = {
      machine: logicalId(workflow.stateMachine),
      steps: Object.fromEntries(Object.entries(workflow.steps).map(([step, fn]) => [step, logicalId(fn.fn)])),
      milestones: servingFunction(template, routeKey(routeGroups.milestones[0]!)),
      portal: servingFunction(template, routeKey(portalRoutes[0]!)),
      httpApi: Object.keys(template.findResources('AWS::ApiGatewayV2::Api'))[0]!,
      scheduledTarget: logicalId(service.schedules.target.fn),
      schedulesQueue: logicalId(service.schedules.deadLetterQueue),
    };
    machine = template.findResources('AWS::StepFunctions::StateMachine')[ids.machine] as Resource;
  }, 120_000);

  it('is a Standard state machine that logs every event and traces', () => {
    // Assess
    expect(machine.Properties).toMatchObject({
      StateMachineType: 'STANDARD',
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false },
      TracingConfiguration: { Enabled: true },
    });
  });

  it("substitutes every placeholder of workflows/milestone-billing.asl.json with its own step's function ARN", () => {
    // Prepare: the file as uploaded, and what CloudFormation substitutes into it
    const text = readFileSync(DEFINITION, 'utf8');
    const placeholders = [...new Set([...text.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]!))];
    const substitutions = machine.Properties.DefinitionSubstitutions as Record<string, { 'Fn::GetAtt': [string, string] }>;
    // Act
    const rendered = text.replace(/\$\{(\w+)\}/g, (placeholder, name: string) =>
      substitutions[name] ? JSON.stringify(substitutions[name]) : placeholder,
    );
    // Assess
    expect(placeholders.sort()).toEqual(STEPS.map((step) => `${step}FunctionArn`).sort());
    expect(Object.keys(substitutions).sort()).toEqual(placeholders);
    expect(rendered).not.toContain('${');
    for (const step of STEPS) {
      const [id, attribute] = substitutions[`${step}FunctionArn`]!['Fn::GetAtt'];
      expect(attribute).toBe('Arn');
      expect(functions[id]!.Properties.Environment.Variables.STEP_NAME, step).toBe(step);
    }
    expect(new Set(Object.values(substitutions).map((s) => s['Fn::GetAtt'][0])).size).toBe(STEPS.length);
  });

  it('has a role that may invoke exactly its step functions', () => {
    // Prepare
    const statements = roleStatements(template, machine.Properties.RoleArn['Fn::GetAtt'][0]);
    // Assess
    const [invoking, ...others] = grantsOf(statements, 'lambda');
    expect(others).toEqual([]);
    expect(invoking!.Action).toBe('lambda:InvokeFunction');
    expect([invoking!.Resource].flat()).toHaveLength(STEPS.length);
    expect([invoking!.Resource].flat()).toEqual(
      expect.arrayContaining(STEPS.map((step) => ({ 'Fn::GetAtt': [ids.steps[step], 'Arn'] }))),
    );
  });

  it('lets SendMilestoneInvoice alone of the steps send mail, as the sender identity only', () => {
    // Assess
    for (const [step, id] of Object.entries(ids.steps)) {
      const mail = grantsOf(functionStatements(template, id), 'ses');
      if (step !== 'SendMilestoneInvoice') {
        expect(mail, step).toEqual([]);
        continue;
      }
      expect(mail).toEqual([expect.objectContaining({ Effect: 'Allow', Action: 'ses:SendEmail' })]);
      expect(JSON.stringify(mail[0]!.Resource)).toMatch(
        /^\{"Fn::Join":\["",\["arn:",.*":ses:",.*":identity\/tally\.example"\]\]\}$/,
      );
    }
  });

  it('lets the milestones function start exactly the milestone-billing state machine, telling it the ARN and the portal URL', () => {
    // Prepare
    const variables = functions[ids.milestones]!.Properties.Environment.Variables;
    // Assess
    expect(grantsOf(functionStatements(template, ids.milestones), 'states')).toEqual([
      expect.objectContaining({ Effect: 'Allow', Action: 'states:StartExecution', Resource: { Ref: ids.machine } }),
    ]);
    expect(variables[BILLING_ARN_VARIABLE]).toEqual({ Ref: ids.machine });
    // The API's endpoint (https://<api>.execute-api.<region>.amazonaws.com, no trailing slash): the $default stage serves at its root.
    expect(variables.PORTAL_URL).toEqual({ 'Fn::GetAtt': [ids.httpApi, 'ApiEndpoint'] });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', { ApiId: { Ref: ids.httpApi }, StageName: '$default' });
  });

  it('tells the functions that email approval links where the portal is, and no other; the change-orders one starts nothing', () => {
    // Prepare
    // and the schedules' target, whose approval reminders carry a new link
    const emailsLinks = [
      ids.milestones,
      servingFunction(template, routeKey(routeGroups['change-orders'][0]!)),
      servingFunction(template, routeKey(routeGroups.estimates[0]!)),
      ids.scheduledTarget,
    ];
    // Assess
    for (const [id, fn] of Object.entries(functions)) {
      const portalUrl = fn.Properties.Environment.Variables.PORTAL_URL;
      expect(portalUrl, id).toEqual(emailsLinks.includes(id) ? { 'Fn::GetAtt': [ids.httpApi, 'ApiEndpoint'] } : undefined);
    }
    expect(grantsOf(functionStatements(template, emailsLinks[1]!), 'states')).toEqual([]);
  });

  it('serves the portal pages without an API key, and every other route but those declared public with one', () => {
    // Prepare
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')) as Resource[];
    const portal = new Set(portalRoutes.map(routeKey));
    const declaredPublic = new Set(
      allRoutes()
        .filter((r) => r.public)
        .map(routeKey),
    );
    // Assess
    expect(portal.size).toBeGreaterThan(0);
    for (const key of portal) expect(key).toMatch(/^(GET|HEAD|POST) \/portal\//);
    for (const { Properties: route } of routes) {
      const open = portal.has(route.RouteKey) || declaredPublic.has(route.RouteKey) || route.RouteKey === '$default';
      expect(route.AuthorizationType, route.RouteKey).toBe(open ? 'NONE' : 'CUSTOM');
      expect(route.AuthorizerId === undefined, route.RouteKey).toBe(open);
      if (portal.has(route.RouteKey)) expect(servingFunction(template, route.RouteKey), route.RouteKey).toBe(ids.portal);
    }
    for (const key of portal)
      expect(
        routes.some((r) => r.Properties.RouteKey === key),
        key,
      ).toBe(true);
  });

  it('lets the portal function start the billing and read and write the table, with nothing to list', () => {
    // Prepare
    const statements = functionStatements(template, ids.portal);
    const variables = functions[ids.portal]!.Properties.Environment.Variables;
    // Assess
    expect(grantsOf(statements, 'states')).toEqual([
      expect.objectContaining({ Action: 'states:StartExecution', Resource: { Ref: ids.machine } }),
    ]);
    expect(variables[BILLING_ARN_VARIABLE]).toEqual({ Ref: ids.machine });
    const tableActions = statements.filter((s) => JSON.stringify(s.Resource).includes(tableId)).flatMap((s) => [s.Action].flat());
    expect(tableActions).toEqual(
      expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem']),
    );
    expect(variables.CURSOR_KEY).toBeUndefined();
  });

  it('sweeps owed workflow starts every minute, retrying a run not delivered into a dead-letter queue', () => {
    // Prepare: the rule's target
    const [rule, ...otherRules] = Object.entries(template.findResources('AWS::Events::Rule')) as [string, Resource][];
    expect(otherRules).toEqual([]);
    const [target] = rule![1].Properties.Targets;
    const sweep = target.Arn['Fn::GetAtt'][0] as string;
    const queues = Object.keys(template.findResources('AWS::SQS::Queue')).filter((id) => id !== ids.schedulesQueue);
    // Assess
    expect(rule![1].Properties).toMatchObject({ ScheduleExpression: 'rate(1 minute)', State: 'ENABLED' });
    expect(target).toMatchObject({
      RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 60 },
      DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queues[0], 'Arn'] } },
    });
    expect(queues).toHaveLength(1);
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [sweep, 'Arn'] },
      Principal: 'events.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [rule![0], 'Arn'] },
    });
    // The next run is the retry: Lambda does not retry a failed one.
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: sweep },
      MaximumRetryAttempts: 0,
    });
    // It may start every workflow, and knows each one's state machine.
    const machines = Object.keys(template.findResources('AWS::StepFunctions::StateMachine'));
    expect(machines).toHaveLength(WORKFLOW_NAMES.length);
    const starts = grantsOf(functionStatements(template, sweep), 'states');
    expect(new Set(starts.flatMap((s) => [s.Action].flat()))).toEqual(new Set(['states:StartExecution']));
    expect(starts.flatMap((s) => [s.Resource].flat())).toEqual(expect.arrayContaining(machines.map((id) => ({ Ref: id }))));
    expect(functions[sweep]!.Properties.Environment.Variables[BILLING_ARN_VARIABLE]).toEqual({ Ref: ids.machine });
    expect(JSON.stringify(functionStatements(template, sweep))).toContain(tableId);
  });

  it('alarms on a failed billing execution, a sweep not delivered and a sweep that keeps failing', () => {
    // Prepare
    const queue = Object.keys(template.findResources('AWS::SQS::Queue')).find((id) => id !== ids.schedulesQueue);
    const sweep = (Object.values(template.findResources('AWS::Events::Rule'))[0] as Resource).Properties.Targets[0].Arn[
      'Fn::GetAtt'
    ][0];
    // Assess
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/States',
      MetricName: 'ExecutionsFailed',
      Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: ids.machine } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: sweep } }],
      Period: 60,
      EvaluationPeriods: 5,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: Match.exact('notBreaching'),
    });
  });
});
