import { Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnTable } from 'aws-cdk-lib/aws-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { routeKey } from '../../functions/api/route.js';
import { portalRoutes } from '../../functions/api/portal/routes.js';
import { allRoutes, routeGroups } from '../../functions/api/routes/index.js';
import type { ServiceStack } from '../../lib/stacks/service-stack.js';
import { tallyApp } from './tally-app.js';
import { servingFunction } from './template-queries.js';

type Resources = ReturnType<Template['findResources']>;

const groups = Object.entries(routeGroups);

describe('ServiceStack', () => {
  let template: Template;
  let functions: Resources;
  /** The table's logical id in the data stack: every reference to the table carries it. */
  let tableId: string;
  let service: ServiceStack;

  beforeAll(() => {
    // Prepare
    let data;
    ({ data, service } = tallyApp());
    tableId = data.getLogicalId(data.table.node.defaultChild as CfnTable);
    // Act
    template = Template.fromStack(service);
    functions = template.findResources('AWS::Lambda::Function');
  }, 120_000);

  it('has an API route for every route of the table, behind the API key unless public', () => {
    // Assess
    for (const route of allRoutes()) {
      template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
        RouteKey: routeKey(route),
        AuthorizationType: route.public ? 'NONE' : 'CUSTOM',
      });
    }
    // the client portal's pages, whose token is their credential (test/infra/milestone-billing.test.ts)
    for (const route of portalRoutes) {
      template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: routeKey(route), AuthorizationType: 'NONE' });
    }
    // and `$default`, for what no route matched (test/infra/api-unmatched.test.ts)
    template.resourceCountIs('AWS::ApiGatewayV2::Route', allRoutes().length + portalRoutes.length + 1);
  });

  it('serves each route group with one function of its own; beside them the authorizer, the portal, the steps, the sweep and the scheduled target', () => {
    // Assess
    const functionsByGroup = groups.map(([, group]) => new Set(group.map((r) => servingFunction(template, routeKey(r)))));
    for (const served of functionsByGroup) expect(served.size).toBe(1);
    expect(new Set(functionsByGroup.flatMap((served) => [...served])).size).toBe(groups.length);
    const steps = Object.values(service.workflows).flatMap((workflow) => Object.keys(workflow.steps));
    expect(steps.length).toBeGreaterThan(0);
    expect(Object.keys(functions)).toHaveLength(groups.length + 1 + 1 + steps.length + 1 + 1);
  });

  it('authorizes with simple responses on the Authorization header, cached for minutes', () => {
    // Assess
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'REQUEST',
      EnableSimpleResponses: true,
      IdentitySource: ['$request.header.Authorization'],
      AuthorizerResultTtlInSeconds: 300,
    });
  });

  it('runs every function on Node 22 and arm64, with the Powertools settings and the table name, without source maps', () => {
    // Assess
    for (const fn of Object.values(functions)) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Environment: { Variables: { POWERTOOLS_SERVICE_NAME: 'tally', POWERTOOLS_LOG_LEVEL: 'INFO' } },
      });
      expect(fn.Properties.Environment.Variables.NODE_OPTIONS).toBeUndefined();
      expect(JSON.stringify(fn.Properties.Environment.Variables.TABLE_NAME)).toContain(tableId);
    }
  });

  it('gives every function the one AWS SDK layer, for Node 22 on arm64, and nothing else to load from /opt', () => {
    // Prepare
    const layers = template.findResources('AWS::Lambda::LayerVersion');
    const [layerId] = Object.keys(layers);
    // Assess
    expect(Object.keys(layers)).toHaveLength(1);
    expect(layers[layerId!]!.Properties).toMatchObject({
      CompatibleRuntimes: ['nodejs22.x'],
      CompatibleArchitectures: ['arm64'],
    });
    for (const fn of Object.values(functions)) expect(fn.Properties.Layers).toEqual([{ Ref: layerId }]);
  });

  it('grants every function the table, read-only for the authorizer, with no wildcard', () => {
    // Prepare
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    const authorizer = JSON.stringify(Object.values(template.findResources('AWS::ApiGatewayV2::Authorizer'))[0]);
    // Assess
    for (const [id, fn] of Object.entries(functions)) {
      const role = fn.Properties.Role['Fn::GetAtt'][0];
      const statements = policies
        .filter((p) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref === role))
        .flatMap((p) => p.Properties.PolicyDocument.Statement);
      const tableActions = statements
        .filter((s) => JSON.stringify(s.Resource).includes(tableId))
        .flatMap((s) => [s.Action].flat());
      expect(tableActions).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query']));
      const writes = tableActions.filter((action) => /Put|Update|Delete|Write/.test(action));
      const isAuthorizer = authorizer.includes(id);
      expect(writes).toEqual(
        isAuthorizer ? [] : expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem']),
      );
    }
    for (const statement of policies.flatMap((p) => p.Properties.PolicyDocument.Statement)) {
      expect([statement.Action].flat().filter((action: string) => action.includes('*'))).toEqual([]);
      // What takes `*` is only the state machines' log delivery and tracing, whose actions take no resource.
      if ([statement.Resource].flat().includes('*')) {
        for (const action of [statement.Action].flat())
          expect(action).toMatch(
            /^(logs:(\w*LogDeliver\w*|PutResourcePolicy|DescribeResourcePolicies|DescribeLogGroups)|xray:\w+)$/,
          );
      }
    }
    template.allResourcesProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
  });

  it('logs every function and the API access to log groups kept for a month', () => {
    // Assess
    // one per function, the API's access log and one per state machine
    template.resourceCountIs(
      'AWS::Logs::LogGroup',
      Object.keys(functions).length + 1 + Object.keys(template.findResources('AWS::StepFunctions::StateMachine')).length,
    );
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    const logGroups = Object.keys(template.findResources('AWS::Logs::LogGroup'));
    for (const fn of Object.values(functions)) expect(logGroups).toContain(fn.Properties.LoggingConfig.LogGroup.Ref);
  });

  it('logs access and throttles on the default stage, and outputs the URL', () => {
    // Assess
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('\\$context\\.requestId') },
      DefaultRouteSettings: { ThrottlingRateLimit: Match.anyValue(), ThrottlingBurstLimit: Match.anyValue() },
    });
    template.hasOutput('ApiUrl', { Value: Match.anyValue() });
  });
});
