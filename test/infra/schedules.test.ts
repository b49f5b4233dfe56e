import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { routeKey } from '../../functions/api/route.js';
import { routeGroups } from '../../functions/api/routes/index.js';
import { FUNCTION_TIMEOUT_SECONDS, SCHEDULE_VARIABLES, workflowArnVariable } from '../../functions/shared/config.js';
import { tallyApp } from './tally-app.js';
import { functionStatements, grantsOf, type Resource, roleStatements, servingFunction } from './template-queries.js';

const SCHEDULE_ACTIONS = ['scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'scheduler:DeleteSchedule'];
/** Every route group whose function puts or removes schedules. */
const SCHEDULING_GROUPS = ['milestones', 'change-orders', 'estimates', 'profiles', 'invoices'] as const;

describe('the schedules on AWS', () => {
  let template: Template;
  let functions: Record<string, Resource>;
  let ids: { group: string; queue: string; role: string; target: string; scheduling: string[]; machine: string };
  let groupName: string;

  beforeAll(() => {
    // Prepare
    const { service } = tallyApp();
    // Act
    template = Template.fromStack(service);
    functions = template.findResources('AWS::Lambda::Function') as Record<string, Resource>;
    const logicalId = (construct: { node: { defaultChild?: unknown } }) =>
      service.getLogicalId(construct.node.defaultChild as never);
    const { schedules } = service;
    groupName = schedules.group.scheduleGroupName;
    ids = {
      group: logicalId(schedules.group),
      queue: logicalId(schedules.deadLetterQueue),
      role: logicalId(schedules.role),
      target: logicalId(schedules.target.fn),
      // The route groups whose approval requests schedule their reminders and expiry, whose profiles
      // schedule their cycles and whose invoices their late fees; and the target, whose snapshot ends its
      // profile's schedule and schedules the late fee of the invoice it issued.
      scheduling: [
        ...SCHEDULING_GROUPS.map((group) => servingFunction(template, routeKey(routeGroups[group][0]!))),
        logicalId(schedules.target.fn),
      ],
      machine: logicalId(service.workflows['milestone-billing'].stateMachine),
    };
  }, 120_000);

  it('keeps every schedule in one schedule group, kept if the stack goes', () => {
    // Assess
    const groups = template.findResources('AWS::Scheduler::ScheduleGroup');
    expect(Object.keys(groups)).toEqual([ids.group]);
    expect(groups[ids.group]).toMatchObject({
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: { Name: groupName },
    });
  });

  it('has an encrypted dead-letter queue taking only TLS, and an alarm when it holds any message', () => {
    // Assess
    expect(template.findResources('AWS::SQS::Queue')[ids.queue]!.Properties).toEqual({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: ids.queue }],
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Deny',
            Action: 'sqs:*',
            Principal: { AWS: '*' },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            Resource: { 'Fn::GetAtt': [ids.queue, 'Arn'] },
          },
        ],
      },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [ids.queue, 'QueueName'] } }],
      Statistic: 'Maximum',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it('has a role that only Scheduler may take, for a schedule of the group in this account', () => {
    // Assess
    const role = template.findResources('AWS::IAM::Role')[ids.role] as Resource;
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Principal: { Service: 'scheduler.amazonaws.com' },
        Condition: {
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' }, 'aws:SourceArn': { 'Fn::GetAtt': [ids.group, 'Arn'] } },
        },
      },
    ]);
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role.Properties.Policies).toBeUndefined();
    const managed = Object.values(template.findResources('AWS::IAM::ManagedPolicy'));
    expect(managed.filter((p) => JSON.stringify(p.Properties.Roles ?? []).includes(ids.role))).toEqual([]);
  });

  it('lets the role invoke the scheduled-target function alone (no version or alias) and send to the dead-letter queue alone', () => {
    // Assess
    expect(roleStatements(template, ids.role)).toEqual([
      { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: { 'Fn::GetAtt': [ids.target, 'Arn'] } },
      { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [ids.queue, 'Arn'] } },
    ]);
  });

  it('retries a failed fire of the target function twice, then sends it to the dead-letter queue', () => {
    // Assess
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: ids.target },
      Qualifier: '$LATEST',
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 6 * 3600,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [ids.queue, 'Arn'] } } },
    });
    const sends = grantsOf(functionStatements(template, ids.target), 'sqs');
    expect(sends.flatMap((s) => [s.Resource].flat())).toEqual([{ 'Fn::GetAtt': [ids.queue, 'Arn'] }]);
  });

  it('runs the target function for up to 5 minutes with 1 GB (a snapshot of 5,000 items), the others at the API timeout', () => {
    // Assess
    expect(functions[ids.target]!.Properties).toMatchObject({ Timeout: 300, MemorySize: 1024 });
    for (const [id, fn] of Object.entries(functions))
      if (id !== ids.target) expect(fn.Properties.Timeout, id).toBe(FUNCTION_TIMEOUT_SECONDS);
  });

  it('gives the target function the table, mail, the portal and the start of a milestone billing', () => {
    // Prepare
    const variables = functions[ids.target]!.Properties.Environment.Variables;
    const statements = functionStatements(template, ids.target);
    // Assess
    expect(functions[ids.target]!.Properties.Handler).toBe('index.handler');
    expect(variables).toMatchObject({
      TABLE_NAME: expect.anything(),
      MAIL_FROM: 'billing@tally.example',
      PORTAL_URL: { 'Fn::GetAtt': [expect.any(String), 'ApiEndpoint'] },
      [workflowArnVariable('milestone-billing')]: { Ref: ids.machine },
    });
    expect(grantsOf(statements, 'ses')).toHaveLength(1);
    expect(grantsOf(statements, 'states')).toEqual([
      expect.objectContaining({ Action: 'states:StartExecution', Resource: { Ref: ids.machine } }),
    ]);
  });

  it("lets a scheduling function create, update and delete only the group's schedules, pass only the role, and tells it where", () => {
    // Prepare: the target's ARN by its name, since the target is told it too (it cannot refer to itself).
    const targetName = functions[ids.target]!.Properties.FunctionName;
    expect(targetName).toMatch(/^[\w-]{1,64}$/);
    const targetArn = {
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':lambda:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          `:function:${targetName}`,
        ],
      ],
    };
    for (const fn of ids.scheduling) {
      // Prepare
      const statements = functionStatements(template, fn);
      // Assess
      expect(grantsOf(statements, 'scheduler')).toEqual([
        {
          Effect: 'Allow',
          Action: [...SCHEDULE_ACTIONS].sort(),
          Resource: {
            'Fn::Join': [
              '',
              [
                'arn:',
                { Ref: 'AWS::Partition' },
                ':scheduler:',
                { Ref: 'AWS::Region' },
                ':',
                { Ref: 'AWS::AccountId' },
                `:schedule/${groupName}/*`,
              ],
            ],
          },
        },
      ]);
      expect(grantsOf(statements, 'iam')).toEqual([
        {
          Effect: 'Allow',
          Action: 'iam:PassRole',
          Resource: { 'Fn::GetAtt': [ids.role, 'Arn'] },
          Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
        },
      ]);
      expect(functions[fn]!.Properties.Environment.Variables).toMatchObject({
        [SCHEDULE_VARIABLES.group]: groupName,
        [SCHEDULE_VARIABLES.targetArn]: targetArn,
        [SCHEDULE_VARIABLES.roleArn]: { 'Fn::GetAtt': [ids.role, 'Arn'] },
        [SCHEDULE_VARIABLES.deadLetterArn]: { 'Fn::GetAtt': [ids.queue, 'Arn'] },
      });
    }
  });

  it('lets no other function schedule or pass a role', () => {
    // Assess
    expect(new Set(ids.scheduling).size).toBe(SCHEDULING_GROUPS.length + 1);
    for (const [id, fn] of Object.entries(functions)) {
      if (ids.scheduling.includes(id)) continue;
      const statements = functionStatements(template, id);
      expect([...grantsOf(statements, 'scheduler'), ...grantsOf(statements, 'iam')], id).toEqual([]);
      expect(fn.Properties.Environment.Variables[SCHEDULE_VARIABLES.roleArn], id).toBeUndefined();
    }
  });
});
